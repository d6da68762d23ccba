"""Layer A probe `ci`: which CI systems a repository uses, and its GitHub Actions workflows.

Rule 1: GitHub Actions workflows are read through the `YamlReader` port; a workflow that is not
YAML, or not a mapping, is an `InputProblem` with the reader's line and column.
Rule 2: under YAML 1.1 the key `on` reads as the boolean True; both spellings are the trigger key.
Rule 3: other CI systems are detected by their configuration file's presence (the file is a
declared input, so the key follows it), not parsed.
Rule 4: what has no meaningful order is sorted (triggers, needs, jobs by id, systems); runs-on
labels and step actions keep the order they are written in.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Literal, cast

import attrs

from codegenie_core.ports import TextProblem
from codegenie_core.probe import Envelope, NotApplicable, ProbeContext, Skip
from codegenie_core.probes.layer_a.inputs import (
    InputProblem,
    Tally,
    declared_files,
    read_inputs,
)
from codegenie_core.registry import register_probe
from codegenie_core.spec import PortName, ProbeSpec

WORKFLOW_GLOBS: tuple[str, ...] = (".github/workflows/*.yml", ".github/workflows/*.yaml")
OTHER_SYSTEMS: dict[str, str] = {
    ".gitlab-ci.yml": "gitlab-ci",
    ".circleci/config.yml": "circleci",
    "Jenkinsfile": "jenkins",
    "azure-pipelines.yml": "azure-pipelines",
    ".travis.yml": "travis",
    ".buildkite/pipeline.yml": "buildkite",
    "bitbucket-pipelines.yml": "bitbucket-pipelines",
    ".drone.yml": "drone",
}
GITHUB_ACTIONS = "github-actions"

ActionKind = Literal["action", "local", "docker"]


@attrs.frozen(kw_only=True)
class ActionRef:
    """A `uses:` value: `owner/repo[/path]@ref`, `./local/path` or `docker://image`."""

    uses: str  # as written
    kind: ActionKind
    name: str  # owner/repo[/path], the local path, or the image
    ref: str | None  # the tag, branch or commit after "@"; None for local and docker refs


@attrs.frozen(kw_only=True)
class WorkflowJob:
    name: str | None
    runs_on: tuple[str, ...]  # labels in written order; an expression is kept verbatim
    runs_on_group: str | None
    needs: tuple[str, ...]
    calls: ActionRef | None  # a reusable workflow called with job-level `uses:`
    actions: tuple[ActionRef, ...]  # step-level `uses:`, in step order


@attrs.frozen(kw_only=True)
class Workflow:
    name: str | None
    triggers: tuple[str, ...]
    jobs: dict[str, WorkflowJob]  # by job id, sorted


@attrs.frozen(kw_only=True)
class CiSlice:
    systems: tuple[str, ...]  # sorted
    config_files: dict[str, str]  # repository-relative path -> system, sorted by path
    workflows: dict[str, Workflow]  # GitHub Actions workflows by path
    problems: tuple[InputProblem, ...] = ()


@register_probe()
class CiProbe:
    spec = ProbeSpec(
        name="ci",
        version=1,
        layer="a",
        heaviness="light",
        timeout_s=30.0,
        reads=WORKFLOW_GLOBS + tuple(OTHER_SYSTEMS),
        ports=frozenset[PortName]({"repo", "yaml"}),
        slice_type=CiSlice,
        schema_version=1,
    )

    def applies(self, ctx: ProbeContext) -> bool:
        return bool(declared_files(ctx, self.spec.reads))

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        files = declared_files(ctx, self.spec.reads)
        if not files:
            return NotApplicable(reason="no CI configuration in the repository")
        config_files = {p: s for p in files if (s := system_of(p)) is not None}
        workflow_paths = [p for p, system in config_files.items() if system == GITHUB_ACTIONS]
        tally = Tally()
        problems: list[InputProblem] = []
        workflows: dict[str, Workflow] = {}
        for item in read_inputs(ctx, workflow_paths):
            if item.text is None:
                assert item.problem is not None
                problems.append(item.problem)
                tally.record(item.path, gave_facts=False, problems=1)
                continue
            document = ctx.yaml.parse(item.text)
            if isinstance(document, TextProblem):
                problems.append(
                    InputProblem(
                        path=item.path,
                        message=document.message,
                        line=document.line,
                        column=document.column,
                    )
                )
                tally.record(item.path, gave_facts=False, problems=1)
                continue
            workflow, messages = read_workflow(document)
            problems.extend(InputProblem(path=item.path, message=m) for m in messages)
            tally.record(item.path, gave_facts=workflow is not None, problems=len(messages))
            if workflow is not None:
                workflows[item.path] = workflow
        confidence, notes = tally.grade()
        return Envelope(
            probe=self.spec.name,
            schema_version=self.spec.schema_version,
            confidence=confidence,
            slice=CiSlice(
                systems=tuple(sorted(set(config_files.values()))),
                config_files=config_files,
                workflows=workflows,
                problems=tuple(problems),
            ),
            notes=notes,
        )


def read_workflow(document: object) -> tuple[Workflow | None, list[str]]:
    """A GitHub Actions workflow from its YAML data, and messages about what did not fit."""
    messages: list[str] = []
    if not isinstance(document, Mapping):
        return None, ["a workflow must be a YAML mapping"]
    data = cast("Mapping[object, object]", document)
    # Rule 2: YAML 1.1 reads the bare key `on` as True.
    on = data.get("on", data.get(True))
    if on is None:
        messages.append("workflow has no 'on' triggers")
    jobs: dict[str, WorkflowJob] = {}
    raw_jobs = data.get("jobs")
    if not isinstance(raw_jobs, Mapping):
        messages.append("workflow has no 'jobs' mapping")
    else:
        for job_id, job in cast("Mapping[object, object]", raw_jobs).items():
            if not isinstance(job, Mapping):
                messages.append(f"job {job_id!r} is not a mapping")
                continue
            jobs[str(job_id)] = _job(str(job_id), cast("Mapping[object, object]", job), messages)
    name = data.get("name")
    return (
        Workflow(
            name=name if isinstance(name, str) else None,
            triggers=_triggers(on),
            jobs=dict(sorted(jobs.items())),
        ),
        messages,
    )


def parse_uses(uses: str) -> ActionRef:
    """Split a `uses:` value (GitHub's three forms) into kind, name and ref."""
    if uses.startswith("docker://"):
        return ActionRef(uses=uses, kind="docker", name=uses.removeprefix("docker://"), ref=None)
    if uses.startswith("./"):
        return ActionRef(uses=uses, kind="local", name=uses, ref=None)
    name, at, ref = uses.partition("@")
    return ActionRef(uses=uses, kind="action", name=name, ref=ref if at else None)


def _triggers(on: object) -> tuple[str, ...]:
    # on = event-name / [ event-name, ... ] / { event-name: config-or-null, ... }
    if isinstance(on, str):
        return (on,)
    if isinstance(on, list):
        return tuple(sorted({str(e) for e in cast("list[object]", on)}))
    if isinstance(on, Mapping):
        return tuple(sorted(str(e) for e in cast("Mapping[object, object]", on)))
    return ()


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in cast("list[object]", value))
    return ()


