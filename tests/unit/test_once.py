"""`OnceEach`: one computation per key, shared by every asker, errors included."""

from __future__ import annotations

import threading

import pytest

from codegenie_core.once import OnceEach


def test_concurrent_askers_of_one_key_share_one_computation() -> None:
    once = OnceEach[str, int]()
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow() -> int:
        calls.append("slow")
        started.set()
        release.wait(5)
        return 7

    answers: list[int] = []
    first = threading.Thread(target=lambda: answers.append(once.get("k", slow)))
    first.start()
    started.wait(5)
    second = threading.Thread(target=lambda: answers.append(once.get("k", lambda: 0)))
    second.start()
    assert once.get("other", lambda: 1) == 1  # another key does not wait for "k"
    release.set()
    first.join(5)
    second.join(5)
    assert (answers, calls) == ([7, 7], ["slow"])


def test_an_error_is_kept_and_raised_to_every_asker() -> None:
    once = OnceEach[str, int]()

    def broken() -> int:
        raise ValueError("no answer")

    for _ in range(2):
        with pytest.raises(ValueError, match="no answer"):
            once.get("k", broken)
    with pytest.raises(ValueError, match="no answer"):
        once.get("k", lambda: 1)  # the key's answer is the error, not a fresh computation
