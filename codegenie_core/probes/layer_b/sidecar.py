"""The sidecar codegenie writes beside an index it made: its layout on disk and its JSON form.

Rule 1: the indexes codegenie makes live outside the work tree (the `IndexReader` port finds them by
indexer name) and are reported under the label `codegenie:<indexer>` (see ADR-0028). Indexes a
user put at `.codegenie/index/<indexer>/index.scip`, with a sidecar at
`.codegenie/index/<indexer>/index.json` (where codegenie made them before ADR-0028), are still read
(see ADR-0010).
Rule 2: `parse_sidecar` takes text, never a path, and returns a `SidecarProblem` for anything that
is not the object `sidecar_json` writes; it never raises.
"""

from __future__ import annotations

import json
from typing import Any, cast

from codegenie_core.probes.layer_b.model import IndexSidecar, SidecarProblem

INDEX_DIR = ".codegenie/index"
MADE_INDEX_PREFIX = "codegenie:"  # a colon-named label: no repository path a glob matches
SIDECAR_FORMAT = 1


def index_path_for(indexer: str) -> str:
    """Where a user may keep an index of `indexer` inside the repository, with its sidecar."""
    return f"{INDEX_DIR}/{indexer}/index.scip"


def made_index_label(indexer: str) -> str:
    """How the index codegenie made with `indexer` is named in slices and reports."""
    return MADE_INDEX_PREFIX + indexer


def sidecar_path_for(index_path: str) -> str:
    """The sidecar beside `index_path` (only codegenie-made indexes have one)."""
    head, _, _ = index_path.rpartition("/")
    return f"{head}/index.json" if head else "index.json"


def sidecar_json(sidecar: IndexSidecar) -> str:
    """The sidecar as the JSON text written to disk (sorted keys, so it is byte-stable)."""
    document: dict[str, Any] = {
        "format": SIDECAR_FORMAT,
        "indexer": sidecar.indexer,
        "indexer_version": sidecar.indexer_version,
        "last_indexed": sidecar.last_indexed,
        "argv": list(sidecar.argv),
        "exit_status": sidecar.exit_status,
        "timed_out": sidecar.timed_out,
        "document_count": sidecar.document_count,
        "stderr_tail": sidecar.stderr_tail,
        "started_at": sidecar.started_at,
        "ended_at": sidecar.ended_at,
        "work_tree": dict(sidecar.work_tree),
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def parse_sidecar(path: str, text: str) -> IndexSidecar | SidecarProblem:
    """Read the JSON object `sidecar_json` writes; anything else is a problem naming the field."""
    try:
        document: object = json.loads(text)
    except ValueError as error:
        return SidecarProblem(path=path, message=f"not JSON: {error}")
    if not isinstance(document, dict):
        return SidecarProblem(path=path, message="not a JSON object")
    fields = cast("dict[str, object]", document)  # JSON object keys are always strings
    strings = ("indexer", "indexer_version", "stderr_tail", "started_at", "ended_at")
    for name in strings:
        if not isinstance(fields.get(name), str):
            return SidecarProblem(path=path, message=f"field {name!r} is not a string")
    last_indexed = fields.get("last_indexed")
    if last_indexed is not None and not isinstance(last_indexed, str):
        return SidecarProblem(path=path, message="field 'last_indexed' is not a string or null")
    argv = fields.get("argv")
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):  # pyright: ignore[reportUnknownVariableType] -- checked element by element
        return SidecarProblem(path=path, message="field 'argv' is not a list of strings")
    exit_status = fields.get("exit_status")
    if exit_status is not None and (
        isinstance(exit_status, bool) or not isinstance(exit_status, int)
    ):
        return SidecarProblem(path=path, message="field 'exit_status' is not an integer or null")
    document_count = fields.get("document_count")
    if document_count is not None and (
        isinstance(document_count, bool) or not isinstance(document_count, int)
    ):
        return SidecarProblem(path=path, message="field 'document_count' is not an integer or null")
    timed_out = fields.get("timed_out")
    if not isinstance(timed_out, bool):
        return SidecarProblem(path=path, message="field 'timed_out' is not a boolean")
    work_tree = fields.get("work_tree", {})
    if not isinstance(work_tree, dict) or not all(isinstance(v, str) for v in work_tree.values()):  # pyright: ignore[reportUnknownVariableType] -- checked value by value
        return SidecarProblem(path=path, message="field 'work_tree' is not an object of strings")
    recorded = cast("dict[str, str]", work_tree)
    return IndexSidecar(
        indexer=str(fields["indexer"]),
        indexer_version=str(fields["indexer_version"]),
        last_indexed=last_indexed,
        argv=tuple(str(a) for a in argv),  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType] -- strings, checked above
        exit_status=exit_status,
        timed_out=timed_out,
        document_count=document_count,
        stderr_tail=str(fields["stderr_tail"]),
        started_at=str(fields["started_at"]),
        ended_at=str(fields["ended_at"]),
        work_tree=tuple(sorted(recorded.items())),
    )
