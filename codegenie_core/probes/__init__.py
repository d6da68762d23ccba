"""The built-in probes. Importing this package registers every one of them."""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from codegenie_core.probe_types import Layer

# One module per probe; each registers itself with @register_probe on import.
BUILTIN_PROBE_MODULES: tuple[str, ...] = (
    "codegenie_core.probes.layer_a.git",
    "codegenie_core.probes.layer_a.languages",
    "codegenie_core.probes.layer_a.dockerfile",
    "codegenie_core.probes.layer_a.manifests",
    "codegenie_core.probes.layer_a.ci",
    "codegenie_core.probes.layer_a.compose",
    "codegenie_core.probes.layer_b.scip_index",
    "codegenie_core.probes.layer_b.index_health",
    "codegenie_core.probes.layer_c.runtime_trace",
    "codegenie_core.probes.layer_c.loaded_dependencies",
)


def load_builtin_probes(layers: Iterable[Layer] | None = None) -> None:
    """Import the built-in probe modules of `layers` (every layer when None); idempotent.

    A gather of layer A alone need not pay for the parsers and models of layers B and C."""
    wanted = None if layers is None else {f".layer_{layer}." for layer in layers}
    for module in BUILTIN_PROBE_MODULES:
        if wanted is None or any(part in module for part in wanted):
            importlib.import_module(module)
