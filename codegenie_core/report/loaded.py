"""The report's "Declared but never loaded" section: one row per declared dependency of the
`loaded_dependencies` slice, from the context document's plain data (ADR-0074).

Rule 1: every repository string enters through `escape_markdown` (ADR-0025) as plain text: a
code span keeps a `|`, which would split a table cell.
Rule 2: at most `MAX_ROWS` rows; the rest are counted and left to the context document.
Rule 3: the words are the slice's: "not-observed" is never written as "unused".
Rule 4: "declared as" is the dependency's groups and extras joined by ", " (ADR-0084), at most
`_MAX_GROUPS` of them then a count; empty when none declares it.
"""

from __future__ import annotations

from codegenie_core.report.context import PlainData
from codegenie_core.report.escape import escape_markdown

__all__ = ["MAX_ROWS", "loaded_section"]

MAX_ROWS = 50
_MAX_SCENARIOS = 3
_MAX_GROUPS = 5
_STATUS_ORDER = ("not-observed", "metadata-read", "not-applicable", "loaded")


def loaded_section(probes: dict[str, PlainData], elsewhere: str) -> list[str]:
    """The section's lines, or none when the probe left no slice."""
    slice_data = _mapping(_mapping(probes.get("loaded_dependencies")).get("slice"))
    if not slice_data:
        return []
    deps = [_mapping(d) for d in _list(slice_data.get("dependencies"))]
    scenarios = len(_list(slice_data.get("scenarios")))
    coverage = escape_markdown(str(slice_data.get("trace_coverage_confidence", "?")))
    out = [
        "## Declared but never loaded",
        "",
        f"Over {scenarios} traced scenarios (trace coverage {coverage}). A dependency not "
        "observed was loaded by none of them: a code path no scenario took loads nothing, so "
        "it is not proven unused.",
        "",
    ]
    if not deps:
        return [*out, "No declared npm or Python dependency.", ""]
    out += [
        "| dependency | ecosystem | declared as | status | scenarios | confidence |",
        "|---|---|---|---|---|---|",
    ]
    ranked = sorted(deps, key=lambda d: (_rank(d.get("status")), str(d.get("name", ""))))
    for dep in ranked[:MAX_ROWS]:
        shown = _joined(dep.get("scenarios"), _MAX_SCENARIOS)
        groups = _joined(dep.get("groups"), _MAX_GROUPS)
        out.append(
            f"| {_cell(str(dep.get('name', '?')))} | {_cell(str(dep.get('ecosystem', '?')))} "
            f"| {groups} | {_cell(str(dep.get('status', '?')))} | {shown or '—'} "
            f"| {_cell(str(dep.get('confidence', '?')))} |"
        )
    if len(ranked) > MAX_ROWS:
        out.append(f"\n… {len(ranked) - MAX_ROWS} more in {elsewhere}")
    return [*out, ""]


def _joined(values: PlainData, most: int) -> str:
    """Rules 1 and 4: the first `most` values, each escaped, joined by ", ", then a count."""
    names = [str(v) for v in _list(values)]
    shown = ", ".join(_cell(v) for v in names[:most])
    return shown + (f" +{len(names) - most}" if len(names) > most else "")


def _rank(status: PlainData) -> int:
    return _STATUS_ORDER.index(status) if status in _STATUS_ORDER else len(_STATUS_ORDER)


def _mapping(value: PlainData) -> dict[str, PlainData]:
    return dict(value) if isinstance(value, dict) else {}  # pyright: ignore[reportUnknownArgumentType]  # plain data


def _list(value: PlainData) -> list[PlainData]:
    return list(value) if isinstance(value, list) else []  # pyright: ignore[reportUnknownArgumentType]  # plain data


def _cell(value: str) -> str:
    return escape_markdown(value)
