"""Python manifests: `pyproject.toml` (PEP 621, PEP 735 groups, Poetry, uv) and `requirements*.txt`.

Rule 1: TOML is read with stdlib `tomllib`; only PEP 508 requirement strings and the
requirements-file line format (which are not structured formats) are read with regexes.
Rule 2: project names are normalized per PEP 503; extras and markers are kept as text.
Rule 3: requirements files list what to install, not why: their dependencies get the scope
"requirements", and their `-r`/`-c` includes are noted, not followed (the included file is a
manifest of its own when the probe's globs match it).
Rule 4: a dependency says which dependency groups and extras declare it (`groups`, ADR-0084):
`extra:<x>` for PEP 621 and Poetry extras, `group:<g>` for PEP 735, PDM and Poetry groups,
`group:dev` for Poetry's and uv's legacy dev-dependencies; PEP 735 `{include-group}` tables are
expanded by `parsers.dependency_groups`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal, cast

import attrs

from codegenie_core.parsers.dependency_groups import expand_dependency_groups
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

# requirement = name *WSP [ "[" extras "]" ] *WSP ( "@" url / [ versionspec ] ) [ ";" marker ]
# name        = alnum [ *( alnum / "-" / "_" / "." ) alnum ]                     (PEP 508)
_REQUIREMENT = re.compile(
    r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*([^;]*?)\s*(?:;\s*(.*?)\s*)?\Z",
    re.DOTALL,
)
# comment = ( start-of-line / 1*WSP ) "#" *CHAR            (pip's rule: "#" must follow a blank)
_COMMENT = re.compile(r"(?:^|\s+)#.*\Z", re.DOTALL)
# url = scheme "://" *CHAR ; scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )   (RFC 3986)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
# egg = "#egg=" name                                         (pip's name for a URL requirement)
_EGG = re.compile(r"#egg=([A-Za-z0-9._-]+)")

_INCLUDE_OPTIONS = {"-r": "-r", "--requirement": "-r", "-c": "-c", "--constraint": "-c"}
_EDITABLE_OPTIONS = ("-e", "--editable")
_IGNORED_OPTIONS = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "--no-index",
        "-f",
        "--find-links",
        "--pre",
        "--prefer-binary",
        "--require-hashes",
        "--only-binary",
        "--no-binary",
        "--trusted-host",
        "--use-feature",
    }
)


def pinned_version(spec: str) -> str | None:
    """The version an exact `==x` / `===x` specifier fixes (PEP 440 version matching and
    arbitrary equality), or None for a range, a wildcard (`==1.*`) or several clauses."""
    text = spec.strip()
    for operator in ("===", "=="):
        if text.startswith(operator):
            version = text[len(operator) :].strip()
            if version and not any(c in version for c in ",;*<>!=~ \t"):
                return version
            return None
    return None


def parse_requirement(text: str, *, scope: str) -> Dependency | None:
    """One PEP 508 requirement string, or None when it does not start with a project name."""
    match = _REQUIREMENT.match(text)
    if match is None:
        return None
    name, extras, spec, marker = match.groups()
    spec = spec.strip()
    if spec.startswith("(") and spec.endswith(")"):
        spec = spec[1:-1].strip()
    if spec and not spec.startswith("@") and spec[0] not in "<>=!~":
        return None  # a word after the name that is no version operator: not a requirement
    return Dependency(
        name=pep503(name),
        spec=spec,
        scope=scope,
        extras=tuple(sorted(e.strip() for e in extras.split(",") if e.strip())) if extras else (),
        marker=marker or None,
    )


def parse_requirements_txt(text: str) -> Parsed[PythonManifest]:
    """A pip requirements file: one requirement per logical line, comments and options aside."""
    problems: list[ManifestProblem] = []
    dependencies: list[Dependency] = []
    includes: list[str] = []
    for line_number, raw in _logical_lines(text):
        line = _COMMENT.sub("", raw).strip()
        if not line:
            continue
        if line.startswith("-"):
            option, value = _option(line)
            if option in _INCLUDE_OPTIONS:
                includes.append(f"{_INCLUDE_OPTIONS[option]} {value}")
            elif option in _EDITABLE_OPTIONS:
                dependencies.append(_url_requirement(value, line_number, problems, editable=True))
            elif option not in _IGNORED_OPTIONS:
                problems.append(
                    ManifestProblem(message=f"unknown option {option!r}", line=line_number)
                )
            continue
        requirement_text = line.split(" --", 1)[0]  # per-requirement options such as --hash
        if _URL.match(requirement_text) or requirement_text.startswith((".", "/")):
            dependencies.append(_url_requirement(requirement_text, line_number, problems))
            continue
        dependency = parse_requirement(requirement_text, scope="requirements")
        if dependency is None:
            problems.append(
                ManifestProblem(message=f"not a requirement: {line!r}", line=line_number)
            )
            continue
        dependencies.append(dependency)
    manifest = PythonManifest(
        kind="requirements",
        name=None,
        version=None,
        requires_python=None,
        dependencies=sorted_dependencies(dependencies),
        includes=tuple(includes),
    )
    return Parsed(value=manifest, problems=tuple(problems))


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) with backslash-newline continuations joined, as pip does."""
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 1
    for number, line in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if line.endswith("\\") and not _COMMENT.search(line):
            pending.append(line[:-1])
            continue
        pending.append(line)
        out.append((start, "".join(pending)))
        pending = []
    if pending:
        out.append((start, "".join(pending)))
    return out


