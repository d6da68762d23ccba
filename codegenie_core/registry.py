"""The probe registry: `@register_probe` for built-ins, the `codegenie.probes` entry points for
third parties.

Rule 1: probe names are unique across built-ins and plugins; a second registration of a name is a
`RegistryError` naming both sources.
Rule 2: declared inputs are validated when a probe registers, so a malformed glob or an unknown
special token fails at import time, not in the middle of a gather (a catalogued spec, Rule 6,
was validated as its probe's own spec when the catalog was generated, and its test does so again).
Rule 3: discovery takes the entry points as values (anything with `name`, `value` and `load()`),
so the core reads no package metadata itself and tests need to install nothing.
Rule 4: heaviness is part of the probe's spec. For a probe in the older class-attribute style it
is the class's `heaviness` attribute ("light" when it has none); `@register_probe(heaviness=...)`
sets that attribute, so a decorated class, a class that only declares it, and the same class found
through an entry point all run alike (see ADR-0029). A spec-style probe registered with a
`heaviness` its spec does not hold is a `RegistryError`.
Rule 5: the registry reads each probe's `ProbeSpec` once, when it registers (see ADR-0030); a
class-attribute probe is converted by `spec_from_attributes`, which warns once naming it.
Rule 6: a built-in probe may be registered from the catalog (`codegenie_core.probes.catalog`, a
file generated from the probes' own specs) as a `LazyProbe`: its spec is known, its module is
imported only when its `applies` or `run` is first called. When that module registers its class,
the class replaces the lazy entry. A catalogued probe's `applies` is a function of what its key
covers, so the coordinator serves its hit before asking it; `applies_when` are globs one listed
file must match for it to apply at all, so a probe with none is skipped without its code; and
`declines_unless` names the option without which its `run` only says it does not apply, so that
answer needs no code either (see ADR-0077); `declines_on` names a hook deciding that answer on its
cached upstreams' plain slices (see ADR-0085).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

import attrs

from codegenie_core.cache_keys import validate_declared_inputs
from codegenie_core.errors import RegistryError
from codegenie_core.probe import Envelope, LegacyProbe, Probe, ProbeContext, Skip
from codegenie_core.probe_types import HEAVINESS, LAYERS, Heaviness
from codegenie_core.spec import PORTS, ProbeSpec, spec_from_attributes

ENTRY_POINT_GROUP = "codegenie.probes"

P = TypeVar("P", bound=Probe | LegacyProbe)


def heaviness_of(cls: type[Any]) -> Heaviness:
    """The class's declared `heaviness` (Rule 4); a value that is neither is a `RegistryError`."""
    declared: object = getattr(cls, "heaviness", "light")
    if declared not in HEAVINESS:
        name = getattr(cls, "name", cls.__qualname__)
        raise RegistryError(
            f"probe {name!r} declares heaviness {declared!r}; it must be one of "
            f"{', '.join(HEAVINESS)}",
            probe=str(name),
        )
    return declared


def declared_spec(probe: object) -> ProbeSpec | None:
    """The probe's own `spec`, when it declares one (Rule 5)."""
    spec: object = getattr(probe, "spec", None)
    return spec if isinstance(spec, ProbeSpec) else None


def validate_spec(spec: ProbeSpec) -> None:
    """`RegistryError` for a spec whose values are outside their vocabularies; `CacheKeyError`
    (from `validate_declared_inputs`) for a malformed read."""
    problems: list[str] = []
    if spec.heaviness not in HEAVINESS:
        problems.append(f"heaviness {spec.heaviness!r} is not one of {', '.join(HEAVINESS)}")
    if spec.layer not in LAYERS:
        problems.append(f"layer {spec.layer!r} is not one of {', '.join(LAYERS)}")
    if not spec.timeout_s > 0:
        problems.append(f"timeout_s {spec.timeout_s!r} is not a positive number of seconds")
    unknown = sorted(set(spec.ports) - set(PORTS))
    if unknown:
        problems.append(f"ports {', '.join(unknown)} are unknown; ports: {', '.join(PORTS)}")
    if problems:
        raise RegistryError(
            f"probe {spec.name!r}: {'; '.join(problems)} (see ADR-0030)", probe=spec.name
        )
    validate_declared_inputs(spec.name, spec.reads)
    validate_declared_inputs(spec.name, spec.writes)


