"""Gradle: build scripts scanned statically, the version catalog, settings, `gradle.lockfile`.

Rule 1: a build script (`build.gradle`, `build.gradle.kts`) is Groovy or Kotlin code and is never
run. A bounded scanner, one pass over the text with comments and string contents kept apart,
reads only `<configuration>` calls whose argument is a literal: `"g:a[:v]"`, the map form
`group: "g", name: "a", version: "v"` (Groovy) / `group = "g", ...` (Kotlin), `platform(...)`
around either, a catalog accessor `libs.x.y` / `libs.bundles.x`, or `project(":p")`. Any other
argument (string interpolation, a variable) is a problem naming the line: the facts are medium.
A configuration is a name Gradle's java plugins define (`implementation`, `api`, `compileOnly`,
`runtimeOnly`, `annotationProcessor`, ...) or one ending in those (`testImplementation`).
Rule 2: the version catalog `gradle/libs.versions.toml` (TOML, tomllib): `[versions]` (a string
or a rich `{ strictly, require, prefer }`), `[libraries]` (a `"g:a:v"` string, or a table with
`module` or `group` + `name`, and `version` or `version.ref`), `[bundles]` (lists of library
aliases), `[plugins]` (`id` and a version). Gradle's accessor rule: "aliases ... dashes,
underscores and dots are normalized to dots": alias `groovy-core` is `libs.groovy.core`.
Rule 3: settings (`settings.gradle[.kts]`): `include(":a", ":b:c")` / `include ':a', 'b'` lists
project paths; Gradle's rule maps `:b:c` to the directory `b/c` under the settings directory.
Rule 4: `gradle.lockfile` (Gradle 6+ dependency locking, one per project): comment lines `#`,
`group:artifact:version=conf1,conf2`, and `empty=conf,...` for configurations locking nothing.
A line of another shape is a problem and marks the lock `known_version=False`.
Rule 5: every scan is linear in its input: no backtracking over the whole text, nesting and
lengths bounded.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from typing import Literal, cast

import attrs

from codegenie_core.parsers.lock_model import Lock, LockedPackage, Scope
from codegenie_core.parsers.manifest_model import (
    Dependency,
    ManifestProblem,
    Parsed,
    sorted_dependencies,
)

__all__ = [
    "GradleLibrary",
    "GradleManifest",
    "accessor",
    "configuration_scope",
    "literal_version",
    "project_dir",
    "parse_build_script",
    "parse_gradle_lockfile",
    "parse_settings",
    "parse_version_catalog",
    "render_gradle_lockfile",
]

GradleKind = Literal["build", "catalog"]


@attrs.frozen(kw_only=True)
class GradleLibrary:
    alias: str  # as written in [libraries] or [plugins]
    module: str  # "group:artifact" (a plugin's id)
    version: str | None  # literal or rich version after `version.ref`; None when absent
    version_ref: str | None = None


@attrs.frozen(kw_only=True)
class GradleManifest:
    """A build script's statically read dependencies, or a version catalog's declarations."""

    kind: GradleKind
    # build: static coordinates, and catalog accessors as `Dependency(name="libs.x", spec="libs.x")`
    # catalog: each library as a runtime dependency
    dependencies: tuple[Dependency, ...]
    projects: tuple[str, ...] = ()  # build: `project(":p")` paths, as written
    libraries: tuple[GradleLibrary, ...] = ()  # catalog
    bundles: dict[str, tuple[str, ...]] = attrs.field(factory=dict[str, tuple[str, ...]])
    plugins: tuple[GradleLibrary, ...] = ()  # catalog


def literal_version(version: str | None) -> bool:
    """A version Gradle would take as is: not a range (`[1,2)`, `1.+`), not `latest.*`."""
    return (
        bool(version)
        and not any(c in (version or "") for c in "[](),+$")
        and not (version or "").startswith("latest.")
    )


# ---- Rule 1: build scripts -----------------------------------------------------------------
_BASE_CONFIGURATIONS = (
    "implementation",
    "api",
    "compileOnly",
    "compileOnlyApi",
    "runtimeOnly",
    "annotationProcessor",
    "compile",
    "runtime",
    "kapt",
    "ksp",
    "classpath",
    "developmentOnly",
)
_SUFFIXES = ("Implementation", "Api", "CompileOnly", "RuntimeOnly", "AnnotationProcessor")
_BUILD_CONFIGURATIONS = frozenset(
    {"compileOnly", "compileOnlyApi", "annotationProcessor", "kapt", "ksp", "classpath"}
)
_MAX_TEXT = 4_000_000
_MAX_DEPTH = 64
_COORDINATE = re.compile(r"[A-Za-z0-9_.\-]{1,200}:[A-Za-z0-9_.\-]{1,200}(?::[^:@\s\"'$]{1,200})?")
_ACCESSOR = re.compile(r"libs(?:\.[A-Za-z_][A-Za-z0-9_]{0,100}){1,16}")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,100}")
_ARGUMENT_WORDS = frozenset({"platform", "enforcedPlatform", "project", "group", "name", "version"})


def configuration_scope(configuration: str) -> Scope | None:
    """The inventory scope of a Gradle configuration, or None when it is not one (Rule 1)."""
    known = configuration in _BASE_CONFIGURATIONS or (
        configuration[:1].islower() and configuration.endswith(_SUFFIXES)
    )
    if not known:
        return None
    if configuration.startswith(("test", "androidTest")) or "Test" in configuration:
        return "dev"
    if configuration in _BUILD_CONFIGURATIONS or configuration.endswith(
        ("CompileOnly", "AnnotationProcessor")
    ):
        return "build"
    return "runtime"


@attrs.frozen
class _Token:
    kind: Literal["word", "string", "punct"]
    text: str
    line: int


def _tokens(text: str) -> tuple[list[_Token], list[ManifestProblem]]:
    """One linear pass: identifiers (with dots), string literals (a `$` inside marks an
    interpolation), punctuation; comments dropped."""
    tokens: list[_Token] = []
    problems: list[ManifestProblem] = []
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end == -1 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            stop = n if end == -1 else end + 2
            line += text.count("\n", i, stop)
            i = stop
        elif c in "\"'":
            quote = (
                '"""' if text.startswith('"""', i) else ("'''" if text.startswith("'''", i) else c)
            )
            end = i + len(quote)
            while end < n and not text.startswith(quote, end):
                if text[end] == "\\" and len(quote) == 1:
                    end += 1
                if len(quote) == 1 and end < n and text[end] == "\n":
                    break
                end += 1
            body = text[i + len(quote) : end]
            tokens.append(_Token("string", body, line))
            line += body.count("\n")
            i = min(n, end + len(quote))
        elif c.isalpha() or c == "_":
            end = i + 1
            while end < n and (text[end].isalnum() or text[end] in "_."):
                end += 1
            tokens.append(_Token("word", text[i:end].rstrip("."), line))
            i = end
        else:
            tokens.append(_Token("punct", c, line))
            i += 1
    return tokens, problems


def parse_build_script(text: str) -> Parsed[GradleManifest]:
    if len(text) > _MAX_TEXT:
        return Parsed(value=None, problems=(ManifestProblem(message="build script too large"),))
    tokens, problems = _tokens(text)
    dependencies: list[Dependency] = []
    projects: list[str] = []
    depth = 0
    for index, token in enumerate(tokens):
        if token.kind == "punct" and token.text in "({[":
            depth += 1
            if depth > _MAX_DEPTH:
                return Parsed(
                    value=None,
                    problems=(ManifestProblem(message="nesting too deep", line=token.line),),
                )
        elif token.kind == "punct" and token.text in ")}]":
            depth = max(0, depth - 1)
        if token.kind != "word":
            continue
        scope = configuration_scope(token.text)
        if scope is None:
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is None or (following.kind == "punct" and following.text != "("):
            continue  # `implementation.extendsFrom(...)`, `configurations { implementation { } }`
        if following.kind == "word" and not (
            following.text in _ARGUMENT_WORDS or following.text.startswith("libs.")
        ):
            continue  # a word after a configuration name that is not an argument we read
        read = _argument(tokens, index + 1)
        if read is None:
            problems.append(
                ManifestProblem(
                    message=f"{token.text}(...) is not a literal coordinate; not read statically",
                    line=token.line,
                )
            )
            continue
        kind, value = read
        if kind == "project":
            projects.append(value)
            continue
        dependencies.append(_coordinate_dependency(value, scope, kind))
    manifest = GradleManifest(
        kind="build",
        dependencies=sorted_dependencies(dict.fromkeys(dependencies)),  # each declaration once
        projects=tuple(sorted(set(projects))),
    )
    return Parsed(value=manifest, problems=tuple(problems))


def _coordinate_dependency(value: str, scope: Scope, kind: str) -> Dependency:
    if kind == "accessor":
        return Dependency(name=value, spec=value, scope=scope)
    group, artifact, version = (*value.split(":", 2), "")[:3]
    return Dependency(name=f"{group}:{artifact}", spec=version.partition(":")[0], scope=scope)


def _argument(tokens: list[_Token], start: int) -> tuple[str, str] | None:
    """The literal argument of a configuration call starting at `tokens[start]`: ("coordinate",
    "g:a:v"), ("accessor", "libs.x"), ("project", ":p"), or None (Rule 1)."""
    i = start
    limit = min(len(tokens), start + 24)

    def at(k: int) -> _Token | None:
        return tokens[k] if k < limit else None

    while (t := at(i)) is not None and (
        (t.kind == "punct" and t.text == "(")
        or (t.kind == "word" and t.text in ("platform", "enforcedPlatform"))
    ):
        i += 1
    token = at(i)
    if token is None:
        return None
    if token.kind == "string":
        if "$" in token.text:
            return None
        if _COORDINATE.fullmatch(token.text):
            return "coordinate", token.text
        return None
    if token.kind == "word":
        if token.text == "project":
            inner = at(i + 2)
            if inner is not None and inner.kind == "string" and "$" not in inner.text:
                return "project", inner.text
            return None
        if _ACCESSOR.fullmatch(token.text):
            return "accessor", token.text.removesuffix(".get")
        if token.text in ("group", "name", "version"):
            return _map_form(tokens, i, limit)
    return None


def _map_form(tokens: list[_Token], start: int, limit: int) -> tuple[str, str] | None:
    found: dict[str, str] = {}
    i = start
    while i + 2 < limit:
        key, sep, value = tokens[i], tokens[i + 1], tokens[i + 2]
        if key.kind != "word" or key.text not in ("group", "name", "version"):
            break
        if sep.kind != "punct" or sep.text not in ":=" or value.kind != "string":
            return None
        if "$" in value.text:
            return None
        found[key.text] = value.text
        i += 3
        if i < limit and tokens[i].kind == "punct" and tokens[i].text == ",":
            i += 1
    if "group" not in found or "name" not in found:
        return None
    coordinate = f"{found['group']}:{found['name']}"
    if found.get("version"):
        coordinate += f":{found['version']}"
    return "coordinate", coordinate


# ---- Rule 2: the version catalog -----------------------------------------------------------
def accessor(alias: str, catalog: str = "libs") -> str:
    """Gradle's accessor for a catalog alias: `-`, `_`, `.` normalised to `.` (Rule 2)."""
    return catalog + "." + re.sub(r"[-_.]", ".", alias)


