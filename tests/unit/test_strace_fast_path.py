"""The strace parser's fast path (ADR-0053), counted, not timed: on the bench's trace, what the
layer C tracer records, each line costs one or two pattern matches (the line's own and a
shared-object check on some paths) and a handful of Python lines.

The general grammar it replaced matched up to seven anchored patterns per line, then split the
arguments with a general tokeniser and decoded every string; that is what these counts catch.
Throughput itself is `benches/bench_strace_parser.py`'s job.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from types import FrameType

import pytest

from benches.bench_strace_parser import generate
from codegenie_core.parsers import strace

LINES = 2000


class CountingPattern:
    """A compiled pattern that counts the matching calls made through it."""

    def __init__(self, pattern: re.Pattern[str], counts: list[int]) -> None:
        self.pattern = pattern
        self.counts = counts

    def __getattr__(self, name: str) -> object:
        method = getattr(self.pattern, name)
        if name not in {"match", "fullmatch", "search", "finditer", "findall", "sub", "split"}:
            return method

        def counted(*args: object, **kwargs: object) -> object:
            self.counts[0] += 1
            return method(*args, **kwargs)

        return counted


def pattern_calls(monkeypatch: pytest.MonkeyPatch, lines: list[str]) -> int:
    counts = [0]
    for name, value in list(vars(strace).items()):
        if isinstance(value, re.Pattern):
            monkeypatch.setattr(strace, name, CountingPattern(value, counts))
    strace.parse_strace(lines)
    return counts[0]


def python_lines(lines: list[str]) -> int:
    count = [0]

    def tracer(frame: FrameType, event: str, arg: object) -> Callable[..., object] | None:
        if event == "line":
            count[0] += 1
        return tracer

    sys.settrace(tracer)
    try:
        strace.parse_strace(lines)
    finally:
        sys.settrace(None)
    return count[0]


def test_a_recorded_trace_costs_about_one_pattern_match_a_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = generate(LINES)

    calls = pattern_calls(monkeypatch, lines)

    assert calls / len(lines) <= 1.6, f"{calls} pattern calls for {len(lines)} lines"


def test_a_recorded_trace_costs_a_handful_of_python_lines_a_line() -> None:
    lines = generate(LINES)

    executed = python_lines(lines)

    assert executed / len(lines) <= 25, f"{executed} Python lines for {len(lines)} trace lines"


def test_trace_bytes_are_scanned_a_window_at_a_time_not_a_pattern_call_a_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = "".join(line + "\n" for line in generate(LINES)).encode()
    counts = [0]
    for name, value in list(vars(strace).items()):
        if isinstance(value, re.Pattern):
            monkeypatch.setattr(strace, name, CountingPattern(value, counts))

    strace.parse_strace_bytes(data)

    # one finditer a window; a call resumed after its start is matched again joined (2% of lines)
    assert counts[0] / LINES <= 0.1, f"{counts[0]} pattern calls for {LINES} lines"
