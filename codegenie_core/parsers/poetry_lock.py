"""`poetry.lock`: the packages Poetry resolved for one project (lock-version 1.x and 2.x).

Rule 1: `[[package]]` tables give name, version and `[package.dependencies]` (a constraint string,
a `{version, markers, ...}` table, or a list of them); names are PEP 503 normalized. Poetry
records no per-project sections and no resolved target per requirement, so the lock has no
importers and requirements are joined by name (lock_model Rule 3).
Rule 2: the scope Poetry marks: lock 2.x `groups` ("main" -> runtime, any other group only ->
dev), lock 1.x `category` ("main"/"dev"); a "main" package with `optional = true` is only
installed for an extra -> optional.
Rule 3: `[metadata] lock-version` 1.x and 2.x are known; anything else is read best-effort.
Rule 4: `[package.source]` of type git/directory/file/url/legacy becomes the package's source.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from codegenie_core.parsers.lock_model import Lock, LockedPackage, LockedRef, Scope
from codegenie_core.parsers.lock_toml import load_lock_toml
from codegenie_core.parsers.manifest_model import ManifestProblem, Parsed, pep503
from codegenie_core.parsers.python_lock_support import Ids, string, strings, table, tables

__all__ = ["KNOWN_MAJORS", "parse_poetry_lock"]

KNOWN_MAJORS = frozenset({"1", "2"})


def parse_poetry_lock(path: str, document: object) -> Parsed[Lock]:
    del path  # one project per lockfile: nothing in it names a directory
    assert isinstance(document, str)
    loaded = load_lock_toml(document)
    if isinstance(loaded, ManifestProblem):
        return Parsed(value=None, problems=(loaded,))
    problems: list[ManifestProblem] = []
    metadata = table(loaded, "metadata", problems)
    version = metadata.get("lock-version")
    format_version = version if isinstance(version, str) else None
    if version is not None and format_version is None:
        problems.append(ManifestProblem(message="'lock-version' is not a string"))
    ids = Ids()
    packages: list[LockedPackage] = []
    for index, entry in enumerate(tables(loaded, "package", problems), start=1):
        where = f"package #{index}: "
        name = string(entry, "name", problems, where)
        resolved = string(entry, "version", problems, where)
        if name is None or resolved is None:
            problems.append(ManifestProblem(message=f"{where}no name or version"))
            continue
        normal = pep503(name)
        packages.append(
            LockedPackage(
                id=ids.next(normal, resolved),
                name=normal,
                version=resolved,
                dependencies=_requirements(table(entry, "dependencies", problems, where)),
                scope=_scope(entry, problems, where),
                source=_source(table(entry, "source", problems, where)),
            )
        )
    return Parsed(
        value=Lock(
            ecosystem="pypi",
            format="poetry",
            format_version=format_version,
            known_version=format_version is not None
            and format_version.partition(".")[0] in KNOWN_MAJORS,
            packages=tuple(sorted(packages, key=lambda p: p.id)),
        ),
        problems=tuple(problems),
    )


def _requirements(dependencies: Mapping[str, object]) -> tuple[LockedRef, ...]:
    refs: list[LockedRef] = []
    for name, value in dependencies.items():
        refs.append(LockedRef(name=pep503(name), spec=_constraint(value)))
    return tuple(sorted(refs, key=lambda r: (r.name, r.spec)))


def _constraint(value: object) -> str:
    # dependency = constraint / { version = constraint, ... } / [ { version, markers }, ... ]
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        version = cast("Mapping[str, object]", value).get("version")
        return version if isinstance(version, str) else ""
    if isinstance(value, list):
        return " | ".join(_constraint(v) for v in cast("list[object]", value))
    return ""


def _scope(
    entry: Mapping[str, object], problems: list[ManifestProblem], where: str
) -> Scope | None:
    optional = entry.get("optional") is True
    groups = strings(entry, "groups", problems, where)
    category = string(entry, "category", problems, where)
    if groups:
        main = "main" in groups
    elif category is not None:
        main = category == "main"
    else:
        return None
    if main:
        return "optional" if optional else "runtime"
    return "dev"


def _source(source: Mapping[str, object]) -> str | None:
    kind = source.get("type")
    url = source.get("url")
    if not isinstance(kind, str) or not isinstance(url, str):
        return None
    if kind == "git":
        reference = source.get("resolved_reference") or source.get("reference")
        return f"git+{url}" + (f"@{reference}" if isinstance(reference, str) else "")
    if kind in ("directory", "file"):
        return f"path:{url}"
    if kind == "legacy":
        return f"registry:{url}"
    return url
