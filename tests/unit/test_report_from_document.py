"""The Markdown report of a stored context document: what a gather's own report says, from the
document alone, and never an exception whatever the document holds."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given

from codegenie_cli.main import cli
from codegenie_core.outcomes import Failed, Skipped, ToolUnavailable, UpstreamUnavailable
from codegenie_core.report.from_document import (
    STORED_DOCUMENT,
    markdown_from_document,
    outcome_of,
)
from tests.strategies import stored_documents

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "portfolio" / "polyglot-monorepo"


@pytest.fixture(scope="module")
def gathered(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two gathers of one repository into one cache: the first runs, the second is cached."""
    root = tmp_path_factory.mktemp("gathers")
    outputs: list[Path] = []
    for n in (1, 2):
        out = root / f"out{n}"
        result = CliRunner().invoke(
            cli, ["gather", str(FIXTURE), "--output", str(out), "--cache-dir", str(root / "c")],
            catch_exceptions=False,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(out)
    return outputs


def test_a_stored_documents_report_is_the_gathers_own_but_for_time_and_pointer(
    gathered: list[Path],
) -> None:
    outcomes: set[str] = set()
    for out in gathered:
        document = json.loads((out / "context.json").read_text(encoding="utf-8"))
        outcomes |= {entry["outcome"] for entry in document["probes"].values()}
        written = (out / "report.md").read_text(encoding="utf-8")
        expected = re.sub(r"^- gathered at .*\n", "", written, flags=re.MULTILINE)
        expected = expected.replace("`context.yaml`", STORED_DOCUMENT)
        assert markdown_from_document(document) == expected
    assert {"ran", "cached", "skipped"} <= outcomes


def test_failed_and_upstream_outcomes_are_read_back() -> None:
    failed = outcome_of(
        "ci", {"outcome": "failed", "duration_ms": 3, "error": {"type": "Boom", "message": "m"}}
    )
    assert failed == Failed(probe="ci", error_type="Boom", message="m", duration_ms=3)
    upstream = outcome_of(
        "index_health",
        {"outcome": "skipped", "reason": {"kind": "upstream_failed", "upstream": "scip_index",
         "message": "upstream probe 'scip_index' failed"}},
    )  # fmt: skip
    assert upstream == Skipped(
        probe="index_health",
        reason=UpstreamUnavailable(upstream="scip_index", upstream_outcome="failed"),
    )
    tool = outcome_of(
        "runtime_trace",
        {"outcome": "skipped", "reason": {"kind": "tool_unavailable", "tool": "docker",
         "message": "no daemon", "hint": "start it"}},
    )  # fmt: skip
    assert tool == Skipped(
        probe="runtime_trace",
        reason=ToolUnavailable(tool="docker", reason="no daemon", hint="start it"),
    )


def test_an_entry_with_no_readable_outcome_is_said_to_be_unreadable() -> None:
    for entry in ({}, {"outcome": "ran", "confidence": "certain"}, {"outcome": 7}):
        found = outcome_of("x", entry)
        assert isinstance(found, Failed) and found.error_type == "unreadable entry"


def test_forged_layer_and_grade_never_reach_the_report_unescaped() -> None:
    document = {
        "repo": {"name": "<b>x</b>", "git": {"head": "|`h", "branch": "*b*", "dirty": "yes"}},
        "probes": {
            "p|q": {"layer": "| evil |", "outcome": "ran", "confidence": "high",
                    "duration_ms": "9", "cache_key": "`k`", "notes": ["# heading"]},
        },
    }  # fmt: skip
    report = markdown_from_document(document)
    assert "| evil |" not in report
    assert "| p\\|q | A | ran | high | 0 |" in report
    assert "\n# heading" not in report and "<b>" not in report


@given(document=stored_documents)
def test_any_document_shape_gives_a_report(document: dict[str, Any]) -> None:
    assert markdown_from_document(document).startswith("# codegenie report: ")


def test_a_document_nested_too_deep_gets_a_report_saying_so() -> None:
    deep: Any = []
    for _ in range(5_000):
        deep = [deep]
    document = {"repo": {"name": "*x*"}, "probes": {"x": {"outcome": "ran", "slice": deep}}}
    report = markdown_from_document(document)
    assert report.startswith("# codegenie report: \\*x\\*\n")
    assert "nested deeper than 200 levels" in report


@pytest.mark.parametrize("stored", [[], 5, "text", None])
def test_json_that_is_not_an_object_reads_as_an_empty_document(stored: object) -> None:
    assert markdown_from_document(stored).startswith("# codegenie report: ?\n")
