"""Layer A probe `compose`: every Compose file, its services, and the files it includes or extends.

Rule 1: each compose file (`compose.yaml`, `compose.yml`, `docker-compose*.y*ml`,
`compose.*.y*ml`, at any depth) is reported separately, keyed by its repository-relative path,
read through the `YamlReader` port only.
Rule 2: `include` (a path, a list, or the long form with `path`) and `extends` (`service`, with
or without `file`) are followed only to files inside the repository that this probe reads (its
globs): a target outside, absolute, unresolved, missing, unreadable, not YAML, or not among the
reads is a problem with its reason, never followed, and grades the file medium. Chains are at most
`MAX_DEPTH` long, cycles are cut where they close, and the `extends` merges of one run visit at
most `MAX_MERGED_KEYS` keys in all, so no repository can make the probe do unbounded work.
Rule 3: the Dockerfile a service builds is linked to the `dockerfile` probe's facts by its
repository-relative path, and whether that path is in the listing; the probe lists the Dockerfile
names too (so its key follows their presence), but never reads them.
Rule 4: secrets stay out: environment and build-arg values are never read into a fact or a
problem (names only), `.env` files are never read, and values are not quoted in problems
(see ADR-0038).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from typing import Literal, cast

import attrs

from codegenie_core.cache_keys import matching_paths
from codegenie_core.parsers.compose_merge import MergeBudget, merge_extends, rebase
from codegenie_core.parsers.compose_service import ComposeService, Where, describe_service
from codegenie_core.parsers.compose_values import interpolate, resolve_path
from codegenie_core.ports import FileProblem, TextProblem
from codegenie_core.probe import Envelope, NotApplicable, ProbeContext, Skip
from codegenie_core.probes.layer_a.dockerfile import DOCKERFILE_GLOBS, is_dockerfile
from codegenie_core.probes.layer_a.inputs import InputProblem, Tally
from codegenie_core.registry import register_probe
from codegenie_core.spec import PortName, ProbeSpec

COMPOSE_GLOBS: tuple[str, ...] = (
    "**/compose.yaml",
    "**/compose.yml",
    "**/docker-compose*.yml",
    "**/docker-compose*.yaml",
    "**/compose.*.yml",
    "**/compose.*.yaml",
)
MAX_DEPTH = 8
MAX_MERGED_KEYS = 100_000

IncludeStatus = Literal["read", "outside", "unresolved", "missing", "not-read", "failed", "cycle"]


@attrs.frozen(kw_only=True)
class IncludeRef:
    written: str
    path: str | None  # repository-relative, when inside the repository
    status: IncludeStatus


@attrs.frozen(kw_only=True)
class ComposeFile:
    name: str | None
    services: dict[str, ComposeService]  # by service name, sorted
    named_volumes: tuple[str, ...]
    includes: tuple[IncludeRef, ...]
    # every service of the project this file starts: its own and its includes', with the file
    # that declares it
    project_services: dict[str, str]


@attrs.frozen(kw_only=True)
class ComposeSlice:
    files: dict[str, ComposeFile]  # by repository-relative path, sorted
    problems: tuple[InputProblem, ...] = ()


def _mapping(value: object) -> Mapping[object, object] | None:
    return cast("Mapping[object, object]", value) if isinstance(value, Mapping) else None


class _Reader:
    """Reads and parses compose files once each, and follows references between them."""

    def __init__(self, ctx: ProbeContext, listed: Sequence[str]) -> None:
        self.ctx = ctx
        self.listed = frozenset(listed)
        self.compose = frozenset(matching_paths(COMPOSE_GLOBS, listed))
        self.documents: dict[str, Mapping[object, object] | InputProblem] = {}
        self.budget = MergeBudget(MAX_MERGED_KEYS)
        self.refs: dict[str, tuple[list[IncludeRef], list[str]]] = {}

    def document(self, path: str) -> Mapping[object, object] | InputProblem:
        if path not in self.documents:
            self.documents[path] = self._load(path)
        return self.documents[path]

    def _load(self, path: str) -> Mapping[object, object] | InputProblem:
        data = self.ctx.repo.read_bytes(path)
        if isinstance(data, FileProblem):
            return InputProblem(path=path, message=f"unreadable: {data.reason}")
        try:
            text = data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as error:
            return InputProblem(path=path, message=f"not UTF-8 text (byte {error.start})")
        parsed = self.ctx.yaml.parse(text)
        if isinstance(parsed, TextProblem):
            return InputProblem(
                path=path, message=parsed.message, line=parsed.line, column=parsed.column
            )
        table = _mapping(parsed)
        if table is None:
            return InputProblem(path=path, message="a compose file must be a YAML mapping")
        return table

    def target(self, origin: str, written: str) -> tuple[str | None, IncludeStatus]:
        """Where a reference from the file `origin` leads, and whether it may be followed."""
        place = resolve_path(posixpath.dirname(origin), written)
        if place.place == "unresolved":
            return None, "unresolved"
        if place.place != "inside" or place.path is None:
            return None, "outside"
        if place.path not in self.compose:
            return place.path, "missing" if _is_compose_name(place.path) else "not-read"
        if isinstance(self.document(place.path), InputProblem):
            return place.path, "failed"
        return place.path, "read"

    def services(self, path: str) -> Mapping[object, object]:
        document = self.document(path)
        if isinstance(document, InputProblem):
            return {}
        return _mapping(document.get("services")) or {}

    def service_data(
        self,
        path: str,
        name: str,
        data: Mapping[object, object],
        messages: list[str],
        chain: tuple[tuple[str, str], ...] = (),
    ) -> tuple[Mapping[object, object], str | None]:
        """`data` with its `extends` chain merged in (Rule 2), and where its base was found."""
        extends = data.get("extends")
        if extends is None:
            return data, None
        table = _mapping(extends)
        base_name = extends if isinstance(extends, str) else table and table.get("service")
        base_file = table.get("file") if table is not None else None
        if not isinstance(base_name, str) or not (base_file is None or isinstance(base_file, str)):
            messages.append(f"service {name!r}: 'extends' needs a service name (and a file)")
            return data, None
        if len(chain) >= MAX_DEPTH:
            messages.append(f"service {name!r}: 'extends' chain longer than {MAX_DEPTH}; cut")
            return data, None
        base_path = path
        if base_file is not None:
            found, status = self.target(path, base_file)
            if status != "read" or found is None:
                shown = interpolate(base_file).written
                messages.append(f"service {name!r}: extends file {shown!r} is {status}")
                return data, None
            base_path = found
        label = base_name if base_path == path else f"{base_path}#{base_name}"
        base = _mapping(self.services(base_path).get(base_name))
        if base is None:
            messages.append(f"service {name!r}: extends {label!r}, which is not a service there")
            return data, label
        here = (*chain, (path, name))
        if (base_path, base_name) in here:
            messages.append(f"service {name!r}: 'extends' {label!r} closes a cycle; cut")
            return data, label
        resolved, _ = self.service_data(base_path, base_name, base, messages, here)
        if base_path != path:
            offset = posixpath.relpath(
                posixpath.dirname(base_path) or ".", posixpath.dirname(path) or "."
            )
            resolved = rebase(resolved, offset)
        merged = merge_extends(resolved, data, self.budget)
        if self.budget.exhausted:
            messages.append(f"'extends' merges visit more than {MAX_MERGED_KEYS} keys; cut there")
        return merged, label

    def includes(self, path: str, messages: list[str]) -> list[IncludeRef]:
        """The `include` entries of one file (Rule 2), read once; its messages added each time."""
        if path not in self.refs:
            found: list[str] = []
            self.refs[path] = (self._includes(path, found), found)
        refs, found = self.refs[path]
        messages.extend(found)
        return refs

    def _includes(self, path: str, messages: list[str]) -> list[IncludeRef]:
        document = self.document(path)
        if isinstance(document, InputProblem):
            return []
        raw = document.get("include")
        if raw is None:
            return []
        # include = path / [ path / { path: path / [ path, ... ], ... }, ... ]
        entries: list[object] = [raw] if isinstance(raw, str) else _items(raw)
        if not entries:
            messages.append("'include' is neither a path nor a list")
        written: list[str] = []
        for entry in entries:
            table = _mapping(entry)
            value = table.get("path") if table is not None else entry
            for item in [value] if isinstance(value, str) else _items(value) or [None]:
                if isinstance(item, str):
                    written.append(item)
                else:
                    messages.append("an 'include' entry has no path")
        refs: list[IncludeRef] = []
        for item in written:
            target, status = self.target(path, item)
            shown = interpolate(item).written
            refs.append(IncludeRef(written=shown, path=target, status=status))
            if status != "read":
                messages.append(f"include {shown!r} is {status}")
        return refs

    def project(self, path: str, messages: list[str]) -> dict[str, str]:
        """Every service of the project `path` starts, with its declaring file: the include graph
        walked breadth first, each file once, at most `MAX_DEPTH` levels (Rule 2)."""
        out = {str(name): path for name in self.services(path)}
        seen = {path}
        frontier = [path]
        for _level in range(MAX_DEPTH + 1):
            following: list[str] = []
            for origin in frontier:
                for ref in self.includes(origin, []):
                    if ref.status != "read" or ref.path is None:
                        continue
                    if ref.path in seen:
                        message = f"include {ref.written!r} is reached again (a cycle or twice)"
                        messages.append(f"{message}; read once")
                        continue
                    if _level == MAX_DEPTH:
                        messages.append(f"includes nest deeper than {MAX_DEPTH}; cut")
                        return dict(sorted(out.items()))
                    seen.add(ref.path)
                    following.append(ref.path)
                    for name in self.services(ref.path):
                        declared = out.setdefault(str(name), ref.path)
                        if declared != ref.path:
                            messages.append(f"service {str(name)!r} is declared twice")
            frontier = following
        return dict(sorted(out.items()))


def _items(value: object) -> list[object]:
    return cast("list[object]", value) if isinstance(value, list) else []


def _is_compose_name(path: str) -> bool:
    return bool(matching_paths(COMPOSE_GLOBS, [path]))


def describe_compose_file(reader: _Reader, path: str, messages: list[str]) -> ComposeFile | None:
    """One compose file's facts, or None when it is not a compose mapping."""
    document = reader.document(path)
    if isinstance(document, InputProblem):
        return None
    where = Where(
        directory=posixpath.dirname(path), listed=reader.listed, is_dockerfile_name=is_dockerfile
    )
    raw_services = document.get("services")
    services: dict[str, ComposeService] = {}
    table = _mapping(raw_services)
    if raw_services is not None and table is None:
        messages.append("'services' is not a mapping")
    for name, data in (table or {}).items():
        service = _mapping(data)
        if service is None:
            messages.append(f"service {str(name)!r} is not a mapping")
            continue
        merged, base = reader.service_data(path, str(name), service, messages)
        facts = describe_service(str(name), merged, where, messages)
        services[str(name)] = attrs.evolve(facts, extends=base) if base is not None else facts
    volumes = _mapping(document.get("volumes"))
    name = document.get("name")
    return ComposeFile(
        name=name if isinstance(name, str) else None,
        services=dict(sorted(services.items())),
        named_volumes=tuple(sorted(str(v) for v in volumes or {})),
        includes=tuple(reader.includes(path, messages)),
        project_services=reader.project(path, messages),
    )


