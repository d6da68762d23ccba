"""The cyclic garbage collector held back for a gather, and given back its thresholds after
(see ADR-0086)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from codegenie_adapters.collector import GATHER_THRESHOLDS, collections_held_back


@pytest.fixture(autouse=True)
def default_thresholds() -> Iterator[None]:
    found = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*found)


def test_the_thresholds_are_raised_inside_and_given_back_after() -> None:
    with collections_held_back():
        assert gc.get_threshold() == GATHER_THRESHOLDS
    assert gc.get_threshold() == (700, 10, 10)


def test_the_thresholds_are_given_back_when_the_block_raises() -> None:
    with pytest.raises(KeyboardInterrupt), collections_held_back():
        raise KeyboardInterrupt
    assert gc.get_threshold() == (700, 10, 10)


def test_a_nested_holder_leaving_does_not_give_the_thresholds_back() -> None:
    with collections_held_back():
        with collections_held_back():
            pass
        assert gc.get_threshold() == GATHER_THRESHOLDS
    assert gc.get_threshold() == (700, 10, 10)


def test_a_threshold_set_higher_is_kept_and_a_switched_off_collector_stays_off() -> None:
    gc.set_threshold(100_000, 5, 1000)
    with collections_held_back():
        assert gc.get_threshold() == (100_000, GATHER_THRESHOLDS[1], 1000)
    assert gc.get_threshold() == (100_000, 5, 1000)
    gc.set_threshold(0, 10, 10)
    with collections_held_back():
        assert gc.get_threshold() == (0, 10, 10)
    assert gc.get_threshold() == (0, 10, 10)


def test_holders_on_two_threads_give_the_thresholds_back_when_the_last_leaves() -> None:
    entered, release = threading.Event(), threading.Event()
    seen: list[tuple[int, ...]] = []

    def other() -> None:
        with collections_held_back():
            entered.set()
            release.wait(10)
            seen.append(gc.get_threshold())

    thread = threading.Thread(target=other)
    with collections_held_back():
        thread.start()
        assert entered.wait(10)
    assert gc.get_threshold() == GATHER_THRESHOLDS  # the other thread still holds it
    release.set()
    thread.join(10)
    assert seen == [GATHER_THRESHOLDS]
    assert gc.get_threshold() == (700, 10, 10)
