"""Answers computed once per key and shared between threads.

Rule 1: the first asker of a key computes its answer; later askers of that key wait for it and get
the same value, or the same exception re-raised. Different keys are computed in parallel.
Rule 2: only the standard library (the core stays pure, ADR-0001); not `concurrent.futures`,
whose import costs more than the git processes it would wait for (ADR-0007).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class OnceEach(Generic[K, V]):
    """Each key's answer, computed by its first asker (Rule 1)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[K, _Answer[V]] = {}

    def get(self, key: K, compute: Callable[[], V]) -> V:
        with self._lock:
            answer = self._answers.get(key)
            owner = answer is None
            if answer is None:
                answer = self._answers[key] = _Answer[V]()
        if owner:
            answer.settle(compute)
        return answer.result()


class _Answer(Generic[V]):
    """One answer, or what computing it raised, once known; `result` waits for it."""

    def __init__(self) -> None:
        self._known = threading.Event()
        self._value: V | None = None
        self._error: BaseException | None = None

    def settle(self, compute: Callable[[], V]) -> None:
        try:
            self._value = compute()
        except BaseException as error:  # kept for every asker, re-raised by `result`
            self._error = error
        finally:
            self._known.set()

    def result(self) -> V:
        self._known.wait()
        if self._error is not None:
            raise self._error
        return self._value  # pyright: ignore[reportReturnType] - set by `settle` before `_known`
