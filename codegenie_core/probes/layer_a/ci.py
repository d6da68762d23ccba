"""Layer A probe `ci`: which CI systems a repository uses, and what each configuration says.

Rule 1: every YAML configuration is read through the `YamlReader` port (its node cap bounds all
later work, ADR-0026); a file that is not YAML is an `InputProblem` with the reader's line and
column. The Jenkinsfile is text, read by a scanner that never evaluates it (`ci_jenkins`).
Rule 2: GitHub Actions (`ci_github`), GitLab CI (`ci_gitlab`), and CircleCI, Azure Pipelines,
Buildkite, Travis CI and Bitbucket Pipelines (`ci_systems`) are parsed; Drone is detected by its
file only, which caps it at "medium".
Rule 3 (ADR-0037): each system gets its own grade with its reasons (`systems`); the envelope's
confidence is the lowest of them and its notes are every reason, prefixed by its system, so the
Markdown report's confidence section lists them.
Rule 4: the probe reads only its declared globs (ADR-0030). What a configuration names and the
probe does not follow (remote, outside the repository, outside the reads) is a `Reference`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import TypeVar

import attrs

from codegenie_core.cache_keys import globs_of, matching_paths
from codegenie_core.ports import TextProblem
from codegenie_core.probe import Envelope, NotApplicable, ProbeContext, Skip
from codegenie_core.probes.layer_a.ci_common import Grader, Reference, SystemGrade, lowest
from codegenie_core.probes.layer_a.ci_github import (
    ActionRef,
    CompositeAction,
    Matrix,
    Service,
    Workflow,
    WorkflowJob,
    matrix_reasons,
    parse_uses,
    read_action,
    read_workflow,
    resolve,
)
from codegenie_core.probes.layer_a.ci_gitlab import (
    GitlabJob,
    GitlabPipeline,
    LoadProblem,
    read_gitlab,
)
from codegenie_core.probes.layer_a.ci_jenkins import JenkinsPipeline, JenkinsStage, scan_jenkinsfile
from codegenie_core.probes.layer_a.ci_systems import (
    AzurePipeline,
    BitbucketPipelines,
    BuildkitePipeline,
    CircleConfig,
    TravisConfig,
    read_azure,
    read_bitbucket,
    read_buildkite,
    read_circleci,
    read_travis,
)
from codegenie_core.probes.layer_a.inputs import InputProblem, declared_files, read_inputs
from codegenie_core.registry import register_probe
from codegenie_core.spec import PortName, ProbeSpec

__all__ = [
    "ActionRef", "CiProbe", "CiSlice", "CompositeAction", "GitlabJob", "GitlabPipeline",
    "JenkinsStage", "Matrix", "Reference", "Service", "SystemGrade", "Workflow", "WorkflowJob",
    "parse_uses", "read_workflow", "system_of",
]  # fmt: skip

WORKFLOW_GLOBS: tuple[str, ...] = (".github/workflows/*.yml", ".github/workflows/*.yaml")
ACTION_GLOBS: tuple[str, ...] = (".github/actions/**/action.yml", ".github/actions/**/action.yaml")
# Where GitLab configurations put the files they `include: local` (Rule 4; ADR-0037).
GITLAB_INCLUDE_GLOBS: tuple[str, ...] = (
    ".gitlab/**/*.yml", ".gitlab/**/*.yaml", "**/*.gitlab-ci.yml", "ci/**/*.yml", "ci/**/*.yaml",
)  # fmt: skip
ENTRY_FILES: dict[str, str] = {
    ".gitlab-ci.yml": "gitlab-ci",
    ".circleci/config.yml": "circleci",
    "Jenkinsfile": "jenkins",
    "azure-pipelines.yml": "azure-pipelines",
    ".travis.yml": "travis",
    ".buildkite/pipeline.yml": "buildkite",
    ".buildkite/pipeline.yaml": "buildkite",
    "bitbucket-pipelines.yml": "bitbucket-pipelines",
    ".drone.yml": "drone",
}
GITHUB_ACTIONS = "github-actions"
_T = TypeVar("_T")
Reader = Callable[[object, list[str], list[str]], object]
OTHER_READERS: dict[str, Reader] = {
    "circleci": read_circleci,
    "azure-pipelines": read_azure,
    "buildkite": read_buildkite,
    "travis": read_travis,
    "bitbucket-pipelines": read_bitbucket,
}


@attrs.frozen(kw_only=True)
class CiSlice:
    systems: dict[str, SystemGrade]  # system -> its grade and reasons, sorted (Rule 3)
    config_files: dict[str, str]  # every file read -> its system, sorted by path
    workflows: dict[str, Workflow]  # GitHub Actions workflows by path
    actions: dict[str, CompositeAction]  # local actions by their action.yml path
    gitlab: GitlabPipeline | None
    circleci: CircleConfig | None
    azure: AzurePipeline | None
    jenkins: JenkinsPipeline | None
    buildkite: BuildkitePipeline | None
    travis: TravisConfig | None
    bitbucket: BitbucketPipelines | None
    references: tuple[Reference, ...]  # named, not followed (Rule 4), sorted
    problems: tuple[InputProblem, ...] = ()


@register_probe()
class CiProbe:
    spec = ProbeSpec(
        name="ci",
        version=2,
        layer="a",
        heaviness="light",
        timeout_s=30.0,
        reads=WORKFLOW_GLOBS + ACTION_GLOBS + tuple(ENTRY_FILES) + GITLAB_INCLUDE_GLOBS,
        ports=frozenset[PortName]({"repo", "yaml"}),
        slice_type=CiSlice,
        schema_version=2,
    )

    def applies(self, ctx: ProbeContext) -> bool:
        return any(system_of(p) for p in declared_files(ctx, self.spec.reads))

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        files = declared_files(ctx, self.spec.reads)
        entries = {p: s for p in files if (s := system_of(p)) is not None}
        if not entries:
            return NotApplicable(reason="no CI configuration in the repository")
        run = _Run(ctx=ctx, listed=frozenset(files), globs=tuple(globs_of(self.spec.reads)))
        for system in entries.values():
            run.graders.setdefault(system, Grader())
        workflows = run.github([p for p, s in entries.items() if s == GITHUB_ACTIONS])
        actions = run.actions(matching_paths(ACTION_GLOBS, files))
        workflows, actions = run.link(workflows, actions)
        others: dict[str, object] = {}
        for path, system in entries.items():
            if system == "gitlab-ci":
                others[system] = run.gitlab(path)
            elif system == "jenkins":
                others[system] = run.jenkins(path)
            elif system in OTHER_READERS:
                others[system] = run.other(path, system, OTHER_READERS[system])
            elif system == "drone":
                run.graders[system].medium(f"{path}: detected by its file; not parsed")
        grades = {s: g.grade() for s, g in sorted(run.graders.items())}
        notes = tuple(f"{s}: {r}" for s, g in grades.items() for r in g.reasons)
        config_files = {**entries, **run.followed}
        return Envelope(
            probe=self.spec.name,
            schema_version=self.spec.schema_version,
            confidence=lowest([g.confidence for g in grades.values()]),
            slice=CiSlice(
                systems=grades,
                config_files=dict(sorted(config_files.items())),
                workflows=workflows,
                actions=actions,
                gitlab=_of(others.get("gitlab-ci"), GitlabPipeline),
                circleci=_of(others.get("circleci"), CircleConfig),
                azure=_of(others.get("azure-pipelines"), AzurePipeline),
                jenkins=_of(others.get("jenkins"), JenkinsPipeline),
                buildkite=_of(others.get("buildkite"), BuildkitePipeline),
                travis=_of(others.get("travis"), TravisConfig),
                bitbucket=_of(others.get("bitbucket-pipelines"), BitbucketPipelines),
                references=tuple(sorted(set(run.references), key=_reference_order)),
                problems=tuple(run.problems),
            ),
            notes=notes,
        )


def _of(value: object, kind: type[_T]) -> _T | None:
    return value if isinstance(value, kind) else None


def _reference_order(ref: Reference) -> tuple[str, str, str]:
    return (ref.source, ref.target, ref.kind)


@attrs.define
class _Run:
    """One run's state: what was read, graded, referenced and found wrong."""

    ctx: ProbeContext
    listed: frozenset[str]
    globs: tuple[str, ...]
    graders: dict[str, Grader] = attrs.field(factory=dict[str, Grader])
    problems: list[InputProblem] = attrs.field(factory=list[InputProblem])
    references: list[Reference] = attrs.field(factory=list[Reference])
    followed: dict[str, str] = attrs.field(factory=dict[str, str])

    def load(self, path: str) -> object | InputProblem:
        """The YAML data of one declared file, or the problem that kept it from being read."""
        text = self.text(path)
        if isinstance(text, InputProblem):
            return text
        document = self.ctx.yaml.parse(text)
        if isinstance(document, TextProblem):
            return InputProblem(
                path=path, message=document.message, line=document.line, column=document.column
            )
        return document

    def text(self, path: str) -> str | InputProblem:
        item = next(read_inputs(self.ctx, [path]))
        if item.text is None:
            assert item.problem is not None
            return item.problem
        return item.text

    def record(self, system: str, path: str, messages: list[str], *, gave_facts: bool) -> None:
        self.problems.extend(InputProblem(path=path, message=m) for m in messages)
        self.graders[system].tally.record(path, gave_facts=gave_facts, problems=len(messages))

    def failed(self, system: str, problem: InputProblem) -> None:
        self.problems.append(problem)
        self.graders[system].tally.record(problem.path, gave_facts=False, problems=1)

    def github(self, paths: list[str]) -> dict[str, Workflow]:
        workflows: dict[str, Workflow] = {}
        for path in paths:
            document = self.load(path)
            if isinstance(document, InputProblem):
                self.failed(GITHUB_ACTIONS, document)
                continue
            workflow, messages = read_workflow(document)
            self.record(GITHUB_ACTIONS, path, messages, gave_facts=workflow is not None)
            if workflow is not None:
                workflows[path] = workflow
                for reason in matrix_reasons(path, workflow):
                    self.graders[GITHUB_ACTIONS].medium(reason)
        return workflows

    def actions(self, paths: list[str]) -> dict[str, CompositeAction]:
        found: dict[str, CompositeAction] = {}
        if paths:
            self.graders.setdefault(GITHUB_ACTIONS, Grader())
        for path in paths:
            self.followed[path] = GITHUB_ACTIONS
            document = self.load(path)
            if isinstance(document, InputProblem):
                self.failed(GITHUB_ACTIONS, document)
                continue
            action, messages = read_action(document)
            self.record(GITHUB_ACTIONS, path, messages, gave_facts=action is not None)
            if action is not None:
                found[path] = action
        return found

    def link(
        self, workflows: dict[str, Workflow], actions: dict[str, CompositeAction]
    ) -> tuple[dict[str, Workflow], dict[str, CompositeAction]]:
        """Every `uses:` resolved to its file among the reads, or listed (ci_github Rule 4)."""
        available = set(workflows) | set(actions)

        def steps(source: str, refs: tuple[ActionRef, ...]) -> tuple[ActionRef, ...]:
            return tuple(self.resolved(source, r, available, is_workflow=False) for r in refs)

        linked = {
            path: attrs.evolve(
                workflow,
                jobs={
                    job_id: attrs.evolve(
                        job,
                        calls=None
                        if job.calls is None
                        else self.resolved(path, job.calls, available, is_workflow=True),
                        actions=steps(path, job.actions),
                    )
                    for job_id, job in workflow.jobs.items()
                },
            )
            for path, workflow in workflows.items()
        }
        return linked, {p: attrs.evolve(a, actions=steps(p, a.actions)) for p, a in actions.items()}

    def resolved(
        self, source: str, ref: ActionRef, available: set[str], *, is_workflow: bool
    ) -> ActionRef:
        linked, reference = resolve(source, ref, available, is_workflow=is_workflow)
        if reference is not None:
            self.references.append(reference)
            if reference.kind in ("unfollowed-local", "outside-repo"):
                self.graders[GITHUB_ACTIONS].medium(
                    f"{source}: {reference.target!r} not followed: {reference.reason}"
                )
        return linked

    def gitlab(self, path: str) -> GitlabPipeline | None:
        document = self.load(path)
        if isinstance(document, InputProblem):
            self.failed("gitlab-ci", document)
            return None

        def load(target: str) -> object | LoadProblem:
            loaded = self.load(target)
            if isinstance(loaded, InputProblem):
                where = f" (line {loaded.line})" if loaded.line is not None else ""
                return LoadProblem(message=loaded.message + where)
            return loaded

        read = read_gitlab(
            path,
            document,
            load,
            covered=lambda p: bool(matching_paths(self.globs, [p])),
            listed=self.listed,
        )
        self.record("gitlab-ci", path, list(read.messages), gave_facts=read.pipeline is not None)
        for reason in read.caps:
            self.graders["gitlab-ci"].medium(reason)
        self.references.extend(read.references)
        if read.pipeline is not None:
            self.followed.update(dict.fromkeys(read.pipeline.includes, "gitlab-ci"))
        return read.pipeline

    def jenkins(self, path: str) -> JenkinsPipeline | None:
        text = self.text(path)
        if isinstance(text, InputProblem):
            self.failed("jenkins", text)
            return None
        read = scan_jenkinsfile(text)
        self.record("jenkins", path, list(read.messages), gave_facts=True)
        if read.scripted:
            self.graders["jenkins"].low(
                f"{path}: a scripted pipeline (no `pipeline {{` block); its stages and agents "
                "are code this probe does not run"
            )
        return read.pipeline

    def other(self, path: str, system: str, reader: Reader) -> object:
        document = self.load(path)
        if isinstance(document, InputProblem):
            self.failed(system, document)
            return None
        messages: list[str] = []
        caps: list[str] = []
        found = reader(document, messages, caps)
        self.record(system, path, messages, gave_facts=found is not None)
        for reason in caps:
            self.graders[system].medium(f"{path}: {reason}")
        return found


def system_of(path: str) -> str | None:
    """The CI system whose entry configuration a repository-relative path is, if any."""
    if path in ENTRY_FILES:
        return ENTRY_FILES[path]
    directory, base = posixpath.split(path)
    if directory == ".github/workflows" and base.endswith((".yml", ".yaml")):
        return GITHUB_ACTIONS
    return None
