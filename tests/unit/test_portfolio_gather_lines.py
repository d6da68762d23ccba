"""The lines `portfolio gather` prints: the progress bar's text and the closing summary."""

from __future__ import annotations

from codegenie_cli.portfolio_gather import progress_line, summary_line
from codegenie_core.portfolio import Progress, RepoFailed, RepoTask, RunOutcome

TASK = RepoTask(key="/r/a", kind="path", needs_engine=False)
LAST = RepoFailed(task=TASK, reason="crash", message="died", duration_ms=5)


def test_the_progress_line_shows_done_total_rate_eta_and_failures() -> None:
    progress = Progress(done=25, total=100, failed=2, resumed=0, last=LAST)
    assert progress_line(progress, elapsed_s=5.0) == (
        "portfolio [######..................] 25/100 5.0/s ETA 15 s failed 2"
    )


def test_the_progress_line_before_any_rate_has_no_eta() -> None:
    progress = Progress(done=0, total=3, failed=0, resumed=0, last=LAST)
    assert progress_line(progress, elapsed_s=0.0).endswith("0/3 0.0/s ETA ? failed 0")


def test_the_summary_names_failures_by_reason_and_what_was_resumed() -> None:
    outcome = RunOutcome(
        run_id=3, repositories=22, resumed=2, gathered=17, failed={"timeout": 1, "crash": 2}
    )
    assert summary_line(outcome, "s.sqlite", elapsed_s=4.0) == (
        "codegenie-cli: portfolio run 3: 22 repositories, 2 recorded before; 17 gathered, "
        "3 failed (crash 2, timeout 1) in 4.0 s (5.0/s); stored in s.sqlite"
    )
