"""`Pipfile.lock`: the packages pipenv resolved (JSON, `_meta.pipfile-spec` 6).

Rule 1: `default` pins the runtime packages and `develop` the dev packages, each a mapping from
name to `{ "version": "==x", "hashes", "markers", "index" }`, or `{ "git", "ref" }` /
`{ "path" | "file", "editable" }` for a package not from an index (pipenv's lockfile layout).
The version is the text after `==` (or `===`); a VCS package's version is its `ref`.
Rule 2: pipenv records no requirements between packages, so the lock has no edges and no
importers; a package in both sections with one version is one runtime package.
Rule 3: `pipfile-spec` 6 is known; anything else is read best-effort. Names are PEP 503 normalized.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from codegenie_core.parsers.lock_model import Lock, LockedPackage, Scope
from codegenie_core.parsers.manifest_model import ManifestProblem, Parsed, load_json_object, pep503
from codegenie_core.parsers.python_lock_support import Ids, table
from codegenie_core.parsers.python_manifest import pinned_version

__all__ = ["KNOWN_SPECS", "parse_pipfile_lock"]

KNOWN_SPECS = frozenset({6})


def parse_pipfile_lock(path: str, document: object) -> Parsed[Lock]:
    del path
    assert isinstance(document, str)
    root = load_json_object(document)
    if isinstance(root, ManifestProblem):
        return Parsed(value=None, problems=(root,))
    problems: list[ManifestProblem] = []
    spec = table(root, "_meta", problems).get("pipfile-spec")
    if spec is not None and (not isinstance(spec, int) or isinstance(spec, bool)):
        problems.append(ManifestProblem(message="'pipfile-spec' is not an integer"))
        spec = None
    found: dict[tuple[str, str], tuple[Scope, str | None]] = {}
    for section, scope in (("default", "runtime"), ("develop", "dev")):
        for name, value in table(root, section, problems).items():
            if not isinstance(value, Mapping):
                problems.append(ManifestProblem(message=f"{section}: {name!r} is not an object"))
                continue
            resolved, source = _pin(cast("Mapping[str, object]", value))
            if resolved is None:
                problems.append(ManifestProblem(message=f"{section}: {name!r} has no version"))
                continue
            key = (pep503(name), resolved)
            if key not in found:  # Rule 2: "default" is read first and wins
                found[key] = (cast("Scope", scope), source)
    ids = Ids()
    packages = [
        LockedPackage(
            id=ids.next(name, resolved), name=name, version=resolved, scope=scope, source=source
        )
        for (name, resolved), (scope, source) in sorted(found.items())
    ]
    return Parsed(
        value=Lock(
            ecosystem="pypi",
            format="pipfile",
            format_version=str(spec) if spec is not None else None,
            known_version=spec in KNOWN_SPECS,
            packages=tuple(packages),
        ),
        problems=tuple(problems),
    )


def _pin(entry: Mapping[str, object]) -> tuple[str | None, str | None]:
    version = entry.get("version")
    if isinstance(version, str):
        return pinned_version(version), None
    git = entry.get("git")
    ref = entry.get("ref")
    if isinstance(git, str):
        return (ref if isinstance(ref, str) else None), f"git+{git}"
    for key in ("path", "file"):
        where = entry.get(key)
        if isinstance(where, str):
            return "", f"path:{where}"
    return None, None
