"""The linear parsers stay linear: a 10x input costs about 10x the work, counted, not timed.

The work counter is deterministic for a given input: the Python line events the parse executes
(`sys.settrace`), plus the elements handed to `set`, `frozenset`, `sorted` and `tuple` inside
the parser modules, where a copy or a re-sort per line would otherwise hide in C. A quadratic
path (a scan, a copy or a re-sort per line) makes the 10x input cost 20-100x. Wall-clock ratios
are the bench's job (`benches/bench_parser_linearity.py`), never a unit test's.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from types import FrameType, ModuleType
from typing import cast

import pytest

from benches.bench_parser_linearity import INPUTS
from codegenie_core.parsers import (
    dockerfile,
    dockerfile_config,
    dockerfile_facts,
    dockerfile_secrets,
    dockerfile_words,
    lock_yaml,
    strace,
)

PARSER_MODULES: tuple[ModuleType, ...] = (
    dockerfile,
    dockerfile_config,
    dockerfile_facts,
    dockerfile_secrets,
    dockerfile_words,
    lock_yaml,
    strace,
)
COLLECTIONS: dict[str, Callable[..., object]] = {
    "set": set,
    "frozenset": frozenset,
    "sorted": sorted,
    "tuple": tuple,
}
# A linear parse gives ~10; a quadratic one 20-100 at these sizes. The slack covers the constant
# per-parse work that a small input does not amortise.
MAX_RATIO = 13.0
SMALL = 60


class WorkCounter:
    def __init__(self) -> None:
        self.count = 0

    def tracer(self, frame: FrameType, event: str, arg: object) -> Callable[..., object] | None:
        if event == "line":
            self.count += 1
        return self.tracer

    def counting(self, builtin: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            if args and isinstance(args[0], Iterable):
                items = list(cast("Iterable[object]", args[0]))
                self.count += len(items)
                args = (items, *args[1:])
            return builtin(*args, **kwargs)

        return call


def work(monkeypatch: pytest.MonkeyPatch, parse: Callable[[str], object], given: str) -> int:
    """The work counter's reading after `parse(given)`."""
    counter = WorkCounter()
    with monkeypatch.context() as patch:
        for module in PARSER_MODULES:
            for name, builtin in COLLECTIONS.items():
                patch.setattr(module, name, counter.counting(builtin), raising=False)
        sys.settrace(counter.tracer)
        try:
            parse(given)
        finally:
            sys.settrace(None)
    return counter.count


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_ten_times_the_input_is_about_ten_times_the_work(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    generate, parse = INPUTS[name]

    small = work(monkeypatch, parse, generate(SMALL))
    large = work(monkeypatch, parse, generate(10 * SMALL))

    assert large / small <= MAX_RATIO, f"{name}: {small} -> {large} units of work"
