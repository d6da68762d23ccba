"""What a workspace reader sees and reports (the `manifests` probe's `WORKSPACE_READERS`).

Kept apart from `inventory_sources`, whose tables import the readers, so a reader module can
import these types without an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs

from codegenie_core.parsers.inventory import Declared, Reason, Workspace
from codegenie_core.parsers.lock_model import Lock
from codegenie_core.probes.layer_a.inputs import InputProblem

__all__ = ["WorkspaceFacts", "WorkspaceInput", "WorkspaceReader"]


@attrs.frozen(kw_only=True)
class WorkspaceInput:
    """What a workspace reader sees: the probe's files, the parsed manifests by ecosystem and
    path, the text of any declared file, and the YAML reader."""

    files: Sequence[str]
    manifests: Mapping[str, Mapping[str, object]]  # ecosystem -> path -> manifest view
    read_text: Callable[[str], str | InputProblem]
    parse_yaml: Callable[[str, str], object | InputProblem]  # (path, text)
    locks: Mapping[str, Lock] = attrs.field(factory=dict[str, Lock])  # the locks read, by path


@attrs.frozen(kw_only=True)
class WorkspaceFacts:
    workspaces: tuple[Workspace, ...] = ()
    # (manifest path, dependency name, manifest scope) -> the declared dependency rewritten
    rewrites: Mapping[tuple[str, str, str], Declared] = attrs.field(
        factory=dict[tuple[str, str, str], Declared]
    )
    # the same key -> the declared dependencies it stands for (a Gradle bundle: several)
    expansions: Mapping[tuple[str, str, str], tuple[Declared, ...]] = attrs.field(
        factory=dict[tuple[str, str, str], tuple[Declared, ...]]
    )
    reasons: tuple[Reason, ...] = ()
    problems: tuple[InputProblem, ...] = ()
    # lockfile path -> the lock refined with what only the manifests say (Cargo.lock names its
    # members by package, not directory: the workspace reader adds their sources and importers)
    locks: Mapping[str, Lock] = attrs.field(factory=dict[str, Lock])


WorkspaceReader = Callable[[WorkspaceInput], WorkspaceFacts]
