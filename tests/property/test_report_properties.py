"""The Markdown report cannot be forged: whatever a repository puts in any string the report shows,
the report keeps the headings, list items, table rows and columns it has with plain strings."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from codegenie_adapters.fakes import cached_entry
from codegenie_core.outcomes import Cached, Failed, ProbeOutcome, Ran, Skipped, UpstreamUnavailable
from codegenie_core.ports import GitState
from codegenie_core.probe import Envelope, NotApplicable, ToolUnavailable
from codegenie_core.registry import ProbeRegistry
from codegenie_core.report.context import RepoIdentity, build_context
from codegenie_core.report.markdown import render_markdown
from tests.strategies import markdown_hostile_text
from tests.support import CountSlice, scripted

text = markdown_hostile_text
scalar_or_list = text | st.lists(text, max_size=3)
slices = st.dictionaries(
    text,
    scalar_or_list
    | st.lists(st.dictionaries(text, text, max_size=3), max_size=2)
    | st.lists(
        st.dictionaries(text, st.lists(text, min_size=1, max_size=2), max_size=2), max_size=2
    )
    | st.dictionaries(text, scalar_or_list, max_size=3),
    max_size=4,
)
FIELDS = ("repo", "branch", "head", "why", "tool", "tool_why", "hint", "upstream", "what")
FIELDS += ("error_type", "message")


@st.composite
def report_inputs(draw: st.DrawFn) -> dict[str, Any]:
    """Every repository-sourced string of a report: names, git identity, reasons, messages,
    notes, and a slice's keys and values."""
    inputs: dict[str, Any] = {field: draw(text) for field in FIELDS}
    inputs["names"] = draw(st.lists(text.filter(bool), min_size=6, max_size=6, unique=True))
    inputs["ran_notes"] = draw(st.lists(text, max_size=3))
    inputs["cached_notes"] = draw(st.lists(text, max_size=3))
    inputs["slice"] = draw(slices)
    return inputs


def plain(inputs: dict[str, Any]) -> dict[str, Any]:
    """The same inputs with every string plain: the shape a report should have."""

    def data(value: Any) -> Any:
        if isinstance(value, dict):
            return {f"k{i}": data(v) for i, v in enumerate(value.values())}
        if isinstance(value, list):
            return [data(item) for item in value]
        return "plain"

    out = dict.fromkeys(FIELDS, "plain")
    out["names"] = [f"probe{i}" for i in range(len(inputs["names"]))]
    out["ran_notes"] = data(inputs["ran_notes"])
    out["cached_notes"] = data(inputs["cached_notes"])
    out["slice"] = data(inputs["slice"])
    return out


def render(inputs: dict[str, Any]) -> str:
    ran, cached, not_applicable, tool, upstream, failed = inputs["names"]

    def envelope(notes: list[str]) -> Envelope:
        return Envelope(
            probe="p",
            schema_version=1,
            confidence="medium",
            slice=CountSlice(files=1),
            notes=tuple(notes),
        )

    outcomes: list[ProbeOutcome] = [
        Ran(probe=ran, envelope=envelope(inputs["ran_notes"]), duration_ms=3, cache_key="ab" * 32),
        Cached(
            probe=cached,
            entry=cached_entry(envelope(inputs["cached_notes"])),
            duration_ms=1,
            cache_key="cd" * 32,
        ),
        Skipped(probe=not_applicable, reason=NotApplicable(reason=inputs["why"])),
        Skipped(
            probe=tool,
            reason=ToolUnavailable(
                tool=inputs["tool"], reason=inputs["tool_why"], hint=inputs["hint"]
            ),
        ),
        Skipped(
            probe=upstream,
            reason=UpstreamUnavailable(
                upstream=inputs["upstream"], upstream_outcome=inputs["what"]
            ),
        ),
        Failed(
            probe=failed,
            error_type=inputs["error_type"],
            message=inputs["message"],
            duration_ms=2,
        ),
    ]
    registry = ProbeRegistry()
    for name in inputs["names"]:
        registry.add(scripted(name), heaviness="light", source="test")
    plan = [registry.get(name) for name in inputs["names"]]
    repo = RepoIdentity(
        name=inputs["repo"],
        git=GitState(head=inputs["head"], branch=inputs["branch"], dirty=False),
    )
    slice_data = inputs["slice"]
    context = build_context(
        repo=repo,
        plan=plan,
        outcomes=outcomes,
        cpu_budget=1,
        duration_ms=1,
        generator_version="0",
        to_plain=lambda _slice: slice_data,
    )
    return render_markdown(repo=repo, plan=plan, outcomes=outcomes, context=context)


