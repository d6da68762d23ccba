"""GitLab CI in the `ci` probe: includes followed or listed, extends resolved, jobs read."""

from __future__ import annotations

from typing import cast

import attrs
import pytest

from codegenie_adapters.config_yaml import RuamelYamlReader
from codegenie_core.probe import Envelope
from codegenie_core.probes.layer_a.ci import CiProbe
from codegenie_core.probes.layer_a.ci_gitlab import (
    MAX_DEPTH,
    MAX_EXTENDS_DEPTH,
    MERGE_BUDGET,
    GitlabJob,
    deep_merge,
    resolve_extends,
    resolve_pipeline,
)
from codegenie_core.probes.layer_a.inputs import InputProblem
from codegenie_core.scoped_reads import ScopedRepo
from tests.unit.ci_support import fixture_context, fixture_files, run_ci
from tests.unit.layer_a_support import context
from tests.unit.test_parser_linearity import MAX_RATIO, work


def job(**fields: object) -> GitlabJob:
    defaults: dict[str, object] = {
        "stage": "test", "image": None, "services": (), "needs": (), "has_rules": False,
        "has_only": False, "has_except": False, "when": None, "extends": (),
    }  # fmt: skip
    return GitlabJob(**(defaults | fields))  # pyright: ignore[reportArgumentType] -- test literals


def test_the_monorepo_pipeline_with_its_includes_followed_and_extends_resolved() -> None:
    envelope = CiProbe().run(fixture_context("gitlab-monorepo"))
    assert isinstance(envelope, Envelope)
    pipeline = envelope.slice.gitlab

    assert pipeline is not None
    assert (pipeline.stages, pipeline.default_image, pipeline.templates, pipeline.includes) == (
        ("build", "test", "deploy"),
        "golang:1.22",
        (".go-build", ".go-test", ".with-postgres"),
        (".gitlab/ci/templates.yml", "ci/deploy.yml"),
    )
    assert pipeline.jobs == {
        "build": job(stage="build", image="golang:1.22", extends=(".go-build",)),
        "deploy": job(
            stage="deploy", image="alpine:3.20", needs=("lint", "unit"), has_rules=True,
            when="on_success",
        ),
        "lint": job(
            image="golangci/golangci-lint:v1.59", needs=("build",), has_only=True,
            has_except=True,
        ),
        # services: an array, so the later parent (.with-postgres) replaces .go-test's
        "unit": job(
            image="golang:1.22-bookworm", services=("postgres:16",), needs=("build",),
            has_rules=True, extends=(".go-test", ".with-postgres"),
        ),
        "race": job(
            image="golang:1.22-bookworm", services=("postgres:16",), needs=("build",),
            has_rules=True, when="manual", extends=("unit",),
        ),
    }  # fmt: skip
    assert envelope.slice.config_files == {
        ".gitlab-ci.yml": "gitlab-ci",
        ".gitlab/ci/templates.yml": "gitlab-ci",
        "ci/deploy.yml": "gitlab-ci",
    }


def test_includes_named_elsewhere_are_listed_and_cap_the_grade_at_medium() -> None:
    envelope = CiProbe().run(fixture_context("gitlab-monorepo"))
    assert isinstance(envelope, Envelope)

    assert [(r.kind, r.target) for r in envelope.slice.references] == [
        ("gitlab-template", "Jobs/Code-Quality.gitlab-ci.yml"),
        ("gitlab-project", "acme/ci-templates:/security/sast.yml"),
        ("gitlab-project", "acme/ci-templates:/security/secrets.yml"),
        ("gitlab-component", "gitlab.example.com/acme/components/trivy@1.2"),
        ("gitlab-remote", "https://example.com/shared/lint.yml"),
        ("outside-reads", "scripts/extra-jobs.yml"),
    ]
    grade = envelope.slice.systems["gitlab-ci"]
    assert grade.confidence == "medium"
    assert ".gitlab-ci.yml: the local include 'scripts/extra-jobs.yml' is not among the reads" in (
        grade.reasons
    )


