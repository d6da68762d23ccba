"""A probe's outcome in a gather: ran, served from cache, skipped, or failed. Never an exception.

The values live on the core's values floor, in `codegenie_core.values.outcome`; this module
re-exports the same objects under their old path (see ADR-0040).
"""

from __future__ import annotations

from codegenie_core.values.outcome import (
    Cached,
    Failed,
    NotApplicable,
    ProbeOutcome,
    Ran,
    Skip,
    Skipped,
    SkipReason,
    ToolUnavailable,
    UpstreamUnavailable,
    envelope_of,
)

__all__ = [
    "Cached",
    "Failed",
    "NotApplicable",
    "ProbeOutcome",
    "Ran",
    "Skip",
    "SkipReason",
    "Skipped",
    "ToolUnavailable",
    "UpstreamUnavailable",
    "envelope_of",
]
