"""The `ci` probe: GitHub Actions in depth, each system found by its file and graded on its own."""

from __future__ import annotations

import attrs

from codegenie_adapters.fakes import ScriptedYaml
from codegenie_adapters.serde import envelope_from_json, envelope_to_json
from codegenie_core.outcomes import Ran
from codegenie_core.probe import Envelope, NotApplicable
from codegenie_core.probes.layer_a.ci import (
    ActionRef,
    CiProbe,
    CiSlice,
    Matrix,
    Reference,
    Service,
    SystemGrade,
    Workflow,
    WorkflowJob,
    parse_uses,
    read_workflow,
)
from codegenie_core.probes.layer_a.ci_common import MAX_ITEMS
from codegenie_core.probes.layer_a.inputs import InputProblem
from codegenie_core.report.markdown import confidence_lines
from tests.unit.ci_support import fixture_context
from tests.unit.layer_a_support import context, portfolio_context

PROBE = CiProbe()


def run(files: dict[str, str | bytes]) -> Envelope:
    envelope = PROBE.run(context(files))
    assert isinstance(envelope, Envelope)
    return envelope


def test_polyglot_monorepo_workflows() -> None:
    envelope = PROBE.run(portfolio_context("polyglot-monorepo"))
    assert isinstance(envelope, Envelope)
    found: CiSlice = envelope.slice

    assert found.systems == {"github-actions": SystemGrade(confidence="high")}
    ci = found.workflows[".github/workflows/ci.yml"]
    assert (ci.name, ci.triggers, list(ci.jobs)) == (
        "CI",
        ("pull_request", "push"),
        ["node", "python", "report"],
    )
    assert ci.jobs["python"].runs_on == ("${{ matrix.os }}",)
    assert ci.jobs["report"] == WorkflowJob(
        name=None,
        runs_on=("self-hosted", "linux"),
        runs_on_group=None,
        needs=("node", "python"),
        calls=None,
        actions=(),
    )
    release = found.workflows[".github/workflows/release.yaml"]
    assert release.jobs["publish"].calls == ActionRef(
        uses="acme/shared-workflows/.github/workflows/npm-publish.yml@v2",
        kind="action",
        name="acme/shared-workflows/.github/workflows/npm-publish.yml",
        ref="v2",
    )
    assert envelope.confidence == "high"


def test_the_on_key_read_as_true_under_yaml_1_1_still_gives_triggers() -> None:
    workflow, messages = read_workflow(
        {True: {"push": None, "schedule": [{"cron": "0 0 * * *"}]}, "jobs": {}}
    )

    assert (workflow, messages) == (
        Workflow(name=None, triggers=("push", "schedule"), jobs={}),
        [],
    )


def test_a_yaml_1_1_document_through_the_real_reader() -> None:
    envelope = run(
        {".github/workflows/a.yml": "%YAML 1.1\n---\non: [push]\njobs:\n  j:\n    runs-on: x\n"}
    )

    assert envelope.slice.workflows[".github/workflows/a.yml"].triggers == ("push",)


def test_runs_on_group_and_labels_and_needs_as_a_string() -> None:
    workflow, _ = read_workflow(
        {
            "on": "push",
            "jobs": {
                "b": {"runs-on": {"group": "big", "labels": ["linux", "x64"]}, "needs": "a"},
                "a": {"runs-on": "ubuntu-22.04", "name": "First"},
            },
        }
    )

    assert workflow is not None
    assert list(workflow.jobs) == ["a", "b"]
    assert (workflow.jobs["b"].runs_on_group, workflow.jobs["b"].runs_on) == (
        "big",
        ("linux", "x64"),
    )
    assert workflow.jobs["b"].needs == ("a",)
    assert workflow.jobs["a"].name == "First"


def test_the_three_forms_of_uses() -> None:
    assert [parse_uses(u) for u in ("a/b/sub@v1", "./local", "docker://alpine:3.20")] == [
        ActionRef(uses="a/b/sub@v1", kind="action", name="a/b/sub", ref="v1"),
        ActionRef(uses="./local", kind="local", name="./local", ref=None),
        ActionRef(uses="docker://alpine:3.20", kind="docker", name="alpine:3.20", ref=None),
    ]


def test_a_malformed_workflow_is_a_problem_with_line_and_column() -> None:
    envelope = run(
        {
            ".github/workflows/bad.yml": "on: push\njobs:\n  a: [1,\n",
            ".github/workflows/good.yml": "on: push\njobs:\n  a:\n    runs-on: x\n",
        }
    )

    assert envelope.slice.problems == (
        InputProblem(
            path=".github/workflows/bad.yml",
            message="while parsing a flow node: "
            "expected the node content, but found '<stream end>'",
            line=4,
            column=1,
        ),
    )
    assert (envelope.confidence, list(envelope.slice.workflows)) == (
        "low",
        [".github/workflows/good.yml"],
    )


