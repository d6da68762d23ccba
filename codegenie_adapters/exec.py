"""`run_external_cli`: the one place codegenie starts a process (see ADR-0001).

Rule 1: every child runs in its own session (process group); on timeout or interruption the whole
group is killed, so no grandchild outlives the call.
Rule 2: captured output is bounded (`max_output_bytes` per stream), so a chatty tool cannot exhaust
memory; the tail is kept (where a tool says what went wrong), or with `keep="head"` the head (a
stream such as a tar, whose beginning is what can be parsed), the rest read and dropped.
Rule 3: stdin is /dev/null: a child can never prompt (no sudo password, no pager).
Rule 4: a missing executable is a value (`exit_code=None`, `not_found=True`), not an exception.
Rule 5: the command line is logged only as `codegenie_core.redact.redact_argv` shows it: no
environment or build-arg value, no URL credential, and the last `program_tail` words (a program's
own argv, such as a scenario's) as their first word and a count (see ADR-0024).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from typing import IO, Literal

import attrs

from codegenie_adapters import log
from codegenie_core.redact import redact_argv

DEFAULT_MAX_OUTPUT_BYTES = 1 << 20
Keep = Literal["tail", "head"]


@attrs.frozen(kw_only=True)
class ExecResult:
    """What a finished (or killed) process left behind."""

    argv: tuple[str, ...]
    exit_code: int | None  # None when it never started or was killed for its timeout
    stdout: bytes
    stderr: bytes
    duration_s: float
    timed_out: bool = False
    not_found: bool = False
    truncated: bool = False  # some output was dropped to stay within the bound

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def stderr_tail(self, limit: int = 2000) -> str:
        return self.stderr[-limit:].decode("utf-8", "replace")


class _BoundedReader:
    """Drains one pipe on a thread, keeping at most `limit` bytes (the last ones, or the first)."""

    def __init__(self, stream: IO[bytes], limit: int, keep: Keep = "tail") -> None:
        self._stream = stream
        self._limit = limit
        self._keep = keep
        self._chunks = bytearray()
        self.truncated = False
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while chunk := self._stream.read(65536):
            if self._keep == "head":
                room = self._limit - len(self._chunks)
                self._chunks += chunk[: max(room, 0)]
                self.truncated = self.truncated or len(chunk) > room
                continue
            self._chunks += chunk
            if len(self._chunks) > self._limit:
                del self._chunks[: len(self._chunks) - self._limit]
                self.truncated = True
        self._stream.close()

    def wait_closed(self, timeout: float) -> bool:
        """Block until the pipe closes (the child and its heirs are done writing)."""
        self._thread.join(max(0.0, timeout))
        return not self._thread.is_alive()

    def result(self, timeout: float) -> bytes:
        self._thread.join(timeout)
        return bytes(self._chunks)


def run_external_cli(
    argv: Sequence[str],
    *,
    timeout_s: float,
    cwd: str | None = None,
    env: Mapping[str, str] | None = None,
    stdin_bytes: bytes | None = None,
    max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES,
    program_tail: int = 0,
    keep_stdout: Keep = "tail",
) -> ExecResult:
    """Run `argv` to completion or until `timeout_s`, and return what happened as a value.
    `program_tail`: how many of the last words are another program's argv, logged as a count
    beyond their first (Rule 5)."""
    argv = tuple(argv)
    started = time.monotonic()
    if log.is_enabled_for("DEBUG"):
        shown = redact_argv(argv, program_tail=program_tail)
        log.debug("exec {} (timeout {} s, cwd {})", shown, timeout_s, cwd)
    try:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.PIPE if stdin_bytes is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except (FileNotFoundError, PermissionError, NotADirectoryError) as error:
        return ExecResult(
            argv=argv,
            exit_code=None,
            stdout=b"",
            stderr=str(error).encode(),
            duration_s=time.monotonic() - started,
            not_found=True,
        )
    assert process.stdout is not None and process.stderr is not None
    out = _BoundedReader(process.stdout, max_output_bytes, keep_stdout)
    err = _BoundedReader(process.stderr, max_output_bytes)
    if stdin_bytes is not None:
        assert process.stdin is not None
        try:
            process.stdin.write(stdin_bytes)
            process.stdin.close()
        except BrokenPipeError:
            pass
    timed_out = False
    deadline = started + timeout_s
    try:
        # Waiting on the pipes first blocks on a lock, where Popen.wait(timeout) would sleep-poll
        # (milliseconds per call, which a warm gather of many git calls would feel).
        # Slices bound the case of a child that exits while a grandchild keeps its pipes open.
        while not out.wait_closed(min(0.1, deadline - time.monotonic())):
            if process.poll() is not None or time.monotonic() >= deadline:
                break
        process.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(process)
    except BaseException:  # KeyboardInterrupt: leave no process group behind, then go on unwinding
        _kill_group(process)
        raise
    stdout, stderr = out.result(5.0), err.result(5.0)
    return ExecResult(
        argv=argv,
        exit_code=None if timed_out else process.returncode,
        stdout=stdout,
        stderr=stderr,
        duration_s=time.monotonic() - started,
        timed_out=timed_out,
        truncated=out.truncated or err.truncated,
    )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
