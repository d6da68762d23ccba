"""The registry: decorator registration, entry-point discovery, unique names, valid inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest

from codegenie_core.errors import CacheKeyError, RegistryError
from codegenie_core.probe import Envelope, ProbeContext, Skip
from codegenie_core.probe_types import Layer
from codegenie_core.registry import ProbeRegistry, register_probe
from tests.support import CountSlice, scripted, shim_warning


@attrs.frozen
class FakeEntryPoint:
    """Stands in for importlib.metadata.EntryPoint: nothing is installed."""

    name: str
    value: str
    target: Callable[[], Any]

    def load(self) -> Any:
        return self.target()


def plugin_class(probe_name: str) -> type:
    class PluginProbe:
        name = probe_name
        version = 1
        layer: Layer = "a"
        declared_inputs: tuple[str, ...] = ("**/*.plugin",)
        needs: tuple[str, ...] = ()
        slice_type: type[Any] = CountSlice
        schema_version = 1
        timeout_s = 5.0

        def applies(self, ctx: ProbeContext) -> bool:
            return True

        def run(self, ctx: ProbeContext) -> Envelope | Skip:
            return Envelope(
                probe=self.name, schema_version=1, confidence="high", slice=CountSlice(files=0)
            )

    return PluginProbe


def test_entry_points_are_discovered_without_installing_anything() -> None:
    registry = ProbeRegistry()
    cls = plugin_class("licenses")
    with shim_warning("licenses"):
        registry.discover([FakeEntryPoint("licenses", "acme.probes:Licenses", lambda: cls)])
    registered = registry.get("licenses")
    assert registered is not None
    assert (registered.heaviness, registered.source) == (
        "light",
        "entry-point:licenses=acme.probes:Licenses",
    )


def test_a_duplicate_probe_name_is_a_clear_error_naming_both_sources() -> None:
    registry = ProbeRegistry()
    registry.add(scripted("languages"), heaviness="light", source="builtin:codegenie_core.probes")
    cls = plugin_class("languages")
    with (
        pytest.raises(RegistryError) as caught,
        shim_warning("languages"),
    ):
        registry.discover([FakeEntryPoint("dup", "acme:Languages", lambda: cls)])
    assert str(caught.value) == (
        "probe name 'languages' is registered twice: by builtin:codegenie_core.probes "
        "and by entry-point:dup=acme:Languages; probe names must be unique"
    )


def test_an_entry_point_that_is_not_a_class_is_rejected() -> None:
    registry = ProbeRegistry()
    with pytest.raises(RegistryError, match="must name a probe class"):
        registry.discover([FakeEntryPoint("x", "acme:thing", lambda: 42)])


def test_the_decorator_registers_with_its_heaviness_and_entry_points_agree() -> None:
    registry = ProbeRegistry()
    with shim_warning("tracer"):
        cls = register_probe(heaviness="heavy", registry=registry)(plugin_class("tracer"))
    registry.discover([FakeEntryPoint("tracer", "acme:Tracer", lambda: cls)])
    registered = registry.get("tracer")
    assert registered is not None
    assert registered.heaviness == "heavy"
    assert len(registry) == 1


@pytest.mark.parametrize(
    "bad", ["/etc/passwd", "../outside/*", "a/../../b", "src\\x.py", "unknown-token:<resolved>"]
)
def test_a_malformed_declared_input_fails_at_registration(bad: str) -> None:
    registry = ProbeRegistry()
    with pytest.raises(CacheKeyError):
        registry.add(scripted("p", declared_inputs=(bad,)), heaviness="light", source="test")


def test_probes_iterate_by_layer_then_name() -> None:
    registry = ProbeRegistry()
    for name, layer in [("z", "a"), ("trace", "c"), ("a", "a"), ("index", "b")]:
        registry.add(scripted(name, layer=layer), heaviness="light", source="test")
    assert [r.name for r in registry] == ["a", "z", "index", "trace"]


def test_an_entry_point_probe_declaring_heavy_is_registered_heavy() -> None:
    cls = plugin_class("tracer")
    cls.heaviness = "heavy"  # declared on the class, no decorator: as a third party writes it
    registry = ProbeRegistry()
    with shim_warning("tracer"):
        registry.discover([FakeEntryPoint("tracer", "acme:Tracer", lambda: cls)])
    registered = registry.get("tracer")
    assert registered is not None
    assert registered.heaviness == "heavy"


def test_a_declared_heaviness_that_is_neither_light_nor_heavy_is_refused() -> None:
    cls = plugin_class("odd")
    cls.heaviness = "medium"
    with pytest.raises(RegistryError, match="declares heaviness 'medium'"):
        ProbeRegistry().discover([FakeEntryPoint("odd", "acme:Odd", lambda: cls)])


def test_the_decorator_refuses_a_class_declaring_another_heaviness() -> None:
    cls = plugin_class("both")
    cls.heaviness = "light"
    with pytest.raises(RegistryError, match="registered as 'heavy'"):
        register_probe(heaviness="heavy", registry=ProbeRegistry())(cls)


def test_the_decorator_without_heaviness_reads_the_class_attribute() -> None:
    cls = plugin_class("own")
    cls.heaviness = "heavy"
    registry = ProbeRegistry()
    with shim_warning("own"):
        register_probe(registry=registry)(cls)
    registered = registry.get("own")
    assert registered is not None
    assert registered.heaviness == "heavy"
