"""The `ci` probe: GitHub Actions workflows through the YAML port, other systems by their files."""

from __future__ import annotations

import attrs

from codegenie_adapters.fakes import ScriptedYaml
from codegenie_adapters.serde import envelope_from_json, envelope_to_json
from codegenie_core.probe import Envelope, NotApplicable
from codegenie_core.probes.layer_a.ci import (
    ActionRef,
    CiProbe,
    CiSlice,
    SystemGrade,
    Workflow,
    WorkflowJob,
    parse_uses,
    read_workflow,
)
from codegenie_core.probes.layer_a.inputs import InputProblem
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


def test_other_ci_systems_are_detected_by_their_files() -> None:
    files: dict[str, str | bytes] = {
        ".gitlab-ci.yml": "",
        ".circleci/config.yml": "",
        "Jenkinsfile": "",
        "azure-pipelines.yml": "",
        ".travis.yml": "",
        ".buildkite/pipeline.yml": "",
        "bitbucket-pipelines.yml": "",
        ".drone.yml": "",
        "sub/.gitlab-ci.yml": "",
    }

    envelope = run(files)

    assert envelope.slice.systems == (
        "azure-pipelines",
        "bitbucket-pipelines",
        "buildkite",
        "circleci",
        "drone",
        "gitlab-ci",
        "jenkins",
        "travis",
    )
    assert "sub/.gitlab-ci.yml" not in envelope.slice.config_files
    assert envelope.confidence == "high"


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
