"""The diff of two context documents, and its three renderings (ADR-0060)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from markdown_it import MarkdownIt

from codegenie_core.errors import DocumentError
from codegenie_core.policy.diff import Change, SetChange, diff_documents
from codegenie_core.policy.facts import check_document
from codegenie_core.policy.render import WIDTH, diff_data, diff_markdown, diff_table
from tests.policy_documents import document
from tests.strategies import policy_documents

OLD = document(
    inventory=[("npm", "lodash", "4.17.20"), ("npm", "left-pad", "1.3.0"), ("pypi", "attrs", None)],
    dockerfile_images=["python:3.11-slim"],
    indexes=[("index.scip", "Fresh")],
    confidence={"git": "high", "ci": "high"},
    trace={
        "binaries_executed": ["/bin/sh"],
        "files_read": ["/etc/passwd"],
        "network_connects": [
            {"family": "AF_INET", "address": "10.0.0.1", "port": 80, "outcome": "ok"}
        ],
    },
)
NEW = document(
    inventory=[("npm", "lodash", "4.17.21"), ("pypi", "attrs", "23.2.0"), ("npm", "zod", "3.22.0")],
    dockerfile_images=["python:3.12-slim"],
    indexes=[("index.scip", "Stale")],
    confidence={"git": "high", "ci": "low"},
    trace={
        "binaries_executed": ["/bin/sh", "/usr/bin/curl"],
        "files_written": ["/tmp/x"],
        "network_connects": [],
    },
)


def test_a_diff_names_what_was_added_removed_and_bumped() -> None:
    diff = diff_documents(OLD, NEW, old_name="old", new_name="new")
    assert diff.dependencies_added == (Change(subject="npm:zod", old=None, new="3.22.0"),)
    assert diff.dependencies_removed == (Change(subject="npm:left-pad", old="1.3.0", new=None),)
    assert diff.dependencies_bumped == (
        Change(subject="npm:lodash", old="4.17.20", new="4.17.21"),
        Change(subject="pypi:attrs", old="(unresolved)", new="23.2.0"),
    )
    assert diff.base_images == (
        Change(subject="Dockerfile#stage 0", old="python:3.11-slim", new="python:3.12-slim"),
    )
    assert diff.indexes == (Change(subject="index.scip", old="Fresh", new="Stale"),)
    assert diff.confidence == (Change(subject="ci", old="high", new="low"),)
    assert diff.binaries == SetChange(added=("/usr/bin/curl",))
    assert diff.files == SetChange(added=("wrote /tmp/x",), removed=("read /etc/passwd",))
    assert diff.connects == SetChange(removed=("AF_INET 10.0.0.1:80 ok",))


@given(policy_documents())
def test_a_document_against_itself_has_no_changes(doc: dict[str, object]) -> None:
    diff = diff_documents(doc, doc, old_name="a", new_name="a")
    assert diff.empty
    assert diff_table(diff).endswith("no changes\n")


@given(policy_documents(), policy_documents())
def test_the_reverse_diff_swaps_added_and_removed(
    old: dict[str, object], new: dict[str, object]
) -> None:
    forward = diff_documents(old, new, old_name="a", new_name="b")
    backward = diff_documents(new, old, old_name="b", new_name="a")
    swap = [Change(subject=c.subject, old=c.new, new=c.old) for c in forward.dependencies_added]
    assert list(backward.dependencies_removed) == swap
    assert backward.binaries == SetChange(
        added=forward.binaries.removed, removed=forward.binaries.added
    )


@given(policy_documents(), policy_documents())
def test_the_table_stays_within_100_columns(old: dict[str, object], new: dict[str, object]) -> None:
    text = diff_table(diff_documents(old, new, old_name="x" * 200, new_name="y"))
    assert max(len(line) for line in text.splitlines()) <= WIDTH


def test_json_rendering_is_the_value_as_plain_data() -> None:
    data = diff_data(diff_documents(OLD, NEW, old_name="old", new_name="new"))
    assert json.loads(json.dumps(data)) == data
    assert data["dependencies_added"] == [{"subject": "npm:zod", "old": None, "new": "3.22.0"}]
    assert data["binaries"] == {"added": ["/usr/bin/curl"], "removed": []}


def test_markdown_keeps_a_crafted_name_inside_its_table_cell() -> None:
    crafted = document(inventory=[("npm", "evil|\n# heading", "1.0.0")])
    text = diff_markdown(diff_documents(document(), crafted, old_name="a", new_name="b"))
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2"]
    assert sum(1 for t in tokens if t.type == "tr_open") == 2  # the header and one row


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ({"schema_version": 1}, "not a codegenie context document"),
        ([], "not a codegenie context document"),
        ({"schema_version": "1", "generator": {"name": "codegenie"}}, "not a codegenie"),
        ({"schema_version": 99, "generator": {"name": "codegenie"}}, "newer codegenie"),
    ],
)
def test_a_document_this_version_cannot_read_is_refused_in_one_line(data: object, why: str) -> None:
    with pytest.raises(DocumentError) as raised:
        check_document(data, "old.json")
    assert raised.value.message.startswith("old.json: ")
    assert why in raised.value.message
    assert "\n" not in raised.value.message
