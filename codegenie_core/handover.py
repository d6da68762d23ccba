"""The hand-over of upstream results to a dependant: typed only when the dependant must run.

Rule 1: a cached upstream stays its verified plain payload (`Cached.entry`) until a dependant
misses its own cache and must run; only then is it structured into its typed envelope (a
dependant that hits, or declines, never structures its upstreams: see ADR-0085).
Rule 2: a cached upstream that does not structure (schema drift, a corrupt slice) is never handed
over: `handed_upstreams` returns `Unstructured` naming it, and the coordinator runs that upstream
again (without reading the cache) before the dependant starts over.
Rule 3: `plain_upstreams` gives a `declines_on` hook the plain slices of the upstreams that have
one: a cached upstream's as stored, one computed in this gather as its attrs fields (`plain_of`:
dicts, lists and scalars, the shape the hook reads defensively), so a dependant that declines
never structures its cached upstreams, even when another upstream ran (a gather after an edit;
ADR-0090, which supersedes ADR-0085's "only when every upstream is cached"). A computed slice
that is not an attrs instance leaves the decision to the typed path.
Rule 4: a `declines_on` hook is named `module:function` (the catalog holds the name), imported on
first use; it returns the reason the probe's `run` would give for not applying, or None when the
probe must run (and for anything it does not recognise: it may only decline what `run` would).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, cast

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
    """The plain slices of `needs` (Rule 3): stored for a cached one, the attrs fields of one
    computed in this gather; an upstream without a slice is absent; None when a computed slice
    is not an attrs instance."""
    plain: dict[str, Any] = {}
    for name in needs:
        match outcomes.get(name):
            case Ran(envelope=envelope):
                computed: object = envelope.slice
                if computed is not None and not attrs.has(type(computed)):
                    return None
                plain[name] = None if computed is None else plain_of(computed)
            case Cached(entry=entry):
                plain[name] = entry.plain_slice
            case Skipped() | Failed() | None:
                pass
    return plain


def plain_of(value: object) -> object:
    """`value` as plain data (Rule 3): an attrs instance as a dict of its fields, a tuple or list
    as a list, a dict's values likewise, anything else as itself."""
    if attrs.has(type(value)):
        return {f.name: plain_of(getattr(value, f.name)) for f in attrs.fields(type(value))}
    if isinstance(value, tuple | list):
        return [plain_of(item) for item in cast("Sequence[object]", value)]
    if isinstance(value, dict):
        return {k: plain_of(v) for k, v in cast("Mapping[object, object]", value).items()}
    return value


@cache
def declines_hook(target: str) -> DeclinesOn:
    """The hook `module:function` names (Rule 4)."""
    module, _, name = target.partition(":")
    hook: DeclinesOn = getattr(importlib.import_module(module), name)
    return hook
