"""Python manifests read statically: `setup.cfg`, `setup.py` and `Pipfile`.

Rule 1: `setup.cfg` is read with `configparser` (interpolation off, so `%` is text): `[metadata]`
name and version, `[options]` install_requires and python_requires, `[options.extras_require]`,
`[options.entry_points] console_scripts`. setuptools' list values are dangling lists, one item
per line (setuptools' "Configuring setuptools using setup.cfg files"). A value setuptools computes
(`attr:`, `file:`) is not read: it is recorded in `not_literal`, never guessed.
Rule 2: `setup.py` is parsed with `ast.parse` and never executed, evaluated or imported: the
keyword arguments of the first `setup(...)` / `<module>.setup(...)` call that are literals
(strings, numbers, lists, tuples, dicts of them) are read; a non-literal argument or `**kwargs`
is recorded in `not_literal` with its line. Deep nesting is a problem, not a crash.
Rule 3: `Pipfile` is TOML: `[packages]` (runtime), `[dev-packages]` (dev), other package
categories (`group:<name>`), `[requires] python_version`, `[scripts]`; a package is
`name = "spec"` or `name = { version, extras, markers, git, ref, path, editable }` (pipenv's
Pipfile format). `[dev-packages]` is the group `group:dev`, another category `group:<name>`.
"""

from __future__ import annotations

import ast
import configparser
from collections.abc import Mapping
from typing import cast

import attrs

from codegenie_core.parsers.manifest_model import (
    Dependency,
    ManifestProblem,
    Parsed,
    PythonManifest,
    group_label,
    load_toml,
    pep503,
    sorted_dependencies,
)
from codegenie_core.parsers.python_manifest import parse_requirement

__all__ = ["MAX_LITERAL_DEPTH", "parse_pipfile", "parse_setup_cfg", "parse_setup_py"]

MAX_LITERAL_DEPTH = 16
_COMPUTED = ("attr:", "file:")
_PIPFILE_NOT_PACKAGES = frozenset({"source", "requires", "scripts", "pipenv"})


def parse_setup_cfg(text: str) -> Parsed[PythonManifest]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as error:
        line = getattr(error, "lineno", None)
        message = str(error).splitlines()[0]
        return Parsed(
            value=None,
            problems=(
                ManifestProblem(message=message, line=line if isinstance(line, int) else None),
            ),
        )
    problems: list[ManifestProblem] = []
    not_literal: list[str] = []

    def literal(section: str, key: str) -> str | None:
        value = parser.get(section, key, fallback=None)
        if value is None:
            return None
        value = value.strip()
        if value.startswith(_COMPUTED):
            not_literal.append(f"{key}: {value} (computed by setuptools, not read)")
            return None
        return value

    dependencies: list[Dependency] = []
    requires = literal("options", "install_requires")
    _lines(requires or "", "runtime", dependencies, problems)
    extras: dict[str, tuple[str, ...]] = {}
    if parser.has_section("options.extras_require"):
        for extra in parser.options("options.extras_require"):
            found: list[Dependency] = []
            _lines(
                literal("options.extras_require", extra) or "", f"extra:{extra}", found, problems
            )
            extras[extra] = tuple(sorted({d.name for d in found}))
            dependencies.extend(_in_extra(found, str(extra)))
    scripts = _console_scripts(
        (literal("options.entry_points", "console_scripts") or "").splitlines()
    )
    name = literal("metadata", "name")
    manifest = PythonManifest(
        kind="setup.cfg",
        name=pep503(name) if name else None,
        version=literal("metadata", "version"),
        requires_python=literal("options", "python_requires"),
        dependencies=sorted_dependencies(dependencies),
        scripts=scripts,
        extras=dict(sorted(extras.items())),
        not_literal=tuple(not_literal),
    )
    return Parsed(value=manifest, problems=tuple(problems))


def _lines(value: str, scope: str, out: list[Dependency], problems: list[ManifestProblem]) -> None:
    for line in value.splitlines():
        item = line.split(" #", 1)[0].strip()
        if not item or item.startswith("#"):
            continue
        dependency = parse_requirement(item, scope=scope)
        if dependency is None:
            problems.append(ManifestProblem(message=f"not a PEP 508 requirement: {item!r}"))
            continue
        out.append(dependency)


