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
Rule 6: the pipes are fed and drained on the calling thread (one `select` loop, no thread per
pipe: a warm gather's git calls are most of what it does, and two thread starts per call cost
more than the call's own work in this process); a child that exits while an heir keeps its pipes
open is heard for `_HEIRS_GRACE_S` more, then left (the heir dies with the group if the call
timed out, Rule 1).
Rule 7: a call whose argv, cwd and environment are those of a process `head_start` started ahead
of it (the entry point's head start for git, without stdin) collects that process instead of
starting one, as if it had started it: its timeout counts from the head start (ADR-0091).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from typing import Literal

import attrs

from codegenie_adapters import head_start, log
from codegenie_core.redact import redact_argv

DEFAULT_MAX_OUTPUT_BYTES = 1 << 20
Keep = Literal["tail", "head"]
_POLL_S = 0.1  # how often a wait on the pipes looks whether the child has exited
_HEIRS_GRACE_S = 5.0  # how long pipes an exited child's heirs hold open are still read
_STDIN_CHUNK = 1 << 16


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


class _Bounded:
    """What one pipe said, keeping at most `limit` bytes (the last ones, or the first: Rule 2)."""

    def __init__(self, limit: int, keep: Keep) -> None:
        self._limit = limit
        self._keep = keep
        self.data = bytearray()
        self.truncated = False

    def add(self, chunk: bytes) -> None:
        if self._keep == "head":
            room = self._limit - len(self.data)
            self.data += chunk[: max(room, 0)]
            self.truncated = self.truncated or len(chunk) > room
            return
        self.data += chunk
        if len(self.data) > self._limit:
            del self.data[: len(self.data) - self._limit]
            self.truncated = True


def _communicate(
    process: subprocess.Popen[bytes],
    streams: Mapping[int, _Bounded],
    stdin_bytes: bytes | None,
    deadline: float,
) -> bool:
    """Feed stdin and drain the pipes on this thread (Rule 6) until they close, the child having
    exited, or `deadline` passes; True when the deadline passed first."""
    with selectors.DefaultSelector() as selector:
        for fd in streams:
            selector.register(fd, selectors.EVENT_READ)
        pending = memoryview(stdin_bytes or b"")
        if process.stdin is not None:
            if pending:
                os.set_blocking(process.stdin.fileno(), False)
                selector.register(process.stdin.fileno(), selectors.EVENT_WRITE)
            else:
                process.stdin.close()
        exited_at: float | None = None
        while selector.get_map():
            now = time.monotonic()
            if now >= deadline:
                return True
            if exited_at is None and process.poll() is not None:
                exited_at = now
            if exited_at is not None and now >= exited_at + _HEIRS_GRACE_S:
                break  # an heir of the child keeps a pipe open: stop listening (Rule 6)
            for key, _ in selector.select(min(_POLL_S, deadline - now)):
                fd = key.fd
                if fd in streams:
                    if chunk := os.read(fd, 65536):
                        streams[fd].add(chunk)
                    else:
                        selector.unregister(fd)  # end of file: the child and its heirs are done
                    continue
                assert process.stdin is not None
                try:
                    pending = pending[os.write(fd, pending[:_STDIN_CHUNK]) :]
                except BrokenPipeError:  # the child stopped reading: the rest is not wanted
                    pending = pending[:0]
                if not pending:
                    selector.unregister(fd)
                    process.stdin.close()
    return False


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
    ahead = head_start.claim(argv, cwd, env) if stdin_bytes is None else None
    if log.is_enabled_for("DEBUG"):
        shown = redact_argv(argv, program_tail=program_tail)
        how = ", started ahead" if ahead is not None else ""
        log.debug("exec {} (timeout {} s, cwd {}{})", shown, timeout_s, cwd, how)
    if ahead is not None:
        process, started = ahead.process, ahead.started
    else:
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
    out = _Bounded(max_output_bytes, keep_stdout)
    err = _Bounded(max_output_bytes, "tail")
    timed_out = False
    try:
        streams = {process.stdout.fileno(): out, process.stderr.fileno(): err}
        timed_out = _communicate(process, streams, stdin_bytes, started + timeout_s)
        if not timed_out:  # the pipes closed: the child has exited, or does so before the end
            timed_out = _waited_past(process, started + timeout_s)
        if timed_out:
            _kill_group(process)
    except BaseException:  # KeyboardInterrupt: leave no process group behind, then go on unwinding
        _kill_group(process)
        raise
    finally:
        process.stdout.close()
        process.stderr.close()
    return ExecResult(
        argv=argv,
        exit_code=None if timed_out else process.returncode,
        stdout=bytes(out.data),
        stderr=bytes(err.data),
        duration_s=time.monotonic() - started,
        timed_out=timed_out,
        truncated=out.truncated or err.truncated,
    )


def _waited_past(process: subprocess.Popen[bytes], deadline: float) -> bool:
    """Wait for `process` until `deadline`; True when it had not exited by then."""
    try:
        process.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return True
    return False


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
