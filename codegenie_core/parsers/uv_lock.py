"""`uv.lock`: the packages uv resolved for a project or a workspace (lock `version = 1`).

Rule 1: each `[[package]]` has a name, a version (absent for a member whose version is dynamic)
and a `source`, an inline table with one key: `registry` (an index URL), `git`, `path`,
`directory`, `url`, `editable` or `virtual` (uv's documented lockfile sources).
Rule 2: `editable`/`virtual` packages are the project itself and its workspace members: each is
an importer at its directory (relative to the lockfile), whose direct requirements are its
`dependencies`, `optional-dependencies` and `dev-dependencies`. A package named in
`[manifest] members` (or the root "." when no members are listed) is a workspace member and gets
the source "workspace:<dir>"; any other editable package is "path:<dir>".
Rule 3: a requirement `{ name, version?, source? }` names the package it resolved to: uv writes
`version`/`source` only when the name alone is ambiguous, so the target is the one package
matching every field given; when several still match, none is chosen (the join then matches by
name and version).
Rule 4: lock `version` 1 is known; any other is read best-effort. Names are PEP 503 normalized.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from codegenie_core.parsers.lock_model import Importer, Lock, LockedPackage, LockedRef, member_dir
from codegenie_core.parsers.lock_toml import load_lock_toml
from codegenie_core.parsers.manifest_model import ManifestProblem, Parsed, pep503
from codegenie_core.parsers.python_lock_support import Ids, string, strings, table, tables

__all__ = ["KNOWN_VERSIONS", "PYPI", "parse_uv_lock"]

KNOWN_VERSIONS = frozenset({1})
PYPI = "https://pypi.org/simple"
_SOURCE_KEYS = ("registry", "git", "path", "directory", "url", "editable", "virtual")


def parse_uv_lock(path: str, document: object) -> Parsed[Lock]:
    assert isinstance(document, str)
    loaded = load_lock_toml(document)
    if isinstance(loaded, ManifestProblem):
        return Parsed(value=None, problems=(loaded,))
    problems: list[ManifestProblem] = []
    version = loaded.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        problems.append(ManifestProblem(message="'version' is not an integer"))
        version = None
    members = {pep503(m) for m in strings(table(loaded, "manifest", problems), "members", problems)}
    ids = Ids()
    rows: list[_Row] = []
    for index, entry in enumerate(tables(loaded, "package", problems), start=1):
        where = f"package #{index}: "
        name = string(entry, "name", problems, where)
        if name is None:
            problems.append(ManifestProblem(message=f"{where}no name"))
            continue
        source_kind, source_value = _source(entry, problems, where)
        resolved = string(entry, "version", problems, where)
        if resolved is None and source_kind not in ("editable", "virtual"):
            problems.append(ManifestProblem(message=f"{where}{name!r} has no version"))
            continue
        normal = pep503(name)
        package_id = ids.next(normal, resolved or "")
        rows.append((package_id, entry, normal, resolved or "", source_kind, source_value))
    index_of = _Targets(rows)
    packages: list[LockedPackage] = []
    importers: list[Importer] = []
    for package_id, entry, name, resolved, kind, value in rows:
        where = f"{name}: "
        refs = _refs(entry, "dependencies", index_of, problems, where)
        source = _source_text(kind, value)
        if kind in ("editable", "virtual"):
            directory = member_dir(path, value)
            if directory is None:
                problems.append(
                    ManifestProblem(message=f"{where}{kind} {value!r} leaves the repository")
                )
            else:
                member = name in members or (not members and directory == member_dir(path, "."))
                source = f"workspace:{directory}" if member else f"path:{directory}"
                extra = [
                    ref
                    for key in ("optional-dependencies", "dev-dependencies")
                    for group in table(entry, key, problems, where).values()
                    for ref in _ref_list(group, index_of, problems, where)
                ]
                importers.append(
                    Importer(path=directory, dependencies=_sorted_refs([*refs, *extra]))
                )
        for key in ("optional-dependencies", "dev-dependencies"):
            for group in table(entry, key, problems, where).values():
                refs = (*refs, *_ref_list(group, index_of, problems, where))
        packages.append(
            LockedPackage(
                id=package_id,
                name=name,
                version=resolved,
                dependencies=_sorted_refs(refs),
                source=source,
            )
        )
    merged = _merge_importers(importers)
    return Parsed(
        value=Lock(
            ecosystem="pypi",
            format="uv",
            format_version=str(version) if version is not None else None,
            known_version=version in KNOWN_VERSIONS,
            packages=tuple(sorted(packages, key=lambda p: p.id)),
            importers=merged,
        ),
        problems=tuple(problems),
    )


# one package as the first pass read it: id, its table, PEP 503 name, version, source kind and
# value (`_source`'s answer, read once: its problems were reported then)
_Row = tuple[str, Mapping[str, object], str, str, str, str]


class _Targets:
    """Rule 3: the package ids by name, by (name, version) and by (name, version, source)."""

    def __init__(self, rows: list[_Row]) -> None:
        self.by_name: dict[str, list[str]] = {}
        self.by_version: dict[tuple[str, str], list[str]] = {}
        self.by_source: dict[tuple[str, str, str], list[str]] = {}
        for package_id, _entry, name, resolved, kind, value in rows:
            self.by_name.setdefault(name, []).append(package_id)
            self.by_version.setdefault((name, resolved), []).append(package_id)
            self.by_source.setdefault((name, resolved, f"{kind}={value}"), []).append(package_id)

    def target(self, name: str, version: str | None, source: str | None) -> str | None:
        if version is None:
            found = self.by_name.get(name, [])
        elif source is None:
            found = self.by_version.get((name, version), [])
        else:
            found = self.by_source.get((name, version, source), [])
        return found[0] if len(found) == 1 else None


def _refs(
    entry: Mapping[str, object],
    key: str,
    targets: _Targets,
    problems: list[ManifestProblem],
    where: str,
) -> tuple[LockedRef, ...]:
    value = entry.get(key)
    return _ref_list(value, targets, problems, where) if value is not None else ()


def _ref_list(
    value: object, targets: _Targets, problems: list[ManifestProblem], where: str
) -> tuple[LockedRef, ...]:
    if not isinstance(value, list):
        problems.append(ManifestProblem(message=f"{where}a dependency list is not a list"))
        return ()
    refs: list[LockedRef] = []
    for item in cast("list[object]", value):
        if not isinstance(item, dict):
            problems.append(ManifestProblem(message=f"{where}a dependency is not a table"))
            continue
        ref = cast("Mapping[str, object]", item)
        name = ref.get("name")
        if not isinstance(name, str):
            problems.append(ManifestProblem(message=f"{where}a dependency has no name"))
            continue
        version = ref.get("version")
        version = version if isinstance(version, str) else None
        source: str | None = None
        if isinstance(ref.get("source"), dict):
            kind, text = _source(ref, [], where)
            source = f"{kind}={text}"
        normal = pep503(name)
        refs.append(
            LockedRef(
                name=normal, spec=version or "", target=targets.target(normal, version, source)
            )
        )
    return tuple(refs)


def _sorted_refs(refs: tuple[LockedRef, ...] | list[LockedRef]) -> tuple[LockedRef, ...]:
    unique = {(r.name, r.spec, r.target or ""): r for r in refs}
    return tuple(unique[k] for k in sorted(unique))


def _source(
    entry: Mapping[str, object], problems: list[ManifestProblem], where: str
) -> tuple[str, str]:
    """(kind, value) of a `source = { kind = value }` table; ("", "") when there is none."""
    source = table(entry, "source", problems, where)
    for key in _SOURCE_KEYS:
        value = source.get(key)
        if isinstance(value, str):
            return key, value
    if source:
        problems.append(ManifestProblem(message=f"{where}a source of no known kind"))
    return "", ""


def _source_text(kind: str, value: str) -> str | None:
    if kind == "registry":
        return None if value.rstrip("/") == PYPI else f"registry:{value}"
    if kind == "git":
        return f"git+{value}"
    if kind in ("path", "directory"):
        return f"path:{value}"
    if kind == "url":
        return value
    return None


def _merge_importers(importers: list[Importer]) -> tuple[Importer, ...]:
    by_path: dict[str, list[LockedRef]] = {}
    for importer in importers:
        by_path.setdefault(importer.path, []).extend(importer.dependencies)
    return tuple(
        Importer(path=p, dependencies=_sorted_refs(refs)) for p, refs in sorted(by_path.items())
    )
