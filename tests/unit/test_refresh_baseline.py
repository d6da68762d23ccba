"""`benches/refresh_baseline.py`: runs the bench, writes a traceable baseline, shows changes."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

from benches import refresh_baseline
from benches._bench_kernel import Baseline, BaselineMetadata, load_baseline, write_baseline
from benches.bench_portfolio_walltime import Collected

OLD = Baseline(
    metadata=BaselineMetadata(
        refreshed_at="2026-11-01T00:00:00Z",
        refreshed_by="someone",
        reason="first",
        commit="abc",
        machine="old box",
    ),
    measurements={"kept": 10.0, "dropped": 1.0},
)


@pytest.fixture
def fake_bench(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = ModuleType("benches.bench_fake")
    module.BASELINE_PATH = tmp_path / "fake.json"  # type: ignore[attr-defined]  # a stand-in module
    seen: list[list[str]] = []

    def collect_from_argv(argv: list[str]) -> Collected:
        seen.append(list(argv))
        return Collected(
            measurements={"kept": 15.0, "added": 2.0},
            samples={"kept": (14.0, 15.0, 16.0), "added": (1.0, 2.0, 3.0)},
            seconds={},
            p95_s=1.0,
        )

    module.collect_from_argv = collect_from_argv  # type: ignore[attr-defined]  # a stand-in module
    module.seen = seen  # type: ignore[attr-defined]  # a stand-in module
    monkeypatch.setitem(sys.modules, "benches.bench_fake", module)
    return module


def test_a_refresh_writes_a_traceable_baseline_and_shows_old_to_new(
    fake_bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    path: Path = fake_bench.BASELINE_PATH
    write_baseline(path, OLD)

    code = refresh_baseline.main(
        ["--bench", "fake", "--reason", "faster walk", "--machine", "ci box", "--", "--runs", "9"]
    )

    written = load_baseline(path)
    out = capsys.readouterr().out
    assert code == 0
    assert fake_bench.seen == [["--runs", "9"]]
    assert (written.metadata.reason, written.metadata.machine) == ("faster walk", "ci box")
    assert written.measurements == {"kept": 15.0, "added": 2.0}
    assert written.samples == {"kept": (14.0, 15.0, 16.0), "added": (1.0, 2.0, 3.0)}
    assert "  kept: 10 -> 15 (+50.0%)" in out
    assert "  added: (new) -> 2" in out
    assert "  dropped: 1 -> (dropped)" in out


def test_a_first_refresh_starts_fresh(fake_bench: ModuleType) -> None:
    code = refresh_baseline.main(["--bench", "fake", "--reason", "first measurement"])

    assert code == 0
    assert load_baseline(fake_bench.BASELINE_PATH).measurements["kept"] == 15.0


def test_a_refresh_needs_a_reason(fake_bench: ModuleType) -> None:
    with pytest.raises(SystemExit):
        refresh_baseline.main(["--bench", "fake", "--reason", "  "])

    assert not Path(fake_bench.BASELINE_PATH).exists()


@pytest.mark.parametrize(
    ("samples", "problem"),
    [
        ({"kept": (14.0, 15.0, 16.0)}, "added: no raw samples"),
        ({"kept": (14.0, 15.0, 16.0), "added": ()}, "added: no raw samples"),
        ({"kept": (1.0, 2.0, 3.0), "added": (2.0,)}, "kept: the measurement 15 is not the median"),
    ],
)
def test_a_refresh_without_the_raw_samples_is_refused_and_the_old_baseline_kept(
    fake_bench: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    samples: dict[str, tuple[float, ...]],
    problem: str,
) -> None:
    path: Path = fake_bench.BASELINE_PATH
    write_baseline(path, OLD)
    before = path.read_bytes()

    def collect_from_argv(argv: list[str]) -> Collected:
        measured = {"kept": 15.0, "added": 2.0}
        return Collected(measurements=measured, samples=samples, seconds={}, p95_s=1.0)

    monkeypatch.setattr(fake_bench, "collect_from_argv", collect_from_argv)

    code = refresh_baseline.main(["--bench", "fake", "--reason", "no samples"])

    assert code == 2
    assert problem in capsys.readouterr().err
    assert path.read_bytes() == before