@attrs.frozen(kw_only=True)
class CatalogEntry:
    """A built-in probe as the catalog knows it (Rule 6): `probe` is `module:Class`, `spec` its
    spec with the slice type named by a `SliceRef`, `applies_when` the globs one listed file must
    match for its `applies` to hold (None: no such globs; each is among the globs of its reads),
    `declines_unless` a `GatherConfig`
    field its reads name and the reason its `run` gives, as `NotApplicable`, when it is false;
    `declines_on` the `module:function` deciding, on its cached upstreams' plain slices, the
    reason its `run` would give for not applying (`codegenie_core.handover`, ADR-0085)."""

    probe: str
    spec: ProbeSpec
    applies_when: tuple[str, ...] | None = None
    declines_unless: tuple[str, str] | None = None
    declines_on: str | None = None

    @property
    def module(self) -> str:
        return self.probe.partition(":")[0]


class LazyProbe:
    """A catalogued probe whose code is imported on its first `applies` or `run` (Rule 6)."""

    def __init__(self, entry: CatalogEntry) -> None:
        self._entry = entry
        self._loaded: list[Probe] = []

    @property
    def spec(self) -> ProbeSpec:
        return self._entry.spec

    def loaded(self) -> Probe:
        """The probe's own instance; importing its module registers its class (Rule 6)."""
        if not self._loaded:
            module, _, name = self._entry.probe.partition(":")
            probe_class: Any = getattr(importlib.import_module(module), name)
            self._loaded.append(probe_class())  # two racing callers build equal probes
        return self._loaded[0]

    def applies(self, ctx: ProbeContext) -> bool:
        return self.loaded().applies(ctx)

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        return self.loaded().run(ctx)


@attrs.frozen(kw_only=True)
class RegisteredProbe:
    """A probe instance with its spec and where it came from. `keyed_applies` and
    `applies_when` are a catalogued probe's (Rule 6)."""

    probe: Probe | LegacyProbe
    spec: ProbeSpec
    source: str  # "builtin:<module>" or "entry-point:<name>=<value>"
    keyed_applies: bool = False
    applies_when: tuple[str, ...] | None = None
    declines_unless: tuple[str, str] | None = None
    declines_on: str | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def heaviness(self) -> Heaviness:
        return self.spec.heaviness


class EntryPointLike(Protocol):
    """The part of `importlib.metadata.EntryPoint` discovery uses."""

    @property
    def name(self) -> str: ...
    @property
    def value(self) -> str: ...
    def load(self) -> Any: ...


