"""`loaded_dependencies`: the runtime trace joined with the dependency inventory: which declared
Python and npm dependencies some scenario loaded, and which none was seen loading (ADR-0074).

Rule 1: a dependency is `loaded` when a scenario read a code file of its installed package (see
`parsers.package_paths` for how a path names a package), `metadata-read` when only its metadata
was read, `not-observed` when its ecosystem's package directory was read but none of its files,
and `not-applicable` when no scenario read anything under that ecosystem's package directory
(the image shows no installed packages of that kind, so nothing is claimed). Never "unused":
the scenarios are few and short, so the grade of a `not-observed` is the trace's coverage, at most
medium.
Rule 2: the declared dependencies are the inventory's direct entries of `pypi` and `npm`, one per
(ecosystem, normal name) with every manifest, scope and group that declares it; other ecosystems
have no package layout the trace can read and are counted in `not_mapped`.
Rule 3: every path comes from the traced image and is untrusted: it is only split and compared,
each scenario's paths are read up to `MAX_PATHS_PER_SCENARIO`, a refused path is counted, and at
most `MAX_UNDECLARED` packages loaded but never declared are listed (their total is kept).
Rule 4: without a runtime trace that traced a scenario, or without an inventory, the probe skips
(a skip is never cached): an upstream that comes back changes this probe's key and result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal, assert_never

import attrs

from codegenie_core.parsers.inventory import InventoryEntry
from codegenie_core.parsers.manifest_model import pep503
from codegenie_core.parsers.package_paths import (
    EcosystemSeen,
    PackageSeen,
    Refused,
    package_of,
)
from codegenie_core.probe import Envelope, NotApplicable, ProbeContext, Skip, clip_confidence
from codegenie_core.probe_types import Confidence
from codegenie_core.probes.layer_a.manifests import ManifestsSlice
from codegenie_core.probes.layer_c import join_inputs
from codegenie_core.probes.layer_c.model import PROBE_NAME as TRACE_PROBE
from codegenie_core.probes.layer_c.model import CoverageConfidence
from codegenie_core.probes.layer_c.runtime_trace import RuntimeTraceSlice
from codegenie_core.registry import register_probe
from codegenie_core.spec import ProbeSpec

PROBE_NAME = "loaded_dependencies"
SCHEMA_VERSION = 2  # 2: a dependency's groups (ADR-0084)
MAPPED_ECOSYSTEMS: tuple[str, ...] = ("npm", "pypi")
MAX_PATHS_PER_SCENARIO = 200_000
MAX_UNDECLARED = 100
_ORDER: tuple[Confidence, ...] = ("high", "medium", "low")

LoadStatus = Literal["loaded", "metadata-read", "not-observed", "not-applicable"]
PACKAGE_DIRS = {"pypi": "site-packages or dist-packages", "npm": "node_modules"}


@attrs.frozen(kw_only=True)
class DependencyLoad:
    """One declared dependency and what the scenarios showed of it (Rule 1)."""

    ecosystem: str
    name: str
    status: LoadStatus
    confidence: Confidence
    scenarios: tuple[str, ...] = ()  # the scenarios that loaded it (or read its metadata)
    scopes: tuple[str, ...] = ()
    manifests: tuple[str, ...] = ()
    reason: str | None = None  # why it is less than loaded
    groups: tuple[str, ...] = ()  # every group and extra that declares it (ADR-0084), sorted


@attrs.frozen(kw_only=True)
class UndeclaredLoad:
    """A package some scenario loaded that no manifest declares directly: a transitive
    dependency, the interpreter's own, or a declared one installed under another import name."""

    ecosystem: str
    name: str
    scenarios: tuple[str, ...]


@attrs.frozen(kw_only=True)
class LoadedDependenciesSlice:
    trace_coverage_confidence: CoverageConfidence  # the runtime trace's (Rule 1)
    scenarios: tuple[str, ...]  # the scenarios whose traces were read
    ecosystems_observed: tuple[str, ...]  # whose package directories some scenario read
    dependencies: tuple[DependencyLoad, ...] = ()
    loaded_undeclared: tuple[UndeclaredLoad, ...] = ()
    undeclared_total: int = 0
    not_mapped: dict[str, int] = attrs.field(factory=dict[str, int])  # Rule 2
    refused_paths: int = 0  # Rule 3
    problems: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Observation:
    """What every scenario's trace showed of installed packages."""

    ecosystems: frozenset[str] = frozenset()
    code: dict[tuple[str, str], tuple[str, ...]] = attrs.field(
        factory=dict[tuple[str, str], tuple[str, ...]]
    )
    metadata: dict[tuple[str, str], tuple[str, ...]] = attrs.field(
        factory=dict[tuple[str, str], tuple[str, ...]]
    )
    refused: int = 0
    cut: tuple[str, ...] = ()  # scenarios whose paths were read only up to the bound