def _version_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        rich = cast("dict[str, object]", value)
        for key in ("strictly", "require", "prefer"):
            found = rich.get(key)
            if isinstance(found, str):
                return found
    return None


def parse_version_catalog(text: str) -> Parsed[GradleManifest]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return Parsed(value=None, problems=(ManifestProblem(message=str(error)),))
    except RecursionError:
        return Parsed(value=None, problems=(ManifestProblem(message="nesting too deep"),))
    problems: list[ManifestProblem] = []

    def table(name: str) -> dict[str, object]:
        found = document.get(name, {})
        if not isinstance(found, dict):
            problems.append(ManifestProblem(message=f"[{name}] is not a table"))
            return {}
        return cast("dict[str, object]", found)

    versions: dict[str, str] = {}
    for key, value in table("versions").items():
        version = _version_text(value)
        if version is None:
            problems.append(ManifestProblem(message=f"versions.{key} is not a version"))
            continue
        versions[key] = version
    libraries = [
        library
        for alias, value in table("libraries").items()
        if (library := _library(alias, value, versions, problems, "module")) is not None
    ]
    plugins = [
        plugin
        for alias, value in table("plugins").items()
        if (plugin := _library(alias, value, versions, problems, "id")) is not None
    ]
    aliases = {library.alias for library in libraries}
    bundles: dict[str, tuple[str, ...]] = {}
    for name, members in table("bundles").items():
        if not isinstance(members, list):
            problems.append(ManifestProblem(message=f"bundles.{name} is not a list"))
            continue
        listed = [m for m in cast("list[object]", members) if isinstance(m, str)]
        for missing in (m for m in listed if m not in aliases):
            problems.append(ManifestProblem(message=f"bundles.{name} names no library {missing!r}"))
        bundles[name] = tuple(listed)
    manifest = GradleManifest(
        kind="catalog",
        dependencies=sorted_dependencies(
            Dependency(name=library.module, spec=library.version or "", scope="runtime")
            for library in libraries
        ),
        libraries=tuple(sorted(libraries, key=lambda lib: lib.alias)),
        bundles=dict(sorted(bundles.items())),
        plugins=tuple(sorted(plugins, key=lambda p: p.alias)),
    )
    return Parsed(value=manifest, problems=tuple(problems))


