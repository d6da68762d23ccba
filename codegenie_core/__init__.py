"""codegenie's pure core: probes, the registry, the coordinator, cache keys, verdicts, reports.

Importing this package loads only the standard library and attrs (see ADR-0001); built-in probes
register when `codegenie_core.probes` is imported.
"""

from __future__ import annotations

from codegenie_core.cache_keys import CacheKey, explain_key, key_for
from codegenie_core.errors import CodegenieError
from codegenie_core.outcomes import Cached, Failed, ProbeOutcome, Ran, Skipped
from codegenie_core.probe import (
    Envelope,
    NotApplicable,
    Probe,
    ProbeContext,
    ToolUnavailable,
)
from codegenie_core.registry import DEFAULT_REGISTRY, ProbeRegistry, register_probe

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_REGISTRY",
    "CacheKey",
    "Cached",
    "CodegenieError",
    "Envelope",
    "Failed",
    "NotApplicable",
    "Probe",
    "ProbeContext",
    "ProbeOutcome",
    "ProbeRegistry",
    "Ran",
    "Skipped",
    "ToolUnavailable",
    "__version__",
    "explain_key",
    "key_for",
    "register_probe",
]
