"""The probe spec: one value per probe, and what the registry and coordinator derive from it."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from codegenie_adapters.clock import SystemClock
from codegenie_core.config import GatherConfig
from codegenie_core.coordinator import gather, select_probes
from codegenie_core.errors import RegistryError
from codegenie_core.outcomes import Failed, Ran
from codegenie_core.probe import Envelope, ProbeContext, Skip
from codegenie_core.probe_types import Layer
from codegenie_core.probes import load_builtin_probes
from codegenie_core.probes.layer_b.index_health import IndexHealthProbe
from codegenie_core.probes.layer_b.scip_index import ScipIndexProbe
from codegenie_core.registry import DEFAULT_REGISTRY, ProbeRegistry
from codegenie_core.spec import ProbeSpec, ports_for, run_after
from tests.support import CountSlice, context, plan_of, registry_of, scripted, shim_warning


def spec(name: str, **fields: Any) -> ProbeSpec:
    values: dict[str, Any] = {
        "name": name,
        "version": 1,
        "layer": "a",
        "timeout_s": 30.0,
        "reads": ("**",),
        "slice_type": CountSlice,
        "schema_version": 1,
    }
    values.update(fields)
    return ProbeSpec(**values)


def test_the_deadline_is_the_own_timeout_capped_by_the_configuration() -> None:
    probe = spec("p", timeout_s=90.0)

    assert probe.deadline_s(GatherConfig()) == 90.0
    assert probe.deadline_s(GatherConfig(probe_timeout_cap_s=5.0)) == 5.0
    assert probe.deadline_s(GatherConfig(probe_timeout_cap_s=500.0)) == 90.0


def test_the_coordinator_abandons_a_probe_at_its_capped_deadline() -> None:
    def slow(ctx: ProbeContext) -> Envelope | Skip:
        import time

        time.sleep(2.0)
        raise AssertionError("abandoned before this")

    registry = registry_of((scripted("slow", behaviour=slow, timeout_s=60.0), "light"))
    ctx = context(config=GatherConfig(probe_timeout_cap_s=0.2))

    result = gather(
        plan_of(registry),
        base_ctx=ctx,
        cache=None,
        cache_mode="off",
        cpu_budget=1,
        clock=SystemClock(),
    )

    (outcome,) = result.outcomes
    assert isinstance(outcome, Failed)
    assert outcome.message == "probe 'slow' exceeded its timeout of 0.2 s"


def test_a_probe_reading_what_another_writes_runs_after_it() -> None:
    writer = spec("writer", reads=("src/**",), writes=("made-index:<resolved>",))
    reader = spec("reader", reads=("made-index:<resolved>",))
    by_path = spec("by_path", reads=("out/*.txt",))
    path_writer = spec("path_writer", writes=("out/report.txt",))

    order = run_after([reader, writer, by_path, path_writer])

    assert order == {
        "reader": ("writer",),
        "writer": (),
        "by_path": ("path_writer",),
        "path_writer": (),
    }


def test_select_probes_orders_a_writer_before_its_reader_without_a_need() -> None:
    registry = registry_of(
        (scripted("reader", declared_inputs=("made-index:<resolved>",)), "light"),
        (scripted("writer", writes=("made-index:<resolved>",)), "light"),
    )

    plan = select_probes(registry, names=[], layers=frozenset({"a"}))

    assert [r.name for r in plan] == ["writer", "reader"]


def test_the_coordinator_starts_a_reader_only_after_its_writer_finished() -> None:
    seen: list[str] = []

    def writes(ctx: ProbeContext) -> Envelope | Skip:
        import time

        time.sleep(0.2)
        seen.append("writer")
        return Envelope(
            probe="writer", schema_version=1, confidence="high", slice=CountSlice(files=0)
        )

    def reads(ctx: ProbeContext) -> Envelope | Skip:
        seen.append("reader")
        return Envelope(
            probe="reader", schema_version=1, confidence="high", slice=CountSlice(files=0)
        )

    registry = registry_of(
        (scripted("reader", behaviour=reads, declared_inputs=("made-index:<resolved>",)), "light"),
        (scripted("writer", behaviour=writes, writes=("made-index:<resolved>",)), "light"),
    )

    result = gather(
        plan_of(registry),
        base_ctx=context(),
        cache=None,
        cache_mode="off",
        cpu_budget=4,
        clock=SystemClock(),
    )

    assert all(isinstance(o, Ran) for o in result.outcomes)
    assert seen == ["writer", "reader"]


def test_a_writes_cycle_is_a_registry_error() -> None:
    registry = registry_of(
        (scripted("one", declared_inputs=("made-index:<resolved>",), writes=("two.txt",)), "light"),
        (scripted("two", declared_inputs=("two.txt",), writes=("made-index:<resolved>",)), "light"),
    )

    with pytest.raises(RegistryError, match="cycle"):
        select_probes(registry, names=[], layers=frozenset({"a"}))


def test_index_health_runs_after_scip_index_because_it_reads_the_index_scip_index_writes() -> None:
    order = run_after([IndexHealthProbe.spec, ScipIndexProbe.spec])

    assert "scip_index" in order["index_health"]
    assert ScipIndexProbe.spec.writes == ("made-index:<resolved>",)


def test_ports_for_a_plan_are_the_ports_its_specs_name() -> None:
    load_builtin_probes()
    layer_a = [r.spec for r in DEFAULT_REGISTRY if r.spec.layer == "a"]

    assert ports_for(layer_a) == {"repo", "yaml"}
    assert "containers" in ports_for([r.spec for r in DEFAULT_REGISTRY])


def test_every_builtin_probe_declares_a_spec() -> None:
    load_builtin_probes()

    assert all(isinstance(type(r.probe).__dict__.get("spec"), ProbeSpec) for r in DEFAULT_REGISTRY)


class AttributeProbe:
    """The older class-attribute style, as a third party may still write it."""

    name = "old_style"
    version = 3
    layer: Layer = "b"
    declared_inputs: tuple[str, ...] = ("*.cfg",)
    needs: tuple[str, ...] = ()
    slice_type = CountSlice
    schema_version = 2
    timeout_s = 12.0

    def applies(self, ctx: ProbeContext) -> bool:
        return True

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        return Envelope(
            probe=self.name, schema_version=2, confidence="high", slice=CountSlice(files=0)
        )


def test_a_class_attribute_probe_registers_through_the_shim_with_one_warning_naming_it() -> None:
    registry = ProbeRegistry()

    with shim_warning("old_style") as caught:
        registered = registry.add(AttributeProbe(), heaviness="heavy", source="test")

    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert len(deprecations) == 1
    assert "ADR-0030" in str(deprecations[0].message)
    assert attrs.evolve(registered.spec, ports=frozenset()) == spec(
        "old_style",
        version=3,
        layer="b",
        heaviness="heavy",
        timeout_s=12.0,
        reads=("*.cfg",),
        ports=frozenset(),
        schema_version=2,
    )


def test_a_spec_probe_registered_with_another_heaviness_is_refused() -> None:
    with pytest.raises(RegistryError, match="heaviness 'light' in its spec"):
        ProbeRegistry().add(scripted("p"), heaviness="heavy", source="test")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timeout_s": 0.0}, "timeout_s 0.0 is not a positive"),
        ({"ports": frozenset({"network"})}, "ports network are unknown"),
        ({"layer": "z"}, "layer 'z' is not one of"),
    ],
)
def test_a_spec_outside_its_vocabularies_is_refused_at_registration(
    fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(RegistryError, match=message):
        ProbeRegistry().add(scripted("p", **fields), source="test")
