"""The Cargo workspace reader: `[workspace]` members, inherited dependencies, path dependencies,
and the workspace's members in its `Cargo.lock`.

The rules are the Cargo Book's (doc.rust-lang.org/cargo/reference/workspaces.html and
specifying-dependencies.html):
Rule 1: `members` and `exclude` are paths relative to the workspace root and support "typical
filename glob patterns like `*` and `?`" (Cargo expands them with the `glob` crate: a pattern is
matched one path component at a time, `**` spans components). A member is a directory with a
`Cargo.toml`; `exclude` wins over `members`, and excluding a directory excludes what is under
it. The root manifest's own `[package]`, when it has one, is a member, and "all path
dependencies residing in the workspace directory automatically become members". A `members`
pattern that matches no crate directory is a reason.
Rule 2: `dep = { workspace = true }` inherits `[workspace.dependencies].dep`; "along with the
`workspace` key, dependencies can also include `optional`" (never set on the workspace side) and
"`features`: these are additive with the features declared in the `[workspace.dependencies]`".
The inherited spec becomes the entry's `effective_spec`, the features the union of both.
Rule 3: a `path` dependency's source is `path:<dir>` (the directory relative to the repository);
between two members it is also a `depends` edge of the workspace.
Rule 4: a `Cargo.lock` lists members and path crates as `[[package]]` entries without `source`;
each such entry whose name is a member's (or a path dependency's) crate name gets the source
`workspace:<dir>` (or `path:<dir>`) and is the lock's importer for that directory: its
`dependencies` are the member's resolved direct dependencies (normal, dev and build).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase

import attrs

from codegenie_core.parsers.inventory import Declared, Reason, Workspace
from codegenie_core.parsers.lock_model import Importer, Lock, LockedPackage, member_dir
from codegenie_core.parsers.manifest_model import CargoManifest, Dependency

__all__ = ["CargoWorkspaceFacts", "cargo_workspaces", "pattern_matches"]

_MANIFEST = "Cargo.toml"


def _dir(manifest: str) -> str:
    return posixpath.dirname(manifest) or "."


def _manifest_in(directory: str) -> str:
    return _MANIFEST if directory == "." else f"{directory}/{_MANIFEST}"


def _parts(path: str) -> list[str]:
    return [] if path == "." else path.split("/")


def pattern_matches(pattern: Sequence[str], parts: Sequence[str]) -> bool:
    """Rule 1: a glob split in components matches a path split in components (`**` spans any
    number of components). Iterative over (pattern, path) positions: linear in their product,
    both a handful of components."""
    states = {(0, 0)}
    while states:
        next_states: set[tuple[int, int]] = set()
        for i, j in states:
            if i == len(pattern):
                if j == len(parts):
                    return True
                continue
            if pattern[i] == "**":
                next_states.add((i + 1, j))
                if j < len(parts):
                    next_states.add((i, j + 1))
            elif j < len(parts) and fnmatchcase(parts[j], pattern[i]):
                next_states.add((i + 1, j + 1))
        states = next_states  # every step advances i or j: at most len(pattern)+len(parts) steps
    return False


def _relative_pattern(root_dir: str, pattern: str) -> list[str] | None:
    joined = member_dir(_manifest_in(root_dir), pattern.rstrip("/"))
    return None if joined is None else _parts(joined)


@attrs.define
class _Root:
    path: str
    manifest: CargoManifest
    members: set[str]
    unmatched: list[str]
    excluded: list[str]  # crate directories a members pattern matched and `exclude` removed


@attrs.frozen(kw_only=True)
class CargoWorkspaceFacts:
    workspaces: tuple[Workspace, ...]
    rewrites: dict[tuple[str, str, str], Declared]  # (manifest, name, scope) -> rewritten
    reasons: tuple[Reason, ...]
    locks: dict[str, Lock]  # Rule 4: the Cargo.lock files refined


def cargo_workspaces(
    manifests: Mapping[str, CargoManifest], locks: Mapping[str, Lock]
) -> CargoWorkspaceFacts:
    """Rules 1-4 over the parsed Cargo manifests (by path) and the locks read (by path)."""
    crate_dirs = sorted(_dir(p) for p in manifests)
    reasons: list[Reason] = []
    roots = [
        _expand(path, m, crate_dirs, manifests)
        for path, m in sorted(manifests.items())
        if m.workspace
    ]
    root_of: dict[str, _Root] = {}
    for root in roots:
        for member in root.members:
            root_of.setdefault(member, root)
        reasons.extend(
            Reason(
                subject=f"{root.path}: {pattern}",
                reason="workspace member pattern matches no directory with a Cargo.toml",
            )
            for pattern in root.unmatched
        )
        reasons.extend(
            Reason(
                subject=_manifest_in(directory),
                reason=f"excluded from the workspace of {root.path}: that workspace's "
                "Cargo.lock does not pin its dependencies",
            )
            for directory in root.excluded
        )
    rewrites: dict[tuple[str, str, str], Declared] = {}
    depends: dict[str, dict[str, set[str]]] = {root.path: {} for root in roots}
    path_crates: dict[str, str] = {}  # directory -> crate name, for every path dependency
    for path, manifest in sorted(manifests.items()):
        member = _dir(path)
        root = root_of.get(member)
        inherited = _workspace_dependencies(root.manifest) if root is not None else {}
        for dependency in manifest.dependencies:
            if dependency.scope == "workspace":
                continue
            declared = _rewrite(path, dependency, root, inherited, reasons)
            if declared is None:
                continue
            rewrites[(path, dependency.name, dependency.scope)] = declared
            target = (
                declared.source[5:]
                if declared.source and declared.source.startswith("path:")
                else None
            )
            if target is None:
                continue
            crate = manifests.get(_manifest_in(target))
            if crate is not None and crate.name is not None:
                path_crates[target] = crate.name
            if root is not None and target in root.members and target != member:
                depends[root.path].setdefault(member, set()).add(target)
    workspaces = tuple(
        Workspace(
            tool="cargo",
            root=root.path,
            patterns=root.manifest.workspace_members,
            members=tuple(sorted(root.members)),
            unmatched=tuple(root.unmatched),
            depends={m: tuple(sorted(t)) for m, t in sorted(depends[root.path].items())},
        )
        for root in roots
    )
    return CargoWorkspaceFacts(
        workspaces=workspaces,
        rewrites=rewrites,
        reasons=tuple(reasons),
        locks={
            path: _refined(path, lock, manifests, {r.path: r for r in roots}, path_crates)
            for path, lock in locks.items()
            if lock.format == "cargo"
        },
    )


def _expand(
    path: str,
    manifest: CargoManifest,
    crate_dirs: Sequence[str],
    manifests: Mapping[str, CargoManifest],
) -> _Root:
    """Rule 1: the members a workspace root's patterns, package and path dependencies give."""
    root_dir = _dir(path)
    excludes = [
        parts
        for e in manifest.workspace_exclude
        if (parts := _relative_pattern(root_dir, e)) is not None
    ]

    def excluded(directory: str) -> bool:
        parts = _parts(directory)
        return any(pattern_matches([*e, "**"], parts) for e in excludes)

    members: set[str] = set()
    unmatched: list[str] = []
    removed: list[str] = []
    for pattern in manifest.workspace_members:
        parts = _relative_pattern(root_dir, pattern)
        hits = (
            [d for d in crate_dirs if pattern_matches(parts, _parts(d))]
            if parts is not None
            else []
        )
        if not hits:
            unmatched.append(pattern)
        members.update(d for d in hits if not excluded(d))
        removed.extend(d for d in hits if excluded(d))
    if manifest.name is not None:
        members.add(root_dir)
    inside = _parts(root_dir)
    pending = sorted(members)
    while pending:  # path dependencies inside the root directory join, transitively
        member = pending.pop()
        crate = manifests.get(_manifest_in(member))
        for dependency in crate.dependencies if crate is not None else ():
            target = _path_of(_manifest_in(member), dependency.spec)
            if (
                target is not None
                and target not in members
                and target in crate_dirs
                and _parts(target)[: len(inside)] == inside
                and not excluded(target)
            ):
                members.add(target)
                pending.append(target)
    return _Root(
        path=path,
        manifest=manifest,
        members=members,
        unmatched=unmatched,
        excluded=sorted(set(removed) - members),
    )


