"""Tests of the bench shell: baseline files, timing, PR comments and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benches._bench_kernel import (
    METADATA_FIELDS,
    Baseline,
    BaselineError,
    BaselineMetadata,
    exit_with_verdict,
    load_baseline,
    measure,
    median,
    p95,
    post_comment_if,
    pull_request_number,
    render_markdown,
    run_and_exit,
    verdict_from_name,
    verdict_name,
    write_baseline,
)
from codegenie_core.verdicts import MIN_SAMPLES, CommentOnly, Fail, Ok, Verdict

METADATA = BaselineMetadata(
    refreshed_at="2026-11-22T03:40:00Z",
    refreshed_by="bench-bot",
    reason="first measurement",
    commit="0123456789abcdef0123456789abcdef01234567",
    machine="test host: Linux x86_64, 2 CPUs",
)
BASELINE = Baseline(
    metadata=METADATA,
    measurements={"minimal-ts.cold_p50_ratio": 12.5},
    samples={"minimal-ts.cold_p50_ratio": (12.0, 12.5, 13.0)},
)


def document() -> dict[str, Any]:
    return json.loads(BASELINE.to_json())


def write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def test_a_written_baseline_loads_back_equal(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "bench.json"

    write_baseline(path, BASELINE)

    assert load_baseline(path) == BASELINE
    assert [p.name for p in path.parent.iterdir()] == ["bench.json"]  # no temp file left


@pytest.mark.parametrize("field", METADATA_FIELDS)
def test_a_missing_metadata_field_is_named_with_the_file(tmp_path: Path, field: str) -> None:
    content = document()
    del content["metadata"][field]
    path = write(tmp_path, content)

    with pytest.raises(BaselineError) as raised:
        load_baseline(path)

    assert raised.value.field == f"metadata.{field}"
    assert str(path) in str(raised.value)


@pytest.mark.parametrize(
    "stamp", ["2026-11-22T03:40:00", "2026-11-22T03:40:00+02:00", "yesterday", "2026-13-01T00:00Z"]
)
def test_refreshed_at_must_be_an_iso_8601_utc_timestamp(tmp_path: Path, stamp: str) -> None:
    content = document()
    content["metadata"]["refreshed_at"] = stamp

    with pytest.raises(BaselineError) as raised:
        load_baseline(write(tmp_path, content))

    assert raised.value.field == "metadata.refreshed_at"


@pytest.mark.parametrize("stamp", ["2026-11-22T03:40:00Z", "2026-11-22T03:40:00+00:00"])
def test_both_utc_spellings_are_accepted(tmp_path: Path, stamp: str) -> None:
    content = document()
    content["metadata"]["refreshed_at"] = stamp

    assert load_baseline(write(tmp_path, content)).metadata.refreshed_at == stamp


@pytest.mark.parametrize(
    ("section", "value", "field"),
    [
        ("measurements", {"k": "fast"}, "measurements.k"),
        ("measurements", {"k": True}, "measurements.k"),
        ("measurements", [1, 2], "measurements"),
        ("samples", {"k": [1.0, "x"]}, "samples.k"),
        ("samples", {"k": 3.0}, "samples.k"),
        ("metadata", "none", "metadata"),
    ],
)
def test_malformed_sections_are_named_field_by_field(
    tmp_path: Path, section: str, value: object, field: str
) -> None:
    content = document()
    content[section] = value

    with pytest.raises(BaselineError) as raised:
        load_baseline(write(tmp_path, content))

    assert raised.value.field == field


def test_a_missing_or_broken_file_is_a_baseline_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")

    with pytest.raises(BaselineError) as missing:
        load_baseline(tmp_path / "absent.json")
    with pytest.raises(BaselineError) as unreadable:
        load_baseline(broken)

    assert (missing.value.field, unreadable.value.field) == ("<file>", "<file>")
    assert "refresh_baseline.py" in str(missing.value)


def test_measure_times_only_the_runs_after_the_warmup() -> None:
    calls: list[int] = []
    ticks = iter([0.0, 1.5, 10.0, 12.0])

    def tick() -> float:
        return next(ticks)

    samples = measure(lambda: calls.append(1), runs=2, warmup=3, clock=tick)

    assert (len(calls), samples) == (5, (1.5, 2.0))


def test_measure_runs_an_argv_as_a_process() -> None:
    samples = measure([sys.executable, "-c", "pass"], runs=2, warmup=0)

    assert len(samples) == 2
    assert all(s > 0 for s in samples)


def test_measure_reports_a_failing_process_with_its_stderr() -> None:
    argv = [sys.executable, "-c", "import sys; sys.exit('gather broke')"]

    with pytest.raises(RuntimeError, match="gather broke"):
        measure(argv, runs=1, warmup=0)


def test_measure_rejects_zero_runs() -> None:
    with pytest.raises(ValueError, match="runs >= 1"):
        measure(lambda: None, runs=0, warmup=0)


@pytest.mark.parametrize(
    ("samples", "expected_median", "expected_p95"),
    [
        ([3.0], 3.0, 3.0),
        ([4.0, 1.0], 2.5, 4.0),
        ([7.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 4.0, 7.0),
        ([float(i) for i in range(20, 0, -1)], 10.5, 19.0),
    ],
)
def test_median_and_nearest_rank_p95(
    samples: list[float], expected_median: float, expected_p95: float
) -> None:
    assert (median(samples), p95(samples)) == (expected_median, expected_p95)


# ---- pull requests ------------------------------------------------------------------------------
def test_the_pr_number_comes_from_github_ref() -> None:
    assert pull_request_number({"GITHUB_REF": "refs/pull/42/merge"}) == 42


def test_the_pr_number_comes_from_the_event_file(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}), encoding="utf-8")

    assert (
        pull_request_number({"GITHUB_REF": "refs/heads/main", "GITHUB_EVENT_PATH": str(event)}) == 7
    )


def test_no_pr_number_outside_a_pull_request(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"ref": "refs/heads/main"}), encoding="utf-8")

    assert pull_request_number({"GITHUB_REF": "refs/heads/main"}) is None
    assert pull_request_number({"GITHUB_EVENT_PATH": str(event)}) is None
    assert pull_request_number({"GITHUB_EVENT_PATH": str(tmp_path / "absent")}) is None


class RecordingRun:
    """Stands in for `subprocess.run`: records each call, answers with a scripted exit code."""

    def __init__(self, returncode: int = 0, raises: BaseException | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.returncode = returncode
        self.raises = raises

    def __call__(self, argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        self.calls.append({"argv": argv, **kwargs})
        if self.raises is not None:
            raise self.raises
        return subprocess.CompletedProcess(argv, self.returncode, b"", b"denied")


PR_ENV = {
    "GITHUB_EVENT_NAME": "pull_request",
    "GITHUB_REF": "refs/pull/12/merge",
    "GITHUB_TOKEN": "t0ken",
    "GITHUB_REPOSITORY": "acme/codegenie",
}


def test_a_comment_verdict_in_a_pull_request_is_posted_with_gh() -> None:
    run = RecordingRun()

    done = post_comment_if(CommentOnly(reasons=("slower",)), "# md\n", environ=PR_ENV, run=run)

    assert done == "posted"
    assert [c["argv"] for c in run.calls] == [
        ["gh", "pr", "comment", "12", "--body-file", "-", "--repo", "acme/codegenie"]
    ]
    assert run.calls[0]["input"] == b"# md\n"
    assert run.calls[0]["env"]["GH_TOKEN"] == "t0ken"


@pytest.mark.parametrize(
    ("verdict", "environ"),
    [
        (Ok(), PR_ENV),
        (Fail(), {**PR_ENV, "GITHUB_EVENT_NAME": "push"}),
        (Fail(), {k: v for k, v in PR_ENV.items() if k != "GITHUB_TOKEN"}),
        (Fail(), {**PR_ENV, "GITHUB_REF": "refs/heads/main"}),
    ],
)
def test_the_markdown_is_only_printed_elsewhere(
    verdict: Verdict, environ: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    run = RecordingRun()

    done = post_comment_if(verdict, "# md", environ=environ, run=run)

    assert (done, run.calls) == ("printed", [])
    assert "# md" in capsys.readouterr().out


@pytest.mark.parametrize(
    "run", [RecordingRun(returncode=1), RecordingRun(raises=FileNotFoundError("gh"))]
)
def test_a_failed_post_warns_and_never_raises(
    run: RecordingRun, capsys: pytest.CaptureFixture[str]
) -> None:
    done = post_comment_if(Fail(), "# md", environ=PR_ENV, run=run)

    assert done == "post-failed"
    assert "warning" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("verdict", "code"), [(Ok(), 0), (CommentOnly(reasons=("x",)), 0), (Fail(reasons=("x",)), 1)]
)
def test_the_exit_code_is_the_verdicts(verdict: Verdict, code: int) -> None:
    with pytest.raises(SystemExit) as exited:
        exit_with_verdict(verdict)

    assert exited.value.code == code


def test_a_bench_main_exits_with_its_verdict() -> None:
    with pytest.raises(SystemExit) as exited:
        run_and_exit(lambda: Fail(reasons=("slower",)))

    assert exited.value.code == 1


@pytest.mark.parametrize(
    "problem",
    [
        BaselineError("b.json: metadata: must be an object", path="b.json", field="metadata"),
        RuntimeError("python -m codegenie_cli gather exited 3: boom"),
        FileNotFoundError("portfolio fixture 'x' is missing"),
    ],
)
def test_a_bench_that_cannot_measure_exits_2_with_one_line(
    problem: Exception, capsys: pytest.CaptureFixture[str]
) -> None:
    def evaluate() -> Verdict:
        raise problem

    with pytest.raises(SystemExit) as exited:
        run_and_exit(evaluate)

    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.startswith("error: ")
    assert str(problem) in err


def verdicts() -> Iterator[Verdict]:
    yield Ok(reasons=("fine",))
    yield CommentOnly(reasons=("look",))
    yield Fail(reasons=("slow", "too slow"))


@pytest.mark.parametrize("verdict", list(verdicts()))
def test_a_stored_verdict_reads_back_the_same(verdict: Verdict) -> None:
    assert verdict_from_name(verdict_name(verdict), verdict.reasons) == verdict


def test_the_markdown_tables_every_shared_key() -> None:
    markdown = render_markdown(
        title="portfolio",
        verdict=CommentOnly(reasons=("minimal-ts.cold_p50_ratio: +60.0%",)),
        current={"minimal-ts.cold_p50_ratio": 20.0},
        baseline=BASELINE,
    )

    assert "### portfolio: comment" in markdown
    assert "| `minimal-ts.cold_p50_ratio` | 12.5 | 20 | +60.0% |" in markdown
    assert "first measurement" in markdown


BASELINES_DIR = Path(__file__).resolve().parents[2] / "benches" / "baselines"
COMMITTED = sorted(BASELINES_DIR.glob("*.json"))


@pytest.mark.parametrize("path", COMMITTED, ids=[p.stem for p in COMMITTED])
def test_every_committed_baseline_is_valid_and_its_medians_match_its_samples(path: Path) -> None:
    baseline = load_baseline(path)

    assert baseline.measurements
    assert set(baseline.samples) <= set(baseline.measurements)
    assert all(
        median(samples) == pytest.approx(baseline.measurements[key])
        for key, samples in baseline.samples.items()
    )


@pytest.mark.parametrize("path", COMMITTED, ids=[p.stem for p in COMMITTED])
def test_every_committed_baseline_carries_enough_raw_samples_for_the_rank_test(path: Path) -> None:
    baseline = load_baseline(path)

    assert set(baseline.samples) == set(baseline.measurements)
    assert min(len(samples) for samples in baseline.samples.values()) >= MIN_SAMPLES
