"""The Markdown report of a stored context document: the outcomes the document records, rebuilt
as values, rendered by the same `render_markdown` a gather uses (for the portfolio page).

Rule 1: the document is untrusted shape (a store may hold anything). Every value the renderer
writes without escaping (a layer, a confidence grade, a duration) is checked against what a
gather writes; a probe entry that does not read as one of the four outcomes is rendered as a
failure saying so, never raised; a document nested deeper than `MAX_DEPTH` (the renderer
recurses per level) gets a one-paragraph report saying so.
Rule 2: the report says only what the document holds. A document keeps the first 12 characters
of each cache key (all the report shows) and no time of gathering, so this report has no
"gathered at" line; its facts are cut where a gather's report cuts them and point to the
stored document (`portfolio export` writes it out), not to a file (see ADR-0075).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

import attrs

from codegenie_core.outcomes import (
    Cached,
    Failed,
    NotApplicable,
    ProbeOutcome,
    Ran,
    Skipped,
    SkipReason,
    ToolUnavailable,
    UpstreamUnavailable,
)
from codegenie_core.ports import GitState
from codegenie_core.probe_types import Confidence, Layer
from codegenie_core.report.context import PlainData, RepoIdentity
from codegenie_core.report.escape import escape_markdown
from codegenie_core.report.markdown import render_markdown
from codegenie_core.values.envelope import CachedEnvelope, Envelope

__all__ = ["markdown_from_document"]

_LAYERS: Mapping[str, Layer] = {"a": "a", "b": "b", "c": "c"}
_GRADES: Mapping[str, Confidence] = {"high": "high", "medium": "medium", "low": "low"}
_EMPTY: Mapping[str, object] = {}
# Where a cut report's remaining facts are (Rule 2): the store keeps the whole document.
STORED_DOCUMENT = "the stored context document (`portfolio export`)"
MAX_DEPTH = 200  # a gather's documents nest about 15 levels; Python's recursion limit is 1,000


@attrs.frozen(kw_only=True)
class _Spec:
    layer: Layer


@attrs.frozen(kw_only=True)
class _Planned:
    name: str
    spec: _Spec


def markdown_from_document(stored: object) -> str:
    """The report of one stored document (Rules 1 and 2); JSON that is not an object reads as an
    empty document."""
    document = _map(stored)
    repo = _map(document.get("repo"))
    name = repo.get("name")
    if _deeper_than(document, MAX_DEPTH):
        shown = escape_markdown(name) if isinstance(name, str) else "?"
        return (
            f"# codegenie report: {shown}\n\nThe stored context document is nested deeper than"
            f" {MAX_DEPTH} levels, so it is not rendered (see ADR-0075).\n"
        )
    identity = RepoIdentity(name=name if isinstance(name, str) else "?", git=_git(repo.get("git")))
    plan: list[_Planned] = []
    outcomes: list[ProbeOutcome] = []
    probes = document.get("probes")
    items = cast("Mapping[object, object]", probes) if isinstance(probes, Mapping) else _EMPTY
    for probe, raw in items.items():
        if not isinstance(probe, str):
            continue
        entry = _map(raw)
        layer = entry.get("layer")
        plan.append(_Planned(name=probe, spec=_Spec(layer=_LAYERS.get(str(layer), "a"))))
        outcomes.append(outcome_of(probe, entry))
    return render_markdown(
        repo=identity,
        plan=plan,
        outcomes=outcomes,
        context=cast("dict[str, PlainData]", dict(document)),
        document_elsewhere=STORED_DOCUMENT,
    )


def outcome_of(probe: str, entry: Mapping[str, object]) -> ProbeOutcome:
    """A probe's outcome as its document entry records it (Rule 1)."""
    duration = _int(entry.get("duration_ms"))
    key = _str(entry.get("cache_key"))
    match entry.get("outcome"):
        case "ran" | "cached" as kind if _str(entry.get("confidence")) in _GRADES:
            envelope = Envelope(
                probe=probe,
                schema_version=_int(entry.get("schema_version")),
                confidence=_GRADES[_str(entry.get("confidence"))],
                slice=entry.get("slice"),
                notes=tuple(_str(note) for note in _seq(entry.get("notes"))),
            )
            if kind == "ran":
                return Ran(probe=probe, envelope=envelope, duration_ms=duration, cache_key=key)
            stored = CachedEnvelope(
                probe=probe,
                schema_version=envelope.schema_version,
                confidence=envelope.confidence,
                notes=envelope.notes,
                plain_slice=envelope.slice,
                load=lambda: envelope,
            )
            return Cached(probe=probe, entry=stored, duration_ms=duration, cache_key=key)
        case "skipped":
            reason = _skip_reason(_map(entry.get("reason")))
            return Skipped(probe=probe, reason=reason, duration_ms=duration)
        case "failed":
            error = _map(entry.get("error"))
            return Failed(
                probe=probe,
                error_type=_str(error.get("type")) or "?",
                message=_str(error.get("message")),
                duration_ms=duration,
            )
        case _:
            return Failed(
                probe=probe,
                error_type="unreadable entry",
                message="the stored document records no outcome this codegenie reads",
                duration_ms=duration,
            )


def _skip_reason(reason: Mapping[str, object]) -> SkipReason:
    message = _str(reason.get("message"))
    match reason.get("kind"):
        case "tool_unavailable":
            tool = _str(reason.get("tool")) or "?"
            return ToolUnavailable(tool=tool, reason=message, hint=_str(reason.get("hint")))
        case "upstream_failed":
            upstream = _str(reason.get("upstream")) or "?"
            # the document says `upstream probe 'NAME' <what happened>` (report.context)
            prefix = f"upstream probe {upstream!r} "
            what = message.removeprefix(prefix) if message.startswith(prefix) else message
            return UpstreamUnavailable(upstream=upstream, upstream_outcome=what)
        case _:
            return NotApplicable(reason=message)


def _deeper_than(value: object, limit: int) -> bool:
    """Whether `value` nests lists and mappings more than `limit` deep (without recursing)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, Mapping):
            stack.extend((v, depth + 1) for v in cast("Mapping[object, object]", item).values())
        elif isinstance(item, list | tuple):
            stack.extend((v, depth + 1) for v in cast("Sequence[object]", item))
    return False


def _git(value: object) -> GitState | None:
    if not isinstance(value, Mapping):
        return None
    git = cast("Mapping[str, object]", value)
    head, branch = git.get("head"), git.get("branch")
    return GitState(
        head=head if isinstance(head, str) else None,
        branch=branch if isinstance(branch, str) else None,
        dirty=git.get("dirty") is True,
    )


def _map(value: object) -> Mapping[str, object]:
    return cast("Mapping[str, object]", value) if isinstance(value, Mapping) else _EMPTY


def _seq(value: object) -> Sequence[object]:
    return cast("Sequence[object]", value) if isinstance(value, list | tuple) else ()


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