def _console_scripts(lines: list[str] | tuple[str, ...]) -> dict[str, str]:
    # entry point = name *WSP "=" *WSP object-reference          (the entry points specification)
    scripts: dict[str, str] = {}
    for line in lines:
        name, equals, target = line.partition("=")
        if equals and name.strip() and target.strip():
            scripts[name.strip()] = target.strip()
    return dict(sorted(scripts.items()))


class _NotLiteral:
    """The marker for an expression that is not a literal."""


_NOT = _NotLiteral()


def _literal(node: ast.expr, depth: int = 0) -> object:
    """Rule 2: the value of a literal expression, or `_NOT`; never evaluates anything."""
    if depth > MAX_LITERAL_DEPTH:
        return _NOT
    if isinstance(node, ast.Constant):
        value: object = node.value
        return value if isinstance(value, str | int | float | bool) or value is None else _NOT
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items = [_literal(e, depth + 1) for e in node.elts]
        return _NOT if any(i is _NOT for i in items) else items
    if isinstance(node, ast.Dict):
        out: dict[str, object] = {}
        for key, value_node in zip(node.keys, node.values, strict=True):
            if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                return _NOT
            item = _literal(value_node, depth + 1)
            if item is _NOT:
                return _NOT
            out[key.value] = item
        return out
    return _NOT