def _option(line: str) -> tuple[str, str]:
    # option = ( "--" name ( "=" / 1*WSP ) value ) / ( "-" letter *WSP value )
    if not line.startswith("--"):
        return line[:2], line[2:].strip()
    head, _, rest = line.partition(" ")
    if "=" in head:
        name, _, value = line.partition("=")
        return name, value.strip()
    return head, rest.strip()


def _url_requirement(
    value: str, line: int, problems: list[ManifestProblem], *, editable: bool = False
) -> Dependency:
    egg = _EGG.search(value)
    if egg is None:
        problems.append(
            ManifestProblem(message=f"requirement without a project name: {value!r}", line=line)
        )
    return Dependency(
        name=pep503(egg.group(1)) if egg else value,
        spec=("editable " if editable else "") + value,
        scope="requirements",
    )


def parse_pyproject(text: str) -> Parsed[PythonManifest]:
    """A pyproject.toml: PEP 621 `[project]`, PEP 735 `[dependency-groups]`, `[tool.poetry]`."""
    document = load_toml(text)
    if isinstance(document, ManifestProblem):
        return Parsed(value=None, problems=(document,))
    problems: list[ManifestProblem] = []
    dependencies: list[Dependency] = []
    project = _table(document, "project", problems)
    tool = _table(document, "tool", problems)
    poetry = _table(tool, "poetry", problems) if tool is not None else None
    name = version = requires_python = None
    extra_names: dict[str, tuple[str, ...]] = {}
    scripts: dict[str, str] = {}
    if project is not None:
        name = _string(project, "name", problems)
        version = _string(project, "version", problems)
        requires_python = _string(project, "requires-python", problems)
        _requirements(project.get("dependencies"), "runtime", dependencies, problems)
        extras = _table(project, "optional-dependencies", problems) or {}
        for extra, items in extras.items():
            found: list[Dependency] = []
            _requirements(
                items, f"extra:{extra}", found, problems, groups=(group_label("extra", extra),)
            )
            extra_names[extra] = tuple(sorted({d.name for d in found}))
            dependencies.extend(found)
        scripts.update(_scripts(_table(project, "scripts", problems)))
    groups_table = _table(document, "dependency-groups", problems) or {}
    for group in expand_dependency_groups(groups_table, problems):
        _requirements(
            group.items,
            f"group:{group.name}",
            dependencies,
            problems,
            groups=(f"group:{group.normalised}",),
        )
    # `[tool.pdm.dev-dependencies] group = [requirements]` and uv's legacy
    # `[tool.uv] dev-dependencies = [requirements]` (each tool's documented dev settings)
    pdm = _table(tool, "pdm", problems) if tool is not None else None
    pdm_dev = (_table(pdm, "dev-dependencies", problems) if pdm is not None else None) or {}
    for group, items in pdm_dev.items():
        label = group_label("group", group)  # PDM normalises its group names as PEP 735 does
        _requirements(items, f"group:{group}", dependencies, problems, groups=(label,))
    uv = _table(tool, "uv", problems) if tool is not None else None
    if uv is not None:
        # uv installs its legacy dev-dependencies as the `dev` group
        dev = uv.get("dev-dependencies")
        _requirements(dev, "dev", dependencies, problems, groups=("group:dev",))
    if poetry is not None:
        name = name or _string(poetry, "name", problems)
        version = version or _string(poetry, "version", problems)
        main = _table(poetry, "dependencies", problems) or {}
        python = main.get("python")
        if requires_python is None and isinstance(python, str):
            requires_python = python
        poetry_extras = _poetry_extras(_table(poetry, "extras", problems), problems)
        for extra, names in poetry_extras.items():
            extra_names.setdefault(extra, names)
        _poetry(main, "runtime", dependencies, poetry_extras)
        for script, target in _scripts(_table(poetry, "scripts", problems)).items():
            scripts.setdefault(script, target)
        # Poetry reads its legacy dev-dependencies as the `dev` group
        dev = _table(poetry, "dev-dependencies", problems) or {}
        _poetry(dev, "dev", dependencies, group="group:dev")
        for group, table in (_table(poetry, "group", problems) or {}).items():
            if isinstance(table, Mapping):
                group_table = cast("Mapping[str, object]", table)
                _poetry(
                    _table(group_table, "dependencies", problems) or {},
                    f"group:{group}",
                    dependencies,
                    group=group_label("group", group, normalise=False),
                )
    members, exclude = _uv_workspace(tool, problems)
    kind: Literal["pep621", "poetry", "pep621+poetry", "other"]
    if project is not None and poetry is not None:
        kind = "pep621+poetry"
    elif project is not None:
        kind = "pep621"
    elif poetry is not None:
        kind = "poetry"
    else:
        kind = "other"
    manifest = PythonManifest(
        kind=kind,
        name=pep503(name) if name else None,
        version=version,
        requires_python=requires_python,
        dependencies=sorted_dependencies(dependencies),
        scripts=dict(sorted(scripts.items())),
        extras=dict(sorted(extra_names.items())),
        workspace=members,
        workspace_exclude=exclude,
    )
    return Parsed(value=manifest, problems=tuple(problems))


