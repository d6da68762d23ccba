"""The Markdown report: a summary table, a confidence section, and each probe's facts.

Rule 1: the confidence section matches exhaustively over outcomes, skip reasons and confidence
states (`assert_never`), so a new state cannot reach a reader unexplained.
Rule 2: the report is rendered from values only; timings appear in the summary table alone.
Rule 3: every string this module did not write itself enters the Markdown through
`escape_markdown` (`_text` and `_code` here), so a repository cannot reshape the report (ADR-0025).
Rule 4: the report names only files that exist: the context file when it was written beside the
report, otherwise "the context document".
Rule 5: states are written in lower case everywhere (outcomes, grades, "unknown"), as the
document spells them (see ADR-0071).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, assert_never

from codegenie_core.outcomes import (
    Cached,
    Failed,
    ProbeOutcome,
    Ran,
    Skipped,
    SkipReason,
    UpstreamUnavailable,
)
from codegenie_core.probe import (
    CachedEnvelope,
    Confidence,
    Envelope,
    NotApplicable,
    ToolUnavailable,
)
from codegenie_core.probe_types import Layer
from codegenie_core.redact import strip_credentials
from codegenie_core.report.context import PlainData, RepoIdentity, outcome_kind
from codegenie_core.report.escape import escape_markdown
from codegenie_core.report.loaded import loaded_section
from codegenie_core.report.next_steps import next_steps

_MAX_FACT_LINES = 40
_MAX_LIST_ITEMS = 12


class _Layered(Protocol):
    @property
    def layer(self) -> Layer: ...


class PlannedProbe(Protocol):
    """What the report reads of a planned probe: a registry entry, or one rebuilt from a stored
    document (`codegenie_core.report.from_document`)."""

    @property
    def name(self) -> str: ...
    @property
    def spec(self) -> _Layered: ...


def confidence_phrase(confidence: Confidence) -> str:
    match confidence:
        case "high":
            return "**high**: read directly from its source; safe to act on"
        case "medium":
            return "**medium**: partly inferred or partly unreadable; check before acting"
        case "low":
            return "**low**: a hint only; verify before any change depends on it"
        case _:
            assert_never(confidence)


def confidence_lines(outcome: ProbeOutcome) -> list[str]:
    """Why a reader may (or may not) trust what this probe says."""
    match outcome:
        case Ran(envelope=envelope):
            return _envelope_lines(envelope, "computed in this run")
        case Cached(entry=entry, cache_key=key):
            origin = f"served from the cache (key {_code(key[:12])}): its inputs are unchanged"
            return _envelope_lines(entry, origin)
        case Skipped(reason=reason):
            return [_skip_line(reason)]
        case Failed(error_type=error_type, message=message):
            return [f"**unknown**: the probe failed ({_text(error_type)}): {_text(message)}"]
        case _:
            assert_never(outcome)


def _skip_line(reason: SkipReason) -> str:
    match reason:
        case NotApplicable(reason=why):
            return f"not applicable, so nothing is claimed: {_text(why)}"
        case ToolUnavailable(tool=tool, reason=why, hint=hint):
            tail = f" ({_text(hint)})" if hint else ""
            return f"**unknown**: {_code(tool)} is unavailable: {_text(why)}{tail}"
        case UpstreamUnavailable(upstream=upstream, upstream_outcome=what):
            return f"**unknown**: it needs {_code(upstream)}, which {_text(what)}"
        case _:
            assert_never(reason)


def _envelope_lines(envelope: Envelope | CachedEnvelope, origin: str) -> list[str]:
    """The grade, where the answer came from, then the probe's own reasons (its notes: for an
    index, the exhaustive `index_health_lines`)."""
    return [
        f"{confidence_phrase(envelope.confidence)}; {origin}",
        *(_text(note) if note else "(an empty note)" for note in envelope.notes),
    ]


def render_markdown(
    *,
    repo: RepoIdentity,
    plan: Sequence[PlannedProbe],
    outcomes: Sequence[ProbeOutcome],
    context: dict[str, PlainData],
    generated_at: str | None = None,
    document_file: str | None = None,
    document_elsewhere: str | None = None,
) -> str:
    """The whole report. `context` is the document `build_context` made from the same result.
    `generated_at` is when the gather ran, as the caller's wall clock says (the CLI's; never part
    of the document, so neither cache keys nor goldens see it); `document_file` names the context
    file written beside the report, if one was (Rule 4); `document_elsewhere`, this module's own
    Markdown, says where the document is kept when it was not written beside the report."""
    out: list[str] = [f"# codegenie report: {_text(repo.name)}", ""]
    if repo.git is not None:
        head = _code((repo.git.head or "unborn")[:12])
        branch = _code(repo.git.branch or "detached HEAD")
        state = "dirty" if repo.git.dirty else "clean"
        out += [f"git: {branch} at {head}, work tree {state}", ""]
    out += _header_lines(context, generated_at)
    steps = next_steps(_probes(context))
    if steps:
        out += ["## What to do next", "", *(f"- {step}" for step in steps), ""]
    out += [
        "## Summary",
        "",
        "| probe | layer | outcome | confidence | time (ms) | cache key |",
        "|---|---|---|---|---:|---|",
    ]
    for registered, outcome in zip(plan, outcomes, strict=True):
        confidence = "—"
        key = "—"
        match outcome:
            case Ran(envelope=envelope, cache_key=k) | Cached(entry=envelope, cache_key=k):
                confidence, key = envelope.confidence, _code(k[:12])
            case Skipped() | Failed():
                pass
            case _:
                assert_never(outcome)
        out.append(
            f"| {_text(registered.name)} | {registered.spec.layer.upper()} "
            f"| {outcome_kind(outcome)} "
            f"| {confidence} | {outcome.duration_ms} | {key} |"
        )
    out += ["", "## Confidence", ""]
    for registered, outcome in zip(plan, outcomes, strict=True):
        lines = confidence_lines(outcome)
        out.append(f"- **{_text(registered.name)}**: {lines[0]}")
        out.extend(f"  - {line}" for line in lines[1:])
    probes = _probes(context)
    elsewhere = (
        _code(document_file)
        if document_file
        else document_elsewhere or "the context document (`--output DIR`)"
    )
    out += ["", *loaded_section(probes, elsewhere)]
    out += ["## Facts", ""]
    for registered in plan:
        entry = _record(probes.get(registered.name))
        if "slice" not in entry:
            continue
        out += [f"### {_text(registered.name)}", ""]
        fact_lines = list(_fact_lines(entry["slice"], 0))
        out.extend(fact_lines[:_MAX_FACT_LINES])
        if len(fact_lines) > _MAX_FACT_LINES:
            out.append(f"- … {len(fact_lines) - _MAX_FACT_LINES} more lines in {elsewhere}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _probes(context: dict[str, PlainData]) -> dict[str, PlainData]:
    probes = context.get("probes")
    return dict(probes) if isinstance(probes, dict) else {}  # pyright: ignore[reportUnknownArgumentType]  # plain data


def _record(value: PlainData) -> dict[str, PlainData]:
    return dict(value) if isinstance(value, dict) else {}  # pyright: ignore[reportUnknownArgumentType]  # plain data


def _header_lines(context: dict[str, PlainData], generated_at: str | None) -> list[str]:
    """Remotes (credentials stripped again: a cached slice may predate a stripping rule), the tool
    that wrote the report, and when the gather ran."""
    lines: list[str] = []
    git_slice = _record(_record(_probes(context).get("git")).get("slice"))
    remotes = git_slice.get("remotes")
    items: list[PlainData] = list(remotes) if isinstance(remotes, list) else []  # pyright: ignore[reportUnknownArgumentType]  # plain data
    for remote in map(_record, items):
        if isinstance(url := remote.get("url"), str):
            name = str(remote.get("name", "?"))
            lines.append(f"remote {_code(name)}: {_code(strip_credentials(url))}")
    version = _record(context.get("generator")).get("version")
    lines.append(f"codegenie {_code(str(version or '?'))}")
    if generated_at is not None:
        lines.append(f"gathered at {_text(generated_at)}")
    return [*(f"- {line}" for line in lines), ""]


def _fact_lines(value: PlainData, depth: int) -> list[str]:
    indent = "  " * depth
    lines: list[str] = []
    if isinstance(value, dict):
        record: dict[str, PlainData] = dict(value)  # pyright: ignore[reportUnknownArgumentType]  # plain data
        for key, item in record.items():
            if item is None or (not _is_scalar(item) and not item):
                continue  # absent facts and empty collections say nothing in a summary
            if _is_scalar(item):
                lines.append(f"{indent}- {_text(key)}: {_scalar(item)}")
            else:
                lines.append(f"{indent}- {_text(key)}:")
                lines.extend(_fact_lines(item, depth + 1))
    elif isinstance(value, list):
        items: list[PlainData] = list(value)  # pyright: ignore[reportUnknownArgumentType]  # plain data
        for item in items[:_MAX_LIST_ITEMS]:
            lines.extend(_list_item_lines(item, depth))
        if len(items) > _MAX_LIST_ITEMS:
            lines.append(f"{indent}- … and {len(items) - _MAX_LIST_ITEMS} more")
    else:
        lines.append(f"{indent}- {_scalar(value)}")
    return lines


def _list_item_lines(item: PlainData, depth: int) -> list[str]:
    """One list item: a scalar or a flat record on one line, a nested record as a sub-list."""
    indent = "  " * depth
    if _is_scalar(item):
        return [f"{indent}- {_scalar(item)}"]
    if isinstance(item, dict):
        record: dict[str, PlainData] = dict(item)  # pyright: ignore[reportUnknownArgumentType]  # plain data
        if all(_is_scalar(v) for v in record.values()):
            shown = [f"{_text(k)}: {_scalar(v)}" for k, v in record.items() if v is not None]
            return [f"{indent}- " + ", ".join(shown)]
        nested = _fact_lines(record, depth + 1)
        return [f"{indent}- " + nested[0].lstrip(" -"), *nested[1:]] if nested else []
    return _fact_lines(item, depth)


def _is_scalar(value: PlainData) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _scalar(value: PlainData) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _code(value) if isinstance(value, str) else str(value)


def _text(value: str) -> str:
    """A repository-sourced string as plain text (Rule 3)."""
    return escape_markdown(value)


def _code(value: str) -> str:
    """A repository-sourced string as a code span (Rule 3)."""
    return escape_markdown(value, code=True)
