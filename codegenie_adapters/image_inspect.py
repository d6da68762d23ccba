"""What the engine knows about images: a built image's config, and the digests of the base images
a Dockerfile names, for the `image-digest:<resolved>` cache-key token (see ADR-0012).

Rule 1: an image the engine cannot inspect makes the resolver answer None (unresolved), never raise.
Rule 2: a resolver asks the engine once and keeps its answer: one is made per gather, and the
runtime trace's key and its run then see the same digests (after an edit its key misses, and the
run asked `docker image inspect` a second time, for the answer the key already had; ADR-0090).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from typing import Any, cast

from codegenie_adapters.exec import run_external_cli
from codegenie_core.ports import FileProblem, RepoFiles
from codegenie_core.probes.layer_c.base_images import SCRATCH, base_image_refs
from codegenie_core.probes.layer_c.model import ImageConfig

INSPECT_TIMEOUT_S = 10.0
PULL_TIMEOUT_S = 300.0


def _pullable(ref: str) -> bool:
    return (
        bool(ref)
        and not ref.startswith("-")
        and "***" not in ref
        and not any(c.isspace() for c in ref)
    )


def image_config(config_json: bytes) -> ImageConfig:
    """An image's `.Config` as the engine prints it with `{{json .Config}}`."""
    try:
        loaded: object = json.loads(config_json)
    except ValueError:
        return ImageConfig()
    if not isinstance(loaded, dict):
        return ImageConfig()
    data = cast("dict[str, Any]", loaded)

    def words(value: object) -> tuple[str, ...]:
        return tuple(str(w) for w in cast("list[object]", value)) if isinstance(value, list) else ()

    healthcheck: object = data.get("Healthcheck") or {}
    return ImageConfig(
        entrypoint=words(data.get("Entrypoint")),
        cmd=words(data.get("Cmd")),
        healthcheck=words(cast("dict[str, Any]", healthcheck).get("Test"))
        if isinstance(healthcheck, dict)
        else (),
        user=str(data.get("User") or ""),
        exposed_tcp_ports=_tcp_ports(data.get("ExposedPorts")),
    )


def _tcp_ports(value: object) -> tuple[int, ...]:
    """`{"8080/tcp": {}, "53/udp": {}}` gives (8080,): TCP ports only, sorted."""
    if not isinstance(value, dict):
        return ()
    ports: set[int] = set()
    for key in cast("dict[object, object]", value):
        number, _, protocol = str(key).partition("/")
        if number.isdigit() and protocol in ("", "tcp") and 0 < int(number) < 65536:
            ports.add(int(number))
    return tuple(sorted(ports))


def base_image_resolver(
    repo: RepoFiles,
    *,
    engine: str = "docker",
    dockerfile: str = "Dockerfile",
    dockerfiles: Callable[[], Sequence[str]] | None = None,
    pull: bool = False,
) -> Callable[[], str | None]:
    """A resolver for `ProbeContext.image_digest_resolver`: the digests of the base images the
    Dockerfiles name in FROM (`ref=digest;...`, each image once, in order of first appearance), or
    None when any of them is not known locally. `dockerfiles` (when given) names the Dockerfiles
    the trace will build (ADR-0065), else `dockerfile` alone. With `pull` (`--pull`), a base image
    the engine does not have is pulled first (`PULL_TIMEOUT_S`); a reference that could be read
    as an option, or holds a redacted `***` or white space, is never pulled."""

    def resolve() -> str | None:
        refs: list[str] = []
        for path in dockerfiles() if dockerfiles is not None else (dockerfile,):
            data = repo.read_bytes(path)
            if isinstance(data, FileProblem):
                return None
            found = base_image_refs(data.decode("utf-8", "replace"))
            refs.extend(ref for ref in found if ref not in refs)
        parts: list[str] = []
        for ref in refs:
            if ref.lower() == SCRATCH:
                parts.append(SCRATCH)
                continue
            template = "{{if .RepoDigests}}{{index .RepoDigests 0}}{{else}}{{.Id}}{{end}}"
            argv = (engine, "image", "inspect", "--format", template, ref)
            answer = run_external_cli(argv, timeout_s=INSPECT_TIMEOUT_S)
            if not answer.ok and pull and _pullable(ref):
                run_external_cli((engine, "pull", ref), timeout_s=PULL_TIMEOUT_S)
                answer = run_external_cli(argv, timeout_s=INSPECT_TIMEOUT_S)
            digest = answer.stdout.decode("utf-8", "replace").strip()
            if not answer.ok or not digest:
                return None
            parts.append(f"{ref}={digest}")
        return ";".join(parts) or None

    lock = threading.Lock()
    answered: list[str | None] = []

    def once() -> str | None:  # Rule 2; a raising `resolve` is not kept, the caller folds it
        with lock:
            if not answered:
                answered.append(resolve())
            return answered[0]

    return once