def _uv_workspace(
    tool: Mapping[str, object] | None, problems: list[ManifestProblem]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`[tool.uv.workspace] members = [globs], exclude = [globs]` (uv's workspace settings)."""
    uv = _table(tool, "uv", problems) if tool is not None else None
    workspace = _table(uv, "workspace", problems) if uv is not None else None
    if workspace is None:
        return (), ()
    return _globs(workspace, "members", problems), _globs(workspace, "exclude", problems)


def _globs(
    table: Mapping[str, object], key: str, problems: list[ManifestProblem]
) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list):
        problems.append(ManifestProblem(message=f"workspace {key!r} is not a list"))
        return ()
    out: list[str] = []
    for item in cast("list[object]", value):
        if isinstance(item, str):
            out.append(item)
        else:
            problems.append(ManifestProblem(message=f"workspace {key!r}: {item!r} is not a glob"))
    return tuple(out)


def _scripts(table: Mapping[str, object] | None) -> dict[str, str]:
    """`name = "module:function"` entries (PEP 621 `[project.scripts]`, `[tool.poetry.scripts]`,
    whose table form `{ reference = ..., type = ... }` gives its reference)."""
    out: dict[str, str] = {}
    for name, value in (table or {}).items():
        if isinstance(value, str):
            out[name] = value
        elif isinstance(value, Mapping):
            reference = cast("Mapping[str, object]", value).get("reference")
            if isinstance(reference, str):
                out[name] = reference
    return out


def _poetry_extras(
    table: Mapping[str, object] | None, problems: list[ManifestProblem]
) -> dict[str, tuple[str, ...]]:
    # [tool.poetry.extras] extra = [ "name", ... ]   (names of optional main dependencies)
    out: dict[str, tuple[str, ...]] = {}
    for extra, names in (table or {}).items():
        if not isinstance(names, list):
            problems.append(ManifestProblem(message=f"extra {extra!r} is not a list"))
            continue
        out[extra] = tuple(
            sorted({pep503(n) for n in cast("list[object]", names) if isinstance(n, str)})
        )
    return out


def _table(
    container: Mapping[str, object], key: str, problems: list[ManifestProblem]
) -> Mapping[str, object] | None:
    value = container.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        problems.append(ManifestProblem(message=f"{key!r} is not a table"))
        return None
    return cast("Mapping[str, object]", value)


def _string(table: Mapping[str, object], key: str, problems: list[ManifestProblem]) -> str | None:
    value = table.get(key)
    if value is None or isinstance(value, str):
        return value
    problems.append(ManifestProblem(message=f"{key!r} is not a string"))
    return None


def _requirements(
    items: object,
    scope: str,
    out: list[Dependency],
    problems: list[ManifestProblem],
    *,
    groups: tuple[str, ...] = (),
) -> None:
    if items is None:
        return
    if not isinstance(items, list):
        problems.append(ManifestProblem(message=f"{scope} dependencies are not a list"))
        return
    for item in cast("list[object]", items):
        dependency = parse_requirement(item, scope=scope) if isinstance(item, str) else None
        if dependency is None:
            problems.append(ManifestProblem(message=f"not a PEP 508 requirement: {item!r}"))
            continue
        out.append(attrs.evolve(dependency, groups=groups) if groups else dependency)


def _poetry(
    table: Mapping[str, object],
    scope: str,
    out: list[Dependency],
    extras_of: Mapping[str, tuple[str, ...]] | None = None,
    *,
    group: str | None = None,
) -> None:
    # dependency = name "=" ( constraint / { version, extras, markers, optional, path, git, url }
    #                         / [ table, ... ] )                 (Poetry's dependency specification)
    # Poetry: an `optional = true` main dependency is installed only through the extras of
    # `[tool.poetry.extras]` that name it: scope "extra:<x>" when one extra names it, else
    # "optional" (several extras, or none). Its groups are every extra naming it (ADR-0084).
    for name, value in table.items():
        if name == "python":
            continue  # the interpreter constraint, reported as requires_python
        spec, extras, marker = "", (), None
        written_scope = scope
        groups: tuple[str, ...] = (group,) if group is not None else ()
        if (
            isinstance(value, Mapping)
            and cast("Mapping[str, object]", value).get("optional") is True
        ):
            named = sorted(e for e, names in (extras_of or {}).items() if pep503(name) in names)
            written_scope = f"extra:{named[0]}" if len(named) == 1 else "optional"
            groups = tuple(sorted({group_label("extra", e) for e in named}))
        if isinstance(value, str):
            spec = value
        elif isinstance(value, Mapping):
            entry = cast("Mapping[str, object]", value)
            spec = _poetry_source(entry)
            raw_extras = entry.get("extras")
            if isinstance(raw_extras, list):
                extras = tuple(
                    sorted(e for e in cast("list[object]", raw_extras) if isinstance(e, str))
                )
            marker_value = entry.get("markers")
            marker = marker_value if isinstance(marker_value, str) else None
        elif isinstance(value, list):
            entries = [
                cast("Mapping[str, object]", e)
                for e in cast("list[object]", value)
                if isinstance(e, Mapping)
            ]
            spec = " | ".join(_poetry_source(e) for e in entries)
        out.append(
            Dependency(
                name=pep503(name),
                spec=spec,
                scope=written_scope,
                extras=extras,
                marker=marker,
                groups=groups,
            )
        )


def _poetry_source(entry: Mapping[str, object]) -> str:
    for key in ("version", "path", "git", "url"):
        value = entry.get(key)
        if isinstance(value, str):
            return value if key == "version" else f"{key}:{value}"
    return ""
