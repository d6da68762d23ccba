"""The pure flattening of a context document into the store's rows, on the goldens."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.config import GatherConfig
from codegenie_core.portfolio import RepoFailed, RepoGathered, RepoTask, TaskSpec
from codegenie_core.portfolio_rows import (
    FACT_COLUMNS,
    ProbeCounts,
    flatten,
    probe_counts,
    repository_row,
    run_identity,
    version_key,
)
from tests.portfolio.golden import FIXTURES, golden_path

TASK = RepoTask(key="/r/a", kind="path", needs_engine=False)


def _golden(name: str) -> dict[str, Any]:
    return json.loads(golden_path(name).read_text(encoding="utf-8"))


def test_every_golden_flattens_to_rows_of_each_tables_width() -> None:
    for name in FIXTURES:
        for table, rows in flatten(_golden(name)).items():
            assert all(len(row) == len(FACT_COLUMNS[table]) for row in rows), (name, table)


def test_the_inventory_becomes_one_dependency_row_per_entry_with_its_fields() -> None:
    document = _golden("polyglot-monorepo")
    inventory = document["probes"]["manifests"]["slice"]["inventory"]
    rows = flatten(document)["dependencies"]
    assert len(rows) == len(inventory) == 5
    assert rows[0] == (
        "npm", "@acme/shared", "0.1.0", None, "0.1.0", "pkg:npm/%40acme/shared@0.1.0", "runtime",
        1, "packages/web/package.json", "package-lock.json", "packages/web",
        "workspace:packages/shared", "[]",
    )  # fmt: skip


def test_a_dependencys_groups_are_json_array_text_and_null_when_the_document_has_none() -> None:
    def row(entry: dict[str, object]) -> object:
        document = {"probes": {"manifests": {"slice": {"inventory": [{"name": "x", **entry}]}}}}
        return flatten(document)["dependencies"][0][-1]

    assert row({"groups": ["group:tests", "extra:async", 3]}) == '["group:tests","extra:async"]'
    assert row({"groups": []}) == "[]"
    assert [row({}), row({"groups": "group:tests"})] == [None, None]


def test_base_images_name_each_stage_its_image_and_the_final_stage() -> None:
    rows = flatten(_golden("go-cli"))["base_images"]
    picked = [(r[1], r[2], r[3], r[4], r[7], r[8], r[9]) for r in rows]
    assert picked == [
        (0, "build", 0, "image", None, "golang", "1.22.4-alpine"),
        (1, "test", 0, "stage", None, None, None),
        (2, None, 1, "image", "gcr.io", "distroless/static-debian12", "nonroot"),
    ]
    assert [r[6] for r in rows] == [
        "golang:1.22.4-alpine", "build", "gcr.io/distroless/static-debian12:nonroot"
    ]  # fmt: skip


def test_languages_mark_the_primary_one() -> None:
    rows = flatten(_golden("polyglot-monorepo"))["languages"]
    assert ("TypeScript", 2, 477, 1, 14, 0, 3) in rows
    assert [r for r in rows if r[3] == 1] == [("TypeScript", 2, 477, 1, 14, 0, 3)]


def test_a_missing_index_is_one_index_health_row() -> None:
    assert flatten(_golden("go-cli"))["index_health"] == [
        ("Missing", None, None, None, None, None, None, None, None)
    ]


def test_github_jobs_and_their_runner_labels_are_rows() -> None:
    facts = flatten(_golden("polyglot-monorepo"))
    ci = ".github/workflows/ci.yml"
    assert ("github-actions", ci, "report", None, None) in facts["ci_jobs"]
    assert len(facts["ci_jobs"]) == 6
    runners = [r for r in facts["ci_runners"] if r[1] == ci]
    assert runners == [
        ("github-actions", ci, "node", "ubuntu-24.04"),
        ("github-actions", ci, "python", "${{ matrix.os }}"),
        ("github-actions", ci, "report", "self-hosted"),
        ("github-actions", ci, "report", "linux"),
    ]


def test_a_gitlab_pipeline_and_a_runtime_trace_flatten_from_their_slices() -> None:
    document: dict[str, Any] = {
        "probes": {
            "ci": {"slice": {"gitlab": {"default_image": "ruby:3", "jobs": {
                "lint": {"image": None}, "test": {"image": "node:16"}}}}},
            "runtime_trace": {"slice": {
                "status": "traced", "trace_coverage_confidence": "medium", "image_ref": "x",
                "scenarios": [{}, {}], "binaries_executed": ["/bin/sh"], "files_read": [],
                "files_written": [], "shared_libraries": ["libc"], "network_connects": []}},
        }
    }  # fmt: skip
    facts = flatten(document)
    assert facts["ci_jobs"] == [
        ("gitlab-ci", ".gitlab-ci.yml", "lint", None, "ruby:3"),
        ("gitlab-ci", ".gitlab-ci.yml", "test", None, "node:16"),
    ]
    assert facts["runtime_traces"] == [("traced", "medium", "x", 2, 1, 0, 0, 1, 0)]


def test_a_skipped_probe_gives_no_rows() -> None:
    facts = flatten(_golden("minimal-ts"))
    assert facts["base_images"] == [] and facts["ci_jobs"] == [] and facts["runtime_traces"] == []


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=20,
)
_probe_names = st.sampled_from(
    ["manifests", "dockerfile", "languages", "index_health", "ci", "runtime_trace"]
)


@given(
    st.dictionaries(
        _probe_names,
        st.fixed_dictionaries({"slice": st.dictionaries(st.text(max_size=12), _json, max_size=4)}),
    ),
    st.sampled_from(["inventory", "dockerfiles", "languages", "indexes", "workflows", "gitlab"]),
    _json,
)
def test_any_shape_of_document_flattens_without_raising(
    probes: Any, field: str, value: Any
) -> None:
    for entry in probes.values():
        entry["slice"][field] = value
    facts = flatten({"probes": probes})
    assert set(facts) == set(FACT_COLUMNS)
    assert all(len(r) == len(FACT_COLUMNS[t]) for t, rows in facts.items() for r in rows)


def test_a_failure_has_the_empty_state_and_no_probe_counts() -> None:
    failed = RepoFailed(task=TASK, reason="crash", message="worker died", duration_ms=3)
    row = repository_row(failed, run_id=7)
    assert (row.state, row.status, row.reason, row.run_id) == ("", "failed", "crash", 7)
    assert probe_counts(failed) == ProbeCounts()


def test_a_gathered_state_is_its_token_else_its_head_and_counts_come_from_gather() -> None:
    document = _golden("go-cli")
    both = RepoGathered(task=TASK, head="h", state_token="t", document=document, duration_ms=1)
    head = RepoGathered(task=TASK, head="h", state_token=None, document=document, duration_ms=1)
    assert (repository_row(both, run_id=1).state, repository_row(head, run_id=1).state) == (
        "t",
        "h",
    )
    assert repository_row(both, run_id=1).name == "go-cli"
    assert probe_counts(both) == ProbeCounts(probes=8, ran=4, cached=0, skipped=4, failed=0)


def test_a_run_is_identified_by_its_spec_and_its_set_of_keys() -> None:
    spec = TaskSpec(
        config=GatherConfig(layers=frozenset({"a", "b"})), cache_dir=None, cache_max_bytes=1
    )
    same = TaskSpec(
        config=GatherConfig(layers=frozenset({"b", "a"})), cache_dir=None, cache_max_bytes=1
    )
    tasks = [TASK, RepoTask(key="/r/b", kind="path", needs_engine=False)]
    assert run_identity(spec, tasks) == run_identity(same, tasks[::-1])
    assert run_identity(spec, tasks) != run_identity(spec, tasks[:1])
    other = TaskSpec(config=GatherConfig(), cache_dir=None, cache_max_bytes=1)
    assert run_identity(spec, tasks) != run_identity(other, tasks)


_releases = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=5)


@given(_releases, _releases)
def test_version_keys_sort_as_their_release_numbers(a: list[int], b: list[int]) -> None:
    def padded(v: list[int]) -> list[int]:
        return v + [0] * (3 - len(v))

    ka, kb = version_key(".".join(map(str, a))), version_key(".".join(map(str, b)))
    assert ka is not None and kb is not None
    if padded(a) != padded(b):
        assert (ka < kb) == (padded(a) < padded(b))


def test_a_prerelease_sorts_before_its_release_and_a_range_has_no_key() -> None:
    keys = [version_key(v) or "" for v in ("1.0.0-rc.1", "1.0.0", "1.0.0.1")]
    assert keys == sorted(keys) and len(set(keys)) == 3 and "" not in keys
    assert version_key("v4.17.21") == version_key("4.17.21+build")
    assert [version_key(v) for v in ("^4.17", "git+https://x", "", None, 4)] == [None] * 5


def test_other_ci_systems_jobs_and_runners_flatten_from_a_real_ci_slice() -> None:
    from codegenie_adapters.serde import plain_data
    from tests.unit.test_ci_systems import many

    facts = flatten({"probes": {"ci": {"slice": plain_data(many())}}})
    jobs, runners = facts["ci_jobs"], facts["ci_runners"]
    assert ("circleci", ".circleci/config.yml", "web", None, "cimg/node:20.11") in jobs
    assert ("azure-pipelines", "azure-pipelines.yml", "unit", "unit", "python:3.12") in jobs
    assert (
        "bitbucket-pipelines",
        "bitbucket-pipelines.yml",
        "2",
        "Build image",
        "docker:27",
    ) in jobs
    assert ("travis", ".travis.yml", "1", "macOS smoke", None) in jobs
    assert ("circleci", ".circleci/config.yml", "build-image", "ubuntu-2204:2024.01.1") in runners
    assert ("azure-pipelines", "azure-pipelines.yml", "staging", "self-hosted-linux") in runners
    assert ("travis", ".travis.yml", "1", "osx") in runners
    assert {r[0] for r in jobs} == {"circleci", "azure-pipelines", "travis", "bitbucket-pipelines"}