def _path_of(manifest: str, spec: str) -> str | None:
    """The repository directory of a `path:<dir> [version]` spec, relative to its manifest."""
    if not spec.startswith("path:"):
        return None
    return member_dir(manifest, spec[5:].split(" ", 1)[0])


def _workspace_dependencies(root: CargoManifest) -> dict[str, Dependency]:
    return {d.name: d for d in root.dependencies if d.scope == "workspace"}


def _rewrite(
    path: str,
    dependency: Dependency,
    root: _Root | None,
    inherited: Mapping[str, Dependency],
    reasons: list[Reason],
) -> Declared | None:
    """Rules 2-3: the declared dependency with its inherited spec, features and path source;
    None when there is nothing to rewrite."""
    base = Declared(ecosystem="cargo", manifest=path, member=_dir(path), dependency=dependency)
    if dependency.spec == "workspace":
        template = inherited.get(dependency.name)
        if root is None or template is None:
            reasons.append(
                Reason(
                    subject=f"{path}: {dependency.name}",
                    reason="inherits from [workspace.dependencies], which has no such entry"
                    if root is not None
                    else "inherits from a workspace, but no workspace root lists this crate",
                )
            )
            return None
        features = tuple(sorted({*template.extras, *dependency.extras}))
        target = _path_of(root.path, template.spec)
        return attrs.evolve(
            base,
            dependency=attrs.evolve(dependency, extras=features),
            effective_spec=template.spec,
            source=f"path:{target}" if target is not None else None,
        )
    target = _path_of(path, dependency.spec)
    if target is None:
        return None
    return attrs.evolve(base, source=f"path:{target}")


def _refined(
    lock_path: str,
    lock: Lock,
    manifests: Mapping[str, CargoManifest],
    roots: Mapping[str, _Root],
    path_crates: Mapping[str, str],
) -> Lock:
    """Rule 4: the lock's source-less packages named after the directories they are (a
    `Cargo.lock` belongs to the workspace whose root manifest is beside it)."""
    lock_dir = _dir(lock_path)
    root = roots.get(_manifest_in(lock_dir))
    if root is not None:
        member_dirs = sorted(root.members)
    else:
        single = manifests.get(_manifest_in(lock_dir))
        member_dirs = [lock_dir] if single is not None and single.name is not None else []
    names: dict[str, str] = {}
    for directory in member_dirs:
        crate = manifests.get(_manifest_in(directory))
        if crate is not None and crate.name is not None:
            names.setdefault(crate.name, f"workspace:{directory}")
    for directory, name in sorted(path_crates.items()):
        names.setdefault(name, f"path:{directory}")
    packages: list[LockedPackage] = []
    importers: list[Importer] = list(lock.importers)
    for package in lock.packages:
        source = names.get(package.name) if package.source is None else None
        if source is None:
            packages.append(package)
            continue
        packages.append(attrs.evolve(package, source=source))
        importers.append(Importer(path=source.partition(":")[2], dependencies=package.dependencies))
    return attrs.evolve(
        lock,
        packages=tuple(packages),
        importers=tuple(sorted(importers, key=lambda i: i.path)),
    )
