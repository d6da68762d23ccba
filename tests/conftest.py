"""Shared pytest configuration: Hypothesis profiles and the real-tool gate."""

from __future__ import annotations

import os
import tempfile

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from tests._ci_support.requires_tool import MARK_NAME, enforce
from tests.context_schema import assert_valid, printed_or_written_document

# Every gather of the suite runs with strict reads: a probe reading a path its spec does not declare
# fails, so a passing suite shows every built-in probe declares what it reads (ADR-0030).
os.environ["CODEGENIE_STRICT_READS"] = "1"
# No user's codegenie config file reaches the suite's gathers (ADR-0059); tests that read one
# point XDG_CONFIG_HOME at their own.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="codegenie-test-config-")

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARK_NAME}(*tools): the test needs real tools; see tests/_ci_support"
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    enforce(item)


@pytest.fixture(autouse=True)
def _documents_meet_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every context document a test makes through the CLI meets the shipped schema (ADR-0056)."""
    invoke = CliRunner.invoke

    def checked(self: CliRunner, cli: object, args: object = None, *rest: object, **kw: object):
        result = invoke(self, cli, args, *rest, **kw)  # pyright: ignore[reportArgumentType]  # passed through
        if isinstance(args, list | tuple):
            document = printed_or_written_document([str(a) for a in args], result)
            if document is not None:
                assert_valid(document)
        return result

    monkeypatch.setattr(CliRunner, "invoke", checked)
