"""Which Dockerfiles `runtime_trace` builds, and with which build context (pure; ADR-0065).

Rule 1: the order of choice: the `--dockerfile` paths when given (checked by the CLI: inside the
repository and listed); else the root `Dockerfile`; else the Dockerfiles of compose services with
a `build` (the context and `dockerfile` compose implies, in compose file and service order); else
the repository's only Dockerfile or Containerfile. Several Dockerfiles found by the last rule and
no choice: none is guessed; the problem line says so and names them.
Rule 2: a build context or Dockerfile that leaves the repository (as written, or through an
interpolation that cannot be resolved) is refused: a problem line naming the service, never a
build. The adapter refuses a context that reaches outside through a symbolic link.
Rule 3: the same target twice (a Dockerfile and context named by two services) is built once.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from typing import cast

import attrs

from codegenie_core.errors import ConfigError
from codegenie_core.globs import matching_paths
from codegenie_core.parsers.compose_service import Where, describe_service
from codegenie_core.ports import FileProblem, RepoFiles, TextProblem, YamlReader
from codegenie_core.probes.layer_a.compose import COMPOSE_GLOBS
from codegenie_core.probes.layer_a.dockerfile import is_dockerfile
from codegenie_core.values.container import DOCKERFILE, MAX_PROBED_PORTS

DOCKERFILE_OPTION = "--dockerfile"


@attrs.frozen(kw_only=True)
class DockerfileTarget:
    """One image to build: the Dockerfile and the context, both repository-relative ("." root)."""

    dockerfile: str
    context: str
    origin: str  # "option", "root", "compose <file> service <name>", "only"
    ports: tuple[int, ...] = ()  # a compose service's TCP `ports` targets (ADR-0066)


@attrs.frozen(kw_only=True)
class DockerfileChoice:
    targets: tuple[DockerfileTarget, ...] = ()
    problems: tuple[str, ...] = ()


def normal_repo_path(path: str) -> str | None:
    """`path` as a repository-relative POSIX path, or None when it leaves the repository."""
    if not path or path.startswith(("/", "\\")) or "\x00" in path:
        return None
    joined = posixpath.normpath(path.replace("\\", "/"))
    if joined in (".", "..") or joined.startswith("../"):
        return None
    return joined


def check_dockerfile_option(chosen: Sequence[str], listed: Sequence[str]) -> tuple[str, ...]:
    """The `--dockerfile` paths normalised, or a `ConfigError` (exit 2) naming the first path that
    leaves the repository or is not one of its files."""
    files = frozenset(listed)
    normal: list[str] = []
    for path in chosen:
        relative = normal_repo_path(path)
        if relative is None:
            raise ConfigError(
                f"{DOCKERFILE_OPTION} {path!r}: the path leaves the repository",
                variable=DOCKERFILE_OPTION,
            )
        if relative not in files:
            raise ConfigError(
                f"{DOCKERFILE_OPTION} {path!r}: no such file in the repository",
                variable=DOCKERFILE_OPTION,
            )
        if relative not in normal:
            normal.append(relative)
    return tuple(normal)


def _span(start: int, end: int) -> range:
    """A compose port range, at most `MAX_PROBED_PORTS` of it."""
    return range(start, min(end, start + MAX_PROBED_PORTS - 1) + 1)


def _directory(path: str) -> str:
    return posixpath.dirname(path) or "."


def choose_dockerfiles(
    repo: RepoFiles, yaml: YamlReader, chosen: Sequence[str] = ()
) -> DockerfileChoice:
    """The targets to build and trace, in order, and the problems met choosing them (Rule 1)."""
    listed = repo.list_files()
    if chosen:
        files = frozenset(listed)
        paths = [p for p in (normal_repo_path(c) for c in chosen) if p is not None and p in files]
        targets = [
            DockerfileTarget(dockerfile=p, context=_directory(p), origin="option") for p in paths
        ]
        return DockerfileChoice(targets=_unique(targets))
    if DOCKERFILE in listed:
        return DockerfileChoice(
            targets=(DockerfileTarget(dockerfile=DOCKERFILE, context=".", origin="root"),)
        )
    problems: list[str] = []
    composed = _compose_targets(repo, yaml, listed, problems)
    if composed:
        return DockerfileChoice(targets=_unique(composed), problems=tuple(problems))
    found = [p for p in listed if is_dockerfile(p)]
    if len(found) == 1:
        only = DockerfileTarget(dockerfile=found[0], context=_directory(found[0]), origin="only")
        return DockerfileChoice(targets=(only,), problems=tuple(problems))
    if found:
        problems.append(
            f"{len(found)} Dockerfiles and no root Dockerfile or compose build to choose one: "
            f"{', '.join(sorted(found)[:10])}; name them with {DOCKERFILE_OPTION}"
        )
    return DockerfileChoice(problems=tuple(problems))


def _unique(targets: Sequence[DockerfileTarget]) -> tuple[DockerfileTarget, ...]:
    seen: set[tuple[str, str]] = set()
    kept: list[DockerfileTarget] = []
    for target in targets:  # Rule 3
        if (target.dockerfile, target.context) not in seen:
            seen.add((target.dockerfile, target.context))
            kept.append(target)
    return tuple(kept)


def _compose_targets(
    repo: RepoFiles, yaml: YamlReader, listed: Sequence[str], problems: list[str]
) -> list[DockerfileTarget]:
    targets: list[DockerfileTarget] = []
    files = frozenset(listed)
    for path in matching_paths(COMPOSE_GLOBS, listed):
        data = repo.read_bytes(path)
        if isinstance(data, FileProblem):
            problems.append(f"{path}: {data.reason}")
            continue
        parsed = yaml.parse(data.decode("utf-8", "replace"))
        if isinstance(parsed, TextProblem) or not isinstance(parsed, Mapping):
            problems.append(f"{path}: not a compose mapping")
            continue
        document = cast("Mapping[object, object]", parsed)
        services = document.get("services")
        if not isinstance(services, Mapping):
            continue
        where = Where(
            directory=posixpath.dirname(path), listed=files, is_dockerfile_name=is_dockerfile
        )
        for name, raw in cast("Mapping[object, object]", services).items():
            if not isinstance(raw, Mapping) or "build" not in raw:
                continue
            messages: list[str] = []
            service = describe_service(
                str(name), cast("Mapping[object, object]", raw), where, messages
            )
            build = service.build
            label = f"compose {path} service {str(name)!r}"
            if build is None:
                problems.extend(f"{path}: {m}" for m in messages)
                continue
            match build.dockerfile_status:
                case "present" if build.dockerfile is not None and build.context_path is not None:
                    ports = sorted(
                        {
                            port
                            for p in service.ports
                            if p.target is not None and p.protocol == "tcp"
                            for port in _span(p.target.start, p.target.end)
                        }
                    )
                    targets.append(
                        DockerfileTarget(
                            dockerfile=build.dockerfile,
                            context=build.context_path,
                            origin=label,
                            ports=tuple(ports),
                        )
                    )
                case "outside":  # Rule 2
                    problems.append(
                        f"{label}: the build context or Dockerfile leaves the repository: refused"
                    )
                case "unresolved":
                    problems.append(
                        f"{label}: the build path has an unresolved variable: not built"
                    )
                case "inline":
                    problems.append(f"{label}: an inline Dockerfile is not traced")
                case _:
                    problems.append(
                        f"{label}: Dockerfile {build.dockerfile} is not in the repository"
                    )
    return targets
