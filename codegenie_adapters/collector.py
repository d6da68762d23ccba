"""Holding the cyclic garbage collector back while a gather builds its many small objects.

Rule 1: `collections_held_back()` raises the collector's thresholds to `GATHER_THRESHOLDS` for
as long as it is entered, and puts back the thresholds it found when the last holder leaves, on
every exit path (a return, an exception, a `KeyboardInterrupt`). Holders nest and may be on
different threads (a portfolio worker gathers on its own): the first to enter saves, the last to
leave restores, under one lock.
Rule 2: it only ever raises a threshold: one the process already set higher is kept, and a
collector switched off (`gc.disable()`, or a first threshold of 0) is left so.
Why it is safe (ADR-0086): reference counting frees every object of a gather that nothing holds;
the collector is only needed for reference cycles, and a gather makes none of size (frozen attrs
values, tuples, dicts and strings, built bottom-up). A first threshold of 50,000 means a young
cycle waits at most 50,000 container allocations (a few MB) before it is collected, so memory
stays bounded; what the default 700 bought was ~1,400 young collections for a 10,000-package
monorepo, each walking the young objects, and the older generations' scans of the whole heap
that those collections trigger.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Generator

import attrs

__all__ = ["GATHER_THRESHOLDS", "collections_held_back"]

GATHER_THRESHOLDS: tuple[int, int, int] = (50_000, 20, 100)


@attrs.define
class _Holders:
    """Rule 1: how many blocks hold the collector back, and the thresholds found by the first."""

    lock: threading.Lock = attrs.field(factory=threading.Lock)
    count: int = 0
    saved: tuple[int, int, int] = (0, 0, 0)

    def enter(self) -> None:
        with self.lock:
            if self.count == 0:
                found = gc.get_threshold()
                self.saved = (found[0], found[1], found[2])
                if found[0] > 0:  # Rule 2: a first threshold of 0 is the collector switched off
                    raised = (max(a, b) for a, b in zip(self.saved, GATHER_THRESHOLDS, strict=True))
                    gc.set_threshold(*raised)
            self.count += 1

    def leave(self) -> None:
        with self.lock:
            self.count -= 1
            if self.count == 0:
                gc.set_threshold(*self.saved)


_HOLDERS = _Holders()


@contextlib.contextmanager
def collections_held_back() -> Generator[None]:
    """Rule 1-2: the collector's thresholds at least `GATHER_THRESHOLDS` inside the block."""
    _HOLDERS.enter()
    try:
        yield
    finally:
        _HOLDERS.leave()
