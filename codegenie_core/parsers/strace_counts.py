"""A pure parser of `strace -c` (summary) output: the syscalls a traced process made, with counts.

Rule 1: the parser never raises, whatever it is given; a row it does not understand is counted in
`unparsed_lines`, never guessed at. Separator rows, the column header, the `total` row and the
per-personality headings (`System call usage summary for 32 bit mode:`) are not rows.
Rule 2: a row is `% time, seconds, usecs/call, calls, [errors], syscall` (strace's default
columns; `errors` is blank for a syscall that never failed): the name is the last column and the
count the fourth. A name that is not a syscall identifier (`[a-z0-9_]+`) is unparsed, never kept.
Rule 3: counts of the same syscall in several tables (one per personality) are added up; the
result is sorted by name, so the same rows in any order give the same counts (ADR-0067).
"""

from __future__ import annotations

import re

import attrs

_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


@attrs.frozen(kw_only=True)
class SyscallCount:
    """One syscall and how many times the traced processes made it (failed calls included)."""

    name: str
    calls: int


@attrs.frozen(kw_only=True)
class SyscallCounts:
    counts: tuple[SyscallCount, ...] = ()  # sorted by name, one entry per syscall
    unparsed_lines: int = 0

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(count.name for count in self.counts)


def parse_syscall_counts(data: bytes) -> SyscallCounts:
    """The syscalls and counts of an `strace -c` summary (Rule 1: never raises)."""
    totals: dict[str, int] = {}
    unparsed = 0
    for raw in data.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if _is_frame(line):
            continue
        row = _row(line.split())
        if row is None:
            unparsed += 1
            continue
        name, calls = row
        totals[name] = totals.get(name, 0) + calls
    counts = tuple(SyscallCount(name=n, calls=totals[n]) for n in sorted(totals))
    return SyscallCounts(counts=counts, unparsed_lines=unparsed)


def merge_counts(parts: tuple[SyscallCounts, ...]) -> tuple[SyscallCount, ...]:
    """Every part's counts added up by syscall, sorted by name."""
    totals: dict[str, int] = {}
    for part in parts:
        for count in part.counts:
            totals[count.name] = totals.get(count.name, 0) + count.calls
    return tuple(SyscallCount(name=n, calls=totals[n]) for n in sorted(totals))


def _is_frame(line: str) -> bool:
    if not line or set(line) <= {"-", " "}:
        return True
    if line.startswith(("% time", "System call usage summary")):
        return True
    return line.rsplit(maxsplit=1)[-1] == "total"


def _row(words: list[str]) -> tuple[str, int] | None:
    if len(words) not in (5, 6):
        return None
    *numbers, name = words
    if not _NAME.fullmatch(name) or not all(_NUMBER.fullmatch(w) for w in numbers):
        return None
    calls = numbers[3]
    return (name, int(calls)) if calls.isdigit() else None
