"""The report's header, its "What to do next" list, and the files it points to (ADR-0071)."""

from __future__ import annotations

from typing import Any

import pytest
from markdown_it import MarkdownIt

from codegenie_core.outcomes import Ran
from codegenie_core.ports import GitState
from codegenie_core.probe import Envelope
from codegenie_core.registry import ProbeRegistry
from codegenie_core.report.context import RepoIdentity
from codegenie_core.report.markdown import render_markdown
from codegenie_core.report.next_steps import next_steps
from tests.support import scripted

REPO = RepoIdentity(name="demo", git=GitState(head="f" * 40, branch="main", dirty=False))


def _document(probes: dict[str, Any]) -> dict[str, Any]:
    return {"generator": {"name": "codegenie", "version": "9.9.9"}, "probes": probes}


def _git(*remotes: dict[str, str]) -> dict[str, Any]:
    return {"outcome": "ran", "confidence": "high", "slice": {"remotes": list(remotes)}}


def _report(probes: dict[str, Any], **kwargs: Any) -> str:
    return render_markdown(repo=REPO, plan=[], outcomes=[], context=_document(probes), **kwargs)


def test_the_header_names_remotes_without_credentials_the_version_and_the_time() -> None:
    report = _report(
        {"git": _git({"name": "origin", "url": "https://me:tok@host/r.git?access_token=t"})},
        generated_at="2026-12-02T03:04:05Z",
    )
    header = report.split("## Summary")[0]
    assert "- remote `origin`: `https://host/r.git`" in header
    assert "tok" not in report and "me:" not in report
    assert "- codegenie `9.9.9`" in header
    assert "- gathered at 2026-12-02T03:04:05Z" in header


def test_without_a_time_the_header_says_none_so_the_same_gather_gives_the_same_report() -> None:
    report = _report({})
    assert "gathered at" not in report
    assert report == _report({})


def test_a_forged_remote_name_cannot_add_a_heading_or_a_list_item() -> None:
    forged = "x\n## forged\n- item`"
    report = _report({"git": _git({"name": forged, "url": f"https://host/{forged}"})})
    tokens = MarkdownIt("commonmark").parse(report)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["codegenie report: demo", "Summary", "Confidence", "Facts"]
    assert "\n## forged" not in report


def _trace(*problems: str) -> dict[str, Any]:
    return {
        "outcome": "ran",
        "confidence": "low",
        "slice": {"status": "image-digest-unresolved", "problems": list(problems)},
    }


def test_an_unresolved_base_image_asks_for_a_docker_pull_of_each_image() -> None:
    steps = next_steps(
        {"runtime_trace": _trace("base image digest unresolved: python:3.12-slim, node:20")}
    )
    assert steps == [
        "**runtime_trace**: `docker pull python:3.12-slim` to let the runtime trace run",
        "**runtime_trace**: `docker pull node:20` to let the runtime trace run",
    ]


def test_a_forged_image_name_stays_inside_its_code_span() -> None:
    (step,) = next_steps({"runtime_trace": _trace("base image digest unresolved: a`b\n# x")})
    assert step == "**runtime_trace**: ``docker pull a`b\\n# x`` to let the runtime trace run"


def test_a_missing_or_stale_index_asks_for_gather_index_even_at_high_confidence() -> None:
    for kind in ("Missing", "Stale"):
        health = {"outcome": "ran", "confidence": "high", "slice": {"indexes": [{"kind": kind}]}}
        assert next_steps({"index_health": health}) == [
            "**index_health**: `codegenie-cli gather --index` to make (or refresh) an index"
        ]


def test_dependencies_not_observed_ask_for_scenarios_never_call_them_unused() -> None:
    deps = [
        {"name": "tinylib", "status": "loaded"},
        {"name": "never-imported", "status": "not-observed"},
        {"name": "react", "status": "not-applicable"},
    ]
    entry = {"outcome": "ran", "confidence": "medium", "slice": {"dependencies": deps}}
    assert next_steps({"loaded_dependencies": entry}) == [
        "**loaded_dependencies**: 1 declared dependencies were not observed loading "
        "(`never-imported`): add scenarios in `.codegenie/scenarios.yaml` that exercise them "
        "before calling any unused"
    ]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"outcome": "ran", "confidence": "high", "slice": {}}, []),
        (
            {"outcome": "cached", "confidence": "medium", "slice": {}},
            ["**p**: medium confidence: see its reasons under Confidence"],
        ),
        (
            {
                "outcome": "skipped",
                "reason": {"kind": "tool_unavailable", "tool": "docker", "hint": "start dockerd"},
            },
            ["**p**: install or start `docker` to let it run: start dockerd"],
        ),
        ({"outcome": "skipped", "reason": {"kind": "not_applicable", "message": "no"}}, []),
        (
            {"outcome": "failed", "message": "boom"},
            [
                "**p**: failed; run `codegenie-cli gather REPO -v` to see why, and the error under "
                "Confidence"
            ],
        ),
    ],
)
def test_each_state_below_high_gets_a_step_and_high_gets_none(
    entry: dict[str, Any], expected: list[str]
) -> None:
    assert next_steps({"p": entry}) == expected


def test_the_steps_are_a_section_of_the_report_before_the_summary() -> None:
    report = _report({"runtime_trace": _trace("base image digest unresolved: python:3.12-slim")})
    assert "## What to do next\n\n- **runtime_trace**: `docker pull python:3.12-slim`" in report
    assert report.index("## What to do next") < report.index("## Summary")
    assert "## What to do next" not in _report({})


def _long_plan_and_document() -> tuple[list[Any], dict[str, Any]]:
    registry = ProbeRegistry()
    registry.add(scripted("big"), source="test")
    slice_ = {f"fact{i}": i for i in range(60)}
    return [registry.get("big")], _document({"big": {"outcome": "ran", "slice": slice_}})


def test_a_cut_fact_list_names_the_context_file_only_when_it_was_written() -> None:
    plan, document = _long_plan_and_document()
    ran = [
        Ran(
            probe="big",
            envelope=Envelope(probe="big", schema_version=1, confidence="high", slice=None),
            duration_ms=1,
            cache_key="0" * 64,
        )
    ]
    printed = render_markdown(repo=REPO, plan=plan, outcomes=ran, context=document)
    assert "context.yaml" not in printed
    assert "more lines in the context document (`--output DIR`)" in printed
    written = render_markdown(
        repo=REPO, plan=plan, outcomes=ran, context=document, document_file="context.yaml"
    )
    assert "more lines in `context.yaml`" in written
