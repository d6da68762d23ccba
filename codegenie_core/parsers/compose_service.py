"""One Compose service's facts from its plain YAML data, and the `extends` merge (pure).

Rule 1: total: any data gives a `ComposeService` and messages; a value of the wrong shape is a
message naming the service and key, never an exception, and never quotes a value.
Rule 2: environment *names* only: the list form `NAME=value` / `NAME` and the mapping form give
names; values are never read into a fact or a message. `env_file` gives paths only.
The `extends` merge lives in `compose_merge`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, cast

import attrs

from codegenie_core.parsers.compose_values import (
    ComposePort,
    ComposeVolume,
    PathPlace,
    PortSpan,
    bind,
    interpolate,
    resolve_path,
    short_port,
    short_volume,
    span,
)
from codegenie_core.parsers.dockerfile_secrets import strip_url_credentials

MAX_LIST = 10_000  # entries read from one list; the YAML reader bounds the document anyway

DockerfileStatus = Literal["present", "missing", "unchecked", "inline", "outside", "unresolved"]
HealthcheckKind = Literal["exec", "shell", "none", "inherited"]


@attrs.frozen(kw_only=True)
class BuildFacts:
    context: str | None  # as written (credentials stripped)
    context_place: PathPlace
    context_path: str | None  # repository-relative, when inside
    dockerfile: str | None  # repository-relative path of the Dockerfile, when known
    dockerfile_status: DockerfileStatus
    target: str | None = None


@attrs.frozen(kw_only=True)
class HealthcheckFacts:
    kind: HealthcheckKind  # exec: ["CMD", ...]; shell: CMD-SHELL or a string; none: disabled
    interval: str | None = None
    timeout: str | None = None
    retries: int | None = None


@attrs.frozen(kw_only=True)
class ComposeService:
    image: str | None = None
    build: BuildFacts | None = None
    ports: tuple[ComposePort, ...] = ()
    depends_on: dict[str, str] = attrs.field(factory=dict[str, str])  # service -> condition
    environment: tuple[str, ...] = ()  # names only, sorted
    env_files: tuple[str, ...] = ()  # paths as written
    volumes: tuple[ComposeVolume, ...] = ()
    profiles: tuple[str, ...] = ()
    healthcheck: HealthcheckFacts | None = None
    extends: str | None = None  # "file#service" or "service", as the base was found


@attrs.frozen(kw_only=True)
class Where:
    """Where a service's file lives, and how to tell whether a Dockerfile path is listed."""

    directory: str  # repository-relative directory of the compose file ("" at the root)
    listed: frozenset[str]  # the paths the probe may see
    is_dockerfile_name: Callable[[str], bool]  # whether the `dockerfile` probe reads a path


def _mapping(value: object) -> Mapping[object, object] | None:
    return cast("Mapping[object, object]", value) if isinstance(value, Mapping) else None


def _items(value: object) -> list[object] | None:
    return cast("list[object]", value)[:MAX_LIST] if isinstance(value, list) else None


def describe_service(
    name: str, data: Mapping[object, object], where: Where, messages: list[str]
) -> ComposeService:
    """A service's facts (Rules 1 and 2)."""
    image = data.get("image")
    if image is not None and not isinstance(image, str):
        messages.append(f"service {name!r}: 'image' is not a string")
    return ComposeService(
        image=strip_url_credentials(interpolate(image).written) if isinstance(image, str) else None,
        build=_build(name, data.get("build"), where, messages),
        ports=_ports(name, data.get("ports"), messages),
        depends_on=_depends_on(name, data.get("depends_on"), messages),
        environment=_environment(name, data.get("environment"), messages),
        env_files=_env_files(name, data.get("env_file"), messages),
        volumes=_volumes(name, data.get("volumes"), where.directory, messages),
        profiles=_strings(name, "profiles", data.get("profiles"), messages),
        healthcheck=_healthcheck(name, data.get("healthcheck"), messages),
    )


