""".NET: SDK-style project files, central package versions, and NuGet's `packages.lock.json`.

Rule 1: a project file (`*.csproj`, `*.fsproj`, `*.vbproj`) and `Directory.Packages.props` are
XML read with stdlib ElementTree after refusing any DTD or entity declaration (no XML parser
sees one: entity expansion is how XML bombs work, as for POMs in ADR-0014).
Rule 2: `<PackageReference Include=... Version=...>` (the version as an attribute or a child) is a
dependency; `PrivateAssets="all"` marks a build-time one (analyzers, source generators).
`Update=` items modify a reference and declare nothing. Without a version, NuGet's central
package management applies: the `<PackageVersion>` of the nearest `Directory.Packages.props`
(`VersionOverride` on the reference wins), which the inventory step resolves.
Rule 3: `packages.lock.json` (`version` 1 or 2) lists, per target framework, each package with
its `type` (`Direct`, `Transitive`, `CentralTransitive`, `Project`), `requested`, `resolved` and
`dependencies`; `Direct` entries are the project's importer, `Project` entries are other
projects of the repository, not packages.
Rule 4: NuGet package ids are case-insensitive (NuGet's own feeds use the lower-cased id), so
names are lower-cased everywhere, as Python names are PEP 503-normalised.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import cast

from codegenie_core.parsers.lock_model import Importer, Lock, LockedPackage, LockedRef, member_dir
from codegenie_core.parsers.manifest_model import (
    Dependency,
    DotnetProject,
    ManifestProblem,
    Parsed,
    load_json_object,
    sorted_dependencies,
    string_map,
)

__all__ = ["parse_central_versions", "parse_packages_lock", "parse_project_file", "safe_xml"]

_FORBIDDEN = ("<!DOCTYPE", "<!ENTITY")
_KNOWN_LOCK_VERSIONS = frozenset({1, 2})


def safe_xml(text: str, what: str) -> ET.Element | ManifestProblem:
    """Rule 1: the root element, or the problem (a DTD or entity is refused before parsing)."""
    for marker in _FORBIDDEN:
        index = text.find(marker)
        if index != -1:
            return ManifestProblem(
                message=f"{marker} is not accepted in {what} (entity expansion risk)",
                line=text.count("\n", 0, index) + 1,
            )
    try:
        return ET.fromstring(text)  # safe: DTDs and entities are refused above
    except ET.ParseError as error:
        line, column = error.position
        return ManifestProblem(message=str(error.msg), line=line, column=column + 1)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _items(root: ET.Element, name: str) -> list[ET.Element]:
    """Every `name` element inside an `ItemGroup`, in document order."""
    return [
        item
        for group in root
        if _local(group.tag) == "ItemGroup"
        for item in group
        if _local(item.tag) == name
    ]


def _value(element: ET.Element, name: str) -> str | None:
    """An item's metadata: the attribute, or the child element of that name."""
    attribute = element.get(name)
    if attribute is not None:
        return attribute.strip()
    child = next((c for c in element if _local(c.tag) == name), None)
    return (child.text or "").strip() if child is not None else None


def _property(root: ET.Element, name: str) -> str | None:
    for group in root:
        if _local(group.tag) != "PropertyGroup":
            continue
        for prop in group:
            if _local(prop.tag) == name and prop.text:
                return prop.text.strip()
    return None