@attrs.frozen(kw_only=True)
class ScenarioPaths:
    """One traced scenario: its label, the files it read and the directories it listed."""

    label: str
    files: Sequence[str]
    directories: Sequence[str] = ()


def observe(traces: Iterable[ScenarioPaths]) -> Observation:
    """Each scenario's files mapped to packages; a listed directory only shows that its
    ecosystem's layout is there, never that a package loaded (Rule 1, Rule 3)."""
    ecosystems: set[str] = set()
    code: dict[tuple[str, str], list[str]] = {}
    metadata: dict[tuple[str, str], list[str]] = {}
    refused = 0
    cut: list[str] = []
    for trace in traces:
        scenario = trace.label
        if len(trace.files) + len(trace.directories) > MAX_PATHS_PER_SCENARIO:
            cut.append(scenario)
        files = trace.files[:MAX_PATHS_PER_SCENARIO]
        for path in trace.directories[: MAX_PATHS_PER_SCENARIO - len(files)]:
            if isinstance(seen := package_of(path), PackageSeen | EcosystemSeen):
                ecosystems.add(seen.ecosystem)
        for path in files:
            match found := package_of(path):
                case None:
                    continue
                case Refused():
                    refused += 1
                case EcosystemSeen(ecosystem=ecosystem):
                    ecosystems.add(ecosystem)
                case PackageSeen(ecosystem=ecosystem, name=name, evidence=evidence):
                    ecosystems.add(ecosystem)
                    into = code if evidence == "code" else metadata
                    seen = into.setdefault((ecosystem, name), [])
                    if scenario not in seen:
                        seen.append(scenario)
                case _:
                    assert_never(found)
    return Observation(
        ecosystems=frozenset(ecosystems),
        code={key: tuple(names) for key, names in code.items()},
        metadata={key: tuple(names) for key, names in metadata.items()},
        refused=refused,
        cut=tuple(cut),
    )


def _key(entry: InventoryEntry) -> tuple[str, str]:
    name = pep503(entry.name) if entry.ecosystem == "pypi" else entry.name.lower()
    return entry.ecosystem, name


def join(
    inventory: Sequence[InventoryEntry],
    seen: Observation,
    *,
    scenarios: Sequence[str],
    coverage: CoverageConfidence,
) -> LoadedDependenciesSlice:
    """Rule 1 and Rule 2: each declared dependency's load status, from what was seen."""
    declared: dict[tuple[str, str], list[InventoryEntry]] = {}
    not_mapped: dict[str, int] = {}
    for entry in inventory:
        if not entry.direct:
            continue
        if entry.ecosystem not in MAPPED_ECOSYSTEMS:
            not_mapped[entry.ecosystem] = not_mapped.get(entry.ecosystem, 0) + 1
            continue
        declared.setdefault(_key(entry), []).append(entry)
    undeclared_py = any(eco == "pypi" and (eco, n) not in declared for eco, n in seen.code)
    absent: Confidence = "medium" if coverage == "high" else "low"
    loads: list[DependencyLoad] = []
    for key in sorted(declared):
        ecosystem = key[0]
        entries = declared[key]
        if key in seen.code:
            loads.append(_load(key, entries, "loaded", "high", scenarios=seen.code[key]))
        elif key in seen.metadata:
            why = "only its package metadata was read, never its code"
            metadata = seen.metadata[key]
            loads.append(_load(key, entries, "metadata-read", "medium", metadata, why))
        elif ecosystem in seen.ecosystems:
            why = f"no file of it was read by the {len(scenarios)} scenarios traced"
            if ecosystem == "pypi" and undeclared_py:
                why += " (its import name may differ from its name: see loaded_undeclared)"
            loads.append(_load(key, entries, "not-observed", absent, reason=why))
        else:
            why = f"no scenario read anything under {PACKAGE_DIRS[ecosystem]}"
            loads.append(_load(key, entries, "not-applicable", "low", reason=why))
    undeclared = [
        UndeclaredLoad(ecosystem=eco, name=name, scenarios=names)
        for (eco, name), names in sorted(seen.code.items())
        if (eco, name) not in declared
    ]
    problems = [
        f"scenario {name!r}: only the first {MAX_PATHS_PER_SCENARIO} paths were read"
        for name in seen.cut
    ]
    if seen.refused:
        problems.append(f"{seen.refused} package paths refused as forged or malformed")
    return LoadedDependenciesSlice(
        trace_coverage_confidence=coverage,
        scenarios=tuple(scenarios),
        ecosystems_observed=tuple(sorted(seen.ecosystems)),
        dependencies=tuple(loads),
        loaded_undeclared=tuple(undeclared[:MAX_UNDECLARED]),
        undeclared_total=len(undeclared),
        not_mapped=dict(sorted(not_mapped.items())),
        refused_paths=seen.refused,
        problems=tuple(problems),
    )


