"""Cargo manifests: `Cargo.toml` text in (stdlib `tomllib`), a `CargoManifest` out.

Rule 1: dependency tables are `[dependencies]`, `[dev-dependencies]`, `[build-dependencies]`,
their `[target.<cfg>.*]` variants and `[workspace.dependencies]`; each entry is a version string
or a table (`version`, `path`, `git`, `workspace = true`, `package` for a renamed crate).
Rule 2: a crate renamed with `package = "real"` is reported under its real name.
Rule 3: an `optional = true` dependency has scope `optional` (`optional:<cfg>` in a target
table); its `features` are its extras; the crate's `[features]` table is reported as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from codegenie_core.parsers.manifest_model import (
    CargoManifest,
    Dependency,
    ManifestProblem,
    Parsed,
    load_toml,
    sorted_dependencies,
)

DEPENDENCY_TABLES: dict[str, str] = {
    "dependencies": "runtime",
    "dev-dependencies": "dev",
    "build-dependencies": "build",
}


def parse_cargo_toml(text: str) -> Parsed[CargoManifest]:
    document = load_toml(text)
    if isinstance(document, ManifestProblem):
        return Parsed(value=None, problems=(document,))
    problems: list[ManifestProblem] = []
    package = _mapping(document.get("package"))
    dependencies: list[Dependency] = []
    for table, scope in DEPENDENCY_TABLES.items():
        _dependencies(document.get(table), scope, dependencies, problems)
    for cfg, target in (_mapping(document.get("target")) or {}).items():
        for table, scope in DEPENDENCY_TABLES.items():
            _dependencies(
                (_mapping(target) or {}).get(table), f"{scope}:{cfg}", dependencies, problems
            )
    workspace = _mapping(document.get("workspace")) or {}
    _dependencies(workspace.get("dependencies"), "workspace", dependencies, problems)
    manifest = CargoManifest(
        name=_text(package, "name"),
        version=_text(package, "version"),  # None too when inherited: `version.workspace = true`
        dependencies=sorted_dependencies(dependencies),
        workspace_members=_strings(workspace.get("members")),
        workspace="workspace" in document,
        workspace_exclude=_strings(workspace.get("exclude")),
        features=_features(document.get("features")),
    )
    if package is None and not workspace:
        problems.append(ManifestProblem(message="neither [package] nor [workspace]"))
    return Parsed(value=manifest, problems=tuple(problems))


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(item for item in cast("list[object]", value) if isinstance(item, str))


def _features(value: object) -> dict[str, tuple[str, ...]]:
    table = _mapping(value) or {}
    return {name: _strings(enables) for name, enables in sorted(table.items())}


def _mapping(value: object) -> Mapping[str, object] | None:
    return cast("Mapping[str, object]", value) if isinstance(value, Mapping) else None


def _text(table: Mapping[str, object] | None, key: str) -> str | None:
    value = table.get(key) if table is not None else None
    return value if isinstance(value, str) else None


def _dependencies(
    table: object, scope: str, out: list[Dependency], problems: list[ManifestProblem]
) -> None:
    if table is None:
        return
    entries = _mapping(table)
    if entries is None:
        problems.append(ManifestProblem(message=f"{scope} dependencies are not a table"))
        return
    for name, value in entries.items():
        if isinstance(value, str):
            out.append(Dependency(name=name, spec=value, scope=scope))
            continue
        entry = _mapping(value)
        if entry is None:
            problems.append(
                ManifestProblem(message=f"dependency {name!r} is not a string or table")
            )
            continue
        spec = _text(entry, "version") or ""
        if entry.get("workspace") is True:
            spec = "workspace"
        for source in ("path", "git"):
            if (where := _text(entry, source)) is not None:
                spec = f"{source}:{where}" + (f" {spec}" if spec else "")
        features = entry.get("features")
        extras = (
            tuple(sorted(f for f in cast("list[object]", features) if isinstance(f, str)))
            if isinstance(features, list)
            else ()
        )
        entry_scope = scope
        if entry.get("optional") is True and scope != "workspace":
            # Rule 3: "optional:<cfg>" keeps a target table's cfg, as "dev:<cfg>" does.
            _, colon, cfg = scope.partition(":")
            entry_scope = f"optional{colon}{cfg}"
        out.append(
            Dependency(
                name=_text(entry, "package") or name, spec=spec, scope=entry_scope, extras=extras
            )
        )
