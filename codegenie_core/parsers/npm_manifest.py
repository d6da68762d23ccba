"""npm manifests: `package.json` text in, an `NpmManifest` out (stdlib `json`, never regex).

Rule 1: a field of the wrong JSON type is a problem and is left out; the rest is still reported.
Rule 2: the package manager is decided by the lockfile nearest to the manifest (its own directory
or an ancestor, for workspaces), since that is what installs the tree; see `package_manager_for`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from typing import cast

from codegenie_core.parsers.manifest_model import (
    Dependency,
    ManifestProblem,
    NpmManifest,
    PackageManager,
    Parsed,
    load_json_object,
    sorted_dependencies,
    string_map,
)

LOCKFILES: dict[str, PackageManager] = {
    "package-lock.json": "npm",
    "npm-shrinkwrap.json": "npm",
    "yarn.lock": "yarn",
    "pnpm-lock.yaml": "pnpm",
    "bun.lockb": "bun",
    "bun.lock": "bun",
}
DEPENDENCY_FIELDS: dict[str, str] = {
    "dependencies": "runtime",
    "devDependencies": "dev",
    "peerDependencies": "peer",
    "optionalDependencies": "optional",
}


def parse_package_json(text: str) -> Parsed[NpmManifest]:
    """Read one package.json; the package manager is filled in by the caller."""
    data = load_json_object(text)
    if isinstance(data, ManifestProblem):
        return Parsed(value=None, problems=(data,))
    problems: list[ManifestProblem] = []

    def text_field(key: str) -> str | None:
        value = data.get(key)
        if value is None or isinstance(value, str):
            return value
        problems.append(ManifestProblem(message=f"{key!r} is not a string"))
        return None

    def map_field(key: str) -> dict[str, str]:
        value = data.get(key)
        if value is None:
            return {}
        mapping = string_map(value)
        if mapping is None:
            problems.append(ManifestProblem(message=f"{key!r} is not an object of strings"))
            return {}
        return mapping

    dependencies = [
        Dependency(name=name, spec=spec, scope=scope)
        for key, scope in DEPENDENCY_FIELDS.items()
        for name, spec in map_field(key).items()
    ]
    manifest = NpmManifest(
        name=text_field("name"),
        version=text_field("version"),
        dependencies=sorted_dependencies(dependencies),
        scripts=map_field("scripts"),
        engines=map_field("engines"),
        workspaces=_workspaces(data.get("workspaces"), problems),
        package_manager_field=text_field("packageManager"),
    )
    return Parsed(value=manifest, problems=tuple(problems))


def _workspaces(value: object, problems: list[ManifestProblem]) -> tuple[str, ...]:
    # workspaces = [ glob, ... ] / { "packages": [ glob, ... ], ... }   (the second is yarn's)
    if value is None:
        return ()
    if isinstance(value, Mapping):
        value = cast("Mapping[str, object]", value).get("packages")
    if isinstance(value, list):
        items = cast("list[object]", value)
        globs = [item for item in items if isinstance(item, str)]
        if len(globs) == len(items):
            return tuple(globs)  # order kept: it is how the author wrote the workspace list
    problems.append(ManifestProblem(message="'workspaces' is not a list of strings"))
    return ()


def package_manager_for(
    manifest_path: str, files: Iterable[str]
) -> tuple[PackageManager | None, str | None]:
    """The package manager and lockfile nearest to `manifest_path` (same directory first, then
    each ancestor up to the root); at one level, the first of `LOCKFILES` present wins."""
    present = set(files)
    directory = posixpath.dirname(manifest_path)
    while True:
        for lockfile, manager in LOCKFILES.items():
            candidate = posixpath.join(directory, lockfile) if directory else lockfile
            if candidate in present:
                return manager, candidate
        if not directory:
            return None, None
        directory = posixpath.dirname(directory)
