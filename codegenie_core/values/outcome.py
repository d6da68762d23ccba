"""A probe's outcome in a gather, as values: ran, served from cache, skipped (and why), or failed.

Never an exception. Consumers `match` over `ProbeOutcome` and close with `assert_never`, so adding
a variant breaks every consumer under pyright strict until it is handled (see ADR-0002). What a
probe's `run` may return instead of an envelope (`Skip`) is here too, beside the reasons a gather
adds. `codegenie_core.outcomes` and `codegenie_core.probe` re-export these (see ADR-0040).
"""

from __future__ import annotations

import attrs

from codegenie_core.values.envelope import CachedEnvelope, Envelope

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


@attrs.frozen(kw_only=True)
class NotApplicable:
    """The probe has nothing to look at in this repository (no Dockerfile, no manifest)."""

    reason: str


@attrs.frozen(kw_only=True)
class ToolUnavailable:
    """The probe needs a tool that is not installed or not running; `hint` says how to get it."""

    tool: str
    reason: str
    hint: str = ""


Skip = NotApplicable | ToolUnavailable


@attrs.frozen(kw_only=True)
class UpstreamUnavailable:
    """A probe this one `needs` failed (or was skipped because of a failure further up)."""

    upstream: str
    upstream_outcome: str  # "failed" or "skipped after a failure"


SkipReason = NotApplicable | ToolUnavailable | UpstreamUnavailable


@attrs.frozen(kw_only=True)
class Ran:
    """The probe ran now; `cache_key` is the key it was (or would be) stored under."""

    probe: str
    envelope: Envelope
    duration_ms: int
    cache_key: str


@attrs.frozen(kw_only=True)
class Cached:
    """The result came from the cache under `cache_key`; nothing was recomputed. `entry` holds
    it as stored; `envelope` is the typed envelope, structured on first use (see ADR-0020)."""

    probe: str
    entry: CachedEnvelope
    duration_ms: int
    cache_key: str

    @property
    def envelope(self) -> Envelope:
        """The typed envelope; raises `CacheEntryError` when the slice does not structure."""
        return self.entry.envelope()


@attrs.frozen(kw_only=True)
class Skipped:
    """The probe did not run, and `reason` says why."""

    probe: str
    reason: SkipReason
    duration_ms: int = 0


@attrs.frozen(kw_only=True)
class Failed:
    """The probe raised or overran its timeout; the gather went on without it."""

    probe: str
    error_type: str
    message: str
    duration_ms: int


ProbeOutcome = Ran | Cached | Skipped | Failed


def envelope_of(outcome: ProbeOutcome) -> Envelope | None:
    """The typed envelope of an outcome that has one. For `Cached` it is structured on first use
    and may raise `CacheEntryError`; the coordinator structures every hit a dependant reads."""
    match outcome:
        case Ran(envelope=envelope) | Cached(envelope=envelope):
            return envelope
        case Skipped() | Failed():
            return None
