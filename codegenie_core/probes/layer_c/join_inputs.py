"""Whether `loaded_dependencies` has anything to join, decided on its upstreams' slices as plain
data, so a warm gather that declines imports neither slice's classes (ADR-0074, ADR-0085).

Rule 1: the reasons are the ones the probe's `run` gives, from the same functions, in the same
order: no runtime trace, no inventory, a trace that traced no scenario.
Rule 2: plain data comes from a cache entry whose checksum and slice class were verified, or from
a slice computed in this gather, as its attrs fields (`handover.plain_of`, ADR-0090), yet it is
still read defensively: any shape this module does not recognise means "cannot tell" (None), and
the probe runs on the typed slices and decides itself. It never declines what `run` would not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

TRACE_PROBE = "runtime_trace"  # the name `layer_c.model.PROBE_NAME` gives the runtime trace
INVENTORY_PROBE = "manifests"
NO_INVENTORY = "no dependency inventory to join (manifests gave none)"


def no_trace() -> str:
    return f"no runtime trace to join ({TRACE_PROBE} gave none)"


def untraced(status: str) -> str:
    return f"the runtime trace traced no scenario (status {status})"


def declines_on(upstream: Mapping[str, Any]) -> str | None:
    """The reason `loaded_dependencies` would skip, from the plain slices of its upstreams that
    have one (absent: the upstream gave no slice); None when it must run (Rule 1, Rule 2)."""
    trace = upstream.get(TRACE_PROBE)
    if trace is None:
        return no_trace()
    if upstream.get(INVENTORY_PROBE) is None:
        return NO_INVENTORY
    fields = _object(trace)
    images, status = _list(fields.get("images")), fields.get("status")
    if images is None or not isinstance(status, str):
        return None
    for image in map(_object, images):
        reports = _list(image.get("scenarios"))
        if reports is None:
            return None
        if image.get("status") != "traced":
            continue
        for report in map(_object, reports):
            if report.get("trace", ...) is not None:
                return None  # a traced scenario (or a shape not recognised): the probe runs
    return untraced(status)


def _object(value: object) -> Mapping[str, object]:
    """A JSON object as a mapping; anything else as an empty one (every field then "absent")."""
    return cast("dict[str, object]", value) if isinstance(value, dict) else {}


def _list(value: object) -> list[object] | None:
    return cast("list[object]", value) if isinstance(value, list) else None
