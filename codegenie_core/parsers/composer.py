"""PHP: `composer.json` and `composer.lock` (stdlib `json`), into a manifest view and a `Lock`.

Rule 1: `require` is runtime and `require-dev` dev; a platform requirement (`php`, `hhvm`,
`ext-*`, `lib-*`, `composer`, `composer-plugin-api`, `composer-runtime-api`) is the platform the
package needs, not a package: it is kept apart in `platform`.
Rule 2: `composer.lock` pins one version per package in `packages` (runtime) and `packages-dev`
(dev); each package's own `require` gives its edges. It has no per-member sections, so the join
matches the manifest's names. Its format is identified by `plugin-api-version` when present.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from codegenie_core.parsers.lock_model import Lock, LockedPackage, LockedRef, Scope
from codegenie_core.parsers.manifest_model import (
    ComposerManifest,
    Dependency,
    ManifestProblem,
    Parsed,
    load_json_object,
    sorted_dependencies,
    string_map,
)

__all__ = ["is_platform_package", "parse_composer_json", "parse_composer_lock"]

_PLATFORM = frozenset({"php", "hhvm", "composer", "composer-plugin-api", "composer-runtime-api"})


def is_platform_package(name: str) -> bool:
    lowered = name.lower()
    # php-64bit, php-ipv6, php-zts and php-debug are platform packages too
    return lowered in _PLATFORM or lowered.startswith(("ext-", "lib-", "php-"))


def parse_composer_json(text: str) -> Parsed[ComposerManifest]:
    """Rule 1: one composer.json."""
    data = load_json_object(text)
    if isinstance(data, ManifestProblem):
        return Parsed(value=None, problems=(data,))
    problems: list[ManifestProblem] = []
    dependencies: list[Dependency] = []
    platform: dict[str, str] = {}
    for key, scope in (("require", "runtime"), ("require-dev", "dev")):
        value = data.get(key)
        if value is None:
            continue
        mapping = string_map(value)
        if mapping is None:
            problems.append(ManifestProblem(message=f"{key!r} is not an object of strings"))
            continue
        for name, spec in mapping.items():
            if is_platform_package(name):
                platform[name] = spec
            else:
                dependencies.append(Dependency(name=name.lower(), spec=spec, scope=scope))
    name, version = data.get("name"), data.get("version")
    return Parsed(
        value=ComposerManifest(
            name=name if isinstance(name, str) else None,
            version=version if isinstance(version, str) else None,
            dependencies=sorted_dependencies(dependencies),
            platform=dict(sorted(platform.items())),
        ),
        problems=tuple(problems),
    )


def parse_composer_lock(_path: str, text: object) -> Parsed[Lock]:
    """Rule 2: one composer.lock."""
    assert isinstance(text, str)
    data = load_json_object(text)
    if isinstance(data, ManifestProblem):
        return Parsed(value=None, problems=(data,))
    problems: list[ManifestProblem] = []
    packages: dict[str, LockedPackage] = {}
    sections: tuple[tuple[str, Scope], ...] = (("packages", "runtime"), ("packages-dev", "dev"))
    for key, scope in sections:
        items = data.get(key, [])
        if not isinstance(items, list):
            problems.append(ManifestProblem(message=f"{key!r} is not a list"))
            continue
        for item in cast("list[object]", items):
            package = _package(item, scope)
            if package is None:
                problems.append(ManifestProblem(message=f"a {key!r} entry without name or version"))
            elif package.id not in packages:
                packages[package.id] = package
    api = data.get("plugin-api-version")
    version = api if isinstance(api, str) else None
    return Parsed(
        value=Lock(
            ecosystem="composer",
            format="composer-lock",
            format_version=version,
            # every lock Composer 1 and 2 write has `packages`; the plugin API version only says
            # which Composer wrote it, and Composer 1 locks lack it
            known_version="packages" in data,
            packages=tuple(sorted(packages.values(), key=lambda p: p.id)),
        ),
        problems=tuple(problems),
    )


def _package(item: object, scope: Scope) -> LockedPackage | None:
    if not isinstance(item, Mapping):
        return None
    entry = cast("Mapping[str, object]", item)
    name, version = entry.get("name"), entry.get("version")
    if not isinstance(name, str) or not isinstance(version, str):
        return None
    requires = string_map(entry.get("require")) or {}
    source = entry.get("source")
    kind = cast("Mapping[str, object]", source).get("type") if isinstance(source, Mapping) else None
    return LockedPackage(
        id=name.lower(),
        name=name.lower(),
        version=version,
        dependencies=tuple(
            LockedRef(name=n.lower(), spec=s)
            for n, s in requires.items()
            if not is_platform_package(n)
        ),
        scope=scope,
        source="path:" if kind == "path" else None,
    )
