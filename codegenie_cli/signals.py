"""Termination signals: SIGTERM and SIGHUP end a run exactly as Ctrl-C does (see ADR-0023).

Rule 1: while a command runs, SIGINT, SIGTERM and SIGHUP raise `Terminated` (a KeyboardInterrupt)
in the main thread, so every path that already unwinds for Ctrl-C unwinds for all three: the
coordinator stops scheduling, `run_external_cli` kills its process group, the atomic writer drops
its temp file, and the CLI's `finally` runs the adapters' cleanup (containers, temp dirs).
Rule 2: the exit code is 128 + the signal number (130, 143, 129), as a shell reports a death by
that signal.
Rule 3: once one has arrived, further ones are ignored until the command has unwound, so a second
signal cannot cut the cleanup short (every engine call in it is bounded).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Generator
from types import FrameType

# SIGHUP does not exist on Windows; there Ctrl-C and SIGTERM are handled alone
HANDLED: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Terminated(KeyboardInterrupt):
    """The run was stopped by `signum`; `exit_code` is what the CLI exits with (Rule 2)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.exit_code = 128 + signum
        self.signal_name = signal.Signals(signum).name


@contextlib.contextmanager
def terminating_signals() -> Generator[None]:
    """Rule 1 for the duration of the block; the previous handlers are restored afterwards.
    Off the main thread (where handlers cannot be set) the block runs unchanged."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in HANDLED}

    def handler(signum: int, frame: FrameType | None) -> None:
        del frame
        for other in HANDLED:  # Rule 3
            signal.signal(other, signal.SIG_IGN)
        raise Terminated(signum)

    for signum in HANDLED:
        signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, before in previous.items():
            signal.signal(signum, before)
