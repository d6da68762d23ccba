"""The tables the `manifests` probe reads the dependency inventory through (see ADR-0041).

Rule 1: each lockfile format is one `LockReader` in `LOCK_READERS`; the first reader whose
`matches` accepts a path reads it. A reader's `governs` names the manifest files a lockfile of
that format pins: a manifest is governed by the nearest such lockfile in its directory or an
ancestor (so a workspace root's lockfile governs its members), the first in table order winning
at one level.
Rule 2: each ecosystem's manifests become `Declared` dependencies through `DECLARED` (keyed by
the slice's ecosystem name); each workspace tool is one `WorkspaceReader`, which may also rewrite
declared specs (`catalog:`, `workspace:*`) before the join.
Rule 3: everything a reader or workspace reader may read is in `INVENTORY_GLOBS`, so it is in
the probe's `reads` and its cache key (scoped reads, ADR-0030).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence

import attrs

from codegenie_core.parsers.cargo_lock import read_cargo_lock
from codegenie_core.parsers.cargo_workspace import cargo_workspaces
from codegenie_core.parsers.go_inventory import go_declared, go_workspaces
from codegenie_core.parsers.inventory import Declared, Reason, Workspace
from codegenie_core.parsers.lock_model import Lock, LockReader
from codegenie_core.parsers.manifest_model import (
    CargoManifest,
    GoModule,
    MavenProject,
    NpmManifest,
    PythonManifest,
)
from codegenie_core.probes.layer_a.inputs import InputProblem

__all__ = [
    "DECLARED",
    "INVENTORY_GLOBS",
    "LOCK_READERS",
    "WORKSPACE_READERS",
    "GoverningLock",
    "WorkspaceFacts",
    "WorkspaceInput",
    "WorkspaceReader",
    "governing_locks",
]


@attrs.frozen(kw_only=True)
class GoverningLock:
    reader: LockReader
    governs: tuple[str, ...]  # manifest basenames this lockfile format pins


@attrs.frozen(kw_only=True)
class WorkspaceInput:
    """What a workspace reader sees: the probe's files, the parsed manifests by ecosystem and
    path, the text of any declared file, and the YAML reader."""

    files: Sequence[str]
    manifests: Mapping[str, Mapping[str, object]]  # ecosystem -> path -> manifest view
    read_text: Callable[[str], str | InputProblem]
    parse_yaml: Callable[[str, str], object | InputProblem]  # (path, text)
    locks: Mapping[str, Lock] = attrs.field(factory=dict[str, Lock])  # the locks read, by path


@attrs.frozen(kw_only=True)
class WorkspaceFacts:
    workspaces: tuple[Workspace, ...] = ()
    # (manifest path, dependency name, manifest scope) -> the declared dependency rewritten
    rewrites: Mapping[tuple[str, str, str], Declared] = attrs.field(
        factory=dict[tuple[str, str, str], Declared]
    )
    reasons: tuple[Reason, ...] = ()
    problems: tuple[InputProblem, ...] = ()
    # lockfile path -> the lock refined with what only the manifests say (Cargo.lock names its
    # members by package, not directory: the workspace reader adds their sources and importers)
    locks: Mapping[str, Lock] = attrs.field(factory=dict[str, Lock])


WorkspaceReader = Callable[[WorkspaceInput], WorkspaceFacts]


def _member(path: str) -> str:
    return posixpath.dirname(path) or "."


def _plain(ecosystem: str, path: str, manifest: object) -> list[Declared]:
    dependencies = getattr(manifest, "dependencies", ())
    return [
        Declared(ecosystem=ecosystem, manifest=path, member=_member(path), dependency=d)
        for d in dependencies
    ]


def _npm(path: str, manifest: object) -> list[Declared]:
    assert isinstance(manifest, NpmManifest)
    return _plain("npm", path, manifest)


def _python(path: str, manifest: object) -> list[Declared]:
    assert isinstance(manifest, PythonManifest)
    return _plain("pypi", path, manifest)


def _go(path: str, manifest: object) -> list[Declared]:
    assert isinstance(manifest, GoModule)
    return go_declared(path, manifest)  # requires pinned, `// indirect`, replaces applied


def _cargo(path: str, manifest: object) -> list[Declared]:
    assert isinstance(manifest, CargoManifest)
    # `[workspace.dependencies]` are templates members inherit, not dependencies of anything.
    return [d for d in _plain("cargo", path, manifest) if d.dependency.scope != "workspace"]


def _maven(path: str, manifest: object) -> list[Declared]:
    assert isinstance(manifest, MavenProject)
    return _plain("maven", path, manifest)


# Rule 2: the slice's ecosystem name -> its manifests' declared dependencies.
DECLARED: dict[str, Callable[[str, object], list[Declared]]] = {
    "npm": _npm,
    "python": _python,
    "go": _go,
    "cargo": _cargo,
    "maven": _maven,
}


def _basename(*names: str) -> Callable[[str], bool]:
    wanted = frozenset(names)
    return lambda path: posixpath.basename(path) in wanted


# Rule 1, in priority order at one directory level.
LOCK_READERS: tuple[GoverningLock, ...] = (
    GoverningLock(
        reader=LockReader(
            format="bun-binary",
            ecosystem="npm",
            matches=_basename("bun.lockb"),
            read=None,
        ),
        governs=("package.json",),
    ),
    GoverningLock(
        reader=LockReader(
            format="cargo",
            ecosystem="cargo",
            matches=_basename("Cargo.lock"),
            read=read_cargo_lock,
        ),
        governs=("Cargo.toml",),
    ),
)


def _cargo_workspaces(view: WorkspaceInput) -> WorkspaceFacts:
    manifests = {
        path: m
        for path, m in view.manifests.get("cargo", {}).items()
        if isinstance(m, CargoManifest)
    }
    facts = cargo_workspaces(manifests, view.locks)
    return WorkspaceFacts(
        workspaces=facts.workspaces,
        rewrites=facts.rewrites,
        reasons=facts.reasons,
        locks=facts.locks,
    )


def _go_workspaces(view: WorkspaceInput) -> WorkspaceFacts:
    modules = {
        path: m for path, m in view.manifests.get("go", {}).items() if isinstance(m, GoModule)
    }
    texts: dict[str, str] = {}
    problems: list[InputProblem] = []
    for path in view.files:
        if posixpath.basename(path) in ("go.sum", "go.work"):
            text = view.read_text(path)
            if isinstance(text, InputProblem):
                problems.append(text)
            else:
                texts[path] = text
    facts = go_workspaces(modules, view.files, texts)
    problems.extend(
        InputProblem(path=path, message=p.message, line=p.line, column=p.column)
        for path, p in facts.problems
    )
    return WorkspaceFacts(
        workspaces=facts.workspaces,
        rewrites=facts.rewrites,
        reasons=facts.reasons,
        problems=tuple(problems),
    )


WORKSPACE_READERS: tuple[WorkspaceReader, ...] = (_cargo_workspaces, _go_workspaces)

# Rule 3: files readers read beyond the manifests and the lockfiles `LOCK_READERS` match.
INVENTORY_GLOBS: tuple[str, ...] = ("**/Cargo.lock", "**/go.sum", "**/go.work")


def governing_locks(
    manifests: Sequence[str], locks: Sequence[tuple[str, GoverningLock]]
) -> tuple[dict[str, str], list[Reason]]:
    """Rule 1: the lockfile governing each manifest, and a reason for each directory where two
    formats' lockfiles could govern the same manifest (the first in table order is read)."""
    by_dir: dict[str, list[tuple[str, GoverningLock]]] = {}
    for path, lock in locks:
        by_dir.setdefault(posixpath.dirname(path), []).append((path, lock))
    order = {id(entry): i for i, entry in enumerate(LOCK_READERS)}
    governed: dict[str, str] = {}
    reasons: list[Reason] = []
    for manifest in manifests:
        base = posixpath.basename(manifest)
        directory = posixpath.dirname(manifest)
        while True:
            here = sorted(
                (c for c in by_dir.get(directory, []) if base in c[1].governs),
                key=lambda c: order.get(id(c[1]), len(order)),
            )
            if here:
                governed[manifest] = here[0][0]
                if len(here) > 1:
                    others = ", ".join(p for p, _ in here[1:])
                    reasons.append(
                        Reason(
                            subject=manifest,
                            reason=f"several lockfiles could pin it; read {here[0][0]}, "
                            f"not {others}",
                        )
                    )
                break
            if not directory:
                break
            directory = posixpath.dirname(directory)
    return governed, reasons
