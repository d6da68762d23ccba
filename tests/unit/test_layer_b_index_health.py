"""The index_health probe: discovery, per-index verdicts, notes and confidence, through fakes."""

from __future__ import annotations

import attrs

from codegenie_adapters.fakes import FakeClock, FakeIndexReader, FakeRepo, ScriptedYaml
from codegenie_core.cache_keys import key_for
from codegenie_core.config import GatherConfig
from codegenie_core.probe import Envelope, ProbeContext, ToolUnavailable
from codegenie_core.probes.layer_b.index_health import IndexHealthProbe, IndexHealthSlice
from codegenie_core.probes.layer_b.model import (
    Corrupt,
    Fresh,
    IndexReadError,
    Missing,
    Stale,
)
from codegenie_core.probes.layer_b.sidecar import sidecar_json
from tests.layer_b_support import C1, C2, GREET_SAMPLE, TS_FILES, repo, sidecar, summary

OWN = ".codegenie/index/scip-typescript/index.scip"
OWN_SIDECAR = ".codegenie/index/scip-typescript/index.json"
PYTHON_OWN = ".codegenie/index/scip-python/index.scip"
MADE = ("codegenie:scip-typescript", "codegenie:scip-python")
PATHS = ("src/greet.ts", "src/main.ts")
PROBE = IndexHealthProbe()


def _ctx(
    fake: FakeRepo, reader: FakeIndexReader, index_paths: tuple[str, ...] = ()
) -> ProbeContext:
    return ProbeContext(
        repo=fake,
        config=GatherConfig(index_paths=index_paths),
        clock=FakeClock(),
        yaml=ScriptedYaml(),
        index_reader=reader,
    )


def _run(fake: FakeRepo, reader: FakeIndexReader, index_paths: tuple[str, ...] = ()) -> Envelope:
    result = PROBE.run(_ctx(fake, reader, index_paths))
    assert isinstance(result, Envelope)
    return result


def test_with_no_index_anywhere_the_slice_is_one_missing_naming_where_it_looked() -> None:
    envelope = _run(repo(TS_FILES), FakeIndexReader())
    searched = ("index.scip", *MADE, OWN, PYTHON_OWN)
    assert envelope.slice == IndexHealthSlice(
        indexes=(Missing(searched=searched),), searched=searched
    )
    assert envelope.confidence == "high"


def test_a_codegenie_index_with_its_sidecar_at_head_is_fresh_and_high() -> None:
    fake = repo({**TS_FILES, OWN_SIDECAR: sidecar_json(sidecar(commit=C2)).encode()})
    reader = FakeIndexReader(indexes={OWN: summary(PATHS, path=OWN)})
    envelope = _run(fake, reader)
    (health,) = envelope.slice.indexes
    assert isinstance(health, Fresh)
    assert (health.basis, health.commit, envelope.confidence) == ("sidecar", C2, "high")


def test_a_root_index_without_sidecar_is_judged_index_only_with_a_note_on_confidence() -> None:
    reader = FakeIndexReader(indexes={"index.scip": summary(PATHS, samples=(GREET_SAMPLE,))})
    envelope = _run(repo(TS_FILES), reader)
    (health,) = envelope.slice.indexes
    assert isinstance(health, Fresh)
    assert (health.basis, envelope.confidence) == ("index-only", "low")
    assert any("confidence lowered" in note for note in envelope.notes)


def test_configured_index_paths_are_read_and_every_index_is_reported() -> None:
    error = IndexReadError(path="build/app.scip", kind="truncated", message="cut", offset=3)
    fake = repo({**TS_FILES, OWN_SIDECAR: sidecar_json(sidecar(commit=C1)).encode()})
    fake.changes = {C1: ["src/main.ts"]}
    reader = FakeIndexReader(indexes={"build/app.scip": error, OWN: summary(PATHS, path=OWN)})
    envelope = _run(fake, reader, index_paths=("build/app.scip",))
    kinds = [type(h) for h in envelope.slice.indexes]
    assert kinds == [Corrupt, Stale]
    assert reader.reads == ["index.scip", "build/app.scip", *MADE, OWN, PYTHON_OWN]


def test_a_configured_index_that_is_not_there_is_noted() -> None:
    envelope = _run(repo(TS_FILES), FakeIndexReader(), index_paths=("build/app.scip",))
    assert envelope.notes[0] == "configured index build/app.scip: no file at this path"


def test_an_unparseable_sidecar_is_noted_and_the_index_judged_by_itself() -> None:
    fake = repo({**TS_FILES, OWN_SIDECAR: b"{not json"})
    reader = FakeIndexReader(indexes={OWN: summary(PATHS, path=OWN, samples=(GREET_SAMPLE,))})
    envelope = _run(fake, reader)
    assert envelope.notes[0].startswith(OWN_SIDECAR + ": not JSON")
    assert envelope.slice.indexes[0].basis == "index-only"


def test_without_a_reader_the_probe_is_unavailable_not_failed() -> None:
    ctx = attrs.evolve(_ctx(repo(TS_FILES), FakeIndexReader()), index_reader=None)
    assert isinstance(PROBE.run(ctx), ToolUnavailable)


def test_an_edited_source_file_or_a_replaced_index_changes_the_key() -> None:
    fake = repo({**TS_FILES, "index.scip": b"v1"})
    ctx = _ctx(fake, FakeIndexReader())
    before = key_for(PROBE, fake, ctx)
    fake.files["src/main.ts"] += b"// edit\n"
    after_edit = key_for(PROBE, fake, ctx)
    fake.files["index.scip"] = b"v2"
    after_index = key_for(PROBE, fake, ctx)
    fake.files[".codegenie/index/scip-python/index.json"] = b"{}"
    after_sidecar = key_for(PROBE, fake, ctx)
    fake.files["build/out/app.scip"] = b"configured elsewhere"
    after_configured = key_for(PROBE, fake, ctx)
    assert len({before, after_edit, after_index, after_sidecar, after_configured}) == 5


def test_a_made_index_outside_the_work_tree_is_judged_and_labelled() -> None:
    reader = FakeIndexReader(
        made={"scip-typescript": summary(PATHS, path=MADE[0])},
        made_sidecars={"scip-typescript": sidecar_json(sidecar(commit=C2)).encode()},
    )
    (health,) = _run(repo(TS_FILES), reader).slice.indexes
    assert isinstance(health, Fresh)
    assert (health.index_path, health.basis, health.commit) == (MADE[0], "sidecar", C2)


def test_a_newly_made_index_or_another_index_path_changes_the_key() -> None:
    fake = repo(TS_FILES)
    reader = FakeIndexReader()
    before = key_for(PROBE, fake, _ctx(fake, reader))
    other_path = key_for(PROBE, fake, _ctx(fake, reader, index_paths=("build/app.scip",)))
    reader.made_sidecars["scip-typescript"] = sidecar_json(sidecar(commit=C2)).encode()
    after_made = key_for(PROBE, fake, _ctx(fake, reader))
    assert len({before, other_path, after_made}) == 3
