"""npm lockfiles: `package-lock.json` and `npm-shrinkwrap.json` text in, a `Lock` out (ADR-0042).

Rule 1: lockfileVersion 2 and 3 are read from `packages`, whose keys are install paths
(`node_modules/a/node_modules/@s/b`); version 1 (and a v2 without `packages`) from the nested
`dependencies` tree, turned into the same install paths. A package's id is its install path, its
name the last `node_modules/` segment (a scope kept), or the `name` field (an `npm:` alias).
Rule 2: the root `""` and workspace member entries (keys outside `node_modules`) are importers;
a `link: true` entry is a workspace member (`source="workspace:<dir>"`), not a dependency.
Rule 3: every requirement is resolved the way node resolves it at run time, from the requiring
package's directory up to the nearest `node_modules/<name>`: a dictionary probe per ancestor, so
the whole lock costs its size times its nesting depth (capped; deeper is a problem).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import cast

from codegenie_core.parsers.lock_model import (
    Importer,
    Lock,
    LockedPackage,
    LockedRef,
    Scope,
    member_dir,
)
from codegenie_core.parsers.manifest_model import ManifestProblem, Parsed, load_json_object

__all__ = ["KNOWN_VERSIONS", "MAX_DEPTH", "parse_npm_lock", "resolve_install_path"]

KNOWN_VERSIONS = frozenset({1, 2, 3})
MAX_DEPTH = 64  # nested node_modules levels; real trees stay under a dozen
_NM = "node_modules/"
_IMPORTER_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
_PACKAGE_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies")


def _mapping(value: object) -> dict[str, object]:
    return cast("dict[str, object]", value) if isinstance(value, dict) else {}


def _strings(value: object) -> dict[str, str]:
    return {k: v for k, v in _mapping(value).items() if isinstance(v, str)}


def resolve_install_path(requirer: str, name: str, keys: Mapping[str, object]) -> str | None:
    """Rule 3. npm's folders documentation: "When you require('foo') ... node looks for
    node_modules/foo in the current directory, then walks up the parent directories". From
    `node_modules/a/node_modules/b` requiring `c`, the candidates are
    `node_modules/a/node_modules/b/node_modules/c`, `node_modules/a/node_modules/c`,
    `node_modules/c`; from a workspace member `packages/m`, `packages/m/node_modules/c`, then
    `packages/node_modules/c`, `node_modules/c`."""
    base = requirer
    while True:
        candidate = f"{base}/{_NM}{name}" if base else f"{_NM}{name}"
        if candidate in keys:
            return candidate
        if not base:
            return None
        # Up one package (drop `node_modules/<name>`, a scope kept) or one directory.
        head, sep, tail = base.rpartition(_NM)
        if sep and ("/" not in tail or (tail.startswith("@") and tail.count("/") == 1)):
            base = head.removesuffix("/")
        else:
            base = base.rpartition("/")[0]


def _name_of(key: str, entry: Mapping[str, object]) -> str:
    written = entry.get("name")
    if isinstance(written, str) and written:
        return written
    return key.rpartition(_NM)[2]


def _scope(entry: Mapping[str, object]) -> Scope | None:
    # npm marks packages only the dev tree, only the optional tree, or both reach.
    if entry.get("devOptional") is True or entry.get("optional") is True:
        return "optional" if entry.get("dev") is not True else "dev"
    if entry.get("dev") is True:
        return "dev"
    if entry.get("peer") is True:
        return "peer"
    return None


def _source(resolved: object) -> str | None:
    if not isinstance(resolved, str) or resolved.startswith(("http://", "https://")):
        return None
    if resolved.startswith("file:"):
        return "path:" + resolved.removeprefix("file:")
    return resolved


def _flatten_v1(
    tree: Mapping[str, object], problems: list[ManifestProblem]
) -> dict[str, dict[str, object]]:
    """Rule 1: the v1 `dependencies` tree as install paths, with `requires` as dependencies."""
    out: dict[str, dict[str, object]] = {}
    stack: list[tuple[str, Mapping[str, object], int]] = [("", tree, 0)]
    while stack:
        prefix, level, depth = stack.pop()
        if depth > MAX_DEPTH:
            problems.append(ManifestProblem(message=f"dependencies nested deeper than {MAX_DEPTH}"))
            continue
        for name, value in level.items():
            entry = _mapping(value)
            key = f"{prefix}/{_NM}{name}" if prefix else f"{_NM}{name}"
            version = entry.get("version")
            flat: dict[str, object] = dict(entry)
            flat["dependencies"] = entry.get("requires", {})
            if isinstance(version, str) and version.startswith("npm:"):
                # An alias: "version": "npm:real-name@1.2.3".
                real, _, pinned = version.removeprefix("npm:").rpartition("@")
                flat["name"], flat["version"] = real, pinned
            elif isinstance(version, str) and not version[:1].isdigit():
                flat["resolved"] = version  # a git or file reference stands for the version
            out[key] = flat
            nested = _mapping(entry.get("dependencies"))
            if nested:
                stack.append((key, nested, depth + 1))
    return out


def _refs(
    entry: Mapping[str, object], fields: tuple[str, ...], at: str, keys: Mapping[str, object]
) -> tuple[LockedRef, ...]:
    refs: dict[str, LockedRef] = {}
    for field in fields:
        for name, spec in _strings(entry.get(field)).items():
            if name not in refs:
                refs[name] = LockedRef(
                    name=name, spec=spec, target=resolve_install_path(at, name, keys)
                )
    return tuple(sorted(refs.values(), key=lambda r: r.name))


def _installed(key: str) -> bool:
    return key.startswith(_NM) or f"/{_NM}" in key


def _depth(key: str) -> int:
    return key.count(_NM)


def _entries(
    document: Mapping[str, object], version: object, problems: list[ManifestProblem]
) -> tuple[dict[str, dict[str, object]], bool]:
    """The install-path table and whether it came from `packages` (v2/v3) or the v1 tree."""
    packages = _mapping(document.get("packages"))
    if packages and version != 1:
        return {k: _mapping(v) for k, v in packages.items()}, True
    return _flatten_v1(_mapping(document.get("dependencies")), problems), False


def _iter_installed(
    table: Mapping[str, dict[str, object]], problems: list[ManifestProblem]
) -> Iterator[tuple[str, dict[str, object]]]:
    for key, entry in table.items():
        if not _installed(key):
            continue
        if _depth(key) > MAX_DEPTH:
            problems.append(
                ManifestProblem(message=f"{key[:80]}...: nested deeper than {MAX_DEPTH}")
            )
            continue
        yield key, entry


def parse_npm_lock(path: str, text: str) -> Parsed[Lock]:
    """Rules 1-3 for one `package-lock.json` or `npm-shrinkwrap.json` at repository `path`."""
    document = load_json_object(text)
    if isinstance(document, ManifestProblem):
        return Parsed(value=None, problems=(document,))
    problems: list[ManifestProblem] = []
    version = document.get("lockfileVersion")
    table, from_packages = _entries(document, version, problems)
    members: dict[str, dict[str, object]] = {}  # importer key ("" for the root) -> entry
    if from_packages:
        members = {k: v for k, v in table.items() if not _installed(k)}
    else:
        # v1 records no importer: the root's direct dependencies are the top-level entries.
        top = {k.removeprefix(_NM): "" for k in table if _depth(k) == 1}
        members = {"": {"dependencies": top}}
    packages: list[LockedPackage] = []
    for key, entry in _iter_installed(table, problems):
        if entry.get("link") is True:
            target = entry.get("resolved")
            member = member_dir(path, target) if isinstance(target, str) else None
            if member is None:
                problems.append(ManifestProblem(message=f"{key}: link leaves the repository"))
                continue
            member_entry = table.get(target, {}) if isinstance(target, str) else {}
            version_of = member_entry.get("version")
            packages.append(
                LockedPackage(
                    id=key,
                    name=_name_of(key, member_entry),
                    version=version_of if isinstance(version_of, str) else "",
                    source=f"workspace:{member}",
                )
            )
            continue
        pinned = entry.get("version")
        packages.append(
            LockedPackage(
                id=key,
                name=_name_of(key, entry),
                version=pinned if isinstance(pinned, str) else "",
                dependencies=_refs(entry, _PACKAGE_FIELDS, key, table),
                scope=_scope(entry),
                source=_source(entry.get("resolved")),
            )
        )
    importers: list[Importer] = []
    for key, entry in members.items():
        directory = member_dir(path, key or ".")
        if directory is None:
            problems.append(ManifestProblem(message=f"{key}: importer leaves the repository"))
            continue
        importers.append(
            Importer(path=directory, dependencies=_refs(entry, _IMPORTER_FIELDS, key, table))
        )
    return Parsed(
        value=Lock(
            ecosystem="npm",
            format="npm-shrinkwrap" if path.endswith("npm-shrinkwrap.json") else "package-lock",
            format_version=str(version) if version is not None else None,
            known_version=version in KNOWN_VERSIONS and not isinstance(version, bool),
            packages=tuple(sorted(packages, key=lambda p: p.id)),
            importers=tuple(sorted(importers, key=lambda i: i.path)),
        ),
        problems=tuple(problems),
    )
