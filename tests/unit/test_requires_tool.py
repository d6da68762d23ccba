"""`@requires_tool`: a loud skip, one warning per missing tool per session, parametrize-friendly,
and a failure instead of a skip under CODEGENIE_REQUIRE_TOOLS=1. Each case runs an inner pytest
session (pytester) with the real gate installed by a conftest."""

from __future__ import annotations

import warnings
from typing import cast

import pytest

from tests._ci_support.requires_tool import REQUIRE_TOOLS_VARIABLE

pytest_plugins = ["pytester"]

MISSING = "codegenie-no-such-tool-a"
ALSO_MISSING = "codegenie-no-such-tool-b"

GATE_CONFTEST = """
from tests._ci_support.requires_tool import MARK_NAME, enforce

def pytest_configure(config):
    config.addinivalue_line("markers", f"{MARK_NAME}(*tools): needs real tools")

def pytest_runtest_setup(item):
    enforce(item)
"""


@pytest.fixture
def gated(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv(REQUIRE_TOOLS_VARIABLE, raising=False)
    pytester.makeconftest(GATE_CONFTEST)
    return pytester


def run_session(pytester: pytest.Pytester) -> pytest.HookRecorder:
    """One inner pytest session, in this process."""
    return pytester.inline_run()  # pyright: ignore[reportUnknownMemberType] -- pytest leaves `plugins` untyped


def skip_reasons(reprec: pytest.HookRecorder) -> list[str]:
    reasons: list[str] = []
    for report in reprec.getreports("pytest_runtest_logreport"):
        if report.skipped:
            assert isinstance(report.longrepr, tuple)
            reasons.append(report.longrepr[2].removeprefix("Skipped: "))
    return reasons


def loud_warnings(reprec: pytest.HookRecorder) -> list[str]:
    recorded = [
        cast("warnings.WarningMessage", call.warning_message)  # a hook argument, typed loosely
        for call in reprec.getcalls("pytest_warning_recorded")
    ]
    return [str(w.message) for w in recorded if str(w.message).startswith("SKIPPED LOUD")]


def test_a_missing_tool_skips_with_a_reason_starting_skipped_loud(gated: pytest.Pytester) -> None:
    gated.makepyfile(
        f"""
        from tests._ci_support.requires_tool import requires_tool

        @requires_tool({MISSING!r})
        def test_needs_it():
            raise AssertionError("must not run")
        """
    )

    reprec = run_session(gated)

    reprec.assertoutcome(skipped=1)
    (reason,) = skip_reasons(reprec)
    assert reason.startswith("SKIPPED LOUD")
    assert MISSING in reason


def test_an_available_tool_lets_the_test_run(gated: pytest.Pytester) -> None:
    gated.makepyfile(
        """
        from tests._ci_support.requires_tool import requires_tool

        @requires_tool("linux", "sh")
        def test_runs():
            assert True
        """
    )

    run_session(gated).assertoutcome(passed=1)


def test_one_warning_per_missing_tool_per_session(gated: pytest.Pytester) -> None:
    gated.makepyfile(
        f"""
        from tests._ci_support.requires_tool import requires_tool

        @requires_tool({MISSING!r})
        def test_one(): pass

        @requires_tool({MISSING!r})
        def test_two(): pass

        @requires_tool({MISSING!r}, {ALSO_MISSING!r})
        def test_three(): pass

        @requires_tool({ALSO_MISSING!r})
        def test_four(): pass
        """
    )

    reprec = run_session(gated)

    reprec.assertoutcome(skipped=4)
    warned = loud_warnings(reprec)
    assert len(warned) == 2
    assert sorted(MISSING in w for w in warned) == [False, True]


def test_each_session_warns_afresh(gated: pytest.Pytester) -> None:
    gated.makepyfile(
        f"""
        from tests._ci_support.requires_tool import requires_tool

        @requires_tool({MISSING!r})
        def test_one(): pass
        """
    )

    first, second = run_session(gated), run_session(gated)

    assert (len(loud_warnings(first)), len(loud_warnings(second))) == (1, 1)


def test_the_mark_composes_with_parametrize(gated: pytest.Pytester) -> None:
    gated.makepyfile(
        f"""
        import pytest
        from tests._ci_support.requires_tool import requires_tool

        @requires_tool({MISSING!r})
        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_all_need_it(n): pass

        @pytest.mark.parametrize(
            "tool_free", [pytest.param(1, marks=requires_tool({MISSING!r})), 2]
        )
        def test_one_case_needs_it(tool_free): pass
        """
    )

    reprec = run_session(gated)

    reprec.assertoutcome(skipped=4, passed=1)
    assert all(r.startswith("SKIPPED LOUD") for r in skip_reasons(reprec))


def test_require_tools_turns_a_missing_tool_into_a_failure(
    gated: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(REQUIRE_TOOLS_VARIABLE, "1")
    gated.makepyfile(
        f"""
        from tests._ci_support.requires_tool import requires_tool

        @requires_tool({MISSING!r})
        def test_needs_it(): pass
        """
    )

    reprec = run_session(gated)

    reprec.assertoutcome(failed=1)
    (failure,) = [r for r in reprec.getreports("pytest_runtest_logreport") if r.failed]
    assert f"{REQUIRE_TOOLS_VARIABLE}=1" in str(failure.longrepr)
    assert MISSING in str(failure.longrepr)


@pytest.mark.parametrize("value", ["0", "", "true", "yes"])
def test_only_the_value_1_requires_tools(
    gated: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(REQUIRE_TOOLS_VARIABLE, value)
    gated.makepyfile(
        f"""
        from tests._ci_support.requires_tool import requires_tool

        @requires_tool({MISSING!r})
        def test_needs_it(): pass
        """
    )

    run_session(gated).assertoutcome(skipped=1)
