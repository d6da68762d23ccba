"""CircleCI, Azure Pipelines, Buildkite, Travis CI and Bitbucket Pipelines in the `ci` probe."""

from __future__ import annotations

from codegenie_core.probe import Envelope
from codegenie_core.probes.layer_a.ci import CiProbe, CiSlice
from codegenie_core.probes.layer_a.ci_systems import (
    AzureJob,
    AzurePipeline,
    BitbucketPipelines,
    BitbucketStep,
    BuildkiteStep,
    CircleConfig,
    CircleJob,
    TravisConfig,
    TravisJob,
    read_azure,
    read_bitbucket,
    read_buildkite,
    read_circleci,
    read_travis,
)
from tests.unit.ci_support import fixture_context


def many() -> CiSlice:
    envelope = CiProbe().run(fixture_context("many-systems"))
    assert isinstance(envelope, Envelope)
    return envelope.slice


def test_circleci_jobs_with_their_executors_resolved_and_workflows_in_order() -> None:
    assert many().circleci == CircleConfig(
        version="2.1",
        jobs={
            "build-image": CircleJob(
                docker=(), machine="ubuntu-2204:2024.01.1", macos=None, executor=None
            ),
            "ios": CircleJob(docker=(), machine=None, macos="15.2.0", executor=None),
            "lint": CircleJob(docker=(), machine=None, macos=None, executor="node/default"),
            "test": CircleJob(
                docker=("cimg/python:3.12", "cimg/postgres:16.2"),
                machine=None,
                macos=None,
                executor="py",
            ),
            "web": CircleJob(docker=("cimg/node:20.11",), machine=None, macos=None, executor=None),
        },
        workflows={"main": ("test", "web", "build-image")},
        orbs={"node": "circleci/node@5.2.0"},
    )
    assert many().systems["circleci"].confidence == "medium"  # the orb's executor


def test_azure_stages_jobs_pools_and_containers() -> None:
    assert many().azure == AzurePipeline(
        stages=("Build", "Test"),
        jobs=(
            AzureJob(
                name="compile", stage="Build", vm_image="ubuntu-22.04", pool=None, container=None
            ),
            AzureJob(
                name="windows", stage="Build", vm_image="windows-2022", pool=None, container=None
            ),
            AzureJob(
                name="unit",
                stage="Test",
                vm_image="ubuntu-22.04",
                pool=None,
                container="python:3.12",
            ),
            AzureJob(
                name="staging",
                stage="Test",
                vm_image=None,
                pool="self-hosted-linux",
                container=None,
            ),
        ),
        templates=("templates/e2e-jobs.yml",),
    )


def test_buildkite_steps_labels_commands_and_plugin_images() -> None:
    found = many().buildkite
    assert found is not None

    assert found.steps == (
        BuildkiteStep(
            kind="command",
            label=":go: test",
            has_command=True,
            images=("golang:1.22",),
            plugins=("docker#v5.11.0",),
        ),
        BuildkiteStep(kind="wait", label=None, has_command=False, images=(), plugins=()),
        BuildkiteStep(
            kind="group", label=":package: release", has_command=False, images=(), plugins=()
        ),
        BuildkiteStep(kind="command", label="build", has_command=True, images=(), plugins=()),
        BuildkiteStep(kind="block", label="Ship it?", has_command=False, images=(), plugins=()),
        BuildkiteStep(kind="trigger", label="deploy", has_command=False, images=(), plugins=()),
    )


def test_travis_language_os_dist_and_included_jobs() -> None:
    assert many().travis == TravisConfig(
        language="python",
        os=("linux",),
        dist="jammy",
        include=(
            TravisJob(name="docs", stage="test", os=None, dist=None, language=None),
            TravisJob(name="macOS smoke", stage=None, os="osx", dist=None, language="generic"),
        ),
    )


def test_bitbucket_steps_through_anchors_parallel_and_stages() -> None:
    assert many().bitbucket == BitbucketPipelines(
        image="node:20",
        steps=(
            BitbucketStep(pipeline="default", name="Test", image="node:20", services=("postgres",)),
            BitbucketStep(pipeline="branches:main", name="Lint", image="node:20", services=()),
            BitbucketStep(
                pipeline="branches:main",
                name="Build image",
                image="docker:27",
                services=("docker",),
            ),
            BitbucketStep(
                pipeline="branches:main", name="Deploy to production", image="node:20", services=()
            ),
            BitbucketStep(
                pipeline="custom:nightly", name="Test", image="node:20", services=("postgres",)
            ),
        ),
        services={"docker": None, "postgres": "postgres:16"},
    )


def test_each_system_has_its_own_grade_and_the_envelope_takes_the_lowest() -> None:
    envelope = CiProbe().run(fixture_context("many-systems"))
    assert isinstance(envelope, Envelope)

    assert {s: g.confidence for s, g in envelope.slice.systems.items()} == {
        "azure-pipelines": "medium",
        "bitbucket-pipelines": "high",
        "buildkite": "high",
        "circleci": "medium",
        "drone": "medium",
        "jenkins": "high",
        "travis": "high",
    }
    assert envelope.confidence == "medium"


def test_wrong_shapes_anywhere_are_messages_never_exceptions() -> None:
    hostile: list[object] = [None, 1, "x", [], [1, [2]], {"jobs": 1, "steps": {"a": 1}},
        {"pipelines": {"default": 3, "branches": [1]}, "stages": [1, {"jobs": 2}]},
        {"jobs": {"a": 1, "b": {"docker": "x", "machine": [1]}}, "workflows": {"w": {"jobs": 1}}},
        {"steps": [1, {"plugins": [1, {"docker#v1": 2}]}, {"group": "g", "steps": 3}]},
        {"jobs": {"include": [1, None]}, "os": {"a": 1}}]  # fmt: skip
    for reader in (read_circleci, read_azure, read_buildkite, read_travis, read_bitbucket):
        for data in hostile:
            reader(data, [], [])
