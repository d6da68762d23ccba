"""A probe's result as a value: the `Envelope`, and the `CachedEnvelope` a cache reads back.
`codegenie_core.probe` re-exports them (see ADR-0036)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from codegenie_core.probe_types import Confidence


@attrs.frozen(kw_only=True)
class Envelope:
    """One probe's result: the typed slice, how far it can be trusted, and why."""

    probe: str
    schema_version: int
    confidence: Confidence
    slice: Any  # an attrs instance of the probe's `slice_type`; typed per probe
    notes: tuple[str, ...] = ()


class CacheEntryError(Exception):
    """A cache entry passed its checks (checksum, format, head, slice class) yet its slice does
    not structure as the probe's slice type. The cache has logged it and removed the entry. Only
    `CachedEnvelope.envelope()` raises it; a gather never lets it escape (see ADR-0020)."""


@attrs.frozen(kw_only=True)
class CachedEnvelope:
    """An envelope read back from a cache: its head as values, its slice as the plain data it was
    stored as (the converter's unstructured form, in field order, with JSON's types).

    `envelope()` builds the typed `Envelope` on its first call and keeps it. A gather that only
    renders a cached result never structures it; the coordinator structures the entries whose
    probes have dependants before trusting them (see ADR-0020)."""

    probe: str
    schema_version: int
    confidence: Confidence
    notes: tuple[str, ...]
    plain_slice: Any = attrs.field(hash=False)  # JSON data: dicts and lists, not hashable
    load: Callable[[], Envelope] = attrs.field(eq=False, repr=False)
    _built: list[Envelope] = attrs.field(init=False, factory=list[Envelope], eq=False, repr=False)

    def envelope(self) -> Envelope:
        """The typed envelope; raises `CacheEntryError` when the slice does not structure."""
        if not self._built:
            self._built.append(self.load())  # two racing callers build equal envelopes
        return self._built[0]
