"""The npm family's workspaces (npm, yarn, bun `workspaces`; `pnpm-workspace.yaml`) as a
`WorkspaceReader`: members, who depends on whom, and the `catalog:` / `workspace:` rewrites.

Rule 1: a workspace is a `package.json` with `workspaces` (list or `{packages}`; the tool is the
one its lockfile names, npm when none) or a `pnpm-workspace.yaml` with `packages`. Its patterns
are expanded over the directories below it holding a `package.json` (`workspace_globs.expand`:
npm's ordered `!`, pnpm's ignore-list `!`). A pattern matching nothing is in `unmatched` and is a
medium reason. A `package.json` beside a `pnpm-workspace.yaml` that pnpm installs (its lockfile is
pnpm's) is not a second workspace: pnpm reads only the YAML file.
Rule 2: `depends` maps each project of the workspace (the root's directory and each member) to
the members whose package name it declares, in any dependency section, or that a `workspace:`
alias or path names.
Rule 3: `catalog:` and `catalog:<name>` (pnpm's catalogs; `catalog:` is `catalog:default`, which
is the top-level `catalog` or `catalogs.default`) become `effective_spec` = the catalog's range
for the dependency; a catalog without an entry for it is a reason.
Rule 4: `workspace:<x>` names the member with the dependency's name (or `workspace:<alias>@<x>`'s
alias, or the member at the relative path `workspace:../dir`): `pinned` is the member's version
and `source` `workspace:<dir>`. `effective_spec` is what pnpm publishes it as (pnpm docs,
"Workspace protocol"): `workspace:*` -> the exact version, `workspace:^` -> `^<version>`,
`workspace:~` -> `~<version>`, `workspace:<range>` -> `<range>`. No such member is a reason.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import cast

import attrs

from codegenie_core.parsers.inventory import Declared, Reason, Workspace
from codegenie_core.parsers.manifest_model import Dependency, NpmManifest
from codegenie_core.parsers.workspace_globs import expand
from codegenie_core.probes.layer_a.inputs import InputProblem
from codegenie_core.probes.layer_a.workspace_model import WorkspaceFacts, WorkspaceInput

__all__ = ["PNPM_WORKSPACE", "read_npm_workspaces"]

PNPM_WORKSPACE = "pnpm-workspace.yaml"
_CATALOG = "catalog:"
_WORKSPACE = "workspace:"


@attrs.frozen(kw_only=True)
class _Root:
    tool: str
    root: str  # the file that declares the workspace
    patterns: tuple[str, ...]
    ordered: bool
    catalogs: Mapping[str, Mapping[str, str]] | None  # None: the tool has no catalogs


def _dir(path: str) -> str:
    return posixpath.dirname(path) or "."


def _under(root_dir: str, path: str) -> str | None:
    """`path` relative to `root_dir` ("." for the root itself), or None when outside it."""
    if root_dir == ".":
        return path
    if path == root_dir:
        return "."
    prefix = f"{root_dir}/"
    return path[len(prefix) :] if path.startswith(prefix) else None


def _strings(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        return {}
    items = cast("Mapping[object, object]", value)
    return {k: v for k, v in items.items() if isinstance(k, str) and isinstance(v, str)}


def _pnpm_root(path: str, document: object, problems: list[InputProblem]) -> _Root | None:
    if document is None:
        document = {}
    if not isinstance(document, Mapping):
        problems.append(InputProblem(path=path, message="not a YAML mapping"))
        return None
    fields = cast("Mapping[str, object]", document)
    raw = fields.get("packages", [])
    patterns: list[str] = []
    if isinstance(raw, list):
        patterns = [p for p in cast("list[object]", raw) if isinstance(p, str)]
    if not isinstance(raw, list) or len(patterns) != len(cast("list[object]", raw)):
        problems.append(InputProblem(path=path, message="'packages' is not a list of strings"))
    catalogs: dict[str, Mapping[str, str]] = {}
    named = fields.get("catalogs")
    if isinstance(named, Mapping):
        for name, entries in cast("Mapping[object, object]", named).items():
            if isinstance(name, str):
                catalogs[name] = _strings(entries)
    if "catalog" in fields:  # the top-level `catalog` is the default catalog (pnpm docs)
        catalogs["default"] = {**catalogs.get("default", {}), **_strings(fields["catalog"])}
    return _Root(tool="pnpm", root=path, patterns=tuple(patterns), ordered=False, catalogs=catalogs)


def _roots(view: WorkspaceInput, problems: list[InputProblem]) -> list[_Root]:
    roots: list[_Root] = []
    pnpm_dirs: set[str] = set()
    for path in sorted(p for p in view.files if posixpath.basename(p) == PNPM_WORKSPACE):
        text = view.read_text(path)
        if isinstance(text, InputProblem):
            problems.append(text)
            continue
        document = view.parse_yaml(path, text)
        if isinstance(document, InputProblem):
            problems.append(document)
            continue
        root = _pnpm_root(path, document, problems)
        if root is not None:
            roots.append(root)
            pnpm_dirs.add(_dir(path))
    for path, manifest in sorted(view.manifests.get("npm", {}).items()):
        if not isinstance(manifest, NpmManifest) or not manifest.workspaces:
            continue
        if manifest.package_manager == "pnpm" and _dir(path) in pnpm_dirs:
            continue  # Rule 1: pnpm reads pnpm-workspace.yaml, not `workspaces`
        roots.append(
            _Root(
                tool=manifest.package_manager or "npm",
                root=path,
                patterns=manifest.workspaces,
                ordered=True,
                catalogs=None,
            )
        )
    return roots


@attrs.define
class _Facts:
    workspaces: list[Workspace] = attrs.field(factory=list[Workspace])
    rewrites: dict[tuple[str, str, str], Declared] = attrs.field(
        factory=dict[tuple[str, str, str], Declared]
    )
    reasons: list[Reason] = attrs.field(factory=list[Reason])


def _catalog_rewrite(
    root: _Root, path: str, dependency: Dependency, facts: _Facts
) -> Declared | None:
    name = dependency.spec[len(_CATALOG) :].strip() or "default"
    subject = f"{path}: {dependency.name}"
    if root.catalogs is None:
        facts.reasons.append(Reason(subject=subject, reason=f"{root.tool} has no catalogs"))
        return None
    catalog = root.catalogs.get(name)
    spec = catalog.get(dependency.name) if catalog is not None else None
    if spec is None:
        facts.reasons.append(
            Reason(
                subject=subject,
                reason=f"catalog {name!r} in {root.root} has no entry for {dependency.name}",
            )
        )
        return None
    return Declared(
        ecosystem="npm",
        manifest=path,
        member=_dir(path),
        dependency=dependency,
        effective_spec=spec,
    )


def _published(written: str, version: str) -> str:
    """Rule 4: the range pnpm publishes `workspace:<written>` as."""
    match written:
        case "*" | "":
            return version
        case "^" | "~":
            return f"{written}{version}"
        case _:
            return written


def _workspace_rewrite(
    path: str,
    dependency: Dependency,
    projects: Mapping[str, NpmManifest],
    by_name: Mapping[str, str],
    facts: _Facts,
) -> Declared | None:
    written = dependency.spec[len(_WORKSPACE) :]
    target, rest = dependency.name, written
    member: str | None
    if written.startswith(("./", "../")):
        member = posixpath.normpath(posixpath.join(_dir(path), written))  # workspace:../dir
        member = member if member in projects else None
        rest = "*"
    else:
        at = written.find("@", 1)
        if at > 0:  # workspace:<alias>@<range>
            target, rest = written[:at], written[at + 1 :]
        member = by_name.get(target)
    subject = f"{path}: {dependency.name}"
    if member is None:
        facts.reasons.append(
            Reason(subject=subject, reason=f"{dependency.spec} names no member of the workspace")
        )
        return None
    version = projects[member].version
    if version is None:
        facts.reasons.append(
            Reason(subject=subject, reason=f"the workspace member {member} has no version")
        )
    return Declared(
        ecosystem="npm",
        manifest=path,
        member=_dir(path),
        dependency=dependency,
        effective_spec=_published(rest, version) if version is not None else None,
        pinned=version,
        source=f"workspace:{member}",
    )


def _one(root: _Root, npm: Mapping[str, NpmManifest], facts: _Facts) -> None:
    root_dir = _dir(root.root)
    relative = {rel: path for path in npm if (rel := _under(root_dir, _dir(path))) is not None}
    expansion = expand(root.patterns, tuple(sorted(relative)), ordered=root.ordered)
    projects: dict[str, NpmManifest] = {
        posixpath.normpath(posixpath.join(root_dir, rel)): npm[relative[rel]]
        for rel in expansion.members
    }
    members = tuple(sorted(projects))
    if "." in relative:
        projects.setdefault(root_dir, npm[relative["."]])
    by_name: dict[str, str] = {}
    for directory in sorted(projects):
        name = projects[directory].name
        if name is not None:
            by_name.setdefault(name, directory)
    depends: dict[str, tuple[str, ...]] = {}
    for directory, manifest in sorted(projects.items()):
        wanted = {by_name[d.name] for d in manifest.dependencies if d.name in by_name}
        path = "package.json" if directory == "." else f"{directory}/package.json"
        for dependency in manifest.dependencies:
            key = (path, dependency.name, dependency.scope)
            if key in facts.rewrites:
                continue
            rewritten: Declared | None = None
            if dependency.spec.startswith(_CATALOG):
                rewritten = _catalog_rewrite(root, path, dependency, facts)
            elif dependency.spec.startswith(_WORKSPACE):
                rewritten = _workspace_rewrite(path, dependency, projects, by_name, facts)
            if rewritten is not None:
                facts.rewrites[key] = rewritten
                if rewritten.source is not None:  # an alias or a path names its member
                    wanted.add(rewritten.source.removeprefix(_WORKSPACE))
        wanted.discard(directory)
        if wanted:
            depends[directory] = tuple(sorted(wanted))
    for pattern in expansion.unmatched:
        facts.reasons.append(
            Reason(subject=root.root, reason=f"workspace pattern {pattern!r} matches no package")
        )
    facts.workspaces.append(
        Workspace(
            tool=root.tool,
            root=root.root,
            patterns=root.patterns,
            members=members,
            unmatched=expansion.unmatched,
            depends=depends,
        )
    )


def read_npm_workspaces(view: WorkspaceInput) -> WorkspaceFacts:
    """Rules 1-4 over every npm-family workspace in the repository."""

    problems: list[InputProblem] = []
    npm = {
        path: manifest
        for path, manifest in view.manifests.get("npm", {}).items()
        if isinstance(manifest, NpmManifest)
    }
    facts = _Facts()
    for root in _roots(view, problems):
        _one(root, npm, facts)
    return WorkspaceFacts(
        workspaces=tuple(facts.workspaces),
        rewrites=facts.rewrites,
        reasons=tuple(facts.reasons),
        problems=tuple(problems),
    )
