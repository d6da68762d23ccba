"""codegenie's pure core: probes, the registry, the coordinator, cache keys, verdicts, reports.

Importing this package loads only the standard library (see ADR-0001, ADR-0007): the public names
below are imported on first use, so `import codegenie_core.errors` or `--help` pays for nothing
else. Built-in probes register when `codegenie_core.probes.load_builtin_probes()` runs.

The gather over any ports: `gather(ctx, to_plain=...)` runs the probes over the ports in a
`ProbeContext` (fakes included) and returns a `Gathered`, whose `to_document()` is the context
document the CLI writes; `gather_with(ports, GatherRequest(...), open_repository(...))` builds the
ports from a `PortFactory` first. `codegenie_adapters.gather_repository` does both over the real
adapters (see ADR-0034).
"""

from __future__ import annotations

import importlib

# Not `typing.TYPE_CHECKING`: importing `typing` is most of what `codegenie-cli --version` would
# pay for this package (ADR-0055); type checkers take a module-level `TYPE_CHECKING` as True.
TYPE_CHECKING = False

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "DEFAULT_REGISTRY": "codegenie_core.registry",
    "CacheEntryError": "codegenie_core.probe",
    "CacheKey": "codegenie_core.cache_keys",
    "Cached": "codegenie_core.outcomes",
    "CachedEnvelope": "codegenie_core.probe",
    "CodegenieError": "codegenie_core.errors",
    "Envelope": "codegenie_core.probe",
    "Failed": "codegenie_core.outcomes",
    "GatherConfig": "codegenie_core.config",
    "GatherRequest": "codegenie_core.request",
    "Gathered": "codegenie_core.session",
    "NotApplicable": "codegenie_core.probe",
    "OpenedRepo": "codegenie_core.request",
    "PortFactory": "codegenie_core.request",
    "Probe": "codegenie_core.probe",
    "ProbeContext": "codegenie_core.probe",
    "ProbeOutcome": "codegenie_core.outcomes",
    "ProbeRegistry": "codegenie_core.registry",
    "ProbeSpec": "codegenie_core.spec",
    "Ran": "codegenie_core.outcomes",
    "Skipped": "codegenie_core.outcomes",
    "ToolUnavailable": "codegenie_core.probe",
    "explain_key": "codegenie_core.cache_keys",
    "gather": "codegenie_core.session",
    "gather_with": "codegenie_core.session",
    "key_for": "codegenie_core.cache_keys",
    "open_repository": "codegenie_core.request",
    "register_probe": "codegenie_core.registry",
}

if TYPE_CHECKING:
    from typing import Any

    from codegenie_core.cache_keys import CacheKey, explain_key, key_for
    from codegenie_core.config import GatherConfig
    from codegenie_core.errors import CodegenieError
    from codegenie_core.outcomes import Cached, Failed, ProbeOutcome, Ran, Skipped
    from codegenie_core.probe import (
        CachedEnvelope,
        CacheEntryError,
        Envelope,
        NotApplicable,
        Probe,
        ProbeContext,
        ToolUnavailable,
    )
    from codegenie_core.registry import DEFAULT_REGISTRY, ProbeRegistry, register_probe
    from codegenie_core.request import GatherRequest, OpenedRepo, PortFactory, open_repository
    from codegenie_core.session import Gathered, gather, gather_with
    from codegenie_core.spec import ProbeSpec

__all__ = [
    "DEFAULT_REGISTRY",
    "CacheEntryError",
    "CacheKey",
    "Cached",
    "CachedEnvelope",
    "CodegenieError",
    "Envelope",
    "Failed",
    "GatherConfig",
    "GatherRequest",
    "Gathered",
    "NotApplicable",
    "OpenedRepo",
    "PortFactory",
    "Probe",
    "ProbeContext",
    "ProbeOutcome",
    "ProbeRegistry",
    "ProbeSpec",
    "Ran",
    "Skipped",
    "ToolUnavailable",
    "__version__",
    "explain_key",
    "gather",
    "gather_with",
    "key_for",
    "open_repository",
    "register_probe",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'codegenie_core' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
