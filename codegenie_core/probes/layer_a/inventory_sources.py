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

import fnmatch
import posixpath
from collections.abc import Callable, Sequence

import attrs

from codegenie_core.parsers.bun_lock import parse_bun_lock
from codegenie_core.parsers.cargo_lock import read_cargo_lock
from codegenie_core.parsers.cargo_workspace import cargo_workspaces
from codegenie_core.parsers.composer import parse_composer_lock
from codegenie_core.parsers.dotnet import parse_packages_lock
from codegenie_core.parsers.go_inventory import go_declared, go_workspaces
from codegenie_core.parsers.gradle import GradleManifest, literal_version, parse_gradle_lockfile
from codegenie_core.parsers.inventory import Declared, Reason
from codegenie_core.parsers.lock_model import Lock, LockReader
from codegenie_core.parsers.manifest_model import (
    CargoManifest,
    ComposerManifest,
    DotnetProject,
    GoModule,
    MavenProject,
    NpmManifest,
    Parsed,
    PythonManifest,
    RubyGemfile,
)
from codegenie_core.parsers.npm_lock import parse_npm_lock
from codegenie_core.parsers.pdm_lock import parse_pdm_lock
from codegenie_core.parsers.pipfile_lock import parse_pipfile_lock
from codegenie_core.parsers.pnpm_lock import read_pnpm_lock
from codegenie_core.parsers.poetry_lock import parse_poetry_lock
from codegenie_core.parsers.ruby import parse_gemfile_lock
from codegenie_core.parsers.uv_lock import parse_uv_lock
from codegenie_core.parsers.yarn_lock import parse_yarn_lock
from codegenie_core.probes.layer_a.dotnet_workspaces import dotnet_workspaces
from codegenie_core.probes.layer_a.gradle_workspaces import catalog_root, gradle_workspaces
from codegenie_core.probes.layer_a.inputs import InputProblem
from codegenie_core.probes.layer_a.maven_workspaces import maven_workspaces
from codegenie_core.probes.layer_a.npm_workspaces import read_npm_workspaces
from codegenie_core.probes.layer_a.python_workspaces import declared_python, python_facts
from codegenie_core.probes.layer_a.workspace_model import (
    WorkspaceFacts,
    WorkspaceInput,
    WorkspaceReader,
)

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
    governs: tuple[str, ...]  # manifest basenames (or fnmatch patterns: "*.csproj") it pins
    names: tuple[str, ...]  # the lockfile basenames the reader matches: its globs (Rule 3)


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
    return [declared_python(path, d) for d in manifest.dependencies]  # `==x` pins (ADR-0044)


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


def _ruby(path: str, manifest: object) -> list[Declared]:
    assert isinstance(manifest, RubyGemfile)
    return _plain("gem", path, manifest)


def _php(path: str, manifest: object) -> list[Declared]:
    assert isinstance(manifest, ComposerManifest)
    return _plain("composer", path, manifest)


def _dotnet(path: str, manifest: object) -> list[Declared]:
    assert isinstance(manifest, DotnetProject)
    return _plain("nuget", path, manifest)


def _gradle(path: str, manifest: object) -> list[Declared]:
    """A catalog's libraries belong to its build's directory; a literal version is pinned."""
    assert isinstance(manifest, GradleManifest)
    member = catalog_root(path) if manifest.kind == "catalog" else _member(path)
    return [
        Declared(
            ecosystem="maven",
            manifest=path,
            member=member,
            dependency=d,
            # a catalog accessor (`libs.x`, spec as written) is resolved by `gradle_workspaces`
            pinned=d.spec if literal_version(d.spec) and d.spec != d.name else None,
        )
        for d in manifest.dependencies
    ]


# Rule 2: the slice's ecosystem name -> its manifests' declared dependencies.
DECLARED: dict[str, Callable[[str, object], list[Declared]]] = {
    "npm": _npm,
    "python": _python,
    "go": _go,
    "cargo": _cargo,
    "maven": _maven,
    "ruby": _ruby,
    "php": _php,
    "dotnet": _dotnet,
    "gradle": _gradle,
}


def _basename(*names: str) -> Callable[[str], bool]:
    wanted = frozenset(names)
    return lambda path: posixpath.basename(path) in wanted


def _text_reader(
    parse: Callable[[str, str], Parsed[Lock]],
) -> Callable[[str, object], Parsed[Lock]]:
    def read(path: str, document: object) -> Parsed[Lock]:
        assert isinstance(document, str)  # a reader without `yaml` is handed the text
        return parse(path, document)

    return read


