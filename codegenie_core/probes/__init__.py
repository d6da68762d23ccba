"""The built-in probes. Importing this package registers every one of them."""

from __future__ import annotations

import importlib

# One module per probe; each registers itself with @register_probe on import.
BUILTIN_PROBE_MODULES: tuple[str, ...] = (
    "codegenie_core.probes.layer_a.git",
    "codegenie_core.probes.layer_a.languages",
    "codegenie_core.probes.layer_a.dockerfile",
    "codegenie_core.probes.layer_a.manifests",
    "codegenie_core.probes.layer_a.ci",
    "codegenie_core.probes.layer_b.scip_index",
    "codegenie_core.probes.layer_b.index_health",
    "codegenie_core.probes.layer_c.runtime_trace",
)


def load_builtin_probes() -> None:
    """Import every built-in probe module (idempotent: modules import once)."""
    for module in BUILTIN_PROBE_MODULES:
        importlib.import_module(module)
