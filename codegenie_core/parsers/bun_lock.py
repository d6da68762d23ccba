"""bun's text lockfile: `bun.lock` (JSONC) in, a `Lock` out (ADR-0042).

Rule 1: the text is JSONC (comments, trailing commas; `parsers.jsonc`). `lockfileVersion` 0 and
1 are known; `workspaces` maps each workspace directory ("" for the root) to its name, version
and dependency tables: those are the importers.
Rule 2: `packages` maps a key to `[ident, ...]`, where the ident is `name@version` (or
`name@workspace:<dir>`, `name@github:...`, `name@file:...`) and the first object after it holds
the package's own dependencies. A key is the package's name, or the names of the packages it is
nested under and its own, joined by `/` (`@babel/core/semver`, `<workspace name>/lodash`).
Rule 3: a requirement from the package at key `a/b` for `c` resolves the way bun writes the
nesting: `a/b/c`, then `a/c`, then `c` (nearest first); from a workspace named `w`, `w/c` then
`c`. One dictionary probe per nesting level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from codegenie_core.parsers.jsonc import loads_jsonc
from codegenie_core.parsers.lock_model import Importer, Lock, LockedPackage, LockedRef, member_dir
from codegenie_core.parsers.manifest_model import ManifestProblem, Parsed

__all__ = ["KNOWN_VERSIONS", "parse_bun_lock", "split_key"]

KNOWN_VERSIONS = frozenset({0, 1})
_IMPORTER_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
_PACKAGE_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies")


def _mapping(value: object) -> dict[str, object]:
    return cast("dict[str, object]", value) if isinstance(value, dict) else {}


def split_key(key: str) -> list[str]:
    """Rule 2: the package names a key is made of (a scope and its name are one)."""
    parts = key.split("/")
    names: list[str] = []
    at = 0
    while at < len(parts):
        if parts[at].startswith("@") and at + 1 < len(parts):
            names.append(f"{parts[at]}/{parts[at + 1]}")
            at += 2
        else:
            names.append(parts[at])
            at += 1
    return names


def _resolve(path: Sequence[str], name: str, keys: Mapping[str, object]) -> str | None:
    """Rule 3."""
    for level in range(len(path), -1, -1):
        candidate = "/".join((*path[:level], name))
        if candidate in keys:
            return candidate
    return None


def _refs(
    entry: Mapping[str, object],
    fields: tuple[str, ...],
    path: Sequence[str],
    keys: Mapping[str, object],
) -> tuple[LockedRef, ...]:
    refs: dict[str, LockedRef] = {}
    for field in fields:
        for name, spec in _mapping(entry.get(field)).items():
            if isinstance(spec, str) and name not in refs:
                refs[name] = LockedRef(name=name, spec=spec, target=_resolve(path, name, keys))
    return tuple(sorted(refs.values(), key=lambda r: r.name))


def _ident(ident: str) -> tuple[str, str]:
    at = ident.find("@", 1)  # a scope's own `@` comes first
    return (ident, "") if at < 0 else (ident[:at], ident[at + 1 :])


def parse_bun_lock(path: str, text: str) -> Parsed[Lock]:
    """Rules 1-3 for one `bun.lock` at repository `path`."""
    loaded = loads_jsonc(text)
    if isinstance(loaded, ManifestProblem):
        return Parsed(value=None, problems=(loaded,))
    if not isinstance(loaded, dict):
        return Parsed(value=None, problems=(ManifestProblem(message="not a JSON object"),))
    document = cast("dict[str, object]", loaded)
    problems: list[ManifestProblem] = []
    version = document.get("lockfileVersion")
    table = _mapping(document.get("packages"))
    workspaces = {k: _mapping(v) for k, v in _mapping(document.get("workspaces")).items()}
    importers: list[Importer] = []
    for directory, workspace in workspaces.items():
        member = member_dir(path, directory or ".")
        if member is None:
            problems.append(
                ManifestProblem(message=f"{directory}: workspace leaves the repository")
            )
            continue
        name = workspace.get("name")
        nested = [name] if isinstance(name, str) and directory else []
        importers.append(
            Importer(path=member, dependencies=_refs(workspace, _IMPORTER_FIELDS, nested, table))
        )
    packages: list[LockedPackage] = []
    for key, value in table.items():
        entry = cast("list[object]", value) if isinstance(value, list) else []
        if not entry or not isinstance(entry[0], str):
            problems.append(ManifestProblem(message=f"{key}: not a [name@version, ...] entry"))
            continue
        name, reference = _ident(entry[0])
        details = next((_mapping(e) for e in entry[1:] if _mapping(e)), _mapping(None))
        source: str | None = None
        pinned = reference
        if reference.startswith("workspace:"):
            member = member_dir(path, reference.removeprefix("workspace:"))
            if member is None:
                problems.append(ManifestProblem(message=f"{key}: workspace leaves the repository"))
                continue
            source = f"workspace:{member}"
            written = workspaces.get(reference.removeprefix("workspace:"), {}).get("version")
            pinned = written if isinstance(written, str) else ""
        elif reference.startswith(("file:", "link:")):
            source, pinned = "path:" + reference.partition(":")[2], ""
        elif ":" in reference:  # github:, git+https:, a tarball URL
            source, pinned = reference, ""
        packages.append(
            LockedPackage(
                id=key,
                name=name,
                version=pinned,
                dependencies=_refs(details, _PACKAGE_FIELDS, split_key(key), table),
                source=source,
            )
        )
    return Parsed(
        value=Lock(
            ecosystem="npm",
            format="bun",
            format_version=str(version) if version is not None else None,
            known_version=version in KNOWN_VERSIONS and not isinstance(version, bool),
            packages=tuple(sorted(packages, key=lambda p: p.id)),
            importers=tuple(sorted(importers, key=lambda i: i.path)),
        ),
        problems=tuple(problems),
    )