def _library(
    alias: str,
    value: object,
    versions: dict[str, str],
    problems: list[ManifestProblem],
    id_key: str,
) -> GradleLibrary | None:
    if isinstance(value, str):
        parts = value.split(":")
        if id_key == "module" and len(parts) in (2, 3) and all(parts):
            return GradleLibrary(
                alias=alias,
                module=f"{parts[0]}:{parts[1]}",
                version=parts[2] if len(parts) == 3 else None,
            )
        if id_key == "id" and len(parts) == 2 and all(parts):
            return GradleLibrary(alias=alias, module=parts[0], version=parts[1])
        problems.append(ManifestProblem(message=f"{alias} = {value!r} is not a coordinate"))
        return None
    if not isinstance(value, dict):
        problems.append(ManifestProblem(message=f"{alias} is neither a string nor a table"))
        return None
    entry = cast("dict[str, object]", value)
    module = entry.get(id_key)
    if id_key == "module" and module is None:
        group, name = entry.get("group"), entry.get("name")
        module = f"{group}:{name}" if isinstance(group, str) and isinstance(name, str) else None
    if not isinstance(module, str) or (id_key == "module" and module.count(":") != 1):
        problems.append(ManifestProblem(message=f"{alias} has no {id_key} (or group and name)"))
        return None
    raw: object = entry.get("version")
    reference: str | None = None
    version: str | None = None
    ref: object = cast("dict[str, object]", raw).get("ref") if isinstance(raw, dict) else None
    if isinstance(ref, str):
        reference = ref
        version = versions.get(reference)
        if version is None:
            problems.append(ManifestProblem(message=f"{alias}: version.ref {reference!r} unknown"))
    elif isinstance(raw, str):
        version = raw
    elif isinstance(raw, dict):
        version = _version_text(cast("dict[str, object]", raw))
    return GradleLibrary(alias=alias, module=module, version=version, version_ref=reference)


