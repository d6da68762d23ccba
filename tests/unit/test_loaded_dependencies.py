"""`loaded_dependencies` (ADR-0074): the runtime trace joined with the dependency inventory, from
hand-made traces and inventories."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest

from codegenie_adapters.fakes import FakeClock, FakeRepo, ScriptedYaml
from codegenie_cli.run import registry
from codegenie_core.config import GatherConfig
from codegenie_core.handover import plain_of
from codegenie_core.parsers.inventory import InventoryEntry
from codegenie_core.parsers.strace import TraceFacts
from codegenie_core.probe import Envelope, NotApplicable, ProbeContext
from codegenie_core.probes.catalog import CATALOG
from codegenie_core.probes.layer_a.manifests import ManifestsSlice
from codegenie_core.probes.layer_c import join_inputs
from codegenie_core.probes.layer_c.join_inputs import declines_on
from codegenie_core.probes.layer_c.loaded_dependencies import (
    MAX_PATHS_PER_SCENARIO,
    DependencyLoad,
    LoadedDependenciesProbe,
    LoadedDependenciesSlice,
    UndeclaredLoad,
)
from codegenie_core.probes.layer_c.model import PROBE_NAME as TRACE_PROBE
from codegenie_core.probes.layer_c.model import CoverageConfidence
from codegenie_core.probes.layer_c.runtime_trace import (
    ImageReport,
    RuntimeTraceSlice,
    ScenarioReport,
)
from codegenie_core.report.loaded import MAX_ROWS, loaded_section

PROBE = LoadedDependenciesProbe()
SITE = "/usr/lib/python3/dist-packages"


def _dep(ecosystem: str, name: str, *, manifest: str = "requirements.txt", direct: bool = True,
         scope: str = "runtime") -> InventoryEntry:  # fmt: skip
    return InventoryEntry(
        ecosystem=ecosystem, name=name, spec="*", effective_spec=None, resolved=None,
        purl=f"pkg:{ecosystem}/{name}", direct=direct, scope=scope,  # type: ignore[arg-type]  # a Scope literal from the table
        manifest=manifest if direct else None, lockfile=None, member="." if direct else None,
    )  # fmt: skip


def _scenario(name: str, files: tuple[str, ...], listed: tuple[str, ...] = ()) -> ScenarioReport:
    trace = TraceFacts(files_read=tuple(sorted(files)), directories_listed=listed)
    return ScenarioReport(name=name, task=f"t:{name}", origin="default", outcome="completed",
                          exit_code=0, trace=trace)  # fmt: skip


def _trace(
    *images: tuple[str, tuple[ScenarioReport, ...]], coverage: CoverageConfidence = "high"
) -> RuntimeTraceSlice:
    reports = tuple(
        ImageReport(dockerfile=d, context=".", origin="root", status="traced", scenarios=s)
        for d, s in images
    )
    return RuntimeTraceSlice(
        status="traced",
        trace_coverage_confidence=coverage,
        scenarios=tuple(r for i in reports for r in i.scenarios),
        images=reports,
    )


def _envelope(probe: str, slice_: object) -> Envelope:
    return Envelope(probe=probe, schema_version=1, confidence="high", slice=slice_)


def _inventory(*entries: InventoryEntry) -> ManifestsSlice:
    return ManifestsSlice(
        ecosystems=(), npm={}, python={}, go={}, cargo={}, maven={}, lockfiles=(),
        inventory=entries,
    )  # fmt: skip


def _run(trace: RuntimeTraceSlice | None, inventory: ManifestsSlice | None) -> object:
    upstream = {}
    if trace is not None:
        upstream["runtime_trace"] = _envelope("runtime_trace", trace)
    if inventory is not None:
        upstream["manifests"] = _envelope("manifests", inventory)
    ctx = ProbeContext(
        repo=FakeRepo(files={}), config=GatherConfig(), clock=FakeClock(), yaml=ScriptedYaml(),
        upstream=upstream,
    )  # fmt: skip
    return PROBE.run(ctx)


def _slice(result: object) -> LoadedDependenciesSlice:
    assert isinstance(result, Envelope), result
    assert isinstance(result.slice, LoadedDependenciesSlice)
    return result.slice


def _by_name(slice_: LoadedDependenciesSlice) -> dict[str, DependencyLoad]:
    return {d.name: d for d in slice_.dependencies}


def test_python_dependencies_are_loaded_by_their_scenarios_or_not_observed() -> None:
    trace = _trace(
        ("Dockerfile", (
            _scenario("default", (f"{SITE}/requests/__init__.py", f"{SITE}/tiny_lib/core.py")),
            _scenario("help", (f"{SITE}/requests/api.py",), listed=(SITE,)),
            _scenario("version", ("/usr/lib/python3.11/json/__init__.py",)),
        )),
    )  # fmt: skip
    inventory = _inventory(
        _dep("pypi", "requests"), _dep("pypi", "Tiny.Lib"), _dep("pypi", "never-imported"),
        _dep("pypi", "requests", manifest="pyproject.toml", scope="dev"),
        _dep("pypi", "idna", direct=False),
    )  # fmt: skip
    result = _run(trace, inventory)
    slice_ = _slice(result)
    loads = _by_name(slice_)
    assert loads["requests"] == DependencyLoad(
        ecosystem="pypi", name="requests", status="loaded", confidence="high",
        scenarios=("default", "help"), scopes=("dev", "runtime"),
        manifests=("pyproject.toml", "requirements.txt"),
    )  # fmt: skip
    assert (loads["tiny-lib"].status, loads["tiny-lib"].scenarios) == ("loaded", ("default",))
    never = loads["never-imported"]
    assert (never.status, never.confidence) == ("not-observed", "medium")  # never "unused"
    assert "3 scenarios" in (never.reason or "")
    assert "idna" not in loads  # transitive: not declared by the repository
    assert slice_.ecosystems_observed == ("pypi",)
    assert slice_.scenarios == ("default", "help", "version")
    assert isinstance(result, Envelope) and result.confidence == "medium"
    assert any("not observed is not unused" in note for note in result.notes)


def test_dist_info_read_alone_is_metadata_not_a_load() -> None:
    trace = _trace(("Dockerfile", (_scenario("default", (
        f"{SITE}/Typing_Extensions-4.9.0.dist-info/METADATA",
        f"{SITE}/typing_extensions.py",
        f"{SITE}/zope.interface-6.0.dist-info/entry_points.txt",
    )),)))  # fmt: skip
    slice_ = _slice(_run(trace, _inventory(_dep("pypi", "typing-extensions"),
                                           _dep("pypi", "zope.interface"))))  # fmt: skip
    loads = _by_name(slice_)
    assert loads["typing-extensions"].status == "loaded"
    assert (loads["zope-interface"].status, loads["zope-interface"].confidence) == (
        "metadata-read", "medium",
    )  # fmt: skip


def test_node_packages_scoped_nested_and_pnpm_are_matched() -> None:
    trace = _trace(("Dockerfile", (_scenario("default", (
        "/app/node_modules/express/index.js",
        "/app/node_modules/@types/node/index.d.ts",
        "/app/node_modules/express/node_modules/debug/src/index.js",
        "/app/node_modules/.pnpm/left-pad@1.3.0/node_modules/left-pad/index.js",
    )),)))  # fmt: skip
    inventory = _inventory(
        *(_dep("npm", n, manifest="package.json")
          for n in ("express", "@types/node", "debug", "left-pad", "lodash", "@scope/unused")),
    )  # fmt: skip
    loads = _by_name(_slice(_run(trace, inventory)))
    assert {n for n, d in loads.items() if d.status == "loaded"} == {
        "express", "@types/node", "debug", "left-pad",
    }  # fmt: skip
    assert loads["lodash"].status == loads["@scope/unused"].status == "not-observed"


def test_an_ecosystem_the_image_never_shows_is_not_applicable_and_others_are_not_mapped() -> None:
    trace = _trace(("Dockerfile", (_scenario("default", (f"{SITE}/requests/__init__.py",)),)))
    inventory = _inventory(
        _dep("pypi", "requests"), _dep("npm", "react", manifest="web/package.json"),
        _dep("golang", "golang.org/x/net", manifest="go.mod"),
    )  # fmt: skip
    result = _run(trace, inventory)
    slice_ = _slice(result)
    react = _by_name(slice_)["react"]
    assert (react.status, react.confidence) == ("not-applicable", "low")
    assert "node_modules" in (react.reason or "")
    assert slice_.not_mapped == {"golang": 1}
    assert isinstance(result, Envelope) and result.confidence == "low"


def test_a_forged_path_is_refused_counted_and_loads_nothing() -> None:
    trace = _trace(("Dockerfile", (_scenario("default", (
        "/app/node_modules/../../lodash/index.js",
        "/app/node_modules/x/../../lodash/index.js",
        f"{SITE}/../../../requests/__init__.py",
        "/app/node_modules/ok/index.js",
    )),)))  # fmt: skip
    inventory = _inventory(_dep("npm", "lodash", manifest="package.json"),
                           _dep("pypi", "requests"))  # fmt: skip
    slice_ = _slice(_run(trace, inventory))
    loads = _by_name(slice_)
    assert loads["lodash"].status == "not-observed"
    assert loads["requests"].status == "not-applicable"  # no trusted dist-packages path at all
    assert slice_.refused_paths == 3
    assert "3 package paths refused as forged or malformed" in slice_.problems
    assert slice_.loaded_undeclared == (UndeclaredLoad(ecosystem="npm", name="ok",
                                                       scenarios=("default",)),)  # fmt: skip


def test_a_huge_trace_is_read_up_to_its_bound_and_says_so() -> None:
    many = tuple(f"/app/node_modules/p{i}/index.js" for i in range(MAX_PATHS_PER_SCENARIO + 5))
    slice_ = _slice(_run(_trace(("Dockerfile", (_scenario("default", many),))), _inventory()))
    assert slice_.undeclared_total == MAX_PATHS_PER_SCENARIO
    assert len(slice_.loaded_undeclared) == 100
    assert any("only the first" in line for line in slice_.problems)


def test_coverage_lower_than_high_lowers_what_not_observed_is_worth() -> None:
    trace = _trace(("Dockerfile", (_scenario("help", (f"{SITE}/a/x.py",)),)), coverage="low")
    loads = _by_name(_slice(_run(trace, _inventory(_dep("pypi", "b")))))
    assert (loads["b"].status, loads["b"].confidence) == ("not-observed", "low")


def test_scenarios_of_several_images_are_named_with_their_dockerfile() -> None:
    trace = _trace(
        ("api/Dockerfile", (_scenario("default", (f"{SITE}/a/x.py",)),)),
        ("worker/Dockerfile", (_scenario("default", (f"{SITE}/b/x.py", f"{SITE}/a/y.py")),)),
    )
    slice_ = _slice(_run(trace, _inventory(_dep("pypi", "a"), _dep("pypi", "b"))))
    assert _by_name(slice_)["a"].scenarios == (
        "api/Dockerfile:default",
        "worker/Dockerfile:default",
    )
    assert slice_.scenarios == ("api/Dockerfile:default", "worker/Dockerfile:default")


def test_without_a_trace_or_an_inventory_it_skips_and_is_never_cached() -> None:
    trace = _trace(("Dockerfile", (_scenario("default", ()),)))
    assert isinstance(_run(None, _inventory()), NotApplicable)
    assert isinstance(_run(trace, None), NotApplicable)
    untraced = attrs.evolve(trace, status="build-failed", images=(), scenarios=())
    skipped = _run(untraced, _inventory())
    assert isinstance(skipped, NotApplicable) and "build-failed" in skipped.reason


def test_it_is_registered_in_layer_c_after_the_trace_and_the_inventory() -> None:
    registered = registry().get("loaded_dependencies")
    assert registered is not None
    spec = registered.spec
    assert (spec.layer, spec.needs) == ("c", ("runtime_trace", "manifests"))


def _section_of(deps: list[dict[str, object]]) -> list[str]:
    slice_data = {
        "trace_coverage_confidence": "high",
        "scenarios": ["default"],
        "dependencies": deps,
    }
    return loaded_section({"loaded_dependencies": {"slice": slice_data}}, "`context.yaml`")  # type: ignore[dict-item]  # plain data literal


def test_the_report_section_lists_not_observed_first_and_never_says_unused() -> None:
    lines = _section_of([
        {"name": "tinylib", "ecosystem": "pypi", "status": "loaded", "scenarios": ["default"],
         "confidence": "high"},
        {"name": "never-imported", "ecosystem": "pypi", "status": "not-observed",
         "scenarios": [], "confidence": "medium"},
    ])  # fmt: skip
    assert lines[0] == "## Declared but never loaded"
    rows = [line for line in lines if line.startswith("| ") and "dependency" not in line]
    assert rows == [
        "| never-imported | pypi |  | not-observed | — | medium |",
        "| tinylib | pypi |  | loaded | default | high |",
    ]
    assert "unused" not in " ".join(rows)


def test_a_forged_dependency_name_cannot_reshape_the_section_and_rows_are_bounded() -> None:
    forged = {"name": "x` | **y**\n## z", "ecosystem": "npm", "status": "loaded",
              "scenarios": ["a|b"], "confidence": "high", "groups": ["group:t|**u**"]}  # fmt: skip
    lines = _section_of([forged] * (MAX_ROWS + 3))
    rows = [line for line in lines if line.startswith("| ")][1:]
    assert len(rows) == MAX_ROWS
    assert all("\n" not in row and not row.startswith("## ") for row in rows)
    assert rows[0].count(" | ") == 5  # the forged `|` is escaped: no cell is added
    assert "| group:t\\|\\*\\*u\\*\\* |" in rows[0]
    assert rows[0].startswith("| x\\` \\| \\*\\*y\\*\\*")
    assert lines[-2].endswith("3 more in `context.yaml`")
    assert _section_of([])[-2] == "No declared npm or Python dependency."
    assert loaded_section({}, "x") == []


def test_the_report_says_what_declares_each_dependency_in_a_declared_as_column() -> None:
    many = [f"group:g{i}" for i in range(7)]
    lines = _section_of([
        {"name": "pytest", "ecosystem": "pypi", "status": "not-observed", "scenarios": [],
         "confidence": "medium", "groups": ["group:tests", "group:typing"]},
        {"name": "wide", "ecosystem": "pypi", "status": "not-observed", "scenarios": [],
         "confidence": "medium", "groups": many},
    ])  # fmt: skip
    assert "| dependency | ecosystem | declared as | status | scenarios | confidence |" in lines
    rows = [line for line in lines if line.startswith("| ") and "dependency" not in line]
    assert rows == [
        "| pytest | pypi | group:tests, group:typing | not-observed | — | medium |",
        "| wide | pypi | group:g0, group:g1, group:g2, group:g3, group:g4 +2 | not-observed "
        "| — | medium |",
    ]


def test_a_dependency_load_has_the_union_of_its_entries_groups() -> None:
    tests = attrs.evolve(_dep("pypi", "pytest", manifest="pyproject.toml"),
                         groups=("group:tests", "group:typing"))  # fmt: skip
    dev = attrs.evolve(_dep("pypi", "pytest", manifest="pyproject.toml", scope="optional"),
                       groups=("extra:testing", "group:tests"))  # fmt: skip
    plain = _dep("pypi", "attrs")
    trace = _trace(("Dockerfile", (_scenario("default", (f"{SITE}/attrs/__init__.py",)),)))

    loads = _by_name(_slice(_run(trace, _inventory(tests, dev, plain))))

    assert loads["pytest"].groups == ("extra:testing", "group:tests", "group:typing")
    assert loads["attrs"].groups == ()


def _plain_decision(
    trace: RuntimeTraceSlice | None, inventory: ManifestsSlice | None, form: str = "stored"
) -> object:
    """The hook's decision on the slices as a cache entry stores them, or as `plain_of` gives a
    slice computed in the same gather (ADR-0090)."""
    from codegenie_adapters.serde import plain_data

    made: Callable[[object], object] = plain_data if form == "stored" else plain_of
    upstream = {
        name: made(slice_)
        for name, slice_ in (("runtime_trace", trace), ("manifests", inventory))
        if slice_ is not None
    }
    return declines_on(upstream)


_TRACED = _trace(("Dockerfile", (_scenario("default", (f"{SITE}/a/x.py",)),)))
_NO_TRACE_FACTS = attrs.evolve(_scenario("default", ()), trace=None, outcome="timeout")
DECISION_CASES = {
    "no trace": (None, _inventory()),
    "no inventory": (_TRACED, None),
    "neither": (None, None),
    "traced": (_TRACED, _inventory(_dep("pypi", "a"))),
    "traced, empty inventory": (_TRACED, _inventory()),
    "build failed": (
        attrs.evolve(_TRACED, status="build-failed", images=(), scenarios=()),
        _inventory(),
    ),
    "image not traced": (
        attrs.evolve(_TRACED, images=(attrs.evolve(_TRACED.images[0], status="build-failed"),)),
        _inventory(),
    ),
    "scenario without facts": (
        attrs.evolve(
            _TRACED, images=(attrs.evolve(_TRACED.images[0], scenarios=(_NO_TRACE_FACTS,)),)
        ),
        _inventory(),
    ),
}  # fmt: skip


@pytest.mark.parametrize("form", ["stored", "computed"])
@pytest.mark.parametrize("case", DECISION_CASES)
def test_declining_on_the_plain_slices_gives_what_run_gives_on_the_typed_ones(
    case: str, form: str
) -> None:
    trace, inventory = DECISION_CASES[case]
    ran = _run(trace, inventory)
    expected = ran.reason if isinstance(ran, NotApplicable) else None
    assert _plain_decision(trace, inventory, form) == expected
    assert (expected is None) == (case.startswith("traced"))  # the cases cover both answers


def test_a_plain_trace_of_a_shape_it_does_not_know_is_left_to_run() -> None:
    unknown: list[object] = [
        [],
        {"status": "traced"},
        {"status": "x", "images": [1]},
        {"status": "x", "images": [{"status": "traced", "scenarios": [{}]}]},
    ]
    for trace in unknown:
        assert declines_on({"runtime_trace": trace, "manifests": {}}) is None


def test_the_hook_is_the_probes_own_and_named_by_the_catalog() -> None:
    (entry,) = [e for e in CATALOG if e.spec.name == "loaded_dependencies"]
    assert LoadedDependenciesProbe.declines_on is declines_on
    assert entry.declines_on == "codegenie_core.probes.layer_c.join_inputs:declines_on"
    assert [e.spec.name for e in CATALOG if e.declines_on is not None] == ["loaded_dependencies"]
    assert join_inputs.TRACE_PROBE == TRACE_PROBE