def test_an_include_outside_the_reads_is_never_read_even_in_strict_mode() -> None:
    ctx = fixture_context("gitlab-monorepo")
    strict = attrs.evolve(ctx, repo=ScopedRepo(ctx.repo, CiProbe.spec, strict=True))

    envelope = CiProbe().run(strict)

    assert isinstance(envelope, Envelope)
    assert "scripts/extra-jobs.yml" not in envelope.slice.config_files


def test_extends_merges_hashes_deeply_and_replaces_arrays_later_winning() -> None:
    resolved = resolve_extends(
        {
            ".a": {"variables": {"A": "1", "B": "a"}, "script": ["a"], "image": "a"},
            ".b": {"variables": {"B": "b", "C": "b"}, "script": ["b1", "b2"]},
            "j": {"extends": [".a", ".b"], "variables": {"C": "j"}, "tags": ["x"]},
        },
        [],
    )

    assert resolved["j"] == {
        "variables": {"A": "1", "B": "b", "C": "j"},
        "script": ["b1", "b2"],
        "image": "a",
        "tags": ["x"],
    }


def test_chained_extends_resolve_parent_first() -> None:
    resolved = resolve_extends(
        {".base": {"stage": "build", "when": "always"}, ".mid": {"extends": ".base",
         "when": "manual"}, "j": {"extends": ".mid"}},
        [],
    )  # fmt: skip

    assert resolved["j"] == {"stage": "build", "when": "manual"}


def test_an_extends_cycle_is_a_problem_and_stops_the_chain() -> None:
    messages: list[str] = []
    resolved = resolve_extends(
        {"a": {"extends": "b", "x": 1}, "b": {"extends": "a", "y": 2}, "c": {"extends": "c"}},
        messages,
    )

    assert resolved["a"] == {"x": 1, "y": 2}
    assert messages == ["extends cycle: a -> b -> a", "extends cycle: c -> c"]


def test_extends_past_gitlabs_depth_limit_is_a_problem() -> None:
    chain = {f".t{i}": {"extends": f".t{i + 1}"} for i in range(20)} | {".t20": {"stage": "s"}}
    messages: list[str] = []

    resolve_extends(chain | {"j": {"extends": ".t0"}}, messages)

    assert messages and all(
        m.endswith(f"extends deeper than {MAX_EXTENDS_DEPTH} levels") for m in messages
    )


def test_an_unknown_parent_and_a_non_mapping_job_are_problems() -> None:
    messages: list[str] = []

    pipeline = resolve_pipeline({"j": {"extends": ".nope"}, "k": "not a job"}, messages)

    assert list(pipeline.jobs) == ["j"]
    assert messages == ["job 'k' is not a mapping", "job 'j' extends '.nope', which is not defined"]


def test_an_include_cycle_is_a_problem_not_a_loop() -> None:
    envelope = run_ci(
        {
            ".gitlab-ci.yml": "include: ci/a.yml\nroot:\n  script: [x]\n",
            "ci/a.yml": "include: [{local: ci/b.yml}]\na:\n  script: [x]\n",
            "ci/b.yml": "include: ci/a.yml\nb:\n  script: [x]\n",
        }
    )

    assert envelope.slice.problems == (
        InputProblem(
            path=".gitlab-ci.yml",
            message="include cycle: .gitlab-ci.yml -> ci/a.yml -> ci/b.yml -> ci/a.yml",
        ),
    )
    assert envelope.slice.gitlab is not None
    assert list(envelope.slice.gitlab.jobs) == ["a", "b", "root"]
    assert envelope.confidence == "medium"


def test_a_missing_local_include_and_an_unparsable_one_are_problems() -> None:
    envelope = run_ci(
        {
            ".gitlab-ci.yml": "include: [ci/gone.yml, ci/bad.yml]\nj:\n  script: [x]\n",
            "ci/bad.yml": "a: [1,\n",
        }
    )

    assert [p.message for p in envelope.slice.problems] == [
        ".gitlab-ci.yml: the local include 'ci/gone.yml' is not in the repository",
        "ci/bad.yml: while parsing a flow node: expected the node content, but found "
        "'<stream end>' (line 2)",
    ]