def _load(
    key: tuple[str, str],
    entries: Sequence[InventoryEntry],
    status: LoadStatus,
    confidence: Confidence,
    scenarios: tuple[str, ...] = (),
    reason: str | None = None,
) -> DependencyLoad:
    return DependencyLoad(
        ecosystem=key[0],
        name=key[1],
        status=status,
        confidence=confidence,
        scenarios=scenarios,
        scopes=tuple(sorted({e.scope for e in entries})),
        manifests=tuple(sorted({e.manifest for e in entries if e.manifest})),
        reason=reason,
        groups=tuple(sorted({g for e in entries for g in e.groups})),
    )


def confidence_of(slice_: LoadedDependenciesSlice) -> Confidence:
    """The lowest of the trace's coverage and every dependency's grade."""
    grades: list[Confidence] = [clip_confidence(slice_.trace_coverage_confidence)]
    grades.extend(d.confidence for d in slice_.dependencies)
    if slice_.problems:
        grades.append("medium")
    return max(grades, key=_ORDER.index)


def notes_of(slice_: LoadedDependenciesSlice) -> tuple[str, ...]:
    counts = {
        status: sum(1 for d in slice_.dependencies if d.status == status)
        for status in ("loaded", "metadata-read", "not-observed", "not-applicable")
    }
    shown = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    lines = [
        f"{shown or 'no declared npm or Python dependency'} over {len(slice_.scenarios)} "
        f"scenarios (trace coverage {slice_.trace_coverage_confidence}): not observed is not "
        "unused; a code path no scenario took loads nothing",
    ]
    if any(d.ecosystem == "pypi" for d in slice_.dependencies):
        lines.append(
            "Python: a distribution is matched by its import directory's PEP 503 name; one "
            "installed under another import name (PyYAML as yaml) is not matched"
        )
    lines.extend(f"{eco}: {n} direct dependencies, no package layout to read" for eco, n in (
        slice_.not_mapped.items()
    ))  # fmt: skip
    lines.extend(slice_.problems)
    return tuple(lines)


@register_probe()
class LoadedDependenciesProbe:
    """Declared but never loaded: the runtime trace joined with the inventory (ADR-0074)."""

    spec = ProbeSpec(
        name=PROBE_NAME,
        version=1,
        layer="c",
        heaviness="light",
        timeout_s=60.0,
        # everything it reads is its upstreams' slices, whose keys fold into its own
        reads=(),
        needs=(TRACE_PROBE, "manifests"),
        slice_type=LoadedDependenciesSlice,
        schema_version=SCHEMA_VERSION,
    )
    # Rule 4's skip decided on the cached upstreams' plain slices, before they are structured
    # (the catalog names it; ADR-0085)
    declines_on = staticmethod(join_inputs.declines_on)

    def applies(self, ctx: ProbeContext) -> bool:
        return True  # Rule 4: whether there is anything to join is known in `run`

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        trace = ctx.upstream.get(TRACE_PROBE)
        manifests = ctx.upstream.get("manifests")
        if trace is None or not isinstance(trace.slice, RuntimeTraceSlice):
            return NotApplicable(reason=join_inputs.no_trace())
        if manifests is None or not isinstance(manifests.slice, ManifestsSlice):
            return NotApplicable(reason=join_inputs.NO_INVENTORY)
        labelled = _traces(trace.slice)
        if not labelled:
            return NotApplicable(reason=join_inputs.untraced(trace.slice.status))
        slice_ = join(
            manifests.slice.inventory,
            observe(labelled),
            scenarios=[t.label for t in labelled],
            coverage=trace.slice.trace_coverage_confidence,
        )
        return Envelope(
            probe=PROBE_NAME,
            schema_version=SCHEMA_VERSION,
            confidence=confidence_of(slice_),
            slice=slice_,
            notes=notes_of(slice_),
        )


def _traces(slice_: RuntimeTraceSlice) -> list[ScenarioPaths]:
    """Each traced scenario's paths, labelled by its name (with its Dockerfile when several
    images were traced)."""
    traced = [image for image in slice_.images if image.status == "traced"]
    several = len(traced) > 1
    out: list[ScenarioPaths] = []
    for image in traced:
        for report in image.scenarios:
            if report.trace is None:
                continue
            label = f"{image.dockerfile}:{report.name}" if several else report.name
            facts = report.trace
            out.append(
                ScenarioPaths(
                    label=label, files=facts.files_read, directories=facts.directories_listed
                )
            )
    return out
