"""The context document and the Markdown report, built from every outcome and confidence state."""

from __future__ import annotations

import attrs
import pytest

from codegenie_adapters.fakes import cached_entry
from codegenie_core.outcomes import Cached, Failed, ProbeOutcome, Ran, Skipped, UpstreamUnavailable
from codegenie_core.ports import GitState
from codegenie_core.probe import Confidence, Envelope, NotApplicable, ToolUnavailable
from codegenie_core.registry import ProbeRegistry
from codegenie_core.report.context import RepoIdentity, build_context, without_timings
from codegenie_core.report.markdown import confidence_lines, render_markdown
from tests.support import CountSlice, scripted


def envelope(confidence: Confidence = "high", notes: tuple[str, ...] = ()) -> Envelope:
    return Envelope(
        probe="p", schema_version=1, confidence=confidence, slice=CountSlice(files=3), notes=notes
    )


OUTCOMES: dict[str, ProbeOutcome] = {
    "ran": Ran(probe="ran", envelope=envelope(), duration_ms=5, cache_key="ab" * 32),
    "cached": Cached(
        probe="cached",
        entry=cached_entry(envelope("medium", ("two files unreadable",))),
        duration_ms=1,
        cache_key="cd" * 32,
    ),
    "not_applicable": Skipped(probe="not_applicable", reason=NotApplicable(reason="no Dockerfile")),
    "tool": Skipped(
        probe="tool",
        reason=ToolUnavailable(tool="docker", reason="daemon down", hint="start dockerd"),
    ),
    "upstream": Skipped(
        probe="upstream", reason=UpstreamUnavailable(upstream="tool", upstream_outcome="failed")
    ),
    "failed": Failed(probe="failed", error_type="RuntimeError", message="boom", duration_ms=7),
}


def plan():
    registry = ProbeRegistry()
    for name in OUTCOMES:
        registry.add(scripted(name), source="test")
    return [registry.get(name) for name in OUTCOMES]


REPO = RepoIdentity(name="demo", git=GitState(head="f" * 40, branch="main", dirty=True))


def context():
    return build_context(
        repo=REPO,
        plan=plan(),
        outcomes=list(OUTCOMES.values()),
        cpu_budget=2,
        duration_ms=42,
        generator_version="0.1.0",
        to_plain=attrs.asdict,
    )


def test_the_context_names_the_repo_without_any_absolute_path() -> None:
    assert context()["repo"] == {
        "name": "demo",
        "git": {"head": "f" * 40, "branch": "main", "dirty": True},
    }


def test_the_context_counts_outcomes_by_kind() -> None:
    gather = context()["gather"]
    assert (gather["ran"], gather["cached"], gather["skipped"], gather["failed"]) == (1, 1, 3, 1)


def test_each_outcome_kind_has_its_own_entry_shape() -> None:
    probes = context()["probes"]
    assert probes["ran"] == {
        "layer": "a",
        "version": 1,
        "outcome": "ran",
        "duration_ms": 5,
        "cache_key": "ab" * 6,
        "confidence": "high",
        "schema_version": 1,
        "notes": [],
        "slice": {"files": 3, "upstream": ()},
    }
    assert probes["tool"]["reason"] == {
        "kind": "tool_unavailable",
        "tool": "docker",
        "message": "daemon down",
        "hint": "start dockerd",
    }
    assert probes["upstream"]["reason"]["kind"] == "upstream_failed"
    assert probes["failed"]["error"] == {"type": "RuntimeError", "message": "boom"}


def test_without_timings_drops_every_duration_and_nothing_else() -> None:
    stripped = without_timings(context())
    assert "duration_ms" not in stripped["gather"]
    assert all("duration_ms" not in entry for entry in stripped["probes"].values())
    assert stripped["probes"]["ran"]["cache_key"] == "ab" * 6


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ran", "**high**: read directly from its source; safe to act on; computed in this run"),
        ("not_applicable", "not applicable, so nothing is claimed: no Dockerfile"),
        ("tool", "**unknown**: `docker` is unavailable: daemon down (start dockerd)"),
        ("upstream", "**unknown**: it needs `tool`, which failed"),
        ("failed", "**unknown**: the probe failed (RuntimeError): boom"),
    ],
)
def test_the_confidence_section_explains_every_outcome(name: str, expected: str) -> None:
    assert confidence_lines(OUTCOMES[name])[0] == expected


def test_a_cached_outcome_says_where_it_came_from_and_keeps_its_notes() -> None:
    assert confidence_lines(OUTCOMES["cached"]) == [
        "**medium**: partly inferred or partly unreadable; check before acting; "
        "served from the cache (key `cdcdcdcdcdcd`): its inputs are unchanged",
        "two files unreadable",
    ]


@pytest.mark.parametrize("confidence", ["high", "medium", "low"])
def test_every_confidence_state_has_a_phrase(confidence: Confidence) -> None:
    outcome = Ran(probe="p", envelope=envelope(confidence), duration_ms=0, cache_key="0" * 64)
    assert confidence_lines(outcome)[0].startswith(f"**{confidence}**")


def test_the_markdown_report_has_a_row_per_probe_and_a_confidence_line_per_probe() -> None:
    report = render_markdown(
        repo=REPO, plan=plan(), outcomes=list(OUTCOMES.values()), context=context()
    )
    assert report.startswith("# codegenie report: demo\n")
    assert "git: `main` at `ffffffffffff`, work tree dirty" in report
    summary = report.split("## Summary")[1].split("## Confidence")[0]
    assert summary.count("\n| ") == len(OUTCOMES) + 1
    confidence = report.split("## Confidence")[1].split("## Facts")[0]
    assert [
        line.split("**")[1] for line in confidence.splitlines() if line.startswith("- **")
    ] == list(OUTCOMES)
    assert "### ran\n\n- files: 3" in report
