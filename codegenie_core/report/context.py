"""The context document: a gather's result as plain, ordered data, ready for YAML or JSON.

Rule 1: the key order is fixed by this module (insertion order), so two renderings of the same
result are byte-identical; slices keep their fields' declaration order.
Rule 2: no absolute path appears: the repository is named by its directory name and git identity.
Rule 3: timings live only under keys named `duration_ms`, so goldens can drop them in one place.
Rule 4: a slice is plain data as JSON would read it back: `to_plain` must give exactly that for a
computed slice, and a cached one is used as stored, so a warm gather writes what the cold one wrote
without structuring anything (see ADR-0020).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, assert_never

import attrs

from codegenie_core.outcomes import (
    Cached,
    Failed,
    ProbeOutcome,
    Ran,
    Skipped,
    SkipReason,
    UpstreamUnavailable,
)
from codegenie_core.ports import GitState
from codegenie_core.probe import CachedEnvelope, Envelope, NotApplicable, ToolUnavailable
from codegenie_core.registry import RegisteredProbe

CONTEXT_SCHEMA_VERSION = 1
TIMING_KEYS = frozenset({"duration_ms"})

PlainData = Any  # dict / list / str / int / float / bool / None, as json would produce
ToPlain = Callable[[object], PlainData]  # a computed slice -> plain data, per Rule 4


@attrs.frozen(kw_only=True)
class RepoIdentity:
    """Who the repository is, without saying where it lives on this machine."""

    name: str
    git: GitState | None


def outcome_kind(outcome: ProbeOutcome) -> str:
    match outcome:
        case Ran():
            return "ran"
        case Cached():
            return "cached"
        case Skipped():
            return "skipped"
        case Failed():
            return "failed"
        case _:
            assert_never(outcome)


def skip_reason_data(reason: SkipReason) -> dict[str, PlainData]:
    match reason:
        case NotApplicable(reason=why):
            return {"kind": "not_applicable", "message": why}
        case ToolUnavailable(tool=tool, reason=why, hint=hint):
            return {"kind": "tool_unavailable", "tool": tool, "message": why, "hint": hint}
        case UpstreamUnavailable(upstream=upstream, upstream_outcome=upstream_outcome):
            return {
                "kind": "upstream_failed",
                "upstream": upstream,
                "message": f"upstream probe {upstream!r} {upstream_outcome}",
            }
        case _:
            assert_never(reason)


def _envelope_data(
    envelope: Envelope | CachedEnvelope, slice_data: PlainData
) -> dict[str, PlainData]:
    return {
        "confidence": envelope.confidence,
        "schema_version": envelope.schema_version,
        "notes": list(envelope.notes),
        "slice": slice_data,
    }


def probe_entry(
    registered: RegisteredProbe, outcome: ProbeOutcome, to_plain: ToPlain
) -> dict[str, PlainData]:
    """One probe's entry in the context document."""
    entry: dict[str, PlainData] = {
        "layer": registered.spec.layer,
        "version": registered.spec.version,
        "outcome": outcome_kind(outcome),
        "duration_ms": outcome.duration_ms,
    }
    match outcome:
        case Ran(envelope=envelope, cache_key=key):
            entry["cache_key"] = key[:12]
            entry.update(_envelope_data(envelope, to_plain(envelope.slice)))
        case Cached(entry=stored, cache_key=key):
            entry["cache_key"] = key[:12]
            entry.update(_envelope_data(stored, stored.plain_slice))  # as stored: Rule 4
        case Skipped(reason=reason):
            entry["reason"] = skip_reason_data(reason)
        case Failed(error_type=error_type, message=message):
            entry["error"] = {"type": error_type, "message": message}
        case _:
            assert_never(outcome)
    return entry


def build_context(
    *,
    repo: RepoIdentity,
    plan: Sequence[RegisteredProbe],
    outcomes: Sequence[ProbeOutcome],
    cpu_budget: int,
    duration_ms: int,
    generator_version: str,
    to_plain: ToPlain,
) -> dict[str, PlainData]:
    """The whole context document for one gather."""
    kinds = [outcome_kind(o) for o in outcomes]
    git = repo.git
    return {
        "schema_version": CONTEXT_SCHEMA_VERSION,
        "generator": {"name": "codegenie", "version": generator_version},
        "repo": {
            "name": repo.name,
            "git": None
            if git is None
            else {"head": git.head, "branch": git.branch, "dirty": git.dirty},
        },
        "gather": {
            "cpu_budget": cpu_budget,
            "duration_ms": duration_ms,
            "probes": len(outcomes),
            **{kind: kinds.count(kind) for kind in ("ran", "cached", "skipped", "failed")},
        },
        "probes": {
            registered.name: probe_entry(registered, outcome, to_plain)
            for registered, outcome in zip(plan, outcomes, strict=True)
        },
    }


def without_timings(data: PlainData) -> PlainData:
    """The document with every timing key removed (for goldens and equality across runs)."""
    if isinstance(data, dict):
        return {
            key: without_timings(value)
            for key, value in data.items()  # pyright: ignore[reportUnknownVariableType]  # plain data
            if key not in TIMING_KEYS
        }
    if isinstance(data, list):
        return [without_timings(item) for item in data]  # pyright: ignore[reportUnknownVariableType]  # plain data
    return data