@register_probe()
class ComposeProbe:
    spec = ProbeSpec(
        name="compose",
        version=1,
        layer="a",
        heaviness="light",
        timeout_s=30.0,
        reads=COMPOSE_GLOBS + DOCKERFILE_GLOBS,
        ports=frozenset[PortName]({"repo", "yaml"}),
        slice_type=ComposeSlice,
        schema_version=1,
    )

    def applies(self, ctx: ProbeContext) -> bool:
        return bool(matching_paths(COMPOSE_GLOBS, ctx.repo.list_files()))

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        listed = ctx.repo.list_files()
        paths = matching_paths(COMPOSE_GLOBS, listed)
        if not paths:
            return NotApplicable(reason="no compose file in the repository")
        reader = _Reader(ctx, listed)
        tally = Tally()
        files: dict[str, ComposeFile] = {}
        problems: list[InputProblem] = []
        for path in paths:
            messages: list[str] = []
            facts = describe_compose_file(reader, path, messages)
            if facts is None:
                document = reader.document(path)
                assert isinstance(document, InputProblem)
                problems.append(document)
                tally.record(path, gave_facts=False, problems=1)
                continue
            files[path] = facts
            problems.extend(InputProblem(path=path, message=m) for m in dict.fromkeys(messages))
            tally.record(path, gave_facts=True, problems=len(messages))
        confidence, notes = tally.grade()
        return Envelope(
            probe=self.spec.name,
            schema_version=self.spec.schema_version,
            confidence=confidence,
            slice=ComposeSlice(files=files, problems=tuple(problems)),
            notes=notes,
        )
