"""Layer B slices survive the cache's JSON form: every IndexHealth variant, the indexer runs."""

from __future__ import annotations

from codegenie_adapters.serde import envelope_from_json, envelope_to_json
from codegenie_core.probe import Envelope
from codegenie_core.probes.layer_b.index_health import IndexHealthSlice
from codegenie_core.probes.layer_b.model import (
    Corrupt,
    Coverage,
    Fresh,
    IndexerError,
    IndexReadError,
    Missing,
    Stale,
)
from codegenie_core.probes.layer_b.scip_index import IndexerRunRecord, ScipIndexSlice
from tests.layer_b_support import C1, GREET_SAMPLE, summary

COVERAGE = Coverage(
    source_files=3, indexed_source_files=2, missing=("src/new.ts",), missing_count=1
)


def _round_trip(envelope: Envelope, slice_type: type[object]) -> Envelope:
    return envelope_from_json(envelope_to_json(envelope), slice_type)


def test_every_health_variant_round_trips_through_the_cache_form() -> None:
    indexes = (
        Fresh(
            index_path="index.scip",
            indexer="scip-typescript",
            commit=None,
            basis="index-only",
            coverage=COVERAGE,
            summary=summary(("src/greet.ts",), samples=(GREET_SAMPLE,)),
            samples_checked=1,
        ),
        Stale(
            index_path=".codegenie/index/scip-typescript/index.scip",
            indexer="scip-typescript",
            last_indexed=C1,
            commits_behind=2,
            changed_files=("src/main.ts",),
            changed_count=1,
            basis="sidecar",
            coverage=COVERAGE,
        ),
        Missing(searched=("index.scip",)),
        IndexerError(index_path="x.scip", indexer="scip-python", reason="killed", exit_status=None),
        Corrupt(
            index_path="index.scip",
            error=IndexReadError(path="index.scip", kind="truncated", message="cut", offset=12),
        ),
    )
    envelope = Envelope(
        probe="index_health",
        schema_version=1,
        confidence="low",
        slice=IndexHealthSlice(indexes=indexes, searched=("index.scip",)),
        notes=("a note",),
    )
    assert _round_trip(envelope, IndexHealthSlice) == envelope


def test_the_indexer_runs_round_trip_through_the_cache_form() -> None:
    runs = (
        IndexerRunRecord(indexer="scip-typescript", action="ran", index_path="p", exit_status=0),
        IndexerRunRecord(indexer="scip-python", action="unavailable", index_path="q", hint="npm"),
    )
    envelope = Envelope(
        probe="scip_index", schema_version=1, confidence="high", slice=ScipIndexSlice(runs=runs)
    )
    assert _round_trip(envelope, ScipIndexSlice) == envelope