def test_default_image_is_inherited_unless_the_job_says_no() -> None:
    pipeline = resolve_pipeline(
        {
            "image": "old:1",
            "default": {"image": {"name": "new:2"}},
            "a": {"script": ["x"]},
            "b": {"inherit": {"default": False}},
            "c": {"inherit": {"default": ["image"]}},
            "d": {"inherit": {"default": ["services"]}},
        },
        [],
    )

    assert {n: j.image for n, j in pipeline.jobs.items()} == {
        "a": "new:2", "b": None, "c": "new:2", "d": None,
    }  # fmt: skip
    assert (pipeline.stages, pipeline.stages_declared) == (("build", "test", "deploy"), False)


def test_merging_is_bounded_by_its_node_budget() -> None:
    template = ".t:\n  variables:\n" + "".join(f"    k{i}: {i}\n" for i in range(5_000))
    # Each job's variables merge into the template's 5,000: 100 jobs would walk 500,000 nodes.
    jobs = "".join(f"j{i}:\n  extends: .t\n  variables: {{k0: x}}\n" for i in range(100))

    envelope = run_ci({".gitlab-ci.yml": template + jobs})

    assert envelope.slice.gitlab is not None and len(envelope.slice.gitlab.jobs) == 100
    assert [p.message for p in envelope.slice.problems] == [
        f"merging stopped after {MERGE_BUDGET:,} nodes"
    ]
    assert envelope.confidence == "medium"


def test_deep_merge_of_deep_nesting_stops_at_its_depth_bound() -> None:
    deep: dict[str, object] = {"k": "leaf"}
    for _ in range(5_000):
        deep = {"k": deep}

    node, over = deep_merge(deep, deep), deep
    for _ in range(MAX_DEPTH):
        node, over = cast("dict[str, object]", node)["k"], over["k"]
        assert isinstance(over, dict)
        over = cast("dict[str, object]", over)
    assert node is over


def test_an_included_file_that_is_not_a_mapping_is_a_problem() -> None:
    envelope = run_ci(
        {".gitlab-ci.yml": "include: ci/list.yml\nj: {script: [x]}\n", "ci/list.yml": "- 1\n"}
    )

    assert [p.message for p in envelope.slice.problems] == [
        "ci/list.yml: an included file must be a YAML mapping"
    ]
    assert envelope.slice.references == ()


def test_the_fixture_files_are_all_declared_reads_but_one() -> None:
    files = fixture_files("gitlab-monorepo")
    ctx = context(files)
    view = ScopedRepo(ctx.repo, CiProbe.spec, strict=True)

    assert sorted(set(files) - set(view.list_files())) == ["README.md", "scripts/extra-jobs.yml"]


def pipeline_of(jobs: int) -> str:
    templates = ".base:\n  image: a:1\n  variables: {A: '1'}\n.mid:\n  extends: .base\n"
    body = "".join(
        f"job{i}:\n  extends: [.mid, .base]\n  stage: test\n  needs: [job{max(i - 1, 0)}]\n"
        f"  variables: {{B: '{i}'}}\n"
        for i in range(jobs)
    )
    return templates + body


def test_ten_times_the_jobs_is_about_ten_times_the_work(monkeypatch: pytest.MonkeyPatch) -> None:
    reader = RuamelYamlReader()

    def resolve(given: str) -> object:
        return resolve_pipeline(given_data[given], [])

    given_data = {text: reader.parse(text) for text in (pipeline_of(60), pipeline_of(600))}
    small = work(monkeypatch, resolve, pipeline_of(60))
    large = work(monkeypatch, resolve, pipeline_of(600))

    assert large / small <= MAX_RATIO, f"{small} -> {large} units of work"
