"""What a lockfile reader produces: the packages a lockfile pins and who asks for them.

Rule 1: every lockfile format (npm, yarn, pnpm, bun, poetry, uv, Pipfile, pdm, Cargo, Gemfile,
composer, NuGet, Gradle) is read into the same `Lock`, so one join (`inventory.join`) turns any
of them and the manifests into inventory entries.
Rule 2: a package's `id` is the lockfile's own key for it (`node_modules/a/node_modules/b`,
`a@1.0.0`, `/a/1.0.0`, `name version`), unique in the lock; a `LockedRef.target` names that id
when the lockfile records which package a requirement resolved to.
Rule 3: an `Importer` is a directory the lockfile records direct dependencies for (the repo root,
a workspace member), as a repository-relative path ("." for the root); a format without
per-member sections leaves `importers` empty and the join matches by name.
Rule 4: collections without a meaningful order are sorted, so equal texts give equal values.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Literal

import attrs

from codegenie_core.parsers.manifest_model import Parsed

__all__ = [
    "Importer",
    "Lock",
    "LockReader",
    "LockedPackage",
    "LockedRef",
    "Scope",
    "member_dir",
]

# The scopes of an inventory entry (issue #11): what a dependency is needed for.
Scope = Literal["runtime", "dev", "optional", "peer", "build"]


@attrs.frozen(kw_only=True)
class LockedRef:
    """One requirement as a lockfile records it: a name, the spec or version written beside it,
    and the package it resolved to when the lockfile says so."""

    name: str
    spec: str = ""
    target: str | None = None  # a `LockedPackage.id` in the same lock


@attrs.frozen(kw_only=True)
class LockedPackage:
    id: str
    name: str
    version: str  # the resolved version, as the lockfile writes it
    dependencies: tuple[LockedRef, ...] = ()
    scope: Scope | None = None  # when the lockfile itself marks it (npm `dev`, poetry groups)
    source: str | None = (
        None  # None for the default registry; "git+...", "path:...", "workspace:<dir>"
    )
    # `name@spec` requests the lockfile says this package satisfies (yarn's entry keys): how a
    # lock without importers still tells which of two versions a manifest's `name@spec` gets.
    descriptors: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Importer:
    path: str  # repository-relative directory, "." for the root
    dependencies: tuple[LockedRef, ...]


@attrs.frozen(kw_only=True)
class Lock:
    ecosystem: str  # the purl type: npm, pypi, cargo, golang, gem, composer, nuget, maven
    format: str  # e.g. "package-lock", "yarn-berry", "pnpm", "poetry", "cargo"
    format_version: str | None
    known_version: bool  # False: a version this reader was not written for (read best-effort)
    packages: tuple[LockedPackage, ...]
    importers: tuple[Importer, ...] = ()


@attrs.frozen(kw_only=True)
class LockReader:
    """How one lockfile format is recognised and read. `read` gets the lockfile's repository
    path and its text, or, when `yaml` is set, the document the `YamlReader` port parsed. A
    format with no `read` (bun.lockb, binary) is recognised as present and never parsed."""

    format: str
    ecosystem: str
    matches: Callable[[str], bool]  # the repository path is a lockfile of this format
    read: Callable[[str, object], Parsed[Lock]] | None
    yaml: bool = False


def member_dir(lockfile: str, relative: str) -> str | None:
    """The repository-relative directory an importer path inside `lockfile` names, or None when it
    leaves the repository (`../x`, an absolute path): such an importer is not followed."""
    if relative.startswith("/") or "\\" in relative:
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(lockfile), relative or "."))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined
