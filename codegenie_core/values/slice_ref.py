"""A probe's slice type named, not imported (see ADR-0077): what a built-in catalog entry holds
in place of the class, so a cache read can admit an entry by the class name it records."""

from __future__ import annotations

import importlib
from typing import Any

import attrs


@attrs.frozen(kw_only=True)
class SliceRef:
    """`names` are the module-qualified names of the classes the slice type admits (one, or each
    member of a union), as cache entries record them; `probe` is `module:Class` of the probe
    whose `spec.slice_type` it stands for."""

    names: tuple[str, ...]
    probe: str

    def resolve(self) -> Any:
        """The probe's own slice type; importing the probe's module."""
        module, _, cls = self.probe.partition(":")
        probe_class: Any = getattr(importlib.import_module(module), cls)
        slice_type: Any = probe_class.spec.slice_type
        return slice_type.resolve() if isinstance(slice_type, SliceRef) else slice_type