# ---- Rule 3: settings ----------------------------------------------------------------------
def parse_settings(text: str) -> Parsed[tuple[str, ...]]:
    """The project paths `include` lists, in order (each once)."""
    if len(text) > _MAX_TEXT:
        return Parsed(value=None, problems=(ManifestProblem(message="settings too large"),))
    tokens, problems = _tokens(text)
    found: list[str] = []
    for index, token in enumerate(tokens):
        if token.kind != "word" or token.text != "include":
            continue
        i = index + 1
        if i < len(tokens) and tokens[i].kind == "punct" and tokens[i].text == "(":
            i += 1
        first = i
        while i < len(tokens) and tokens[i].kind == "string":
            if "$" in tokens[i].text:
                problems.append(
                    ManifestProblem(message="an interpolated include is not read", line=token.line)
                )
            else:
                found.append(tokens[i].text)
            i += 1
            if i < len(tokens) and tokens[i].kind == "punct" and tokens[i].text == ",":
                i += 1
            else:
                break
        if i == first:
            problems.append(
                ManifestProblem(message="include without literal project paths", line=token.line)
            )
    return Parsed(value=tuple(dict.fromkeys(found)), problems=tuple(problems))


def project_dir(settings: str, project: str) -> str:
    """Rule 3: the directory of project path `:a:b` (or `a:b`) under the settings' directory."""
    relative = "/".join(part for part in project.split(":") if part)
    return posixpath.normpath(posixpath.join(posixpath.dirname(settings), relative or "."))


