"""The `index_health` probe: finds the repository's SCIP indexes and judges each one's health.

Rule 1: it looks at `index.scip` at the root, every `GatherConfig.index_paths` entry, the indexes
codegenie made (outside the work tree, labelled `codegenie:<indexer>`, see ADR-0028) and
`.codegenie/index/<indexer>/index.scip`; an index that is not there is not an error, and when none
is found the slice holds one `Missing`.
Rule 2: its declared inputs cover HEAD, the indexes in the repository and their sidecars, the made
indexes (`made-index`), `index_paths` and every source file a supported indexer reads, so a new
commit, an edited source file, a replaced or newly made index or another `--index-path` busts its
key. It runs after `scip_index`, so its key is taken after that probe made an index.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from codegenie_core.ports import FileProblem, IndexReader, RepoFiles
from codegenie_core.probe import Envelope, ProbeContext, Skip, ToolUnavailable
from codegenie_core.probe_types import CONFIDENCE_ORDER, Confidence
from codegenie_core.probes.layer_b.confidence import index_health_confidence, index_health_lines
from codegenie_core.probes.layer_b.health import INDEXER_EXTENSIONS, SOURCE_EXTENSIONS, judge_index
from codegenie_core.probes.layer_b.model import (
    Fresh,
    IndexHealth,
    IndexReadError,
    IndexReadResult,
    IndexSidecar,
    Missing,
    SidecarProblem,
    Stale,
)
from codegenie_core.probes.layer_b.sidecar import (
    INDEX_DIR,
    index_path_for,
    made_index_label,
    parse_sidecar,
    sidecar_path_for,
)
from codegenie_core.registry import register_probe
from codegenie_core.spec import PortName, ProbeSpec

ROOT_INDEX = "index.scip"
SOURCE_GLOBS = tuple(f"**/*{ext}" for ext in SOURCE_EXTENSIONS)


@attrs.frozen(kw_only=True)
class IndexHealthSlice:
    """The health of every index found, in discovery order, and where codegenie looked."""

    indexes: tuple[IndexHealth, ...]
    searched: tuple[str, ...]


def candidate_paths(files: Sequence[str], extra: Sequence[str]) -> tuple[str, ...]:
    """Where indexes may be: the root, configured paths, the made indexes (by label), then
    `.codegenie/index/<indexer>/` and any other index listed under it."""
    made = [made_index_label(indexer) for indexer in INDEXER_EXTENSIONS]
    own = [index_path_for(indexer) for indexer in INDEXER_EXTENSIONS]
    listed = [
        p
        for p in files
        if p.startswith(INDEX_DIR + "/") and p.endswith("/index.scip") and p.count("/") == 3
    ]
    return tuple(dict.fromkeys([ROOT_INDEX, *extra, *made, *own, *sorted(listed)]))


def read_sidecar(repo: RepoFiles, index_path: str) -> IndexSidecar | SidecarProblem | None:
    """The sidecar of an index under `.codegenie/index/`; None for any other index or when there is
    none."""
    if not index_path.startswith(INDEX_DIR + "/"):
        return None
    path = sidecar_path_for(index_path)
    data = repo.read_bytes(path)
    if isinstance(data, FileProblem):
        return None
    return parse_sidecar(path, data.decode("utf-8", "replace"))


def judge_path(
    repo: RepoFiles, reader: IndexReader, path: str
) -> tuple[IndexReadResult, IndexSidecar | SidecarProblem | None, IndexHealth | None]:
    """An index in the repository, its sidecar, and their health (None when neither is there)."""
    read = reader.read(path)
    sidecar = read_sidecar(repo, path)
    return read, sidecar, judge_index(path, read, sidecar, repo)


def judge_made(
    repo: RepoFiles, reader: IndexReader, indexer: str
) -> tuple[IndexReadResult, IndexSidecar | SidecarProblem | None, IndexHealth | None]:
    """The index codegenie made with `indexer`, its sidecar, and their health."""
    label = made_index_label(indexer)
    read = reader.read_made(indexer)
    data = reader.made_sidecar(indexer)
    sidecar = None if data is None else parse_sidecar(label, data.decode("utf-8", "replace"))
    return read, sidecar, judge_index(label, read, sidecar, repo)


def worst(confidences: Sequence[Confidence]) -> Confidence:
    result: Confidence = "high"
    for confidence in confidences:
        if CONFIDENCE_ORDER.index(confidence) > CONFIDENCE_ORDER.index(result):
            result = confidence
    return result


@register_probe()
class IndexHealthProbe:
    """Layer B: is there a SCIP index, and does it still describe this work tree?"""

    spec = ProbeSpec(
        name="index_health",
        version=1,
        layer="b",
        heaviness="light",
        timeout_s=120.0,
        # "**/*.scip" covers indexes named by GatherConfig.index_paths too (they may live anywhere);
        # `config:index_paths` says which of them are judged.
        reads=(
            "git-head:<resolved>",
            "made-index:<resolved>",
            "config:index_paths",
            "**/*.scip",
            f"{INDEX_DIR}/**",
            *SOURCE_GLOBS,
        ),
        ports=frozenset[PortName]({"repo", "index_reader"}),
        needs=("scip_index",),
        slice_type=IndexHealthSlice,
        # 2: IndexerError carries a hint (ADR-0028); 3: an IndexReadError kind is one a reader
        # produces (no `protobuf-backend`, ADR-0040)
        schema_version=3,
    )

    def applies(self, ctx: ProbeContext) -> bool:
        return True

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        reader = ctx.index_reader
        if reader is None:
            return ToolUnavailable(tool="scip-reader", reason="no SCIP index reader is configured")
        searched = candidate_paths(ctx.repo.list_files(), ctx.config.index_paths)
        made = {made_index_label(indexer): indexer for indexer in INDEXER_EXTENSIONS}
        found: list[IndexHealth] = []
        notes: list[str] = []
        for path in searched:
            if path in made:
                read, sidecar, health = judge_made(ctx.repo, reader, made[path])
            else:
                read, sidecar, health = judge_path(ctx.repo, reader, path)
            if isinstance(sidecar, SidecarProblem):
                notes.append(f"{sidecar.path}: {sidecar.message}; judged from the index itself")
            if health is not None:
                found.append(health)
            elif path in ctx.config.index_paths and isinstance(read, IndexReadError):
                notes.append(f"configured index {path}: {read.message}")
        indexes = tuple(found) if found else (Missing(searched=searched),)
        for health in indexes:
            notes.extend(index_health_lines(health))
            if isinstance(health, Fresh | Stale) and health.basis == "index-only":
                notes.append(
                    f"{health.index_path}: confidence lowered: no codegenie sidecar records the "
                    "commit it was made from"
                )
        return Envelope(
            probe=self.spec.name,
            schema_version=self.spec.schema_version,
            confidence=worst([index_health_confidence(h) for h in indexes]),
            slice=IndexHealthSlice(indexes=indexes, searched=searched),
            notes=tuple(notes),
        )
