"""Layer A probe `manifests`: package manifests of every ecosystem, at any depth, by path.

Rule 1: each manifest (package.json, pyproject.toml, requirements*.txt, go.mod, Cargo.toml,
pom.xml) is reported under its repository-relative path, so monorepos show every package.
Rule 2: lockfiles are read through `inventory_sources.LOCK_READERS` and joined with the declared
dependencies into one flat inventory (`inventory`, `edges`), with the workspaces the
`WORKSPACE_READERS` expand (see ADR-0041); the nearest npm-family lockfile still decides the npm
package manager. A YAML lockfile is read by the linear subset parser `parsers.lock_yaml` and
by the `YamlReader` port only when its text is outside that subset (see ADR-0047).
Rule 3: structured formats are read with stdlib parsers (json, tomllib, ElementTree) and never with
regexes (see ADR-0014); a manifest or lockfile that does not parse is a problem with coordinates.
Rule 4: confidence is the lowest of the inputs' grade (`Tally`) and the reasons attached to facts
(a lockfile of a format version the reader was not written for, a binary lockfile, a member glob
matching nothing, a version managed outside the repository): each reason is in `reasons` and in
the envelope's notes, so the report's confidence section lists it.
Rule 5: a manifest or lockfile under a vendored directory (`node_modules/`, `vendor/`,
`third_party/`..., see `codegenie_core.languages.VENDORED_DIRS`) is someone else's package as
installed or copied, not what this repository declares: it is counted, not read.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from codegenie_core.languages import origin_of
from codegenie_core.parsers.cargo_manifest import parse_cargo_toml
from codegenie_core.parsers.composer import parse_composer_json
from codegenie_core.parsers.dotnet import parse_project_file
from codegenie_core.parsers.gomod import parse_go_mod
from codegenie_core.parsers.gradle import (
    GradleManifest,
    parse_build_script,
    parse_version_catalog,
)
from codegenie_core.parsers.inventory import (
    DependencyEdge,
    InventoryEntry,
    Reason,
    Workspace,
    join,
)
from codegenie_core.parsers.lock_model import Lock
from codegenie_core.parsers.lock_yaml import NotInSubset, parse_lock_yaml
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
from codegenie_core.parsers.maven_pom import parse_pom
from codegenie_core.parsers.npm_manifest import LOCKFILES, package_manager_for, parse_package_json
from codegenie_core.parsers.python_manifest import parse_pyproject, parse_requirements_txt
from codegenie_core.parsers.python_setup import parse_pipfile, parse_setup_cfg, parse_setup_py
from codegenie_core.parsers.ruby import parse_gemfile
from codegenie_core.ports import TextProblem
from codegenie_core.probe import Envelope, NotApplicable, ProbeContext, Skip
from codegenie_core.probe_types import Confidence
from codegenie_core.probes.layer_a.inputs import (
    InputProblem,
    Tally,
    declared_files,
    read_inputs,
)
from codegenie_core.probes.layer_a.inventory_sources import (
    DECLARED,
    INVENTORY_GLOBS,
    LOCK_READERS,
    WORKSPACE_READERS,
    GoverningLock,
    WorkspaceInput,
    governing_locks,
)
from codegenie_core.registry import register_probe
from codegenie_core.spec import PortName, ProbeSpec

T = TypeVar("T")

MANIFEST_GLOBS: tuple[str, ...] = (
    "**/package.json",
    "**/pyproject.toml",
    "**/requirements*.txt",
    "**/requirements/*.txt",
    "**/setup.cfg",
    "**/setup.py",
    "**/Pipfile",
    "**/go.mod",
    "**/Cargo.toml",
    "**/pom.xml",
    "**/Gemfile",
    "**/gems.rb",
    "**/composer.json",
    "**/*.csproj",
    "**/*.fsproj",
    "**/*.vbproj",
    "**/build.gradle",
    "**/build.gradle.kts",
    "**/gradle/libs.versions.toml",
)
LOCKFILE_GLOBS: tuple[str, ...] = tuple(f"**/{name}" for name in LOCKFILES)


@attrs.frozen(kw_only=True)
class LockSummary:
    """One lockfile as read: its format and version, and how many packages it pins."""

    format: str
    format_version: str | None
    packages: int
    read: bool  # False: recognised but not parsed (binary, or it did not parse)


@attrs.frozen(kw_only=True)
class ManifestsSlice:
    ecosystems: tuple[str, ...]  # sorted names of the ecosystems with at least one manifest
    npm: dict[str, NpmManifest]
    python: dict[str, PythonManifest]
    go: dict[str, GoModule]
    cargo: dict[str, CargoManifest]
    maven: dict[str, MavenProject]
    lockfiles: tuple[str, ...]
    problems: tuple[InputProblem, ...] = ()
    inventory: tuple[InventoryEntry, ...] = ()
    edges: tuple[DependencyEdge, ...] = ()
    workspaces: tuple[Workspace, ...] = ()
    locks: dict[str, LockSummary] = attrs.field(factory=dict[str, LockSummary])
    reasons: tuple[Reason, ...] = ()
    ruby: dict[str, RubyGemfile] = attrs.field(factory=dict[str, RubyGemfile])
    php: dict[str, ComposerManifest] = attrs.field(factory=dict[str, ComposerManifest])
    dotnet: dict[str, DotnetProject] = attrs.field(factory=dict[str, DotnetProject])
    gradle: dict[str, GradleManifest] = attrs.field(factory=dict[str, GradleManifest])
    # Rule 5: manifests and lockfiles under vendored directories, not read as the repository's
    vendored_inputs: int = 0


@register_probe()
class ManifestsProbe:
    spec = ProbeSpec(
        name="manifests",
        version=4,  # issue #11: lockfile readers change the output for the same inputs
        layer="a",
        heaviness="light",
        timeout_s=30.0,
        reads=tuple(dict.fromkeys(MANIFEST_GLOBS + LOCKFILE_GLOBS + INVENTORY_GLOBS)),
        ports=frozenset[PortName]({"repo", "yaml"}),
        slice_type=ManifestsSlice,
        schema_version=8,  # ADR-0084: inventory entries and dependencies carry groups
    )

    def applies(self, ctx: ProbeContext) -> bool:
        return bool(declared_files(ctx, MANIFEST_GLOBS))

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        listed = declared_files(ctx, self.spec.reads)
        files = [path for path in listed if origin_of(path) != "vendored"]
        manifests = [path for path in files if _ecosystem(path) is not None]
        if not manifests:
            return NotApplicable(reason="no package manifest in the repository")
        tally = Tally()
        problems: list[InputProblem] = []
        found: dict[str, dict[str, Any]] = {
            e: {}
            for e in ("npm", "python", "go", "cargo", "maven", "ruby", "php", "dotnet", "gradle")
        }
        for item in read_inputs(ctx, manifests):
            if item.text is None:
                assert item.problem is not None
                problems.append(item.problem)
                tally.record(item.path, gave_facts=False, problems=1)
                continue
            ecosystem = _ecosystem(item.path)
            assert ecosystem is not None
            parsed = _PARSERS[ecosystem](item.path, item.text)
            problems.extend(
                InputProblem(path=item.path, message=p.message, line=p.line, column=p.column)
                for p in parsed.problems
            )
            tally.record(
                item.path, gave_facts=parsed.value is not None, problems=len(parsed.problems)
            )
            if parsed.value is None:
                continue
            value = parsed.value
            if isinstance(value, NpmManifest):
                manager, lockfile = package_manager_for(item.path, files)
                value = attrs.evolve(value, package_manager=manager, lockfile=lockfile)
            found[ecosystem][item.path] = value
        inventory = _inventory(ctx, files, found, tally, problems)
        confidence, notes = tally.grade()
        grades: list[Confidence] = [reason.confidence for reason in inventory.reasons]
        confidence = _lowest(confidence, *grades)
        notes = (*notes, *(f"{r.subject}: {r.reason}" for r in inventory.reasons))
        return Envelope(
            probe=self.spec.name,
            schema_version=self.spec.schema_version,
            confidence=confidence,
            slice=ManifestsSlice(
                ecosystems=tuple(sorted(e for e, by_path in found.items() if by_path)),
                npm=found["npm"],
                python=found["python"],
                go=found["go"],
                cargo=found["cargo"],
                maven=found["maven"],
                ruby=found["ruby"],
                php=found["php"],
                dotnet=found["dotnet"],
                gradle=found["gradle"],
                lockfiles=tuple(p for p in files if posixpath.basename(p) in LOCKFILES),
                problems=tuple(problems),
                inventory=inventory.entries,
                edges=inventory.edges,
                workspaces=inventory.workspaces,
                locks=inventory.locks,
                reasons=inventory.reasons,
                vendored_inputs=len(listed) - len(files),
            ),
            notes=notes,
        )


def _ecosystem(path: str) -> str | None:
    base = posixpath.basename(path)
    if base == "package.json":
        return "npm"
    if base in _PYTHON_STATIC or base == "pyproject.toml" or _is_requirements_file(path):
        return "python"
    if base.endswith((".csproj", ".fsproj", ".vbproj")):
        return "dotnet"
    if base in ("build.gradle", "build.gradle.kts") or path.endswith("gradle/libs.versions.toml"):
        return "gradle"
    return {
        "go.mod": "go",
        "Cargo.toml": "cargo",
        "pom.xml": "maven",
        "Gemfile": "ruby",
        "gems.rb": "ruby",
        "composer.json": "php",
    }.get(base)


def _is_requirements_file(path: str) -> bool:
    """`requirements*.txt`, or any `.txt` in a `requirements/` directory (requirements/dev.txt)."""
    directory, base = posixpath.split(path)
    if not base.endswith(".txt"):
        return False
    return base.startswith("requirements") or posixpath.basename(directory) == "requirements"


_PYTHON_STATIC: dict[str, Callable[[str], Parsed[PythonManifest]]] = {
    "setup.cfg": parse_setup_cfg,
    "setup.py": parse_setup_py,  # read with ast.parse, never run (ADR-0044)
    "Pipfile": parse_pipfile,
}


def _python(path: str, text: str) -> Parsed[PythonManifest]:
    base = posixpath.basename(path)
    if base == "pyproject.toml":
        return parse_pyproject(text)
    if base in _PYTHON_STATIC:
        return _PYTHON_STATIC[base](text)
    return parse_requirements_txt(text)


def _gradle(path: str, text: str) -> Parsed[GradleManifest]:
    if posixpath.basename(path) == "libs.versions.toml":
        return parse_version_catalog(text)
    return parse_build_script(text)


def _ignoring_path(parse: Callable[[str], Parsed[T]]) -> Callable[[str, str], Parsed[T]]:
    return lambda _path, text: parse(text)


_PARSERS: dict[str, Callable[[str, str], Parsed[Any]]] = {
    "npm": _ignoring_path(parse_package_json),
    "python": _python,
    "go": _ignoring_path(parse_go_mod),
    "cargo": _ignoring_path(parse_cargo_toml),
    "maven": _ignoring_path(parse_pom),
    "ruby": _ignoring_path(parse_gemfile),
    "php": _ignoring_path(parse_composer_json),
    "dotnet": parse_project_file,
    "gradle": _gradle,
}


@attrs.frozen(kw_only=True)
class _Inventory:
    entries: tuple[InventoryEntry, ...]
    edges: tuple[DependencyEdge, ...]
    workspaces: tuple[Workspace, ...]
    locks: dict[str, LockSummary]
    reasons: tuple[Reason, ...]


_GRADES: tuple[Confidence, ...] = ("high", "medium", "low")


def _lowest(first: Confidence, *others: Confidence) -> Confidence:
    return max((first, *others), key=_GRADES.index)


def _inventory(
    ctx: ProbeContext,
    files: list[str],
    found: dict[str, dict[str, Any]],
    tally: Tally,
    problems: list[InputProblem],
) -> _Inventory:
    """Rule 2: read the lockfiles, expand the workspaces, join them with what the manifests
    declare. Lockfile problems join `problems` and `tally`, as manifest problems do."""
    reasons: list[Reason] = []
    present = [(p, lock) for p in files if (lock := _reader_for(p)) is not None]
    locks: dict[str, Lock] = {}
    summaries: dict[str, LockSummary] = {}
    texts = {
        item.path: item
        for item in read_inputs(ctx, [p for p, lock in present if lock.reader.read is not None])
    }
    for path, lock in present:
        reader = lock.reader
        if reader.read is None:
            summaries[path] = LockSummary(
                format=reader.format, format_version=None, packages=0, read=False
            )
            reasons.append(
                Reason(subject=path, reason="a binary lockfile, not read: versions are absent")
            )
            continue
        item = texts[path]
        if item.text is None:
            assert item.problem is not None
            problems.append(item.problem)
            tally.record(path, gave_facts=False, problems=1)
            summaries[path] = LockSummary(
                format=reader.format, format_version=None, packages=0, read=False
            )
            continue
        document: object = item.text
        if reader.yaml:
            document = _lock_yaml(ctx, path, item.text)
            if isinstance(document, InputProblem):
                problems.append(document)
                tally.record(path, gave_facts=False, problems=1)
                summaries[path] = LockSummary(
                    format=reader.format, format_version=None, packages=0, read=False
                )
                continue
        parsed = reader.read(path, document)
        problems.extend(
            InputProblem(path=path, message=p.message, line=p.line, column=p.column)
            for p in parsed.problems
        )
        tally.record(path, gave_facts=parsed.value is not None, problems=len(parsed.problems))
        if parsed.value is None:
            summaries[path] = LockSummary(
                format=reader.format, format_version=None, packages=0, read=False
            )
            continue
        value = parsed.value
        locks[path] = value
        summaries[path] = LockSummary(
            format=value.format,
            format_version=value.format_version,
            packages=len(value.packages),
            read=True,
        )
        if not value.known_version:
            reasons.append(
                Reason(
                    subject=path,
                    reason=f"{value.format} format version {value.format_version or '(none)'} "
                    "is not one this reader knows; read best-effort",
                )
            )
    declared = [
        d
        for ecosystem, by_path in found.items()
        for path, manifest in by_path.items()
        for d in DECLARED[ecosystem](path, manifest)
    ]
    workspaces: list[Workspace] = []
    view = WorkspaceInput(
        files=files,
        manifests=found,
        read_text=lambda path: _text(ctx, path),
        parse_yaml=lambda path, text: _yaml(ctx, path, text),
        locks=locks,
    )
    for read_workspaces in WORKSPACE_READERS:
        facts = read_workspaces(view)
        locks.update(facts.locks)
        workspaces.extend(facts.workspaces)
        reasons.extend(facts.reasons)
        problems.extend(facts.problems)
        declared = [
            rewritten
            for d in declared
            for rewritten in facts.expansions.get(
                (d.manifest, d.dependency.name, d.dependency.scope),
                (facts.rewrites.get((d.manifest, d.dependency.name, d.dependency.scope), d),),
            )
        ]
    manifest_paths = sorted({d.manifest for d in declared})
    readable = [(p, lock) for p, lock in present if p in locks]
    governed, ambiguous = governing_locks(manifest_paths, readable)
    reasons.extend(ambiguous)
    joined = join(declared, locks, governed)
    reasons.extend(joined.reasons)
    return _Inventory(
        entries=joined.entries,
        edges=joined.edges,
        workspaces=tuple(sorted(workspaces, key=lambda w: (w.root, w.tool))),
        locks=dict(sorted(summaries.items())),
        reasons=tuple(sorted(set(reasons), key=lambda r: (r.subject, r.reason))),
    )


def _reader_for(path: str) -> GoverningLock | None:
    return next((lock for lock in LOCK_READERS if lock.reader.matches(path)), None)


def _text(ctx: ProbeContext, path: str) -> str | InputProblem:
    item = next(read_inputs(ctx, [path]))
    if item.text is None:
        assert item.problem is not None
        return item.problem
    return item.text


def _lock_yaml(ctx: ProbeContext, path: str, text: str) -> object | InputProblem:
    """A YAML lockfile's document: the linear subset parser first, the port when the text is
    outside its subset (ADR-0047), so a large lockfile is neither slow nor refused by the
    port's node bound, and correctness never depends on the subset."""
    document = parse_lock_yaml(text)
    if isinstance(document, NotInSubset):
        return _yaml(ctx, path, text)
    return document


def _yaml(ctx: ProbeContext, path: str, text: str) -> object | InputProblem:
    document = ctx.yaml.parse(text)
    if isinstance(document, TextProblem):
        return InputProblem(
            path=path, message=document.message, line=document.line, column=document.column
        )
    return document
