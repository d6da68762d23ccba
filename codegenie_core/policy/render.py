"""The three renderings of a `DocumentDiff`: plain data (for JSON), a plain-text table, Markdown.

Rule 1: the text table is at most 100 columns wide: long subjects and values are cut with `…`.
Rule 2: Markdown escapes repository strings (they may be crafted) with the report's escaper.
"""

from __future__ import annotations

import attrs

from codegenie_core.policy.diff import Change, DocumentDiff, SetChange
from codegenie_core.report.escape import escape_markdown

WIDTH = 100
_NONE = "-"

_SECTIONS: tuple[tuple[str, str], ...] = (
    ("dependencies_added", "dependencies added"),
    ("dependencies_removed", "dependencies removed"),
    ("dependencies_bumped", "dependencies bumped"),
    ("base_images", "base images"),
    ("indexes", "index health"),
    ("confidence", "probe confidence"),
)
_TRACE: tuple[tuple[str, str], ...] = (
    ("binaries", "binaries executed"),
    ("files", "files read and written"),
    ("connects", "network connects"),
)


def diff_data(diff: DocumentDiff) -> dict[str, object]:
    """The diff as plain data, fields in declaration order."""
    return attrs.asdict(diff, value_serializer=_as_list)


def _as_list(_instance: object, _field: object, value: object) -> object:
    """Tuples as lists, so the data is what JSON reads back."""
    return list(value) if isinstance(value, tuple) else value  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]  # a tuple of plain values


def _changes(diff: DocumentDiff, field: str) -> tuple[Change, ...]:
    value: tuple[Change, ...] = getattr(diff, field)
    return value


def _set(diff: DocumentDiff, field: str) -> SetChange:
    value: SetChange = getattr(diff, field)
    return value


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def diff_table(diff: DocumentDiff) -> str:
    lines = [_cut(f"codegenie diff: {diff.old} -> {diff.new}", WIDTH)]
    if diff.empty:
        return "\n".join([*lines, "no changes"]) + "\n"
    for field, title in _SECTIONS:
        changes = _changes(diff, field)
        if not changes:
            continue
        lines.extend(["", f"{title} ({len(changes)})"])
        width = min(max(len(c.subject) for c in changes), 48)
        for change in changes:
            values = f"{change.old or _NONE} -> {change.new or _NONE}"
            row = f"  {_cut(change.subject, width):<{width}}  {values}"
            lines.append(_cut(row, WIDTH))
    for field, title in _TRACE:
        change = _set(diff, field)
        if not (change.added or change.removed):
            continue
        lines.extend(["", f"runtime: {title} (+{len(change.added)} -{len(change.removed)})"])
        lines.extend(_cut(f"  + {item}", WIDTH) for item in change.added)
        lines.extend(_cut(f"  - {item}", WIDTH) for item in change.removed)
    return "\n".join(lines) + "\n"


def _code(text: str | None) -> str:
    return _NONE if text is None else escape_markdown(text, code=True)


def diff_markdown(diff: DocumentDiff) -> str:
    lines = [f"# codegenie diff: {escape_markdown(diff.old)} → {escape_markdown(diff.new)}", ""]
    if diff.empty:
        return "\n".join([*lines, "No changes.", ""])

    def row(c: Change) -> str:
        return f"| {escape_markdown(c.subject)} | {_code(c.old)} | {_code(c.new)} |"

    for field, title in _SECTIONS:
        changes = _changes(diff, field)
        if not changes:
            continue
        lines.extend([f"## {title.capitalize()} ({len(changes)})", ""])
        lines.extend(["| subject | before | after |", "|---|---|---|"])
        lines.extend(row(c) for c in changes)
        lines.append("")
    for field, title in _TRACE:
        change = _set(diff, field)
        if not (change.added or change.removed):
            continue
        lines.extend([f"## Runtime: {title}", ""])
        lines.extend(f"- added: {escape_markdown(item)}" for item in change.added)
        lines.extend(f"- removed: {escape_markdown(item)}" for item in change.removed)
        lines.append("")
    return "\n".join(lines)