def _lock(
    format_: str,
    ecosystem: str,
    names: tuple[str, ...],
    read: Callable[[str, object], Parsed[Lock]] | None,
    governs: tuple[str, ...],
    *,
    yaml: bool = False,
) -> GoverningLock:
    """One row of `LOCK_READERS`: a format read from the files named `names`."""
    return GoverningLock(
        reader=LockReader(
            format=format_, ecosystem=ecosystem, matches=_basename(*names), read=read, yaml=yaml
        ),
        governs=governs,
        names=names,
    )


_NPM = ("package.json",)
_PYPROJECT = ("pyproject.toml",)

# Rule 1, in priority order at one directory level. npm: "If both package-lock.json and
# npm-shrinkwrap.json are present in the root of a project, npm-shrinkwrap.json will take
# precedence"; bun 1.2 reads `bun.lock` over `bun.lockb` when both are there. Python (ADR-0044):
# uv, Poetry and PDM lock a pyproject.toml, pipenv a Pipfile; a requirements file is never
# governed (its `==` pins are its own).
LOCK_READERS: tuple[GoverningLock, ...] = (
    _lock("npm-shrinkwrap", "npm", ("npm-shrinkwrap.json",), _text_reader(parse_npm_lock), _NPM),
    _lock("package-lock", "npm", ("package-lock.json",), _text_reader(parse_npm_lock), _NPM),
    _lock("yarn", "npm", ("yarn.lock",), _text_reader(parse_yarn_lock), _NPM),
    _lock("pnpm", "npm", ("pnpm-lock.yaml",), read_pnpm_lock, _NPM, yaml=True),
    _lock("bun", "npm", ("bun.lock",), _text_reader(parse_bun_lock), _NPM),
    _lock("bun-binary", "npm", ("bun.lockb",), None, _NPM),
    _lock(
        "gemfile-lock",
        "gem",
        ("Gemfile.lock", "gems.locked"),
        parse_gemfile_lock,
        ("Gemfile", "gems.rb"),
    ),
    _lock("composer-lock", "composer", ("composer.lock",), parse_composer_lock, ("composer.json",)),
    _lock(
        "nuget-packages-lock",
        "nuget",
        ("packages.lock.json",),
        parse_packages_lock,
        ("*.csproj", "*.fsproj", "*.vbproj"),
    ),
    _lock("uv", "pypi", ("uv.lock",), parse_uv_lock, _PYPROJECT),
    _lock("poetry", "pypi", ("poetry.lock",), parse_poetry_lock, _PYPROJECT),
    _lock("pdm", "pypi", ("pdm.lock",), parse_pdm_lock, _PYPROJECT),
    _lock("pipfile", "pypi", ("Pipfile.lock",), parse_pipfile_lock, ("Pipfile",)),
    _lock(
        "gradle-lockfile",
        "maven",
        ("gradle.lockfile",),
        parse_gradle_lockfile,
        ("build.gradle", "build.gradle.kts", "libs.versions.toml"),
    ),
    _lock("cargo", "cargo", ("Cargo.lock",), read_cargo_lock, ("Cargo.toml",)),
)


def _python_workspaces(view: WorkspaceInput) -> WorkspaceFacts:
    facts = python_facts(view.files, view.manifests.get("python", {}))
    return WorkspaceFacts(
        workspaces=facts.workspaces, rewrites=facts.rewrites, reasons=facts.reasons
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


WORKSPACE_READERS: tuple[WorkspaceReader, ...] = (
    read_npm_workspaces,
    _python_workspaces,
    dotnet_workspaces,
    maven_workspaces,
    gradle_workspaces,
    _cargo_workspaces,
    _go_workspaces,
)

# Rule 3: every lockfile `LOCK_READERS` matches, and the other files readers read.
INVENTORY_GLOBS: tuple[str, ...] = (
    *(f"**/{name}" for lock in LOCK_READERS for name in lock.names),
    "**/Directory.Packages.props",
    "**/*.sln",
    "**/pnpm-workspace.yaml",
    "**/settings.gradle",
    "**/settings.gradle.kts",
    "**/go.sum",
    "**/go.work",
)


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
        directory: str = posixpath.dirname(manifest)
        while True:
            here = sorted(
                (
                    c
                    for c in by_dir.get(directory, [])
                    if any(fnmatch.fnmatchcase(base, pattern) for pattern in c[1].governs)
                ),
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
