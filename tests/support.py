"""Test-only probes and contexts built from literals."""

from __future__ import annotations

import gc
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from codegenie_adapters.fakes import FakeClock, FakeRepo, ScriptedYaml
from codegenie_core.config import GatherConfig
from codegenie_core.probe import CachedEnvelope, Envelope, ProbeContext, Skip
from codegenie_core.probe_types import Heaviness, Layer
from codegenie_core.registry import ProbeRegistry, RegisteredProbe
from codegenie_core.spec import PORTS, PortName, ProbeSpec


@attrs.frozen(kw_only=True)
class CountSlice:
    """A tiny slice: how many files the probe saw, and what it read upstream."""

    files: int
    upstream: tuple[str, ...] = ()


Behaviour = Callable[[ProbeContext], Envelope | Skip]


def count_files(name: str) -> Behaviour:
    def behaviour(ctx: ProbeContext) -> Envelope | Skip:
        return Envelope(
            probe=name,
            schema_version=1,
            confidence="high",
            slice=CountSlice(
                files=len(ctx.repo.list_files()), upstream=tuple(sorted(ctx.upstream))
            ),
        )

    return behaviour


@attrs.frozen(kw_only=True)
class ScriptedProbe:
    """A probe whose `run` is a function given at construction."""

    name: str
    behaviour: Behaviour
    version: int = 1
    layer: Layer = "a"
    declared_inputs: tuple[str, ...] = ("**",)
    needs: tuple[str, ...] = ()
    slice_type: type[Any] = CountSlice
    schema_version: int = 1
    timeout_s: float = 30.0
    applicable: bool = True
    heaviness: Heaviness = "light"
    writes: tuple[str, ...] = ()
    ports: frozenset[PortName] = frozenset(PORTS)

    @property
    def spec(self) -> ProbeSpec:
        return ProbeSpec(
            name=self.name,
            version=self.version,
            layer=self.layer,
            heaviness=self.heaviness,
            timeout_s=self.timeout_s,
            reads=self.declared_inputs,
            ports=self.ports,
            writes=self.writes,
            needs=self.needs,
            slice_type=self.slice_type,
            schema_version=self.schema_version,
        )

    def applies(self, ctx: ProbeContext) -> bool:
        return self.applicable

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        return self.behaviour(ctx)


def scripted(
    name: str,
    *,
    behaviour: Behaviour | None = None,
    **fields: Any,
) -> ScriptedProbe:
    return ScriptedProbe(name=name, behaviour=behaviour or count_files(name), **fields)


def registry_of(*probes: tuple[ScriptedProbe, Heaviness]) -> ProbeRegistry:
    registry = ProbeRegistry()
    for probe, heaviness in probes:
        registry.add(attrs.evolve(probe, heaviness=heaviness), source="test")
    return registry


def threshold_recording_registry() -> tuple[ProbeRegistry, list[tuple[int, ...]]]:
    """A registry of one probe that records the garbage collector's thresholds while it runs, and
    the list it records them in (ADR-0086: a gather holds the collector back)."""
    seen: list[tuple[int, ...]] = []

    def record(ctx: ProbeContext) -> Envelope:
        seen.append(gc.get_threshold())
        return Envelope(probe="gc", schema_version=1, confidence="high", slice=CountSlice(files=0))

    return registry_of((scripted("gc", behaviour=record), "light")), seen


def plan_of(registry: ProbeRegistry) -> list[RegisteredProbe]:
    return list(registry)


def context(repo: FakeRepo | None = None, **fields: Any) -> ProbeContext:
    return ProbeContext(
        repo=repo or FakeRepo(files={"a.py": b"print(1)\n"}),
        config=fields.pop("config", GatherConfig()),
        clock=fields.pop("clock", FakeClock()),
        yaml=fields.pop("yaml", ScriptedYaml()),
        **fields,
    )


@attrs.define
class ConcurrencyMeter:
    """Counts how many probes are inside `hold` at once, by observation, not by structure."""

    running: int = 0
    peak: int = 0
    heavy_running: int = 0
    heavy_peak: int = 0
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def hold(self, name: str, seconds: float, *, heavy: bool = False) -> Behaviour:
        def behaviour(ctx: ProbeContext) -> Envelope | Skip:
            with self._lock:
                self.running += 1
                self.peak = max(self.peak, self.running)
                if heavy:
                    self.heavy_running += 1
                    self.heavy_peak = max(self.heavy_peak, self.heavy_running)
            time.sleep(seconds)
            with self._lock:
                self.running -= 1
                if heavy:
                    self.heavy_running -= 1
            return count_files(name)(ctx)

        return behaviour


def typed(hit: CachedEnvelope | None) -> Envelope | None:
    """A cache hit as its typed envelope (structured now), or None for a miss."""
    return None if hit is None else hit.envelope()


def silence_adapters_log() -> None:
    """Back to the adapters' silent default (ADR-0017) after a test enabled their logging; the
    package offers no `disable`, since only tests ever turn logging off again."""
    from codegenie_adapters import log

    with log._STATE.lock:  # pyright: ignore[reportPrivateUsage] - test-only reset of module state
        log._STATE.threshold = None  # pyright: ignore[reportPrivateUsage] - as above


SHIM_WARNING = "declares itself through class attributes"


def shim_warning(probe: str = "") -> pytest.WarningsRecorder:
    """`pytest.warns` for the attribute-style probe shim's DeprecationWarning naming `probe` (any
    probe when empty): a test whose subject is the shim says so, any other fails (ADR-0040)."""
    named = f"probe {re.escape(repr(probe))} " if probe else ""
    return pytest.warns(DeprecationWarning, match=named + SHIM_WARNING)