def parse_project_file(path: str, text: str) -> Parsed[DotnetProject]:
    """Rule 1-2: one SDK-style project file; `path` makes project references repo-relative."""
    root = safe_xml(text, "a project file")
    if isinstance(root, ManifestProblem):
        return Parsed(value=None, problems=(root,))
    if _local(root.tag) != "Project":
        return Parsed(
            value=None, problems=(ManifestProblem(message=f"root element is {_local(root.tag)!r}"),)
        )
    problems: list[ManifestProblem] = []
    dependencies: list[Dependency] = []
    for reference in _items(root, "PackageReference"):
        name = reference.get("Include")
        if name is None:
            continue  # an `Update=` item modifies a reference declared elsewhere
        version = _value(reference, "VersionOverride") or _value(reference, "Version") or ""
        private = (_value(reference, "PrivateAssets") or "").lower() == "all"
        dependencies.append(
            Dependency(
                name=name.strip().lower(), spec=version, scope="build" if private else "runtime"
            )
        )
    references: list[str] = []
    for reference in _items(root, "ProjectReference"):
        include = reference.get("Include")
        if not include:
            continue
        target = member_dir(path, include.replace("\\", "/"))
        if target is None:
            problems.append(
                ManifestProblem(message=f"project reference outside the repository: {include!r}")
            )
        else:
            references.append(target)
    frameworks = _property(root, "TargetFrameworks") or _property(root, "TargetFramework") or ""
    return Parsed(
        value=DotnetProject(
            sdk=root.get("Sdk"),
            target_frameworks=tuple(f.strip() for f in frameworks.split(";") if f.strip()),
            dependencies=sorted_dependencies(dependencies),
            project_references=tuple(sorted(set(references))),
        ),
        problems=tuple(problems),
    )


def parse_central_versions(text: str) -> Parsed[dict[str, str]]:
    """Rule 2: the `<PackageVersion Include=... Version=...>` of a Directory.Packages.props."""
    root = safe_xml(text, "Directory.Packages.props")
    if isinstance(root, ManifestProblem):
        return Parsed(value=None, problems=(root,))
    versions: dict[str, str] = {}
    for item in _items(root, "PackageVersion"):
        name, version = item.get("Include"), _value(item, "Version")
        if name and version:
            versions[name.strip().lower()] = version
    return Parsed(value=dict(sorted(versions.items())))


def parse_packages_lock(path: str, text: object) -> Parsed[Lock]:
    """Rule 3: one packages.lock.json; its importer is the project's directory."""
    assert isinstance(text, str)
    data = load_json_object(text)
    if isinstance(data, ManifestProblem):
        return Parsed(value=None, problems=(data,))
    version = data.get("version")
    frameworks = data.get("dependencies")
    if not isinstance(frameworks, Mapping):
        return Parsed(value=None, problems=(ManifestProblem(message="no 'dependencies' object"),))
    problems: list[ManifestProblem] = []
    packages: dict[str, LockedPackage] = {}
    direct: dict[str, LockedRef] = {}
    for framework, entries in cast("Mapping[str, object]", frameworks).items():
        if not isinstance(entries, Mapping):
            problems.append(ManifestProblem(message=f"framework {framework!r} is not an object"))
            continue
        for name, entry in cast("Mapping[str, object]", entries).items():
            if not isinstance(entry, Mapping):
                problems.append(ManifestProblem(message=f"{framework}/{name} is not an object"))
                continue
            fields = cast("Mapping[str, object]", entry)
            kind, resolved = fields.get("type"), fields.get("resolved")
            if kind == "Project" or not isinstance(resolved, str):
                continue  # another project of the repository, not a package
            key = name.lower()
            package_id = f"{key}@{resolved}"
            if package_id not in packages:
                packages[package_id] = LockedPackage(
                    id=package_id,
                    name=key,
                    version=resolved,
                    dependencies=tuple(
                        LockedRef(name=n.lower(), spec=s)
                        for n, s in (string_map(fields.get("dependencies")) or {}).items()
                    ),
                )
            if kind == "Direct":
                requested = fields.get("requested")
                direct.setdefault(
                    key,
                    LockedRef(
                        name=key,
                        spec=requested if isinstance(requested, str) else "",
                        target=package_id,
                    ),
                )
    return Parsed(
        value=Lock(
            ecosystem="nuget",
            format="nuget-packages-lock",
            format_version=str(version) if version is not None else None,
            known_version=version in _KNOWN_LOCK_VERSIONS,
            packages=tuple(sorted(packages.values(), key=lambda p: p.id)),
            importers=(
                Importer(
                    path=posixpath.dirname(path) or ".",
                    dependencies=tuple(sorted(direct.values(), key=lambda r: r.name)),
                ),
            ),
        ),
        problems=tuple(problems),
    )
