"""The values manifest parsers produce: dependencies, per-ecosystem manifests, problems.

Rule 1: every collection without a meaningful order is sorted (dependencies by scope then name,
mappings by key), so two parses of the same text are equal and serialize byte-identically.
Rule 2: a parser returns `Parsed`: the manifest it could read (None when the text is not the
format at all) and the problems, with 1-based line and column when the format library gives them.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from typing import Generic, Literal, TypeVar, cast

import attrs

PackageManager = Literal["npm", "yarn", "pnpm", "bun"]
T = TypeVar("T")

# tomllib's message suffix: "(at line N, column M)"
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)\Z")
# PEP 503: a normalized name is the name lower-cased with runs of "-", "_", "." replaced by "-".
_PEP503_SEPARATORS = re.compile(r"[-_.]+")


@attrs.frozen(kw_only=True)
class ManifestProblem:
    message: str
    line: int | None = None
    column: int | None = None


@attrs.frozen(kw_only=True)
class Parsed(Generic[T]):
    value: T | None
    problems: tuple[ManifestProblem, ...] = ()


@attrs.frozen(kw_only=True)
class Dependency:
    """One declared dependency, as the manifest states it."""

    name: str  # normalized where the ecosystem defines a normal form (PEP 503 for Python)
    spec: str  # version constraint or source as written; "" when none
    scope: str  # "runtime", "dev", "peer", "optional", "build", "extra:<x>", "group:<g>", ...
    extras: tuple[str, ...] = ()
    marker: str | None = None  # PEP 508 environment marker, as text
    indirect: bool = False  # Go `// indirect`
    # The dependency groups and extras that declare it, "group:<g>" / "extra:<x>" (ADR-0084)
    groups: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class NpmManifest:
    name: str | None
    version: str | None
    dependencies: tuple[Dependency, ...]
    scripts: dict[str, str]
    engines: dict[str, str]
    workspaces: tuple[str, ...]
    package_manager: PackageManager | None = None  # from the nearest lockfile
    package_manager_field: str | None = None  # the `packageManager` field, as written
    lockfile: str | None = None  # repository-relative path of that lockfile


@attrs.frozen(kw_only=True)
class PythonManifest:
    kind: Literal[
        "pep621",
        "poetry",
        "pep621+poetry",
        "requirements",
        "setup.cfg",
        "setup.py",
        "pipfile",
        "other",
    ]
    name: str | None
    version: str | None
    requires_python: str | None
    dependencies: tuple[Dependency, ...]
    includes: tuple[str, ...] = ()  # `-r`/`-c` files a requirements file pulls in, as written
    # entry points a project installs: `[project.scripts]`, `[tool.poetry.scripts]`, Pipfile
    # `[scripts]`, setuptools `console_scripts`; name -> object reference (or command)
    scripts: dict[str, str] = attrs.field(factory=dict[str, str])
    # extra name -> the (PEP 503) names it pulls in: PEP 621 `optional-dependencies`,
    # `[tool.poetry.extras]`, setuptools `extras_require`
    extras: dict[str, tuple[str, ...]] = attrs.field(factory=dict[str, tuple[str, ...]])
    # `[tool.uv.workspace]` member and exclude globs, as written
    workspace: tuple[str, ...] = ()
    workspace_exclude: tuple[str, ...] = ()
    # fields read without running anything that were not literals, with why: "version: ..."
    not_literal: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class GoReplace:
    old: str  # module path, with " version" when the replacement is version-specific
    new: str  # module path and version, or a directory


@attrs.frozen(kw_only=True)
class GoModule:
    module: str | None
    go: str | None
    toolchain: str | None
    dependencies: tuple[Dependency, ...]
    replaces: tuple[GoReplace, ...] = ()
    excludes: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class CargoManifest:
    name: str | None
    version: str | None
    dependencies: tuple[Dependency, ...]
    workspace_members: tuple[str, ...] = ()
    workspace: bool = False  # the manifest has a `[workspace]` table: it is a workspace root
    workspace_exclude: tuple[str, ...] = ()
    features: dict[str, tuple[str, ...]] = attrs.field(factory=dict[str, tuple[str, ...]])


@attrs.frozen(kw_only=True)
class MavenProject:
    group_id: str | None
    artifact_id: str | None
    version: str | None
    packaging: str | None
    dependencies: tuple[Dependency, ...]
    modules: tuple[str, ...] = ()


def pep503(name: str) -> str:
    """The PEP 503 normalized form of a Python project name: runs of `-_.` become one `-`,
    letters lower case. Most names in a lock are already normal (ASCII, lower case, single
    dashes) and are returned as they are: a lock calls this once per requirement."""
    if (
        name.isascii()
        and name.islower()
        and "_" not in name
        and "." not in name
        and "--" not in name
    ):
        return name
    return _PEP503_SEPARATORS.sub("-", name).lower()


def group_label(kind: Literal["group", "extra"], name: str, *, normalise: bool = True) -> str:
    """The label of a dependency group or extra (ADR-0084): `group:<g>` or `extra:<x>`, the name
    normalised as PEP 735 (groups) and PEP 685 (extras) say, the PEP 503 way; a tool that keeps
    its names as written (Bundler, Poetry groups, Pipenv categories) passes `normalise=False`."""
    return f"{kind}:{pep503(name) if normalise else name}"


def sorted_dependencies(dependencies: Iterable[Dependency]) -> tuple[Dependency, ...]:
    return tuple(
        sorted(
            dependencies,
            key=lambda d: (d.scope, d.name, d.spec, d.marker or "", d.extras, d.groups),
        )
    )


def string_map(value: object) -> dict[str, str] | None:
    """A JSON/TOML table of strings to strings, sorted by key; None when it is not one."""
    if not isinstance(value, Mapping):
        return None
    out: dict[str, str] = {}
    for key, item in value.items():  # pyright: ignore[reportUnknownVariableType] - checked below
        if not isinstance(key, str) or not isinstance(item, str):
            return None
        out[key] = item
    return dict(sorted(out.items()))


def load_json_object(text: str) -> dict[str, object] | ManifestProblem:
    """A JSON object (manifest or lockfile), or the problem with json's line and column; a
    nesting deep enough to exhaust the stack is a problem too, and so is any other top value."""
    try:
        document: object = json.loads(text)
    except json.JSONDecodeError as error:
        return ManifestProblem(message=error.msg, line=error.lineno, column=error.colno)
    except RecursionError:
        return ManifestProblem(message="JSON nested too deeply")
    if not isinstance(document, dict):
        return ManifestProblem(message="not a JSON object")
    return cast("dict[str, object]", document)


def load_toml(text: str) -> dict[str, object] | ManifestProblem:
    """A TOML document, or the problem with the coordinates tomllib puts in its message.

    Nesting deep enough to exhaust the stack (tomllib recurses) is a problem too, not a crash."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POSITION.search(message)
        return ManifestProblem(
            message=_TOML_POSITION.sub("", message).strip(),
            line=int(position.group(1)) if position else None,
            column=int(position.group(2)) if position else None,
        )
    except RecursionError:
        return ManifestProblem(message="TOML nested too deeply")


@attrs.frozen(kw_only=True)
class RubyGemfile:
    """A `Gemfile` (or `gems.rb`) read statically: the gems it declares, never by running it."""

    ruby: str | None  # the `ruby "x.y"` requirement
    gemspec: bool  # `gemspec`: the gem's own dependencies come from its .gemspec (not read)
    dependencies: tuple[Dependency, ...]
    sources: tuple[str, ...] = ()  # `source` URLs, credentials never kept (user-info dropped)


@attrs.frozen(kw_only=True)
class ComposerManifest:
    name: str | None
    version: str | None
    dependencies: tuple[Dependency, ...]
    platform: dict[str, str]  # `php`, `ext-*`, `lib-*` requirements: the platform, not packages


@attrs.frozen(kw_only=True)
class DotnetProject:
    """An SDK-style `*.csproj`/`*.fsproj`/`*.vbproj`: target frameworks, package and project
    references."""

    sdk: str | None
    target_frameworks: tuple[str, ...]
    dependencies: tuple[Dependency, ...]  # PackageReference; spec is the Version as written
    project_references: tuple[str, ...]  # repository-relative paths of referenced projects