def test_a_workflow_without_jobs_or_triggers_gives_partial_facts() -> None:
    envelope = run({".github/workflows/a.yml": "name: x\n"})

    assert [p.message for p in envelope.slice.problems] == [
        "workflow has no 'on' triggers",
        "workflow has no 'jobs' mapping",
    ]
    assert envelope.confidence == "medium"


def test_each_ci_system_is_found_by_its_entry_file_and_graded_on_its_own() -> None:
    files: dict[str, str | bytes] = {
        ".gitlab-ci.yml": "job:\n  script: [make]\n",
        ".circleci/config.yml": "version: 2.1\njobs: {}\n",
        "Jenkinsfile": "pipeline { agent any\n stages { stage('a') { steps { sh 'x' } } } }\n",
        "azure-pipelines.yml": "steps:\n  - script: make\n",
        ".travis.yml": "language: go\n",
        ".buildkite/pipeline.yml": "steps: [wait]\n",
        "bitbucket-pipelines.yml": "pipelines: {}\n",
        ".drone.yml": "kind: pipeline\n",
        "sub/.gitlab-ci.yml": "",
    }

    envelope = run(files)

    assert {system: grade.confidence for system, grade in envelope.slice.systems.items()} == {
        "azure-pipelines": "high",
        "bitbucket-pipelines": "high",
        "buildkite": "high",
        "circleci": "high",
        "drone": "medium",
        "gitlab-ci": "high",
        "jenkins": "high",
        "travis": "high",
    }
    assert "sub/.gitlab-ci.yml" not in envelope.slice.config_files
    assert (envelope.confidence, envelope.notes) == (
        "medium",
        ("drone: .drone.yml: detected by its file; not parsed",),
    )


def test_an_empty_configuration_gives_no_facts_and_its_system_alone_is_low() -> None:
    envelope = run({".travis.yml": "", ".buildkite/pipeline.yml": "steps: [wait]\n"})

    assert envelope.slice.systems == {
        "buildkite": SystemGrade(confidence="high"),
        "travis": SystemGrade(confidence="low", reasons=("no facts from 1 of 1: .travis.yml",)),
    }
    assert envelope.slice.problems == (
        InputProblem(path=".travis.yml", message="the configuration must be a YAML mapping"),
    )
    assert (envelope.confidence, envelope.notes) == (
        "low",
        ("travis: no facts from 1 of 1: .travis.yml",),
    )


def test_the_probe_reads_yaml_through_the_port() -> None:
    text = "on: push\njobs: {}\n"
    ctx = attrs.evolve(
        context({".github/workflows/w.yml": text}),
        yaml=ScriptedYaml(documents={text: {"on": "push", "jobs": {}, "name": "scripted"}}),
    )

    envelope = PROBE.run(ctx)

    assert isinstance(envelope, Envelope)
    assert envelope.slice.workflows[".github/workflows/w.yml"].name == "scripted"


def test_no_ci_configuration_is_not_applicable() -> None:
    ctx = context({"README.md": ""})

    assert (PROBE.applies(ctx), PROBE.run(ctx)) == (
        False,
        NotApplicable(reason="no CI configuration in the repository"),
    )


def test_the_slice_round_trips_through_the_cache_serializer() -> None:
    envelope = PROBE.run(portfolio_context("polyglot-monorepo"))
    assert isinstance(envelope, Envelope)

    assert envelope_from_json(envelope_to_json(envelope), CiSlice) == envelope


# ---- GitHub Actions beyond the basics ---------------------------------------------------------


def matrix_fixture() -> CiSlice:
    envelope = PROBE.run(fixture_context("actions-matrix"))
    assert isinstance(envelope, Envelope)
    return envelope.slice


def test_a_matrix_keeps_its_axes_values_and_include_exclude_as_written() -> None:
    unit = matrix_fixture().workflows[".github/workflows/test.yml"].jobs["unit"]

    assert unit.matrix == Matrix(
        axes={
            "os": ("ubuntu-22.04", "macos-14", "windows-2022"),
            "python": ("3.10", "3.11", "3.12"),
            "experimental": ("false",),
        },
        include=({"os": "ubuntu-22.04", "python": "3.13", "experimental": "true"},),
        exclude=({"os": "windows-2022", "python": "3.10"},),
    )


def test_a_matrix_expression_is_kept_verbatim_with_its_reason_and_grades_medium() -> None:
    found = matrix_fixture()
    cross = found.workflows[".github/workflows/test.yml"].jobs["cross"]

    assert cross.matrix == Matrix(
        axes={},
        expressions={"target": "${{ fromJSON(needs.plan.outputs.targets) }}"},
        reasons=("job 'cross': matrix 'target' is an expression, known only at run time",),
    )
    assert found.systems["github-actions"].confidence == "medium"
    assert (
        ".github/workflows/test.yml: job 'cross': matrix 'target' is an expression, "
        "known only at run time"
    ) in found.systems["github-actions"].reasons