def _is_setup(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id == "setup"
    return isinstance(func, ast.Attribute) and func.attr == "setup"


def parse_setup_py(text: str) -> Parsed[PythonManifest]:
    try:
        tree = ast.parse(text, mode="exec")
    except SyntaxError as error:
        return Parsed(
            value=None,
            problems=(
                ManifestProblem(
                    message=f"not Python: {error.msg}", line=error.lineno, column=error.offset
                ),
            ),
        )
    except (RecursionError, MemoryError):
        return Parsed(value=None, problems=(ManifestProblem(message="setup.py nested too deeply"),))
    except ValueError as error:  # source with NUL bytes
        return Parsed(value=None, problems=(ManifestProblem(message=f"not Python: {error}"),))
    call = next((n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_setup(n.func)), None)
    if call is None:
        return Parsed(
            value=None, problems=(ManifestProblem(message="no setup(...) call in setup.py"),)
        )
    problems: list[ManifestProblem] = []
    not_literal: list[str] = []
    values: dict[str, object] = {}
    wanted = (
        "name",
        "version",
        "install_requires",
        "extras_require",
        "python_requires",
        "entry_points",
    )
    for keyword in call.keywords:
        if keyword.arg is None:
            spread = keyword.value.id if isinstance(keyword.value, ast.Name) else "..."
            not_literal.append(
                f"**{spread}: keyword arguments not written as literals (line {keyword.lineno})"
            )
            continue
        if keyword.arg not in wanted:
            continue
        value = _literal(keyword.value)
        if value is _NOT:
            not_literal.append(f"{keyword.arg}: not a literal (line {keyword.lineno})")
            continue
        values[keyword.arg] = value
    if any(isinstance(a, ast.Starred) for a in call.args):
        not_literal.append(
            f"*args: positional arguments not written as literals (line {call.lineno})"
        )
    dependencies: list[Dependency] = []
    _requirement_list(values.get("install_requires"), "runtime", dependencies, problems)
    extras: dict[str, tuple[str, ...]] = {}
    extras_value = values.get("extras_require")
    if isinstance(extras_value, Mapping):
        for extra, items in cast("Mapping[str, object]", extras_value).items():
            found: list[Dependency] = []
            _requirement_list(items, f"extra:{extra}", found, problems)
            extras[extra] = tuple(sorted({d.name for d in found}))
            dependencies.extend(_in_extra(found, str(extra)))
    elif extras_value is not None:
        problems.append(ManifestProblem(message="extras_require is not a dict"))
    entry_points = values.get("entry_points")
    scripts: dict[str, str] = {}
    if isinstance(entry_points, Mapping):
        console = cast("Mapping[str, object]", entry_points).get("console_scripts")
        if isinstance(console, list):
            scripts = _console_scripts(
                [i for i in cast("list[object]", console) if isinstance(i, str)]
            )
        elif isinstance(console, str):
            scripts = _console_scripts(console.splitlines())
    name = _text(values, "name", problems)
    manifest = PythonManifest(
        kind="setup.py",
        name=pep503(name) if name else None,
        version=_text(values, "version", problems),
        requires_python=_text(values, "python_requires", problems),
        dependencies=sorted_dependencies(dependencies),
        scripts=scripts,
        extras=dict(sorted(extras.items())),
        not_literal=tuple(not_literal),
    )
    return Parsed(value=manifest, problems=tuple(problems))


def _text(values: Mapping[str, object], key: str, problems: list[ManifestProblem]) -> str | None:
    value = values.get(key)
    if value is None or isinstance(value, str):
        return value
    problems.append(ManifestProblem(message=f"setup() {key} is not a string"))
    return None


def _requirement_list(
    value: object, scope: str, out: list[Dependency], problems: list[ManifestProblem]
) -> None:
    if value is None:
        return
    if isinstance(value, str):  # setuptools accepts one string of newline-separated requirements
        _lines(value, scope, out, problems)
        return
    if not isinstance(value, list):
        problems.append(ManifestProblem(message=f"{scope} requirements are not a list"))
        return
    for item in cast("list[object]", value):
        if not isinstance(item, str):
            problems.append(ManifestProblem(message=f"not a requirement string: {item!r}"))
            continue
        _lines(item, scope, out, problems)


def _in_extra(found: list[Dependency], extra: str) -> list[Dependency]:
    """The requirements of one extra, labelled with it (ADR-0084; PEP 685 normalises extras)."""
    label = (group_label("extra", extra),)
    return [attrs.evolve(d, groups=label) for d in found]


def parse_pipfile(text: str) -> Parsed[PythonManifest]:
    document = load_toml(text)
    if isinstance(document, ManifestProblem):
        return Parsed(value=None, problems=(document,))
    problems: list[ManifestProblem] = []
    dependencies: list[Dependency] = []
    for category, table in document.items():
        if category in _PIPFILE_NOT_PACKAGES:
            continue
        if not isinstance(table, Mapping):
            problems.append(ManifestProblem(message=f"{category!r} is not a table"))
            continue
        scope = {"packages": "runtime", "dev-packages": "dev"}.get(category, f"group:{category}")
        # ADR-0084: `dev-packages` is the dev group; other categories are groups as written
        groups = {"packages": (), "dev-packages": ("group:dev",)}.get(
            category, (group_label("group", category, normalise=False),)
        )
        for name, value in cast("Mapping[str, object]", table).items():
            dependency = _pipfile_package(name, value, scope)
            if dependency is None:
                problems.append(ManifestProblem(message=f"{category}: {name!r} is not a package"))
                continue
            dependencies.append(attrs.evolve(dependency, groups=groups))
    requires = document.get("requires")
    python: str | None = None
    if isinstance(requires, Mapping):
        table = cast("Mapping[str, object]", requires)
        found = table.get("python_full_version", table.get("python_version"))
        python = found if isinstance(found, str) else None
    scripts_table = document.get("scripts")
    scripts: dict[str, str] = {}
    if isinstance(scripts_table, Mapping):
        scripts = {
            k: v
            for k, v in sorted(cast("Mapping[str, object]", scripts_table).items())
            if isinstance(v, str)
        }
    manifest = PythonManifest(
        kind="pipfile",
        name=None,
        version=None,
        requires_python=python,
        dependencies=sorted_dependencies(dependencies),
        scripts=scripts,
    )
    return Parsed(value=manifest, problems=tuple(problems))


def _pipfile_package(name: str, value: object, scope: str) -> Dependency | None:
    if isinstance(value, str):
        return Dependency(name=pep503(name), spec=value, scope=scope)
    if not isinstance(value, Mapping):
        return None
    entry = cast("Mapping[str, object]", value)
    spec = ""
    for key in ("version", "git", "path", "file"):
        found = entry.get(key)
        if isinstance(found, str):
            spec = found if key == "version" else f"{key}:{found}"
            break
    raw_extras = entry.get("extras")
    extras = (
        tuple(sorted(e for e in cast("list[object]", raw_extras) if isinstance(e, str)))
        if isinstance(raw_extras, list)
        else ()
    )
    marker = entry.get("markers")
    return Dependency(
        name=pep503(name),
        spec=spec,
        scope=scope,
        extras=extras,
        marker=marker if isinstance(marker, str) else None,
    )
