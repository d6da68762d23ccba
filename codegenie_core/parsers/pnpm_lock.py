"""`pnpm-lock.yaml` (lockfile versions 5.x, 6.0 and 9.0) read into a `Lock`.

The document arrives parsed (the `YamlReader` port, with its node and alias bounds); this module
walks it once, so the work is linear in the document.

Rule 1: the key of a package, as pnpm documents and writes it per lockfile version
(pnpm's `dependency-path` package and the lockfile format notes in pnpm's changelog):
    5.x   packages:  /<name>/<version>[_<peers>]        e.g. /@scope/a/1.0.0_react@18.2.0
    6.0   packages:  /<name>@<version>[(<peer>@<v>)...]   e.g. /@scope/a@1.0.0(react@18.2.0)
    9.0   packages:  <name>@<version>  (metadata only)
          snapshots: <name>@<version>[(<peer>@<v>)...]   (dependencies of each instance)
A non-registry package (tarball, git) has a key that is not in these shapes and carries its own
`name` and `version` fields. The version reported is the key's version with the peer suffix
stripped; the id keeps the suffix, since two peer instances are two packages in the graph.
Rule 2: a dependency's value names its package relative to the dependent's name: a bare version
(`1.0.0`, `1.0.0_peer@2`, `1.0.0(peer@2)`) is `<name>` at that version; an alias (`/b/1.0.0`,
`/b@1.0.0`, `b@1.0.0`) is a key of its own; `link:<dir>` is a workspace member, relative to the
importer that declares it, and becomes a package with `source="workspace:<dir>"` and no version
(the member's manifest has it).
Rule 3: importers. 5.x: `specifiers` + `dependencies`/`devDependencies`/`optionalDependencies`
of name -> value; 6.0 and 9.0: those maps of name -> {specifier, version}. A lock without
`importers` (5.x and 6.0 for a single project) has the root's sections at the top level.
Importer keys are directories relative to the lockfile (`member_dir`); one leaving the
repository is dropped with a problem.
Rule 4: a package's scope is what the 5.x/6.0 lock marks: `dev: true` (only dev dependencies reach
it), `dev: false` (only production ones), `optional: true`; 9.0 marks only `optional`.
Rule 5: a `lockfileVersion` other than 5.0-5.4, 6.0 or 9.0 is read best-effort in the shape its
major version (or its sections) suggests, with `known_version=False`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import Literal, cast

from codegenie_core.parsers.lock_model import (
    Importer,
    Lock,
    LockedPackage,
    LockedRef,
    Scope,
    member_dir,
)
from codegenie_core.parsers.manifest_model import ManifestProblem, Parsed

__all__ = ["KNOWN_VERSIONS", "read_pnpm_lock"]

Style = Literal["v5", "v6", "v9"]

KNOWN_VERSIONS: dict[str, Style] = {
    "5": "v5",
    "5.0": "v5",
    "5.1": "v5",
    "5.2": "v5",
    "5.3": "v5",
    "5.4": "v5",
    "6.0": "v6",
    "9.0": "v9",
}
_DEPENDENCY_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")
_PACKAGE_DEPENDENCY_SECTIONS = ("dependencies", "optionalDependencies")
_LINK = "link:"


def _mapping(value: object) -> Mapping[str, object] | None:
    if isinstance(value, Mapping):
        return cast("Mapping[str, object]", value)
    return None


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _version_text(value: object) -> str | None:
    """`lockfileVersion` as written: YAML reads an unquoted 5.4 as a float and 5 as an int."""
    return _text(value)


def _style_of(version: str | None, document: Mapping[str, object]) -> tuple[Style, bool]:
    """Rule 5: the shape to read, and whether the version is one this reader knows."""
    if version is not None and version in KNOWN_VERSIONS:
        return KNOWN_VERSIONS[version], True
    major = (version or "").lstrip("v").partition(".")[0]
    if "snapshots" in document or (major.isdigit() and int(major) >= 9):
        return "v9", False
    if major.isdigit() and 6 <= int(major) < 9:
        return "v6", False
    return "v5", False


def _strip_peers(key: str, style: Style) -> str:
    """Rule 1: the key without its peer suffix (`(peer@1)...` for 6.0/9.0, `_peer@1` for 5.x)."""
    if style == "v5":
        head, slash, last = key.rpartition("/")
        return f"{head}{slash}{last.partition('_')[0]}" if slash else key
    return key.partition("(")[0]


def _name_version(key: str, style: Style) -> tuple[str, str] | None:
    """Rule 1: name and version from a registry key (peer suffix already stripped)."""
    body = key[1:] if style != "v9" and key.startswith("/") else key
    if style == "v5":
        name, slash, version = body.rpartition("/")
    else:
        at = body.find("@", 1)  # a scoped name starts with "@"
        name, slash, version = (body[:at], "@", body[at + 1 :]) if at > 0 else ("", "", body)
    if not slash or not name or not version:
        return None
    return name, version


def _source(metadata: Mapping[str, object]) -> str | None:
    """Where a non-registry package comes from, from its `resolution`."""
    resolution = _mapping(metadata.get("resolution")) or {}
    tarball = _text(resolution.get("tarball"))
    repo = _text(resolution.get("repo"))
    directory = _text(resolution.get("directory"))
    if resolution.get("type") == "git" and repo is not None:
        commit = _text(resolution.get("commit"))
        return f"git+{repo}" + (f"#{commit}" if commit else "")
    if directory is not None:
        return f"path:{directory}"
    if tarball is not None and not tarball.startswith("http"):
        return f"path:{tarball.removeprefix('file:')}"
    if tarball is not None and "/-/" not in tarball:
        return tarball  # a tarball URL outside the registry layout
    return None


def _scope(metadata: Mapping[str, object]) -> Scope | None:
    """Rule 4."""
    dev = metadata.get("dev")
    if dev is True:
        return "dev"
    if metadata.get("optional") is True:
        return "optional"
    if dev is False:
        return "runtime"
    return None


class _Reader:
    def __init__(self, path: str, style: Style, keys: set[str]) -> None:
        self.path = path
        self.style: Style = style
        self.keys = keys
        self.links: dict[str, LockedPackage] = {}
        self.problems: list[ManifestProblem] = []

    def target(self, name: str, value: str, base: str) -> str:
        """Rule 2: the id of the package `name: value` names, from the directory `base`."""
        if value.startswith(_LINK):
            directory = member_dir(self.path, posixpath.join(base, value[len(_LINK) :]))
            if directory is None:
                self.problems.append(
                    ManifestProblem(message=f"{name}: {value} leaves the repository")
                )
                return value
            link_id = f"{_LINK}{directory}"
            if link_id not in self.links:
                self.links[link_id] = LockedPackage(
                    id=link_id, name=name, version="", source=f"workspace:{directory}"
                )
            return link_id
        match self.style:
            case "v5":
                composed = f"/{name}/{value}"
            case "v6":
                composed = f"/{name}@{value}"
            case "v9":
                composed = f"{name}@{value}"
        if composed not in self.keys and value in self.keys:
            return value  # an alias or a non-registry key
        return composed  # a key the lock lacks resolves to nothing (a dangling reference)

    def refs(self, where: str, section: object) -> Iterator[LockedRef]:
        entries = _mapping(section)
        if entries is None:
            if section is not None:
                self.problems.append(ManifestProblem(message=f"{where} is not a mapping"))
            return
        for name, value in entries.items():
            text = _text(value)
            if text is None:
                self.problems.append(ManifestProblem(message=f"{where}.{name} is not a version"))
                continue
            yield LockedRef(name=name, spec=text, target=self.target(name, text, "."))

    def package(
        self, key: str, metadata: Mapping[str, object], graph: Mapping[str, object]
    ) -> LockedPackage | None:
        parsed = _name_version(_strip_peers(key, self.style), self.style)
        name = _text(metadata.get("name")) or (parsed[0] if parsed else None)
        version = _text(metadata.get("version")) or (parsed[1] if parsed else None)
        if name is None or version is None:
            self.problems.append(
                ManifestProblem(message=f"packages.{key}: neither the key nor the entry names it")
            )
            return None
        source = _source(metadata)
        if source is None and parsed is None:
            source = key  # a non-registry key with no resolution this reader knows
        refs = [
            ref
            for section in _PACKAGE_DEPENDENCY_SECTIONS
            for ref in self.refs(f"packages.{key}.{section}", graph.get(section))
        ]
        return LockedPackage(
            id=key,
            name=name,
            version=version,
            dependencies=tuple(sorted(refs, key=lambda r: (r.name, r.spec))),
            scope=_scope(graph) or _scope(metadata),
            source=source,
        )

    def importer(self, key: str, section: Mapping[str, object]) -> Importer | None:
        directory = member_dir(self.path, key)
        if directory is None:
            self.problems.append(
                ManifestProblem(message=f"importers.{key} leaves the repository; not followed")
            )
            return None
        specifiers = _mapping(section.get("specifiers")) or {}
        refs: list[LockedRef] = []
        for field in _DEPENDENCY_SECTIONS:
            entries = _mapping(section.get(field))
            if entries is None:
                if section.get(field) is not None:
                    self.problems.append(
                        ManifestProblem(message=f"importers.{key}.{field} is not a mapping")
                    )
                continue
            for name, value in entries.items():
                pair = _mapping(value)
                if pair is not None:  # 6.0 / 9.0: {specifier, version}
                    version, spec = _text(pair.get("version")), _text(pair.get("specifier"))
                else:  # 5.x: the version here, the specifier in `specifiers`
                    version, spec = _text(value), _text(specifiers.get(name))
                if version is None:
                    self.problems.append(
                        ManifestProblem(message=f"importers.{key}.{field}.{name} has no version")
                    )
                    continue
                refs.append(
                    LockedRef(name=name, spec=spec or "", target=self.target(name, version, key))
                )
        return Importer(path=directory, dependencies=tuple(sorted(refs, key=lambda r: r.name)))


def read_pnpm_lock(path: str, document: object) -> Parsed[Lock]:
    """Rules 1-5: the packages and importers of the `pnpm-lock.yaml` at `path`."""
    root = _mapping(document)
    if root is None:
        return Parsed(value=None, problems=(ManifestProblem(message="not a YAML mapping"),))
    version = _version_text(root.get("lockfileVersion"))
    style, known = _style_of(version, root)
    packages = _mapping(root.get("packages")) or {}
    snapshots = _mapping(root.get("snapshots")) or {}
    graph_keys = snapshots if style == "v9" else packages
    reader = _Reader(path, style, {*graph_keys.keys(), *packages.keys()})
    problems = reader.problems
    for name, section in (("packages", root.get("packages")), ("snapshots", root.get("snapshots"))):
        if section is not None and _mapping(section) is None:
            problems.append(ManifestProblem(message=f"{name} is not a mapping"))
    found: dict[str, LockedPackage] = {}
    for key, value in graph_keys.items():
        graph = _mapping(value)
        if graph is None:
            problems.append(ManifestProblem(message=f"{key} is not a mapping"))
            continue
        metadata = graph
        if style == "v9":
            metadata = _mapping(packages.get(_strip_peers(key, style))) or {}
        package = reader.package(key, metadata, graph)
        if package is not None:
            found[key] = package
    if style == "v9":  # metadata without a snapshot (a pruned lock): still pinned
        described = {_strip_peers(key, style) for key in found}
        for key, value in packages.items():
            metadata = _mapping(value)
            if key not in described and key not in found and metadata is not None:
                package = reader.package(key, metadata, {})
                if package is not None:
                    found[key] = package
    importers: list[Importer] = []
    sections = _mapping(root.get("importers"))
    if sections is None and root.get("importers") is not None:
        problems.append(ManifestProblem(message="importers is not a mapping"))
    if sections is None:
        # Rule 3: a single project's sections are at the top level; `importers:` left empty
        # (YAML null) has no importers at all.
        sections = {} if "importers" in root else {".": root}
    for key, value in sections.items():
        section = _mapping(value)
        if section is None:
            problems.append(ManifestProblem(message=f"importers.{key} is not a mapping"))
            continue
        importer = reader.importer(key, section)
        if importer is not None:
            importers.append(importer)
    found.update(reader.links)
    lock = Lock(
        ecosystem="npm",
        format="pnpm",
        format_version=version,
        known_version=known,
        packages=tuple(found[key] for key in sorted(found)),
        importers=tuple(sorted(importers, key=lambda i: i.path)),
    )
    return Parsed(value=lock, problems=tuple(problems))