def test_a_whole_matrix_given_as_an_expression_is_kept_verbatim() -> None:
    workflow, messages = read_workflow(
        {
            "on": "push",
            "jobs": {"j": {"runs-on": "x", "strategy": {"matrix": "${{ fromJSON(x) }}"}}},
        }
    )

    assert workflow is not None and messages == []
    assert workflow.jobs["j"].matrix == Matrix(
        axes={},
        expressions={"matrix": "${{ fromJSON(x) }}"},
        reasons=("job 'j': the matrix is an expression, known only at run time",),
    )


def test_services_and_the_job_container_give_their_images_and_ports() -> None:
    jobs = matrix_fixture().workflows[".github/workflows/test.yml"].jobs

    assert (jobs["integration"].container, jobs["integration"].services) == (
        "python:3.12-slim",
        {
            "postgres": Service(image="postgres:16", ports=("5432:5432",)),
            "redis": Service(image="redis:7-alpine", ports=("6379",)),
        },
    )
    docs = matrix_fixture().workflows[".github/workflows/build-docs.yml"].jobs["build"]
    assert docs.container == "ghcr.io/example/docs-builder:2"


def test_local_workflows_and_composite_actions_resolve_to_their_files() -> None:
    found = matrix_fixture()
    jobs = found.workflows[".github/workflows/test.yml"].jobs

    assert jobs["docs"].calls is not None
    assert jobs["docs"].calls.resolved == ".github/workflows/build-docs.yml"
    assert [a.resolved for a in jobs["unit"].actions] == [
        None,
        ".github/actions/setup-toolchain/action.yml",
    ]
    setup = found.actions[".github/actions/setup-toolchain/action.yml"]
    assert (setup.name, setup.using, [a.resolved for a in setup.actions]) == (
        "Set up the toolchain",
        "composite",
        [None, ".github/actions/cache-deps/action.yaml"],
    )
    assert found.config_files[".github/actions/cache-deps/action.yaml"] == "github-actions"


def test_what_is_not_followed_is_a_listed_reference_not_an_error() -> None:
    found = matrix_fixture()

    assert found.problems == ()
    assert (
        Reference(
            source=".github/workflows/test.yml",
            target="./tools/lint",
            kind="unfollowed-local",
            reason="no tools/lint/action.yml or tools/lint/action.yaml among the files this probe "
            "reads",
        )
        in found.references
    )
    assert (
        Reference(
            source=".github/actions/setup-toolchain/action.yml",
            target="actions/setup-python@v5",
            kind="remote-action",
            reason="outside the repository",
        )
        in found.references
    )
    assert list(found.references) == sorted(
        found.references, key=lambda r: (r.source, r.target, r.kind)
    )


def test_remote_references_alone_keep_the_grade_high() -> None:
    envelope = PROBE.run(portfolio_context("polyglot-monorepo"))
    assert isinstance(envelope, Envelope)

    assert envelope.confidence == "high"
    assert {r.kind for r in envelope.slice.references} == {"remote-action", "remote-workflow"}
    build = envelope.slice.workflows[".github/workflows/release.yaml"].jobs["build"]
    assert build.calls.resolved == ".github/workflows/ci.yml"


def test_a_local_reference_that_climbs_out_of_the_repository_is_listed_and_medium() -> None:
    envelope = run(
        {".github/workflows/w.yml": "on: push\njobs:\n  a:\n    uses: ./../other/w.yml\n"}
    )

    assert envelope.slice.references == (
        Reference(
            source=".github/workflows/w.yml",
            target="./../other/w.yml",
            kind="outside-repo",
            reason="climbs out of the repository",
        ),
    )
    assert envelope.confidence == "medium"


def test_a_huge_matrix_is_cut_at_the_bound_and_said_so() -> None:
    values = list(range(MAX_ITEMS * 40))
    matrix = {f"axis{i}": values for i in range(3)} | {"include": [{"a": 1}] * (MAX_ITEMS * 4)}
    workflow, messages = read_workflow(
        {"on": "push", "jobs": {"j": {"runs-on": "x", "strategy": {"matrix": matrix}}}}
    )

    assert workflow is not None and workflow.jobs["j"].matrix is not None
    found = workflow.jobs["j"].matrix
    assert [len(v) for v in found.axes.values()] == [MAX_ITEMS] * 3
    assert len(found.include) == MAX_ITEMS
    assert messages == [
        *(f"job 'j': matrix 'axis{i}' has over {MAX_ITEMS} entries" for i in range(3)),
        f"job 'j': matrix 'include' has over {MAX_ITEMS} entries",
    ]


def test_the_markdown_confidence_section_lists_each_systems_reasons() -> None:
    envelope = PROBE.run(fixture_context("many-systems"))
    assert isinstance(envelope, Envelope)

    lines = confidence_lines(Ran(probe="ci", envelope=envelope, duration_ms=0, cache_key="0" * 64))

    assert lines[1:] == [
        "azure-pipelines: azure-pipelines.yml: the template 'templates/e2e-jobs.yml' is not "
        "followed",
        "circleci: .circleci/config.yml: job 'lint': the executor 'node/default' is defined "
        "outside the file",
        "drone: .drone.yml: detected by its file; not parsed",
    ]
    assert lines[0].startswith("**medium**")
