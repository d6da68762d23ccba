"""The Python side of the inventory: declared dependencies with their pins, uv workspaces, and
the reasons a statically read manifest is less than certain.

Rule 1: a requirement that fixes one version (`==x`, `===x`, PEP 440) pins it (inventory Rule
2), in any Python manifest; a lockfile governing the manifest still wins.
Rule 2: `[tool.uv.workspace]` in a `pyproject.toml` makes a uv workspace rooted at its directory
(uv's workspace documentation): its members are that root and the directories matching a
`members` glob (relative to the root) that hold a `pyproject.toml` and match no `exclude` glob.
A member glob matching no such directory is a reason (uv refuses such a workspace). A member's
dependency on another member's project name is rewritten to source "workspace:<dir>", and
`depends` says which members depend on which.
Rule 3: a setup.py / setup.cfg field that is not a literal (computed by setuptools or by code)
is a reason at "medium": the manifest was read, the field was not guessed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence

import attrs

from codegenie_core.cache_keys import compile_glob
from codegenie_core.parsers.inventory import Declared, Reason, Workspace
from codegenie_core.parsers.manifest_model import Dependency, PythonManifest
from codegenie_core.parsers.python_manifest import pinned_version

__all__ = ["PythonFacts", "declared_python", "python_facts"]


@attrs.frozen(kw_only=True)
class PythonFacts:
    workspaces: tuple[Workspace, ...]
    rewrites: dict[tuple[str, str, str], Declared]
    reasons: tuple[Reason, ...]


def _member(path: str) -> str:
    return posixpath.dirname(path) or "."


def declared_python(path: str, dependency: Dependency, source: str | None = None) -> Declared:
    """Rule 1."""
    return Declared(
        ecosystem="pypi",
        manifest=path,
        member=_member(path),
        dependency=dependency,
        pinned=pinned_version(dependency.spec),
        source=source,
    )


def python_facts(files: Sequence[str], manifests: Mapping[str, object]) -> PythonFacts:
    views = {p: m for p, m in manifests.items() if isinstance(m, PythonManifest)}
    reasons = [
        Reason(subject=f"{path}: {field.partition(':')[0]}", reason=field.partition(": ")[2])
        for path, manifest in sorted(views.items())
        for field in manifest.not_literal
    ]
    projects = sorted(_member(p) for p in files if posixpath.basename(p) == "pyproject.toml")
    workspaces: list[Workspace] = []
    rewrites: dict[tuple[str, str, str], Declared] = {}
    for root_path, root in sorted(views.items()):
        if posixpath.basename(root_path) != "pyproject.toml" or not root.workspace:
            continue
        base = posixpath.dirname(root_path)
        excluded = [
            compile_glob(posixpath.normpath(posixpath.join(base, g)))
            for g in root.workspace_exclude
        ]
        members = {_member(root_path)}
        unmatched: list[str] = []
        for pattern in root.workspace:
            matcher = compile_glob(posixpath.normpath(posixpath.join(base, pattern)))
            found = [
                d for d in projects if matcher.match(d) and not any(e.match(d) for e in excluded)
            ]
            if not found:
                unmatched.append(pattern)
            members.update(found)
        reasons.extend(
            Reason(
                subject=f"{root_path}: {pattern}",
                reason="a uv workspace member glob matching no directory with a pyproject.toml",
            )
            for pattern in unmatched
        )
        by_name: dict[str, str] = {}
        for directory in sorted(members):
            view = views.get(
                posixpath.join(directory, "pyproject.toml")
                if directory != "."
                else "pyproject.toml"
            )
            if view is not None and view.name:
                by_name.setdefault(view.name, directory)
        depends: dict[str, tuple[str, ...]] = {}
        for directory in sorted(members):
            path = (
                posixpath.join(directory, "pyproject.toml")
                if directory != "."
                else "pyproject.toml"
            )
            view = views.get(path)
            if view is None:
                continue
            targets: set[str] = set()
            for dependency in view.dependencies:
                target = by_name.get(dependency.name)
                if target is None or target == directory:
                    continue
                targets.add(target)
                rewrites[(path, dependency.name, dependency.scope)] = declared_python(
                    path, dependency, source=f"workspace:{target}"
                )
            if targets:
                depends[directory] = tuple(sorted(targets))
        workspaces.append(
            Workspace(
                tool="uv",
                root=root_path,
                patterns=root.workspace,
                members=tuple(sorted(members)),
                unmatched=tuple(unmatched),
                depends=depends,
            )
        )
    return PythonFacts(workspaces=tuple(workspaces), rewrites=rewrites, reasons=tuple(reasons))
