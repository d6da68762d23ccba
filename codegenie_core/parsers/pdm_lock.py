"""`pdm.lock`: the packages PDM resolved for one project (`[metadata] lock_version` 4.x).

Rule 1: `[[package]]` tables give name, version, `groups` (`sections` before lock 4) and
`dependencies`, a list of PEP 508 requirement strings. PDM writes a package installed with an
extra as another `[[package]]` of the same name and version with `extras = [...]`, whose
dependencies include the package itself: those are merged into the one package (the
self-requirement dropped), so an entry is a package, not a package per extra.
Rule 2: a package whose groups include "default" is runtime; for any other group the lock cannot
tell a dev group from an optional one, so the scope comes from the declared dependencies that
reach it (inventory Rule 3).
Rule 3: `lock_version` 4.x is known; anything else is read best-effort. Names are PEP 503
normalized. `git`/`path`/`url` packages get that source.
"""

from __future__ import annotations

from collections.abc import Mapping

from codegenie_core.parsers.lock_model import Lock, LockedPackage, LockedRef, Scope
from codegenie_core.parsers.lock_toml import load_lock_toml
from codegenie_core.parsers.manifest_model import ManifestProblem, Parsed, pep503
from codegenie_core.parsers.python_lock_support import Ids, string, strings, table, tables
from codegenie_core.parsers.python_manifest import parse_requirement

__all__ = ["KNOWN_MAJORS", "parse_pdm_lock"]

KNOWN_MAJORS = frozenset({"4"})


def parse_pdm_lock(path: str, document: object) -> Parsed[Lock]:
    del path
    assert isinstance(document, str)
    loaded = load_lock_toml(document)
    if isinstance(loaded, ManifestProblem):
        return Parsed(value=None, problems=(loaded,))
    problems: list[ManifestProblem] = []
    format_version = string(table(loaded, "metadata", problems), "lock_version", problems)
    merged: dict[tuple[str, str], _Package] = {}
    for index, entry in enumerate(tables(loaded, "package", problems), start=1):
        where = f"package #{index}: "
        name = string(entry, "name", problems, where)
        resolved = string(entry, "version", problems, where)
        if name is None:
            problems.append(ManifestProblem(message=f"{where}no name"))
            continue
        normal = pep503(name)
        package = merged.setdefault(
            (normal, resolved or ""), _Package(source=_source(entry, problems, where))
        )
        package.groups.update(
            strings(entry, "groups", problems, where) or strings(entry, "sections", problems, where)
        )
        for text in strings(entry, "dependencies", problems, where):
            requirement = parse_requirement(text, scope="runtime")
            if requirement is None:
                problems.append(ManifestProblem(message=f"{where}not a requirement: {text!r}"))
            elif requirement.name != normal:  # Rule 1: an extra's self-requirement
                package.refs.add((requirement.name, requirement.spec))
    ids = Ids()
    packages: list[LockedPackage] = []
    for (name, resolved), package in sorted(merged.items()):
        scope: Scope | None = "runtime" if "default" in package.groups else None
        packages.append(
            LockedPackage(
                id=ids.next(name, resolved),
                name=name,
                version=resolved,
                dependencies=tuple(LockedRef(name=n, spec=s) for n, s in sorted(package.refs)),
                scope=scope,
                source=package.source,
            )
        )
    return Parsed(
        value=Lock(
            ecosystem="pypi",
            format="pdm",
            format_version=format_version,
            known_version=format_version is not None
            and format_version.partition(".")[0] in KNOWN_MAJORS,
            packages=tuple(packages),
        ),
        problems=tuple(problems),
    )


class _Package:
    def __init__(self, source: str | None) -> None:
        self.source = source
        self.groups: set[str] = set()
        self.refs: set[tuple[str, str]] = set()


def _source(entry: Mapping[str, object], problems: list[ManifestProblem], where: str) -> str | None:
    git = string(entry, "git", problems, where)
    if git is not None:
        revision = string(entry, "revision", problems, where)
        return f"git+{git}" + (f"@{revision}" if revision else "")
    local = string(entry, "path", problems, where)
    if local is not None:
        return f"path:{local}"
    return string(entry, "url", problems, where)