class ProbeRegistry:
    """An ordered set of probes, keyed by name."""

    def __init__(self) -> None:
        self._probes: dict[str, RegisteredProbe] = {}

    def add(
        self, probe: Probe | LegacyProbe, *, heaviness: Heaviness | None = None, source: str
    ) -> RegisteredProbe:
        """Register `probe` under its spec's name (Rule 5). `heaviness` is for a class-attribute
        probe (default "light"); for a spec-style probe it must agree with the spec."""
        spec = declared_spec(probe)
        if spec is None:
            spec = spec_from_attributes(probe, heaviness=heaviness or "light")
        elif heaviness is not None and heaviness != spec.heaviness:
            raise RegistryError(
                f"probe {spec.name!r} has heaviness {spec.heaviness!r} in its spec but is "
                f"registered as {heaviness!r}",
                probe=spec.name,
            )
        existing = self._probes.get(spec.name)
        lazy = existing is not None and isinstance(existing.probe, LazyProbe)
        if existing is not None and lazy and existing.source == source:
            validate_spec(spec)  # Rule 6: the catalogued probe's own class replaces its entry
            registered = attrs.evolve(existing, probe=probe, spec=spec)
            self._probes[spec.name] = registered
            return registered
        if existing is not None:
            raise RegistryError(
                f"probe name {spec.name!r} is registered twice: by {existing.source} "
                f"and by {source}; probe names must be unique",
                probe=spec.name,
            )
        validate_spec(spec)
        registered = RegisteredProbe(probe=probe, spec=spec, source=source)
        self._probes[spec.name] = registered
        return registered

    def add_catalogued(self, entry: CatalogEntry) -> RegisteredProbe:
        """Register a catalogued built-in lazily (Rule 6), unless its name is registered."""
        existing = self._probes.get(entry.spec.name)
        if existing is not None:
            return existing
        # Not validated again here (Rule 2 is ~80 regex compilations a gather): a catalogued spec
        # equals its probe's own, which is validated when it registers, and its test says so.
        registered = RegisteredProbe(
            probe=LazyProbe(entry),
            spec=entry.spec,
            source=f"builtin:{entry.module}",
            keyed_applies=True,
            applies_when=entry.applies_when,
            declines_unless=entry.declines_unless,
            declines_on=entry.declines_on,
        )
        self._probes[entry.spec.name] = registered
        return registered

    def discover(self, entry_points: Iterable[EntryPointLike]) -> None:
        """Load third-party probes. Each entry point names a probe class; its `heaviness`
        attribute (Rule 4) says whether it runs alone."""
        for entry_point in entry_points:
            source = f"entry-point:{entry_point.name}={entry_point.value}"
            loaded = entry_point.load()
            if not isinstance(loaded, type):
                raise RegistryError(
                    f"{source}: an entry point of {ENTRY_POINT_GROUP!r} must name a probe class",
                    probe=entry_point.name,
                )
            instance: Probe | LegacyProbe = loaded()
            spec = declared_spec(instance)
            name = spec.name if spec is not None else str(getattr(instance, "name", ""))
            # A plugin module may register itself on import through `@register_probe` too;
            # the entry point then only confirms what is already known.
            if (known := self._probes.get(name)) is not None and isinstance(known.probe, loaded):
                continue
            heaviness = None if spec is not None else heaviness_of(loaded)
            self.add(instance, heaviness=heaviness, source=source)

    def get(self, name: str) -> RegisteredProbe | None:
        return self._probes.get(name)

    def names(self) -> list[str]:
        return sorted(self._probes)

    def __iter__(self) -> Iterator[RegisteredProbe]:
        return iter(sorted(self._probes.values(), key=lambda r: (r.spec.layer, r.name)))

    def __len__(self) -> int:
        return len(self._probes)


DEFAULT_REGISTRY = ProbeRegistry()


def register_probe(
    *, heaviness: Heaviness | None = None, registry: ProbeRegistry | None = None
) -> Callable[[type[P]], type[P]]:
    """Class decorator: instantiate the class and add it to the registry. For a spec-style class
    `heaviness`, when given, must agree with the spec; for a class-attribute one it is recorded on
    the class (Rule 4; without it, the class's own attribute or "light")."""

    def decorate(cls: type[P]) -> type[P]:
        target = DEFAULT_REGISTRY if registry is None else registry
        if isinstance(cls.__dict__.get("spec"), ProbeSpec):
            target.add(cls(), heaviness=heaviness, source=f"builtin:{cls.__module__}")
            return cls
        if heaviness is not None:
            own: object = cls.__dict__.get("heaviness", heaviness)
            if own != heaviness:
                raise RegistryError(
                    f"probe class {cls.__qualname__} declares heaviness {own!r} but is "
                    f"registered as {heaviness!r}",
                    probe=cls.__qualname__,
                )
            setattr(cls, "heaviness", heaviness)  # noqa: B010  # a class attribute the Probe protocol does not declare
        declared = heaviness_of(cls)
        target.add(cls(), heaviness=declared, source=f"builtin:{cls.__module__}")
        return cls

    return decorate
