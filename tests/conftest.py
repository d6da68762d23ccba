"""Shared pytest configuration: Hypothesis profiles and the real-tool gate."""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import HealthCheck, settings

from tests._ci_support.requires_tool import MARK_NAME, enforce

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
