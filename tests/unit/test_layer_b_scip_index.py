"""The scip_index probe: which indexers it runs, when it leaves an index alone, and what it says."""

from __future__ import annotations

from codegenie_adapters.fakes import (
    FakeClock,
    FakeIndexerRunner,
    FakeIndexReader,
    FakeRepo,
    InMemoryCache,
    ScriptedYaml,
)
from codegenie_core.config import GatherConfig
from codegenie_core.coordinator import gather
from codegenie_core.outcomes import Cached, Ran, Skipped
from codegenie_core.probe import Envelope, NotApplicable, ProbeContext, ToolUnavailable
from codegenie_core.probes.layer_b.index_health import IndexHealthProbe
from codegenie_core.probes.layer_b.model import Fresh, IndexerError, Missing
from codegenie_core.probes.layer_b.scip_index import IndexerRunRecord, ScipIndexProbe, indexers_for
from codegenie_core.registry import RegisteredProbe
from tests.layer_b_support import C2, TS_FILES, repo, summary

TS_OWN = "codegenie:scip-typescript"
PY_OWN = "codegenie:scip-python"
PROBE = ScipIndexProbe()
POLYGLOT = {**TS_FILES, "tools/gen.py": b"def gen():\n    return 1\n"}


def _ctx(
    fake: FakeRepo,
    runner: FakeIndexerRunner | None,
    *,
    make_index: bool = True,
    cap_s: float | None = None,
) -> ProbeContext:
    return ProbeContext(
        repo=fake,
        config=GatherConfig(make_index=make_index, probe_timeout_cap_s=cap_s),
        clock=FakeClock(),
        yaml=ScriptedYaml(),
        index_reader=runner.reader if runner else FakeIndexReader(),
        indexer=runner,
    )


def _runner(fake: FakeRepo, *available: str) -> FakeIndexerRunner:
    return FakeIndexerRunner(
        reader=FakeIndexReader(),
        repo=fake,
        available=set(available),
        produces={
            "scip-typescript": summary(("src/greet.ts", "src/main.ts")),
            "scip-python": summary(("tools/gen.py",), tool="scip-python"),
        },
    )


def test_indexers_follow_the_source_languages_and_ignore_codegenie_files() -> None:
    files = ["a.js", "b/c.py", "README.md", ".codegenie/index/x/y.ts"]
    assert (indexers_for(files), indexers_for(["README.md"])) == (
        ["scip-python", "scip-typescript"],
        [],
    )


def test_without_make_index_it_does_not_apply_and_says_how_to_ask() -> None:
    fake = repo(TS_FILES)
    assert PROBE.run(_ctx(fake, None, make_index=False)) == NotApplicable(
        reason="indexing was not asked for (pass --index to make indexes)"
    )


def test_it_runs_each_needed_indexer_at_head_and_reports_what_ran() -> None:
    fake = repo(POLYGLOT)
    runner = _runner(fake, "scip-typescript", "scip-python")
    envelope = PROBE.run(_ctx(fake, runner))
    assert isinstance(envelope, Envelope)
    assert runner.runs == [("scip-python", C2), ("scip-typescript", C2)]
    assert envelope.slice.runs == (
        IndexerRunRecord(
            indexer="scip-python",
            action="ran",
            index_path=PY_OWN,
            exit_status=0,
            duration_s=1.0,
            document_count=1,
        ),
        IndexerRunRecord(
            indexer="scip-typescript",
            action="ran",
            index_path=TS_OWN,
            exit_status=0,
            duration_s=1.0,
            document_count=2,
        ),
    )
    assert envelope.confidence == "high"


def test_uncommitted_sources_are_recorded_so_the_new_index_is_fresh() -> None:
    fake = repo(
        {**TS_FILES, "src/main.ts": b"export const wip = 1;\n"}, changes={C2: ["src/main.ts"]}
    )
    runner = _runner(fake, "scip-typescript")
    PROBE.run(_ctx(fake, runner))
    health = IndexHealthProbe().run(_ctx(fake, runner, make_index=False))
    assert isinstance(health, Envelope)
    assert isinstance(health.slice.indexes[0], Fresh)


def test_a_fresh_index_is_left_alone() -> None:
    fake = repo(TS_FILES)
    runner = _runner(fake, "scip-typescript")
    runner.run("scip-typescript", commit=C2, timeout_s=60.0)
    envelope = PROBE.run(_ctx(fake, runner))
    assert isinstance(envelope, Envelope)
    assert runner.runs == [("scip-typescript", C2)]
    assert [r.action for r in envelope.slice.runs] == ["already-fresh"]


def test_a_failed_run_is_recorded_with_low_confidence() -> None:
    fake = repo(TS_FILES)
    runner = _runner(fake, "scip-typescript")
    runner.exit_statuses["scip-typescript"] = 3
    envelope = PROBE.run(_ctx(fake, runner))
    assert isinstance(envelope, Envelope)
    assert ([r.exit_status for r in envelope.slice.runs], envelope.confidence) == ([3], "low")


