"""Layer A probe `manifests`: package manifests of every ecosystem, at any depth, by path.

Rule 1: each manifest (package.json, pyproject.toml, requirements*.txt, go.mod, Cargo.toml,
pom.xml) is reported under its repository-relative path, so monorepos show every package.
Rule 2: lockfiles are declared inputs because their presence decides the npm package manager;
their contents are not parsed.
Rule 3: structured formats are read with stdlib parsers (json, tomllib, ElementTree) and never with
regexes (see ADR-0014); a manifest that does not parse is a problem with coordinates.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from codegenie_core.parsers.cargo_manifest import parse_cargo_toml
from codegenie_core.parsers.gomod import parse_go_mod
from codegenie_core.parsers.manifest_model import (
    CargoManifest,
    GoModule,
    MavenProject,
    NpmManifest,
    Parsed,
    PythonManifest,
)
from codegenie_core.parsers.maven_pom import parse_pom
from codegenie_core.parsers.npm_manifest import LOCKFILES, package_manager_for, parse_package_json
from codegenie_core.parsers.python_manifest import parse_pyproject, parse_requirements_txt
from codegenie_core.probe import Envelope, NotApplicable, ProbeContext, Skip
from codegenie_core.probes.layer_a.inputs import (
    InputProblem,
    Tally,
    declared_files,
    read_inputs,
)
from codegenie_core.registry import register_probe
from codegenie_core.spec import PortName, ProbeSpec

T = TypeVar("T")

MANIFEST_GLOBS: tuple[str, ...] = (
    "**/package.json",
    "**/pyproject.toml",
    "**/requirements*.txt",
    "**/requirements/*.txt",
    "**/go.mod",
    "**/Cargo.toml",
    "**/pom.xml",
)
LOCKFILE_GLOBS: tuple[str, ...] = tuple(f"**/{name}" for name in LOCKFILES)


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


@register_probe()
class ManifestsProbe:
    spec = ProbeSpec(
        name="manifests",
        version=1,
        layer="a",
        heaviness="light",
        timeout_s=30.0,
        reads=MANIFEST_GLOBS + LOCKFILE_GLOBS,
        ports=frozenset[PortName]({"repo"}),
        slice_type=ManifestsSlice,
        schema_version=1,
    )

    def applies(self, ctx: ProbeContext) -> bool:
        return bool(declared_files(ctx, MANIFEST_GLOBS))

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        files = declared_files(ctx, self.spec.reads)
        manifests = [path for path in files if _ecosystem(path) is not None]
        if not manifests:
            return NotApplicable(reason="no package manifest in the repository")
        tally = Tally()
        problems: list[InputProblem] = []
        found: dict[str, dict[str, Any]] = {
            e: {} for e in ("npm", "python", "go", "cargo", "maven")
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
        confidence, notes = tally.grade()
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
                lockfiles=tuple(p for p in files if posixpath.basename(p) in LOCKFILES),
                problems=tuple(problems),
            ),
            notes=notes,
        )


def _ecosystem(path: str) -> str | None:
    base = posixpath.basename(path)
    if base == "package.json":
        return "npm"
    if base == "pyproject.toml" or _is_requirements_file(path):
        return "python"
    return {"go.mod": "go", "Cargo.toml": "cargo", "pom.xml": "maven"}.get(base)


def _is_requirements_file(path: str) -> bool:
    """`requirements*.txt`, or any `.txt` in a `requirements/` directory (requirements/dev.txt)."""
    directory, base = posixpath.split(path)
    if not base.endswith(".txt"):
        return False
    return base.startswith("requirements") or posixpath.basename(directory) == "requirements"


def _python(path: str, text: str) -> Parsed[PythonManifest]:
    if posixpath.basename(path) == "pyproject.toml":
        return parse_pyproject(text)
    return parse_requirements_txt(text)


def _ignoring_path(parse: Callable[[str], Parsed[T]]) -> Callable[[str, str], Parsed[T]]:
    return lambda _path, text: parse(text)


_PARSERS: dict[str, Callable[[str, str], Parsed[Any]]] = {
    "npm": _ignoring_path(parse_package_json),
    "python": _python,
    "go": _ignoring_path(parse_go_mod),
    "cargo": _ignoring_path(parse_cargo_toml),
    "maven": _ignoring_path(parse_pom),
}
