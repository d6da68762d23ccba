"""Layer A probe `dockerfile`: every Dockerfile in the repository, its stages and final stage.

Rule 1: each Dockerfile (`Dockerfile`, `*.Dockerfile`, `Dockerfile.*`, and podman's spelling
`Containerfile`, `*.Containerfile`, `Containerfile.*`, at any depth) is reported separately, keyed
by its repository-relative path; files named `*.dockerignore` or `*.containerignore` are ignore
files, not Dockerfiles.
Rule 2: syntax and meaning problems are values with line numbers inside each file's facts;
confidence is graded per `codegenie_core.probes.layer_a.inputs` (see ADR-0014).
"""

from __future__ import annotations

import attrs

from codegenie_core.cache_keys import matching_paths
from codegenie_core.parsers.dockerfile_facts import (
    DockerfileFacts,
    RuntimeConfig,
    describe_dockerfile,
)
from codegenie_core.probe import Envelope, NotApplicable, ProbeContext, Skip
from codegenie_core.probes.layer_a.inputs import (
    InputProblem,
    Tally,
    declared_files,
    read_inputs,
)
from codegenie_core.registry import register_probe
from codegenie_core.spec import PortName, ProbeSpec

ROOT_DOCKERFILE = "Dockerfile"
DOCKERFILE_GLOBS: tuple[str, ...] = (
    "**/Dockerfile",
    "**/*.Dockerfile",
    "**/Dockerfile.*",
    "**/Containerfile",
    "**/*.Containerfile",
    "**/Containerfile.*",
)
IGNORE_FILE_SUFFIXES = (".dockerignore", ".containerignore")


def is_dockerfile(path: str) -> bool:
    """Whether a repository-relative path is one the `dockerfile` probe reads (Rule 1)."""
    return bool(matching_paths(DOCKERFILE_GLOBS, [path])) and not path.endswith(
        IGNORE_FILE_SUFFIXES
    )


@attrs.frozen(kw_only=True)
class DockerfileSlice:
    dockerfiles: dict[str, DockerfileFacts]  # by repository-relative path, sorted
    unreadable: tuple[InputProblem, ...] = ()


@register_probe()
class DockerfileProbe:
    spec = ProbeSpec(
        name="dockerfile",
        version=3,
        layer="a",
        heaviness="light",
        timeout_s=30.0,
        reads=DOCKERFILE_GLOBS,
        ports=frozenset[PortName]({"repo"}),
        slice_type=DockerfileSlice,
        schema_version=2,
    )

    def applies(self, ctx: ProbeContext) -> bool:
        return bool(self._paths(ctx))

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        paths = self._paths(ctx)
        if not paths:
            return NotApplicable(reason="no Dockerfile in the repository")
        tally = Tally()
        dockerfiles: dict[str, DockerfileFacts] = {}
        unreadable: list[InputProblem] = []
        for item in read_inputs(ctx, paths):
            if item.text is None:
                assert item.problem is not None
                unreadable.append(item.problem)
                tally.record(item.path, gave_facts=False, problems=1)
                continue
            facts = describe_dockerfile(item.text)
            dockerfiles[item.path] = facts
            tally.record(item.path, gave_facts=bool(facts.stages), problems=len(facts.problems))
        confidence, notes = tally.grade()
        return Envelope(
            probe=self.spec.name,
            schema_version=self.spec.schema_version,
            confidence=confidence,
            slice=DockerfileSlice(dockerfiles=dockerfiles, unreadable=tuple(unreadable)),
            notes=notes,
        )

    def _paths(self, ctx: ProbeContext) -> list[str]:
        return [
            path
            for path in declared_files(ctx, self.spec.reads)
            if not path.endswith(IGNORE_FILE_SUFFIXES)
        ]


@attrs.frozen(kw_only=True)
class DefaultRun:
    """What `docker run IMAGE` does for the root Dockerfile's final stage, per its text."""

    argv: tuple[str, ...]  # ENTRYPOINT followed by CMD; empty when neither is set here
    entrypoint: tuple[str, ...] | None
    cmd: tuple[str, ...] | None
    healthcheck: tuple[str, ...] | None  # None when absent or disabled (HEALTHCHECK NONE)
    user: str | None
    workdir: str | None
    inherits_from_image: bool  # unset values may come from the base image


def root_default_run(dockerfiles: DockerfileSlice) -> DefaultRun | None:
    """The root Dockerfile's final-stage ENTRYPOINT/CMD/HEALTHCHECK, or None without one."""
    facts = dockerfiles.dockerfiles.get(ROOT_DOCKERFILE)
    if facts is None or facts.final is None:
        return None
    return default_run(facts.final)


def default_run(final: RuntimeConfig) -> DefaultRun:
    """The default run of one final-stage runtime configuration."""
    entrypoint = final.entrypoint.argv if final.entrypoint is not None else None
    cmd = final.cmd.argv if final.cmd is not None else None
    check = final.healthcheck
    healthcheck = (
        check.command.argv
        if check is not None and not check.disabled and check.command is not None
        else None
    )
    return DefaultRun(
        argv=(*(entrypoint or ()), *(cmd or ())),
        entrypoint=entrypoint,
        cmd=cmd,
        healthcheck=healthcheck,
        user=final.user,
        workdir=final.workdir,
        inherits_from_image=final.inherits_from_image,
    )