def _job(job_id: str, job: Mapping[object, object], messages: list[str]) -> WorkflowJob:
    runs_on = job.get("runs-on")
    group: str | None = None
    labels: tuple[str, ...]
    if isinstance(runs_on, Mapping):
        # runs-on = { group: name, labels: label / [ label, ... ] }
        table = cast("Mapping[object, object]", runs_on)
        raw_group = table.get("group")
        group = raw_group if isinstance(raw_group, str) else None
        labels = _strings(table.get("labels"))
    else:
        labels = _strings(runs_on)
    uses = job.get("uses")
    calls = parse_uses(uses) if isinstance(uses, str) else None
    if calls is None and runs_on is None:
        messages.append(f"job {job_id!r} has neither 'runs-on' nor 'uses'")
    actions: list[ActionRef] = []
    steps = job.get("steps")
    if isinstance(steps, list):
        for step in cast("list[object]", steps):
            if isinstance(step, Mapping):
                step_uses = cast("Mapping[object, object]", step).get("uses")
                if isinstance(step_uses, str):
                    actions.append(parse_uses(step_uses))
    elif steps is not None:
        messages.append(f"job {job_id!r} has 'steps' that are not a list")
    name = job.get("name")
    return WorkflowJob(
        name=name if isinstance(name, str) else None,
        runs_on=labels,
        runs_on_group=group,
        needs=tuple(sorted(set(_strings(job.get("needs"))))),
        calls=calls,
        actions=tuple(actions),
    )


def system_of(path: str) -> str | None:
    """The CI system a repository-relative configuration path belongs to, if any."""
    if path in OTHER_SYSTEMS:
        return OTHER_SYSTEMS[path]
    directory, base = posixpath.split(path)
    if directory == ".github/workflows" and base.endswith((".yml", ".yaml")):
        return GITHUB_ACTIONS
    return None
