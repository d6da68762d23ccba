"""The built-in probes. Importing a probe's module registers it; `register_catalog` registers
them all from their catalogued specs, importing none (see ADR-0077)."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from codegenie_core.probe_types import Layer

if TYPE_CHECKING:
    from codegenie_core.registry import ProbeRegistry

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


def register_catalog(
    layers: Iterable[Layer] | None = None, registry: ProbeRegistry | None = None
) -> None:
    """Register the built-in probes of `layers` (every layer when None) from the catalog, each a
    `LazyProbe` whose module is imported only when it must run; a name already registered (its
    module imported) is left as it is. Idempotent."""
    from codegenie_core.probes.catalog import CATALOG
    from codegenie_core.registry import DEFAULT_REGISTRY

    target = DEFAULT_REGISTRY if registry is None else registry
    wanted = None if layers is None else frozenset(layers)
    for entry in CATALOG:
        if wanted is None or entry.spec.layer in wanted:
            target.add_catalogued(entry)
