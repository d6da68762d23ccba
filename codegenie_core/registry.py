"""The probe registry: `@register_probe` for built-ins, the `codegenie.probes` entry points for
third parties.

Rule 1: probe names are unique across built-ins and plugins; a second registration of a name is a
`RegistryError` naming both sources.
Rule 2: declared inputs are validated when a probe registers, so a malformed glob or an unknown
special token fails at import time, not in the middle of a gather.
Rule 3: discovery takes the entry points as values (anything with `name`, `value` and `load()`),
so the core reads no package metadata itself and tests need to install nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

import attrs

from codegenie_core.cache_keys import validate_declared_inputs
from codegenie_core.errors import RegistryError
from codegenie_core.probe import Probe
from codegenie_core.probe_types import Heaviness

ENTRY_POINT_GROUP = "codegenie.probes"

P = TypeVar("P", bound=Probe)

# How heavy each decorated class is, so entry-point discovery of a decorated class agrees with it.
_DECLARED_HEAVINESS: dict[type[Any], Heaviness] = {}


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
        """Load third-party probes. Each entry point names a probe class decorated with
        `@register_probe` or any class with a `heaviness` attribute."""
        for entry_point in entry_points:
            source = f"entry-point:{entry_point.name}={entry_point.value}"
            loaded = entry_point.load()
            if not isinstance(loaded, type):
                raise RegistryError(
                    f"{source}: an entry point of {ENTRY_POINT_GROUP!r} must name a probe class",
                    probe=entry_point.name,
                )
            heaviness = _DECLARED_HEAVINESS.get(loaded, "light")
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
    *, heaviness: Heaviness, registry: ProbeRegistry | None = None
) -> Callable[[type[P]], type[P]]:
    """Class decorator: instantiate the probe class and add it to the registry."""

    def decorate(cls: type[P]) -> type[P]:
        target = DEFAULT_REGISTRY if registry is None else registry
        _DECLARED_HEAVINESS[cls] = heaviness
        target.add(cls(), heaviness=heaviness, source=f"builtin:{cls.__module__}")
        return cls

    return decorate
