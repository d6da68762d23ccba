"""The index-health bench goes through the verdict kernel, with a committed baseline, and its
metamorphic check: a delay injected into index_health raises its fraction and flips the verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benches import bench_index_health_overhead as bench
from benches._bench_kernel import Baseline, BaselineMetadata, load_baseline, write_baseline
from codegenie_core.verdicts import Ok
from tests._ci_support.requires_tool import requires_tool

DELAY_MS = 2000  # far above the probe's own 10-300 ms, and a cold CLI gather of 0.3-5 s


def metadata() -> BaselineMetadata:
    return BaselineMetadata(
        refreshed_at="2026-12-01T00:00:00Z",
        refreshed_by="test",
        reason="the undelayed run of this test",
        commit="0" * 40,
        machine="this machine",
    )


def test_the_committed_baseline_holds_both_fractions_with_their_samples() -> None:
    baseline = load_baseline(bench.BASELINE_PATH)

    assert set(baseline.measurements) == {bench.CLI_KEY, bench.IN_PROCESS_KEY}
    assert all(0 < value < 1 for value in baseline.measurements.values())
    assert {key: len(values) >= 7 for key, values in baseline.samples.items()} == {
        bench.CLI_KEY: True,
        bench.IN_PROCESS_KEY: True,
    }


@pytest.fixture(scope="module")
def undelayed() -> bench.Collected:
    return bench.collect_from_argv(["--runs", "1"])


@requires_tool("git")
def test_an_injected_delay_raises_the_fraction_and_flips_the_verdict(
    undelayed: bench.Collected, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "baseline.json"
    # Medians only: with one sample a side, the percentages decide (the rank test needs seven).
    write_baseline(path, Baseline(metadata=metadata(), measurements=undelayed.measurements))
    assert isinstance(bench.verdict_for(undelayed, load_baseline(path)), Ok)
    capsys.readouterr()

    with pytest.raises(SystemExit) as exited:
        bench.main(["--runs", "1", "--baseline", str(path), "--inject-delay-ms", str(DELAY_MS)])

    printed = capsys.readouterr().out
    delayed = json.loads(printed.splitlines()[0])
    assert delayed["injected_delay_ms"] == DELAY_MS
    for fraction in ("fraction_of_cli_cold_gather", "fraction_of_in_process_gather"):
        assert delayed[fraction] > undelayed.details[fraction]
    assert "### index_health_overhead: FAIL" in printed
    assert exited.value.code == 1


def test_the_delay_is_undone_after_the_block() -> None:
    original = bench.IndexHealthProbe.run

    with bench.delayed_index_health(0.001):
        assert bench.IndexHealthProbe.run is not original

    assert bench.IndexHealthProbe.run is original