def test_when_every_needed_indexer_is_missing_it_is_unavailable_naming_the_npm_package() -> None:
    fake = repo(TS_FILES)
    result = PROBE.run(_ctx(fake, _runner(fake)))
    assert result == ToolUnavailable(
        tool="scip-typescript",
        reason="scip-typescript is not on PATH",
        hint="npm install -g @sourcegraph/scip-typescript",
    )


def test_one_missing_indexer_of_two_is_recorded_and_the_other_runs() -> None:
    fake = repo(POLYGLOT)
    envelope = PROBE.run(_ctx(fake, _runner(fake, "scip-typescript")))
    assert isinstance(envelope, Envelope)
    assert [(r.indexer, r.action) for r in envelope.slice.runs] == [
        ("scip-python", "unavailable"),
        ("scip-typescript", "ran"),
    ]


def test_each_indexer_gets_what_is_left_of_the_probe_deadline() -> None:
    fake = repo(POLYGLOT)
    runner = _runner(fake, "scip-typescript", "scip-python")
    PROBE.run(_ctx(fake, runner, cap_s=100.0))
    assert runner.timeouts == [90.0, 90.0]  # the fake clock does not move


def test_an_indexer_with_no_time_left_is_out_of_time_not_started() -> None:
    fake = repo(TS_FILES)
    runner = _runner(fake, "scip-typescript")
    envelope = PROBE.run(_ctx(fake, runner, cap_s=1.0))
    assert isinstance(envelope, Envelope)
    assert (runner.runs, [r.action for r in envelope.slice.runs], envelope.confidence) == (
        [],
        ["out-of-time"],
        "low",
    )


def test_a_repository_without_sources_is_not_applicable() -> None:
    fake = repo({"README.md": b"# hi\n"})
    assert isinstance(PROBE.run(_ctx(fake, _runner(fake, "scip-typescript"))), NotApplicable)


def _plan() -> list[RegisteredProbe]:
    return [
        RegisteredProbe(probe=ScipIndexProbe(), spec=ScipIndexProbe.spec, source="test"),
        RegisteredProbe(probe=IndexHealthProbe(), spec=IndexHealthProbe.spec, source="test"),
    ]


def test_in_a_gather_index_health_sees_the_index_scip_index_just_made() -> None:
    fake = repo(TS_FILES)
    ctx = _ctx(fake, _runner(fake, "scip-typescript"))
    result = gather(
        _plan(), base_ctx=ctx, cache=None, cache_mode="off", cpu_budget=2, clock=FakeClock()
    )
    health_outcome = result.outcomes[1]
    assert isinstance(health_outcome, Ran)
    (health,) = health_outcome.envelope.slice.indexes
    assert isinstance(health, Fresh)
    assert (health.index_path, health.basis) == (TS_OWN, "sidecar")


def test_with_a_cache_an_index_gather_and_the_plain_gathers_after_it_see_the_made_index() -> None:
    fake = repo(TS_FILES)
    runner = _runner(fake, "scip-typescript")
    cache = InMemoryCache()

    def health(make_index: bool) -> tuple[str, str]:
        result = gather(
            _plan(),
            base_ctx=_ctx(fake, runner, make_index=make_index),
            cache=cache,
            cache_mode="use",
            cpu_budget=2,
            clock=FakeClock(),
        )
        outcome = result.outcomes[1]
        assert isinstance(outcome, Ran | Cached)
        entry = outcome.envelope if isinstance(outcome, Ran) else outcome.entry.envelope()
        return type(outcome).__name__, type(entry.slice.indexes[0]).__name__

    seen = [health(False), health(True), health(False), health(False)]
    assert seen == [("Ran", "Missing"), ("Ran", "Fresh"), ("Ran", "Fresh"), ("Cached", "Fresh")]


def test_in_a_gather_without_make_index_health_runs_on_what_exists() -> None:
    fake = repo(TS_FILES)
    ctx = _ctx(fake, _runner(fake, "scip-typescript"), make_index=False)
    result = gather(
        _plan(), base_ctx=ctx, cache=None, cache_mode="off", cpu_budget=2, clock=FakeClock()
    )
    skipped, ran = result.outcomes
    assert isinstance(skipped, Skipped)
    assert isinstance(ran, Ran)
    assert isinstance(ran.envelope.slice.indexes[0], Missing)


def test_in_a_gather_a_failed_indexer_run_reads_as_an_indexer_error() -> None:
    fake = repo(TS_FILES)
    runner = _runner(fake, "scip-typescript")
    runner.exit_statuses["scip-typescript"] = 1
    ctx = _ctx(fake, runner)
    result = gather(
        _plan(), base_ctx=ctx, cache=None, cache_mode="off", cpu_budget=2, clock=FakeClock()
    )
    health_outcome = result.outcomes[1]
    assert isinstance(health_outcome, Ran)
    assert isinstance(health_outcome.envelope.slice.indexes[0], IndexerError)
