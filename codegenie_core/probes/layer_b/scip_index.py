"""The `scip_index` probe: with `--index`, runs the SCIP indexers the repository's languages need.

Rule 1: it applies only when `GatherConfig.make_index` is set, and runs an indexer only when its
index is missing, stale, failed or corrupt; a fresh index is left alone.
Rule 2: it is heavy (one at a time) and returns what it ran: indexer, exit status, duration.
Rule 3: when every needed indexer is missing it is `ToolUnavailable`, naming how to install it.
Rule 4: the indexes it makes live outside the work tree (see ADR-0028), so a gather leaves the
work tree as it found it; its key follows them (`made-index`), and the options it reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, assert_never

import attrs

from codegenie_core.ports import RepoFiles
from codegenie_core.probe import Envelope, NotApplicable, ProbeContext, Skip, ToolUnavailable
from codegenie_core.probe_types import Confidence
from codegenie_core.probes.layer_b.health import extension_of, source_files
from codegenie_core.probes.layer_b.index_health import SOURCE_GLOBS, judge_made
from codegenie_core.probes.layer_b.model import Fresh, IndexerFinished, IndexerMissing
from codegenie_core.probes.layer_b.sidecar import INDEX_DIR, made_index_label
from codegenie_core.registry import register_probe
from codegenie_core.spec import PortName, ProbeSpec

RUN_SHARE = 0.9
MIN_RUN_S = 1.0
# Which indexer reads which sources (scip-typescript reads JavaScript through an inferred config).
INDEXER_FOR_EXTENSION: dict[str, str] = {
    **dict.fromkeys(
        (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"), "scip-typescript"
    ),
    ".py": "scip-python",
}


@attrs.frozen(kw_only=True)
class IndexerRunRecord:
    """What happened for one indexer."""

    indexer: str
    action: Literal["ran", "already-fresh", "unavailable", "out-of-time"]
    index_path: str
    exit_status: int | None = None
    timed_out: bool = False
    duration_s: float = 0.0
    document_count: int | None = None
    hint: str = ""


@attrs.frozen(kw_only=True)
class ScipIndexSlice:
    runs: tuple[IndexerRunRecord, ...]


def indexers_for(files: Sequence[str]) -> list[str]:
    """The indexers the repository's source files call for, in a stable order."""
    wanted = {
        INDEXER_FOR_EXTENSION[ext]
        for p in files
        if (ext := extension_of(p)) in INDEXER_FOR_EXTENSION and not p.startswith(INDEX_DIR + "/")
    }
    return sorted(wanted)


def uncommitted_sources(
    repo: RepoFiles, head: str | None, extensions: Sequence[str]
) -> tuple[tuple[str, str], ...]:
    """Source files that differ from HEAD now, with their digests, for the sidecar."""
    if head is None:
        return ()
    changed = source_files(repo.changed_since(head) or (), frozenset(extensions))
    return tuple(sorted(repo.digests(changed).items())) if changed else ()


@register_probe()
class ScipIndexProbe:
    """Layer B, heavy: make or refresh SCIP indexes (`--index`)."""

    spec = ProbeSpec(
        name="scip_index",
        version=1,
        layer="b",
        heaviness="heavy",
        timeout_s=900.0,
        reads=(
            "git-head:<resolved>",
            "made-index:<resolved>",
            "config:make_index",
            "config:probe_timeout_cap_s",
            *SOURCE_GLOBS,
        ),
        ports=frozenset[PortName]({"repo", "clock", "index_reader", "indexer"}),
        writes=("made-index:<resolved>",),  # the indexes index_health reads (ADR-0028)
        slice_type=ScipIndexSlice,
        schema_version=1,
    )

    def applies(self, ctx: ProbeContext) -> bool:
        return True  # `run` says why when indexing was not asked for

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        if not ctx.config.make_index:
            return NotApplicable(reason="indexing was not asked for (pass --index to make indexes)")
        runner = ctx.indexer
        if runner is None:
            return ToolUnavailable(tool="scip-indexer", reason="no indexer runner is configured")
        wanted = indexers_for(ctx.repo.list_files())
        if not wanted:
            return NotApplicable(reason="no TypeScript, JavaScript or Python sources to index")
        started = ctx.clock.monotonic()
        # The coordinator abandons the probe at its deadline; each indexer gets what is left of
        # it (less a margin to write the sidecar), so no indexer outlives the probe.
        deadline = started + RUN_SHARE * self.spec.deadline_s(ctx.config)
        git = ctx.repo.git_state()
        head = git.head if git is not None else None
        records: list[IndexerRunRecord] = []
        for indexer in wanted:
            path = made_index_label(indexer)
            if ctx.index_reader is not None:
                _, _, health = judge_made(ctx.repo, ctx.index_reader, indexer)
                if isinstance(health, Fresh):
                    records.append(
                        IndexerRunRecord(indexer=indexer, action="already-fresh", index_path=path)
                    )
                    continue
            left = deadline - ctx.clock.monotonic()
            if left < MIN_RUN_S:
                records.append(
                    IndexerRunRecord(indexer=indexer, action="out-of-time", index_path=path)
                )
                continue
            reads = [ext for ext, name in INDEXER_FOR_EXTENSION.items() if name == indexer]
            work_tree = uncommitted_sources(ctx.repo, head, reads)
            run = runner.run(indexer, commit=head, timeout_s=left, work_tree=work_tree)
            match run:
                case IndexerFinished(sidecar=sidecar, duration_s=duration):
                    records.append(
                        IndexerRunRecord(
                            indexer=indexer,
                            action="ran",
                            index_path=path,
                            exit_status=sidecar.exit_status,
                            timed_out=sidecar.timed_out,
                            duration_s=round(duration, 3),
                            document_count=sidecar.document_count,
                        )
                    )
                case IndexerMissing(hint=hint):
                    records.append(
                        IndexerRunRecord(
                            indexer=indexer, action="unavailable", index_path=path, hint=hint
                        )
                    )
                case _:
                    assert_never(run)
        if all(r.action == "unavailable" for r in records):
            first = records[0]
            return ToolUnavailable(
                tool=first.indexer, reason=f"{first.indexer} is not on PATH", hint=first.hint
            )
        failed = [
            r
            for r in records
            if r.action == "out-of-time"
            or (r.action == "ran" and (r.timed_out or r.exit_status != 0))
        ]
        confidence: Confidence = "low" if failed else "high"
        notes = [
            f"{r.indexer}: {r.action}"
            + (f" (exit {r.exit_status}, {r.duration_s:g} s)" if r.action == "ran" else "")
            + (f"; install: {r.hint}" if r.hint else "")
            for r in records
        ]
        return Envelope(
            probe=self.spec.name,
            schema_version=self.spec.schema_version,
            confidence=confidence,
            slice=ScipIndexSlice(runs=tuple(records)),
            notes=tuple(notes),
        )
