"""Thin adapters implementing codegenie_core's ports, in-memory fakes of every port, and the
Python API over them.

`gather_repository(path, ...)` runs a gather of a local repository as `codegenie-cli gather` does
and returns a `codegenie_core.Gathered`; `to_yaml` / `to_json` dump its `to_document()` as the CLI
writes it; `LocalPorts` is the factory of real ports it uses (see ADR-0034). The names are
imported on first use, so importing this package loads nothing else. Adapters log through
`codegenie_adapters.log`, silent until enabled (see ADR-0017).
"""

from __future__ import annotations

import importlib

# Not `typing.TYPE_CHECKING`: the entry point's head start (`head_start`) imports this package
# before anything else, and `typing` would cost it more than its own work (ADR-0091, as ADR-0055
# for `codegenie_core`); type checkers take a module-level `TYPE_CHECKING` as True.
TYPE_CHECKING = False

_EXPORTS: dict[str, str] = {
    "LocalPorts": "codegenie_adapters.local",
    "gather_repository": "codegenie_adapters.api",
    "to_json": "codegenie_adapters.documents",
    "to_yaml": "codegenie_adapters.documents",
}

if TYPE_CHECKING:
    from typing import Any

    from codegenie_adapters.api import gather_repository
    from codegenie_adapters.documents import to_json, to_yaml
    from codegenie_adapters.local import LocalPorts

__all__ = ["LocalPorts", "gather_repository", "to_json", "to_yaml"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'codegenie_adapters' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
