"""The Gradle workspace reader: settings includes, and catalog accessors in build scripts.

Rule 1: each `settings.gradle[.kts]` that includes projects is a workspace root; its `include`d
project paths map to directories (`:a:b` -> `a/b`, see `parsers.gradle` Rule 3). A project
directory with a build script in the repository is a member; one without is `unmatched`, with
a reason. Members depend on the members their `project(":p")` dependencies name.
Rule 2: a build script uses the version catalog of its build: the nearest
`<dir>/gradle/libs.versions.toml` whose `<dir>` is the script's directory or an ancestor (Gradle
reads `gradle/libs.versions.toml` beside the settings file). `libs.x.y` becomes the library's
coordinates with the catalog's version as the effective spec (pinned when literal), and
`libs.bundles.b` becomes each library of the bundle. An accessor the catalog does not define is
kept as written, with a reason.
Rule 3: a build script is read by a static scan, never run, so each one carries a medium reason.
"""

from __future__ import annotations

import posixpath

import attrs

from codegenie_core.parsers.gradle import (
    GradleLibrary,
    GradleManifest,
    accessor,
    literal_version,
    parse_settings,
    project_dir,
)
from codegenie_core.parsers.inventory import Declared, Reason, Workspace
from codegenie_core.probes.layer_a.inputs import InputProblem
from codegenie_core.probes.layer_a.workspace_model import WorkspaceFacts, WorkspaceInput

__all__ = ["CATALOG", "BUILD_SCRIPTS", "SETTINGS", "catalog_root", "gradle_workspaces"]

BUILD_SCRIPTS = ("build.gradle", "build.gradle.kts")
SETTINGS = ("settings.gradle", "settings.gradle.kts")
CATALOG = "gradle/libs.versions.toml"
_STATIC_SCAN = (
    "build script read by a static scan, never run: only literal coordinates and catalog "
    "accessors are seen"
)


def catalog_root(path: str) -> str:
    """The build directory a `<dir>/gradle/libs.versions.toml` belongs to."""
    return posixpath.dirname(posixpath.dirname(path)) or "."


def gradle_workspaces(view: WorkspaceInput) -> WorkspaceFacts:
    manifests = {
        path: m
        for path, m in view.manifests.get("gradle", {}).items()
        if isinstance(m, GradleManifest)
    }
    builds = {p: m for p, m in manifests.items() if m.kind == "build"}
    catalogs = {catalog_root(p): (p, m) for p, m in manifests.items() if m.kind == "catalog"}
    problems: list[InputProblem] = []
    reasons = [Reason(subject=path, reason=_STATIC_SCAN) for path in sorted(builds)]
    workspaces = [
        w
        for path in view.files
        if posixpath.basename(path) in SETTINGS
        if (w := _settings(view, path, builds, problems, reasons)) is not None
    ]
    expansions: dict[tuple[str, str, str], tuple[Declared, ...]] = {}
    for path, build in sorted(builds.items()):
        member = posixpath.dirname(path) or "."
        for dependency in build.dependencies:
            if not dependency.name.startswith("libs."):
                continue
            found = _catalog_for(catalogs, member)
            libraries = _resolve(found[1], dependency.name) if found is not None else None
            if libraries is None:
                reasons.append(
                    Reason(
                        subject=f"{path}: {dependency.name}",
                        reason="a catalog accessor no gradle/libs.versions.toml defines",
                    )
                )
                continue
            expansions[(path, dependency.name, dependency.scope)] = tuple(
                Declared(
                    ecosystem="maven",
                    manifest=path,
                    member=member,
                    dependency=attrs.evolve(dependency, name=library.module),
                    effective_spec=library.version,
                    pinned=library.version if literal_version(library.version) else None,
                )
                for library in libraries
            )
    return WorkspaceFacts(
        workspaces=tuple(workspaces),
        expansions=expansions,
        reasons=tuple(reasons),
        problems=tuple(problems),
    )


def _catalog_for(
    catalogs: dict[str, tuple[str, GradleManifest]], member: str
) -> tuple[str, GradleManifest] | None:
    directory: str = member
    while True:
        found = catalogs.get(directory)
        if found is not None:
            return found
        if directory == ".":
            return None
        directory = posixpath.dirname(directory) or "."


def _resolve(catalog: GradleManifest, written: str) -> tuple[GradleLibrary, ...] | None:
    """Rule 2: the libraries an accessor names (one, or a bundle's), or None."""
    by_accessor = {accessor(library.alias): library for library in catalog.libraries}
    if written.startswith("libs.bundles."):
        wanted = written.removeprefix("libs.bundles.")
        for name, aliases in catalog.bundles.items():
            if accessor(name).removeprefix("libs.") == wanted:
                found = [by_accessor.get(accessor(alias)) for alias in aliases]
                return tuple(library for library in found if library is not None)
        return None
    library = by_accessor.get(written)
    return (library,) if library is not None else None


def _settings(
    view: WorkspaceInput,
    path: str,
    builds: dict[str, GradleManifest],
    problems: list[InputProblem],
    reasons: list[Reason],
) -> Workspace | None:
    text = view.read_text(path)
    if isinstance(text, InputProblem):
        problems.append(text)
        return None
    parsed = parse_settings(text)
    problems.extend(
        InputProblem(path=path, message=p.message, line=p.line, column=p.column)
        for p in parsed.problems
    )
    includes = parsed.value or ()
    if not includes:
        return None  # a single-project build: no workspace
    script_dirs = {posixpath.dirname(p) or ".": p for p in builds}
    members: list[str] = []
    unmatched: list[str] = []
    for include in includes:
        directory = project_dir(path, include)
        if directory in script_dirs and not directory.startswith("../"):
            members.append(directory)
        else:
            unmatched.append(include)
            reasons.append(
                Reason(
                    subject=path,
                    reason=f"project {include!r} has no build script in the repository",
                )
            )
    member_set = set(members)
    depends: dict[str, tuple[str, ...]] = {}
    for directory in sorted(member_set):
        wanted = {project_dir(path, p) for p in builds[script_dirs[directory]].projects}
        targets = tuple(sorted((wanted & member_set) - {directory}))
        if targets:
            depends[directory] = targets
    return Workspace(
        tool="gradle",
        root=path,
        patterns=includes,
        members=tuple(sorted(member_set)),
        unmatched=tuple(unmatched),
        depends=depends,
    )