def _strings(name: str, key: str, value: object, messages: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    items = _items(value)
    if items is None or not all(isinstance(item, str) for item in items):
        messages.append(f"service {name!r}: {key!r} is not a list of strings")
        return ()
    return tuple(str(item) for item in items)


def _build(name: str, value: object, where: Where, messages: list[str]) -> BuildFacts | None:
    # build = context-path / { context, dockerfile, dockerfile_inline, target, args, ... }
    if value is None:
        return None
    context: object = value
    dockerfile: object = None
    inline = False
    target: object = None
    table = _mapping(value)
    if table is not None:
        context, dockerfile, target = (
            table.get("context", "."),
            table.get("dockerfile"),
            table.get("target"),
        )
        inline = table.get("dockerfile_inline") is not None
    if not isinstance(context, str) or not (dockerfile is None or isinstance(dockerfile, str)):
        messages.append(f"service {name!r}: 'build' context or dockerfile is not a string")
        return None
    place = resolve_path(where.directory, context)
    status: DockerfileStatus
    path: str | None = None
    if inline:
        status = "inline"
    elif place.place == "unresolved" or (
        dockerfile is not None and interpolate(dockerfile).text is None
    ):
        status = "unresolved"
    elif place.place != "inside" or place.path is None:
        status = "outside"
    else:
        written = interpolate(dockerfile).text if dockerfile is not None else "Dockerfile"
        resolved = resolve_path(place.path, written or "Dockerfile")
        if resolved.place != "inside" or resolved.path is None:
            status = "outside"
        else:
            path = resolved.path
            if path in where.listed:
                status = "present"
            elif where.is_dockerfile_name(path):
                status = "missing"
            else:
                status = "unchecked"
    return BuildFacts(
        context=place.written,
        context_place=place.place,
        context_path=place.path,
        dockerfile=path,
        dockerfile_status=status,
        target=target if isinstance(target, str) else None,
    )


def _ports(name: str, value: object, messages: list[str]) -> tuple[ComposePort, ...]:
    if value is None:
        return ()
    items = _items(value)
    if items is None:
        messages.append(f"service {name!r}: 'ports' is not a list")
        return ()
    ports: list[ComposePort] = []
    for number, item in enumerate(items, start=1):
        port: ComposePort | None
        why: str | None
        table = _mapping(item)
        if isinstance(item, str | int) and not isinstance(item, bool):
            port, why = short_port(item)
        elif table is not None:
            port, why = _long_port(table)
        else:
            port, why = None, "a port is neither a string, a number nor a mapping"
        if port is None:
            messages.append(f"service {name!r}: port {number}: {why}")
        else:
            ports.append(port)
    return tuple(ports)


def _long_port(table: Mapping[object, object]) -> tuple[ComposePort | None, str | None]:
    # long = { target, published?, host_ip?, protocol?, mode?, name?, app_protocol? }
    raw_target, raw_published = table.get("target"), table.get("published")
    texts: list[str | None] = []
    unresolved: list[str] = []
    for raw in (raw_target, raw_published):
        if raw is None or isinstance(raw, bool) or not isinstance(raw, str | int):
            texts.append(None)
            continue
        interpolated = interpolate(str(raw))
        texts.append(interpolated.text)
        unresolved.extend(interpolated.unresolved)
    written = f"target={raw_target}" if isinstance(raw_target, str | int) else "target=?"
    if unresolved:
        return ComposePort(written=written, target=None, unresolved=tuple(unresolved)), None
    target = span(texts[0]) if texts[0] is not None else None
    published = span(texts[1]) if texts[1] is not None else None
    if target is None or (raw_published is not None and published is None):
        return None, "a long-syntax port needs a numeric 'target' (and 'published')"
    host_ip, protocol = table.get("host_ip"), table.get("protocol")
    return (
        ComposePort(
            written=written,
            target=target,
            published=published,
            host_ip=host_ip if isinstance(host_ip, str) else None,
            protocol=protocol.lower() if isinstance(protocol, str) else "tcp",
        ),
        None,
    )


def _depends_on(name: str, value: object, messages: list[str]) -> dict[str, str]:
    # depends_on = [ service, ... ] / { service: { condition, restart, required } }
    if value is None:
        return {}
    items = _items(value)
    if items is not None:
        if not all(isinstance(item, str) for item in items):
            messages.append(f"service {name!r}: 'depends_on' lists something not a name")
        return dict(sorted((str(i), "service_started") for i in items if isinstance(i, str)))
    table = _mapping(value)
    if table is None:
        messages.append(f"service {name!r}: 'depends_on' is neither a list nor a mapping")
        return {}
    out: dict[str, str] = {}
    for other, spec in table.items():
        spec_table = _mapping(spec)
        condition = spec_table.get("condition") if spec_table is not None else None
        if spec is not None and spec_table is None:
            messages.append(f"service {name!r}: 'depends_on' entry {str(other)!r} is not a mapping")
        out[str(other)] = condition if isinstance(condition, str) else "service_started"
    return dict(sorted(out.items()))


def _environment(name: str, value: object, messages: list[str]) -> tuple[str, ...]:
    # environment = [ "NAME=value" / "NAME", ... ] / { NAME: value, ... }   (Rule 2: names only)
    if value is None:
        return ()
    table = _mapping(value)
    if table is not None:
        return tuple(sorted({str(key) for key in table}))
    items = _items(value)
    if items is None:
        messages.append(f"service {name!r}: 'environment' is neither a list nor a mapping")
        return ()
    names: set[str] = set()
    for number, item in enumerate(items, start=1):
        if not isinstance(item, str) or not item.partition("=")[0]:
            messages.append(f"service {name!r}: environment entry {number} has no name")
            continue
        names.add(item.partition("=")[0])
    return tuple(sorted(names))


def _env_files(name: str, value: object, messages: list[str]) -> tuple[str, ...]:
    # env_file = path / [ path / { path, required, format }, ... ]
    if value is None:
        return ()
    entries: list[object] = [value] if isinstance(value, str) else _items(value) or []
    paths: list[str] = []
    for entry in entries:
        table = _mapping(entry)
        path = table.get("path") if table is not None else entry
        if isinstance(path, str):
            paths.append(interpolate(path).written)
        else:
            messages.append(f"service {name!r}: an 'env_file' entry has no path")
    if not isinstance(value, str | list):
        messages.append(f"service {name!r}: 'env_file' is neither a path nor a list")
    return tuple(paths)


def _volumes(
    name: str, value: object, directory: str, messages: list[str]
) -> tuple[ComposeVolume, ...]:
    # volumes = [ short-volume / { type, source, target, read_only, ... }, ... ]
    if value is None:
        return ()
    items = _items(value)
    if items is None:
        messages.append(f"service {name!r}: 'volumes' is not a list")
        return ()
    volumes: list[ComposeVolume] = []
    for number, item in enumerate(items, start=1):
        table = _mapping(item)
        if isinstance(item, str):
            volumes.append(short_volume(directory, item))
        elif table is not None:
            kind, source, target = table.get("type"), table.get("source"), table.get("target")
            read_only = table.get("read_only") is True
            target_text = target if isinstance(target, str) else None
            if kind == "bind" and isinstance(source, str):
                volumes.append(bind(directory, source, target_text, read_only))
            elif kind in ("volume", "tmpfs", "npipe", "cluster", "image", None):
                volume_kind = "tmpfs" if kind == "tmpfs" else "volume" if source else "anonymous"
                volume_kind = volume_kind if kind in ("volume", "tmpfs", None) else "other"
                shown = interpolate(source).written if isinstance(source, str) else None
                volumes.append(
                    ComposeVolume(
                        kind=volume_kind, source=shown, target=target_text, read_only=read_only
                    )
                )
            else:
                messages.append(f"service {name!r}: volume {number} has an unknown 'type'")
        else:
            messages.append(f"service {name!r}: volume {number} is neither a string nor a mapping")
    return tuple(volumes)


def _healthcheck(name: str, value: object, messages: list[str]) -> HealthcheckFacts | None:
    # healthcheck = { test: [ "CMD", ... ] / [ "CMD-SHELL", cmd ] / [ "NONE" ] / cmd,
    #                 interval, timeout, retries, start_period, disable }
    if value is None:
        return None
    table = _mapping(value)
    if table is None:
        messages.append(f"service {name!r}: 'healthcheck' is not a mapping")
        return None
    test = table.get("test")
    kind: HealthcheckKind
    if table.get("disable") is True:
        kind = "none"
    elif isinstance(test, str):
        kind = "shell"
    elif (items := _items(test)) is not None and items:
        match items[0]:
            case "CMD-SHELL":
                kind = "shell"
            case "NONE":
                kind = "none"
            case "CMD":
                kind = "exec"
            case _:
                kind = "exec"
                messages.append(f"service {name!r}: healthcheck 'test' starts with no known form")
    elif test is None:
        kind = "inherited"
    else:
        messages.append(f"service {name!r}: healthcheck 'test' is neither a string nor a list")
        kind = "inherited"
    interval, timeout, retries = table.get("interval"), table.get("timeout"), table.get("retries")
    return HealthcheckFacts(
        kind=kind,
        interval=interval if isinstance(interval, str) else None,
        timeout=timeout if isinstance(timeout, str) else None,
        retries=retries if isinstance(retries, int) and not isinstance(retries, bool) else None,
    )


__all__ = [
    "BuildFacts",
    "ComposePort",
    "ComposeService",
    "ComposeVolume",
    "HealthcheckFacts",
    "PortSpan",
    "Where",
    "describe_service",
]