# ---- structure, read two ways -------------------------------------------------------------------
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]|$)")
_LIST_ITEM = re.compile(r"^( *)(?:[-+*]|[0-9]{1,9}[.)])(?:[ \t]|$)")


def _cells(row: str) -> int:
    """The cells of a GFM table row: pipes not escaped by a backslash separate them."""
    count, escaped = 0, False
    for char in row.strip():
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|":
            count += 1
    return count - 1


def line_structure(report: str) -> list[tuple[str, int]]:
    """Each line's role: heading (level), list item (indent), table row (cells), blank or text."""
    lines = report.split("\n")
    assert report.splitlines() == lines[:-1], "a character other readers take as a line end"
    shape: list[tuple[str, int]] = []
    for line in lines:
        if (heading := _HEADING.match(line)) is not None:
            shape.append(("heading", len(heading.group(1))))
        elif (item := _LIST_ITEM.match(line)) is not None:
            shape.append(("item", len(item.group(1))))
        elif line.startswith("|"):
            shape.append(("row", _cells(line)))
        else:
            shape.append(("blank" if not line.strip() else "text", 0))
    return shape


_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def token_structure(report: str) -> list[tuple[str, str, int, tuple[str, ...]]]:
    """markdown-it's tokens without their text: block tokens, and each inline token's children
    with runs of plain text merged, so only markup (code, emphasis, links, HTML, breaks) shows."""
    shape: list[tuple[str, str, int, tuple[str, ...]]] = []
    for token in _PARSER.parse(report):
        children: list[str] = []
        for child in token.children or []:
            if not (child.type == "text" and children and children[-1] == "text"):
                children.append(child.type)
        shape.append((token.type, token.tag, token.level, tuple(children)))
    return shape


def same_structure(
    inputs: dict[str, Any], read: Callable[[str], list[Any]]
) -> tuple[list[Any], list[Any]]:
    return read(render(inputs)), read(render(plain(inputs)))


@given(report_inputs())
def test_any_repository_string_leaves_the_report_lines_as_they_are(inputs: dict[str, Any]) -> None:
    forged, expected = same_structure(inputs, line_structure)

    assert forged == expected


@given(report_inputs())
def test_a_markdown_parser_reads_the_same_structure_whatever_the_strings(
    inputs: dict[str, Any],
) -> None:
    forged, expected = same_structure(inputs, token_structure)

    assert forged == expected


def test_the_headings_and_table_are_those_of_the_report_itself() -> None:
    inputs = dict.fromkeys(FIELDS, "x\n# forged\n| a | b |")
    inputs |= {"names": [f"n{i}|`#" for i in range(6)], "ran_notes": ["\n## notes"]}
    inputs |= {"cached_notes": [], "slice": {"k\n# h": "v\n# h"}}
    report = render(inputs)

    headings = [line for line in report.splitlines() if line.startswith("#")]
    rows = [line for line in report.splitlines() if line.startswith("|")]
    # "What to do next" is there because some of the forged probes are below high confidence.
    assert [h.split(" ", 1)[0] for h in headings] == ["#", "##", "##", "##", "##", "###", "###"]
    assert headings[1] == "## What to do next"
    assert len(rows) == 2 + 6
    assert {_cells(row) for row in rows} == {6}
