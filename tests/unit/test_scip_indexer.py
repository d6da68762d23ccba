"""The SCIP indexer runner's pure parts: what a run's sidecar keeps of its output."""

from __future__ import annotations

from codegenie_adapters.exec import ExecResult
from codegenie_adapters.scip_indexer import _tail  # pyright: ignore[reportPrivateUsage] -- the unit under test

ADVICE = b"Error: no files got indexed. To fix this problem, make sure that ...\n"


def _result(exit_code: int, stdout: bytes, stderr: bytes) -> ExecResult:
    return ExecResult(
        argv=("scip-typescript",), exit_code=exit_code, stdout=stdout, stderr=stderr, duration_s=1.0
    )


def test_a_failed_run_keeps_its_stdout_advice_after_a_stderr_warning() -> None:
    tail = _tail(_result(1, ADVICE, b"(node:7) Warning: a deprecation\n"), False)
    assert tail == "(node:7) Warning: a deprecation\n" + ADVICE.decode()


def test_a_failed_run_with_a_silent_stderr_keeps_its_stdout() -> None:
    assert _tail(_result(1, ADVICE, b""), False) == ADVICE.decode()


def test_a_successful_run_keeps_only_its_stderr() -> None:
    assert _tail(_result(0, b"progress\n", b"warn\n"), False) == "warn\n"
