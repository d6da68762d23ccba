"""The key facts per probe: short, one-line, and total over any slice shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.report.context import PlainData
from codegenie_core.report.key_facts import MAX_FACT_CHARS, MAX_FACTS, key_facts
from tests.strategies import plain_slices

GOLDENS = sorted((Path(__file__).resolve().parents[1] / "portfolio" / "goldens").glob("*.json"))
BUILT_IN = (
    "languages",
    "manifests",
    "dockerfile",
    "compose",
    "ci",
    "git",
    "index_health",
    "scip_index",
    "runtime_trace",
    "loaded_dependencies",
)


@pytest.mark.parametrize("golden", GOLDENS, ids=lambda p: p.stem)
def test_every_built_in_slice_in_the_goldens_gives_short_one_line_facts(golden: Path) -> None:
    probes = json.loads(golden.read_text())["probes"]
    for name, entry in probes.items():
        if "slice" not in entry:
            continue
        facts = key_facts(name, entry["slice"])
        assert 1 <= len(facts) <= MAX_FACTS, name
        assert all(len(f) <= MAX_FACT_CHARS and "\n" not in f for f in facts), facts


def test_the_languages_facts_name_the_primary_language_and_the_counts() -> None:
    facts = key_facts(
        "languages",
        {
            "primary": "Python",
            "languages": [
                {"language": "Python", "files": 4, "bytes": 9, "code": 7, "comment": 2, "blank": 1},
                {"language": "Shell", "files": 1, "bytes": 3, "code": 2, "comment": 1, "blank": 0},
            ],
            "vendored": {"files": 2, "bytes": 1},
            "generated": {"files": 0, "bytes": 0},
        },
    )
    assert facts == (
        "primary: Python",
        "Python 4 files 7 code, Shell 1 files 2 code",
        "lines: 9 code, 3 comment, 1 blank",
        "vendored 2 files, generated 0 files",
    )


def test_a_git_slice_says_branch_head_and_state() -> None:
    facts = key_facts(
        "git",
        {
            "head": "b" * 40,
            "branch": "main",
            "dirty": True,
            "remotes": [{"name": "origin", "url": "https://host/r.git"}],
        },
    )
    assert facts == ("main at bbbbbbbbbbbb, dirty", "origin: https://host/r.git")


def test_loaded_dependencies_say_what_loaded_and_what_was_not_observed() -> None:
    facts = key_facts(
        "loaded_dependencies",
        {
            "trace_coverage_confidence": "high",
            "scenarios": ["default", "help"],
            "dependencies": [
                {"name": "tinylib", "status": "loaded"},
                {"name": "never-imported", "status": "not-observed"},
                {"name": "react", "status": "not-applicable"},
            ],
        },
    )
    assert facts == (
        "1 loaded, 1 not-observed, 1 not-applicable (2 scenarios, coverage high)",
        "not observed: never-imported",
        "loaded: tinylib",
    )


def test_a_forged_name_shows_its_control_characters_as_visible_escapes() -> None:
    forged = "web\x1b[2J\n[bold]x\u2028y"
    facts = key_facts("compose", {"files": {"compose.yaml": {"services": {forged: {}}}}})
    assert facts[1] == "services: web\\u{001B}[2J\\n[bold]x\\u{2028}y"
    assert not any(ch in "".join(facts) for ch in "\x1b\n\u2028")


def test_a_long_fact_is_cut_with_an_ellipsis() -> None:
    (fact,) = key_facts("index_health", {"indexes": [{"kind": "K" * 500}]})
    assert len(fact) == MAX_FACT_CHARS
    assert fact.endswith("…")


def test_a_probe_without_a_fact_function_shows_none() -> None:
    assert key_facts("license", {"spdx": "MIT"}) == ()


@given(st.sampled_from(BUILT_IN), plain_slices)
def test_any_slice_shape_gives_bounded_facts_without_raising(probe: str, data: PlainData) -> None:
    facts = key_facts(probe, data)
    assert len(facts) <= MAX_FACTS
    assert all(len(f) <= MAX_FACT_CHARS for f in facts)
