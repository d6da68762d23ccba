"""Shared by the `ci` probe's system readers: plain-data helpers, references, per-system grades.

Rule 1: a reader takes plain data (what `ctx.yaml` returned) and never trusts its shape: a value
of the wrong kind is a message, never an exception.
Rule 2: every copy a reader makes is bounded (`MAX_ITEMS` per list or mapping it copies), so the
work is linear in the YAML reader's node cap (ADR-0026) whatever the input.
Rule 3 (ADR-0037): a system is graded "high" only when every file of it that the probe recognised
was read and every construct it recognised was understood; a construct kept verbatim (a runtime
expression), a reference inside the repository it could not follow, or a part of the
configuration named elsewhere (a remote include) caps the system at "medium", with the reason;
a file that gave no facts grades as ADR-0014 says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import attrs

from codegenie_core.probe_types import CONFIDENCE_ORDER, Confidence
from codegenie_core.probes.layer_a.inputs import Tally

MAX_ITEMS = 256  # GitHub's own cap on the jobs a matrix makes; far above any real list here
MAX_REASONS = 50  # per system; the rest are counted


@attrs.frozen(kw_only=True)
class Reference:
    """Something a configuration names and the probe did not follow: where, what, and why."""

    source: str  # the file that names it
    target: str  # as written
    kind: str  # e.g. "remote-action", "gitlab-project", "outside-reads"
    reason: str


@attrs.frozen(kw_only=True)
class SystemGrade:
    """How far one CI system's facts can be trusted, and why (Rule 3)."""

    confidence: Confidence
    reasons: tuple[str, ...] = ()


@attrs.define
class Grader:
    """Collects, for one system, how its files fared and what capped its confidence."""

    tally: Tally = attrs.field(factory=Tally)
    caps: list[str] = attrs.field(factory=list[str])
    floor_low: list[str] = attrs.field(factory=list[str])

    def medium(self, reason: str) -> None:
        self.caps.append(reason)

    def low(self, reason: str) -> None:
        self.floor_low.append(reason)

    def grade(self) -> SystemGrade:
        confidence, notes = self.tally.grade()
        if self.caps and confidence == "high":
            confidence = "medium"
        if self.floor_low:
            confidence = "low"
        reasons = [*notes, *self.floor_low, *self.caps]
        if len(reasons) > MAX_REASONS:
            extra = len(reasons) - MAX_REASONS
            reasons = [*reasons[:MAX_REASONS], f"and {extra} more reasons"]
        return SystemGrade(confidence=confidence, reasons=tuple(reasons))


def lowest(grades: list[Confidence]) -> Confidence:
    """The least trusted of the grades ("high" for none)."""
    worst: Confidence = "high"
    for grade in grades:
        if CONFIDENCE_ORDER.index(grade) > CONFIDENCE_ORDER.index(worst):
            worst = grade
    return worst


def mapping(value: object) -> Mapping[object, object] | None:
    return cast("Mapping[object, object]", value) if isinstance(value, Mapping) else None


def items(value: object) -> list[object] | None:
    """A list's first `MAX_ITEMS` members; None for anything else."""
    return cast("list[object]", value)[:MAX_ITEMS] if isinstance(value, list) else None


def text(value: object) -> str | None:
    """A scalar as written in YAML terms (true, 3); None for null, a list or a mapping."""
    match value:
        case bool():
            return "true" if value else "false"
        case str():
            return value
        case int() | float():
            return str(value)
        case _:
            return None


def string(value: object) -> str | None:
    return value if isinstance(value, str) else None


def strings(value: object) -> tuple[str, ...]:
    """A scalar or a list of scalars, as text; other members dropped."""
    listed = items(value)
    if listed is None:
        one = text(value)
        return () if one is None else (one,)
    return tuple(t for v in listed if (t := text(v)) is not None)


def compact(value: object, budget: int = 64) -> str:
    """Any plain data as one deterministic line, at most `budget` nodes deep/wide (a matrix
    value that is itself a mapping, as written)."""
    scalar = text(value)
    if scalar is not None:
        return scalar
    if value is None:
        return "null"
    if budget <= 0:
        return "…"
    listed = items(value)
    if listed is not None:
        return "[" + ", ".join(compact(v, budget // 2) for v in listed[:16]) + "]"
    table = mapping(value)
    if table is not None:
        pairs = list(table.items())[:16]
        return "{" + ", ".join(f"{k}: {compact(v, budget // 2)}" for k, v in pairs) + "}"
    return repr(type(value).__name__)


def is_expression(value: object) -> bool:
    """A GitHub Actions or Azure runtime expression: `${{ ... }}` (or Azure's `$[ ... ]`)."""
    return isinstance(value, str) and (
        value.strip().startswith("${{") or value.strip().startswith("$[")
    )
