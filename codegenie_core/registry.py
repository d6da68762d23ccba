"""The probe registry: `@register_probe` for built-ins, the `codegenie.probes` entry points for
third parties.

Rule 1: probe names are unique across built-ins and plugins; a second registration of a name is a
`RegistryError` naming both sources.
Rule 2: declared inputs are validated when a probe registers, so a malformed glob or an unknown
special token fails at import time, not in the middle of a gather.
Rule 3: discovery takes the entry points as values (anything with `name`, `value` and `load()`),
so the core reads no package metadata itself and tests need to install nothing.
Rule 4: heaviness is a property of the probe class, its `heaviness` attribute ("light" when it has
none); `@register_probe(heaviness=...)` sets that attribute, so a decorated class, a class that
only declares it, and the same class found through an entry point all run alike (see ADR-0029).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

import attrs

from codegenie_core.cache_keys import validate_declared_inputs
from codegenie_core.errors import RegistryError
from codegenie_core.probe import Probe
from codegenie_core.probe_types import HEAVINESS, Heaviness

ENTRY_POINT_GROUP = "codegenie.probes"

P = TypeVar("P", bound=Probe)


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


@attrs.frozen(kw_only=True)
class RegisteredProbe:
    """A probe instance with how heavy it is and where it came from."""

    probe: Probe
    heaviness: Heaviness
    source: str  # "builtin:<module>" or "entry-point:<name>=<value>"

    @property
    def name(self) -> str:
        return self.probe.name


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

    def add(self, probe: Probe, *, heaviness: Heaviness, source: str) -> RegisteredProbe:
        existing = self._probes.get(probe.name)
        if existing is not None:
            raise RegistryError(
                f"probe name {probe.name!r} is registered twice: by {existing.source} "
                f"and by {source}; probe names must be unique",
                probe=probe.name,
            )
        validate_declared_inputs(probe.name, probe.declared_inputs)
        registered = RegisteredProbe(probe=probe, heaviness=heaviness, source=source)
        self._probes[probe.name] = registered
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
            heaviness = heaviness_of(loaded)
            instance: Probe = loaded()
            # A plugin module may register itself on import through `@register_probe` too;
            # the entry point then only confirms what is already known.
            if (known := self._probes.get(instance.name)) is not None and isinstance(
                known.probe, loaded
            ):
                continue
            self.add(instance, heaviness=heaviness, source=source)

    def get(self, name: str) -> RegisteredProbe | None:
        return self._probes.get(name)

    def names(self) -> list[str]:
        return sorted(self._probes)

    def __iter__(self) -> Iterator[RegisteredProbe]:
        return iter(sorted(self._probes.values(), key=lambda r: (r.probe.layer, r.name)))

    def __len__(self) -> int:
        return len(self._probes)


DEFAULT_REGISTRY = ProbeRegistry()


def register_probe(
    *, heaviness: Heaviness | None = None, registry: ProbeRegistry | None = None
) -> Callable[[type[P]], type[P]]:
    """Class decorator: record `heaviness` on the class (Rule 4; without it, the class's own
    attribute or "light"), instantiate it and add it to the registry."""

    def decorate(cls: type[P]) -> type[P]:
        target = DEFAULT_REGISTRY if registry is None else registry
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
