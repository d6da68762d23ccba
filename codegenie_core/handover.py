"""The hand-over of upstream results to a dependant: typed only when the dependant must run.

Rule 1: a cached upstream stays its verified plain payload (`Cached.entry`) until a dependant
misses its own cache and must run; only then is it structured into its typed envelope (a
dependant that hits, or declines, never structures its upstreams: see ADR-0085).
Rule 2: a cached upstream that does not structure (schema drift, a corrupt slice) is never handed
over: `handed_upstreams` returns `Unstructured` naming it, and the coordinator runs that upstream
again (without reading the cache) before the dependant starts over.
Rule 3: `plain_upstreams` gives a `declines_on` hook the stored plain slices of the upstreams
that have one, only when every upstream with a slice is cached: a slice computed in this gather
is typed already, and its dependant's own `run` decides on it.
Rule 4: a `declines_on` hook is named `module:function` (the catalog holds the name), imported on
first use; it returns the reason the probe's `run` would give for not applying, or None when the
probe must run (and for anything it does not recognise: it may only decline what `run` would).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

import attrs

from codegenie_core.outcomes import Cached, Failed, ProbeOutcome, Ran, Skipped
from codegenie_core.probe import CacheEntryError, Envelope

DeclinesOn = Callable[[Mapping[str, Any]], str | None]


@attrs.frozen(kw_only=True)
class Handed:
    """Every upstream slice a dependant reads, typed, by probe name."""

    envelopes: dict[str, Envelope]


@attrs.frozen(kw_only=True)
class Unstructured:
    """Cached upstreams whose entries do not structure: they must run again (Rule 2)."""

    upstreams: tuple[str, ...]


def handed_upstreams(
    needs: Sequence[str], outcomes: Mapping[str, ProbeOutcome]
) -> Handed | Unstructured:
    """The typed envelopes of `needs` that have one (Rule 1), or the cached ones that do not
    structure (Rule 2)."""
    envelopes: dict[str, Envelope] = {}
    broken: list[str] = []
    for name in needs:
        match outcomes.get(name):
            case Ran(envelope=envelope):
                envelopes[name] = envelope
            case Cached() as cached:
                try:
                    envelopes[name] = cached.envelope
                except CacheEntryError:
                    broken.append(name)
            case Skipped() | Failed() | None:
                pass
    if broken:
        return Unstructured(upstreams=tuple(broken))
    return Handed(envelopes=envelopes)


def plain_upstreams(
    needs: Sequence[str], outcomes: Mapping[str, ProbeOutcome]
) -> dict[str, Any] | None:
    """The stored plain slices of the cached `needs` (Rule 3); an upstream without a slice is
    absent; None when some upstream's slice was computed in this gather."""
    plain: dict[str, Any] = {}
    for name in needs:
        match outcomes.get(name):
            case Ran():
                return None
            case Cached(entry=entry):
                plain[name] = entry.plain_slice
            case Skipped() | Failed() | None:
                pass
    return plain


@cache
def declines_hook(target: str) -> DeclinesOn:
    """The hook `module:function` names (Rule 4)."""
    module, _, name = target.partition(":")
    hook: DeclinesOn = getattr(importlib.import_module(module), name)
    return hook