# ---- Rule 4: gradle.lockfile ---------------------------------------------------------------
_HEADER = "# This is a Gradle generated file for dependency locking."


def _lock_scope(configurations: tuple[str, ...]) -> Scope:
    if any("runtime" in c.lower() and "test" not in c.lower() for c in configurations):
        return "runtime"
    if configurations and all("test" in c.lower() for c in configurations):
        return "dev"
    return "build"


def parse_gradle_lockfile(_path: str, document: object) -> Parsed[Lock]:
    assert isinstance(document, str)
    problems: list[ManifestProblem] = []
    packages: dict[str, LockedPackage] = {}
    known = True
    for number, raw in enumerate(document.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        coordinate, equals, configurations = line.partition("=")
        if not equals:
            known = False  # the pre-6.0 per-configuration format lists `g:a:v` alone
            problems.append(ManifestProblem(message="a line without '='", line=number))
            continue
        if coordinate == "empty":
            continue
        parts = coordinate.split(":")
        if len(parts) != 3 or not all(parts):
            known = False
            problems.append(
                ManifestProblem(
                    message=f"{coordinate!r} is not group:artifact:version", line=number
                )
            )
            continue
        confs = tuple(c for c in configurations.split(",") if c)
        packages[coordinate] = LockedPackage(
            id=coordinate,
            name=f"{parts[0]}:{parts[1]}",
            version=parts[2],
            scope=_lock_scope(confs),
        )
    lock = Lock(
        ecosystem="maven",
        format="gradle-lockfile",
        format_version=None,
        known_version=known,
        packages=tuple(sorted(packages.values(), key=lambda p: p.id)),
    )
    return Parsed(value=lock, problems=tuple(problems))


def render_gradle_lockfile(entries: dict[str, tuple[str, ...]], empty: tuple[str, ...]) -> str:
    """A `gradle.lockfile` text (the bench generator's and the round-trip property's)."""
    lines = [
        _HEADER,
        "# Manual edits can break the build and are not advised.",
        "# This file is expected to be part of source control.",
    ]
    lines += [f"{c}={','.join(confs)}" for c, confs in sorted(entries.items())]
    lines.append(f"empty={','.join(empty)}")
    return "\n".join(lines) + "\n"
