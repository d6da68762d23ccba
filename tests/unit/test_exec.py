"""run_external_cli: values for every ending, whole process groups killed, bounded output."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any

from codegenie_adapters import log
from codegenie_adapters.exec import run_external_cli
from tests.support import silence_adapters_log


def test_a_finished_process_gives_its_exit_code_and_output() -> None:
    result = run_external_cli(
        [sys.executable, "-c", "import sys; print('out'); sys.exit(3)"], timeout_s=30
    )
    assert (result.exit_code, result.stdout, result.timed_out) == (3, b"out\n", False)


def test_a_missing_executable_is_a_value_not_an_exception() -> None:
    result = run_external_cli(["/nonexistent/tool", "--help"], timeout_s=5)
    assert result.not_found
    assert result.exit_code is None


def test_a_timeout_kills_the_whole_process_group(tmp_path) -> None:
    marker = tmp_path / "grandchild.pid"
    script = (
        "import subprocess, sys, time\n"
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(marker)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    started = time.monotonic()
    result = run_external_cli([sys.executable, "-c", script], timeout_s=1.0)
    assert result.timed_out
    assert time.monotonic() - started < 10
    grandchild = int(marker.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the grandchild outlived the timeout")


def test_captured_output_is_bounded_keeping_the_tail() -> None:
    code = "import sys; sys.stdout.write('x' * 100000 + 'END')"
    result = run_external_cli([sys.executable, "-c", code], timeout_s=30, max_output_bytes=1000)
    assert len(result.stdout) == 1000
    assert result.stdout.endswith(b"END")
    assert result.truncated


def test_head_mode_keeps_the_first_bytes_and_drains_the_rest_to_a_normal_exit() -> None:
    code = "import sys; sys.stdout.write('START' + 'x' * 300000 + 'END')"
    result = run_external_cli(
        [sys.executable, "-c", code], timeout_s=30, max_output_bytes=1000, keep_stdout="head"
    )
    assert (len(result.stdout), result.stdout[:5], result.truncated) == (1000, b"START", True)
    assert (result.exit_code, result.timed_out) == (0, False)


def test_head_mode_output_within_the_bound_is_whole_and_not_truncated() -> None:
    code = "import sys; sys.stdout.write('y' * 1000)"
    result = run_external_cli(
        [sys.executable, "-c", code], timeout_s=30, max_output_bytes=1000, keep_stdout="head"
    )
    assert (result.stdout, result.truncated) == (b"y" * 1000, False)


def test_the_child_gets_no_stdin_so_it_cannot_prompt() -> None:
    result = run_external_cli(
        [sys.executable, "-c", "import sys; print(repr(sys.stdin.read()))"], timeout_s=30
    )
    assert result.stdout == b"''\n"


def test_a_child_that_exits_while_a_grandchild_holds_its_pipes_is_not_a_timeout() -> None:
    result = run_external_cli(["sh", "-c", "(sleep 2 &) ; echo done"], timeout_s=30)
    assert (result.exit_code, result.timed_out, result.stdout) == (0, False, b"done\n")


def test_stdin_and_output_larger_than_a_pipe_flow_both_ways_without_a_deadlock() -> None:
    data = bytes(range(256)) * 8192  # 2 MiB each way: 32 times a pipe's buffer
    result = run_external_cli(["cat"], timeout_s=30, stdin_bytes=data, max_output_bytes=len(data))
    assert (result.exit_code, result.truncated, result.stdout == data) == (0, False, True)


def test_a_child_that_reads_no_stdin_is_not_an_error() -> None:
    result = run_external_cli(["true"], timeout_s=30, stdin_bytes=b"x" * (1 << 20))
    assert (result.exit_code, result.timed_out) == (0, False)


def test_the_pipes_are_drained_without_a_thread_per_call(monkeypatch: Any) -> None:
    """Rule 6: a gather's many short git calls pay no thread start each."""
    import threading

    def refuse(self: threading.Thread) -> None:
        raise AssertionError(f"thread {self.name!r} started")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    result = run_external_cli(["sh", "-c", "echo out; echo err >&2"], timeout_s=30)
    assert (result.stdout, result.stderr) == (b"out\n", b"err\n")


def _debug_log(run: Callable[[], object]) -> str:
    """What the adapters log at DEBUG while `run` runs."""
    messages: list[str] = []

    def sink(logger: Any) -> None:
        logger.remove()
        logger.add(lambda message: messages.append(str(message)), level="DEBUG", format="{message}")

    log.enable("DEBUG", configure=sink)
    try:
        run()
    finally:
        silence_adapters_log()
    return "".join(messages)


def test_the_logged_command_line_hides_values_credentials_and_a_programs_arguments() -> None:
    argv = (
        sys.executable, "-c", "pass", "--env=API_TOKEN=tok-env-1", "-e", "PW=tok-env-2",
        "https://u:tok-url@host/r?access_token=tok-query", "prog", "--secret", "tok-argv",
    )  # fmt: skip
    logged = _debug_log(lambda: run_external_cli(argv, timeout_s=10, program_tail=3))
    secrets = ("tok-env-1", "tok-env-2", "tok-url", "tok-query", "tok-argv")
    shown = ("--env=API_TOKEN=***", "-e', 'PW=***", "'prog', '<2 arguments hidden")
    assert ([t for t in secrets if t in logged], [s for s in shown if s not in logged]) == ([], [])
