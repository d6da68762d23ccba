"""The impure shell around `codegenie_core.verdicts`: baselines on disk, timing, PR comments, exit.

Rule 1: a baseline file is `{"metadata": {...}, "measurements": {...}, "samples": {...}}`; its
metadata names when (`refreshed_at`, ISO-8601 UTC), by whom, why, at which commit and on which
machine it was measured. A file that breaks this is a `BaselineError` naming the file and the field.
Rule 2: a PR comment is posted only for a `CommentOnly` or `Fail` verdict, only in a pull-request
run with a token and a known PR number; everywhere else the Markdown is printed. Posting is
best-effort: an advisory bench never fails because GitHub could not be reached.
Rule 3: the exit code is the verdict's: Ok and CommentOnly exit 0, Fail exits 1 (see ADR-0013).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NoReturn, assert_never, cast

import attrs

from codegenie_core.errors import CodegenieError
from codegenie_core.verdicts import CommentOnly, Fail, Ok, Verdict, regressions

METADATA_FIELDS = ("refreshed_at", "refreshed_by", "reason", "commit", "machine")


class BaselineError(CodegenieError):
    """A baseline file is missing, not JSON, or lacks a valid field (see ADR-0013)."""

    def __init__(self, message: str, *, path: str, field: str) -> None:
        super().__init__(message)
        self.path = path
        self.field = field


@attrs.frozen(kw_only=True)
class BaselineMetadata:
    """Who measured a baseline, when, why, at which commit, on which machine."""

    refreshed_at: str
    refreshed_by: str
    reason: str
    commit: str
    machine: str


@attrs.frozen(kw_only=True)
class Baseline:
    """A committed reference: medians (or ratios) by key, and the raw samples behind them."""

    metadata: BaselineMetadata
    measurements: dict[str, float]
    samples: dict[str, tuple[float, ...]] = attrs.field(factory=dict[str, tuple[float, ...]])

    def to_json(self) -> str:
        document = {
            "metadata": attrs.asdict(self.metadata),
            "measurements": dict(sorted(self.measurements.items())),
            "samples": {k: list(v) for k, v in sorted(self.samples.items())},
        }
        return json.dumps(document, indent=2) + "\n"


def _as_object(value: object) -> dict[str, object] | None:
    """A JSON object with its keys as strings, or None for any other JSON value."""
    if not isinstance(value, dict):
        return None
    return {str(k): v for k, v in cast("dict[object, object]", value).items()}


def _as_number(value: object) -> float | None:
    """A finite JSON number (not a boolean) as a float, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def load_baseline(path: Path) -> Baseline:
    """Read and validate a baseline file; every problem names the file and the field."""

    def bad(field: str, why: str) -> BaselineError:
        return BaselineError(f"{path}: {field}: {why} (see ADR-0013)", path=str(path), field=field)

    try:
        document: object = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise bad("<file>", "no such baseline; run benches/refresh_baseline.py") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise bad("<file>", f"unreadable: {error}") from None
    top = _as_object(document)
    if top is None:
        raise bad("<root>", "must be a JSON object")
    metadata = _as_object(top.get("metadata"))
    if metadata is None:
        raise bad("metadata", "must be an object")
    fields: dict[str, str] = {}
    for name in METADATA_FIELDS:
        value = metadata.get(name)
        if not isinstance(value, str) or not value.strip():
            raise bad(f"metadata.{name}", "must be a non-empty string")
        fields[name] = value
    if not _is_utc_iso8601(fields["refreshed_at"]):
        raise bad(
            "metadata.refreshed_at",
            f"must be an ISO-8601 UTC timestamp such as 2026-11-22T03:40:00Z, "
            f"got {fields['refreshed_at']!r}",
        )
    raw_measurements = _as_object(top.get("measurements"))
    if raw_measurements is None:
        raise bad("measurements", "must be an object of numbers")
    measurements: dict[str, float] = {}
    for key, value in raw_measurements.items():
        if (number := _as_number(value)) is None:
            raise bad(f"measurements.{key}", f"must be a finite number, got {value!r}")
        measurements[key] = number
    raw_samples = _as_object(top.get("samples", {}))
    if raw_samples is None:
        raise bad("samples", "must be an object of number lists")
    samples: dict[str, tuple[float, ...]] = {}
    for key, values in raw_samples.items():
        numbers = (
            [_as_number(v) for v in cast("list[object]", values)]
            if isinstance(values, list)
            else []
        )
        if not isinstance(values, list) or None in numbers:
            raise bad(f"samples.{key}", "must be a list of finite numbers")
        samples[key] = tuple(n for n in numbers if n is not None)
    return Baseline(metadata=BaselineMetadata(**fields), measurements=measurements, samples=samples)


def _is_utc_iso8601(text: str) -> bool:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return moment.utcoffset() == dt.timedelta(0)


def utc_now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def write_baseline(path: Path, baseline: Baseline) -> None:
    """Write atomically (temp file + rename), so a refresh that dies leaves the old file intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False
    ) as handle:
        handle.write(baseline.to_json())
    Path(handle.name).replace(path)


# ---- timing -------------------------------------------------------------------------------------
def measure(
    fn_or_argv: Callable[[], object] | Sequence[str],
    runs: int,
    warmup: int,
    *,
    env: Mapping[str, str] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[float, ...]:
    """Wall seconds of `runs` timed calls after `warmup` untimed ones. An argv runs as a process
    that must exit 0 (its stderr tail is in the error otherwise)."""
    if runs < 1 or warmup < 0:
        raise ValueError(f"measure needs runs >= 1 and warmup >= 0, got {runs=} {warmup=}")
    if callable(fn_or_argv):
        call = fn_or_argv
    else:
        argv = list(fn_or_argv)

        def call() -> object:
            return run_checked(argv, env=env)

    for _ in range(warmup):
        call()
    samples: list[float] = []
    for _ in range(runs):
        start = clock()
        call()
        samples.append(clock() - start)
    return tuple(samples)


def run_checked(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run a process to completion; a non-zero exit is a `RuntimeError` with its stderr tail."""
    done = subprocess.run(
        list(argv),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env=None if env is None else dict(env),
        check=False,
    )
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace")[-2000:]
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {tail}")
    return done


def median(samples: Sequence[float]) -> float:
    """The middle value; the mean of the two middle values for an even count."""
    if not samples:
        raise ValueError("median of no samples")
    ordered = sorted(samples)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2.0


def p95(samples: Sequence[float]) -> float:
    """Nearest-rank 95th percentile: the smallest sample at or above 95% of them."""
    if not samples:
        raise ValueError("p95 of no samples")
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


# ---- reporting ----------------------------------------------------------------------------------
_PULL_REF = re.compile(r"refs/pull/([0-9]+)/")  # GITHUB_REF = "refs/pull/" number "/merge"


def pull_request_number(environ: Mapping[str, str]) -> int | None:
    """The PR number of a pull-request run, from GITHUB_REF or the event payload file."""
    if (found := _PULL_REF.match(environ.get("GITHUB_REF", ""))) is not None:
        return int(found.group(1))
    event_path = environ.get("GITHUB_EVENT_PATH")
    if not event_path:
        return None
    try:
        event: object = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    pull = _as_object((_as_object(event) or {}).get("pull_request"))
    number = None if pull is None else pull.get("number")
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def post_comment_if(
    verdict: Verdict,
    markdown: str,
    *,
    environ: Mapping[str, str] | None = None,
    run: Callable[..., subprocess.CompletedProcess[bytes]] = subprocess.run,
) -> str:
    """Post `markdown` as a PR comment when the verdict deserves one and this is a PR run with a
    token; print it otherwise. Returns what was done: "posted", "printed" or "post-failed"."""
    env = os.environ if environ is None else environ
    print(markdown)
    match verdict:
        case Ok():
            return "printed"
        case CommentOnly() | Fail():
            pass
        case _:
            assert_never(verdict)
    token = env.get("GH_TOKEN") or env.get("GITHUB_TOKEN")
    number = pull_request_number(env)
    if env.get("GITHUB_EVENT_NAME") != "pull_request" or not token or number is None:
        return "printed"
    argv = ["gh", "pr", "comment", str(number), "--body-file", "-"]
    if repository := env.get("GITHUB_REPOSITORY"):
        argv += ["--repo", repository]
    try:
        done = run(
            argv,
            input=markdown.encode(),
            capture_output=True,
            env={**env, "GH_TOKEN": token},
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"warning: could not post the PR comment: {error}", file=sys.stderr)
        return "post-failed"
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace")[-500:]
        print(f"warning: gh pr comment exited {done.returncode}: {tail}", file=sys.stderr)
        return "post-failed"
    return "posted"


def verdict_from_name(name: str, reasons: Sequence[str]) -> Verdict:
    """The inverse of `verdict_name`, for a verdict stored in a results file."""
    match name:
        case "ok":
            return Ok(reasons=tuple(reasons))
        case "comment":
            return CommentOnly(reasons=tuple(reasons))
        case "FAIL":
            return Fail(reasons=tuple(reasons))
        case _:
            raise ValueError(f"unknown verdict name {name!r}; expected ok, comment or FAIL")


def verdict_name(verdict: Verdict) -> str:
    match verdict:
        case Ok():
            return "ok"
        case CommentOnly():
            return "comment"
        case Fail():
            return "FAIL"
        case _:
            assert_never(verdict)


def render_markdown(
    *,
    title: str,
    verdict: Verdict,
    current: Mapping[str, float],
    baseline: Baseline,
    context: Sequence[str] = (),
) -> str:
    """A PR-comment-sized report: the verdict, its reasons, and a table of every shared key."""
    lines = [f"### {title}: {verdict_name(verdict)}", ""]
    lines += [f"- {reason}" for reason in verdict.reasons]
    lines += ["", "| measurement | baseline | now | change |", "|---|---:|---:|---:|"]
    for row in regressions(current, baseline.measurements):
        change = "n/a" if row.pct is None else f"{row.pct:+.1f}%"
        lines.append(f"| `{row.key}` | {row.baseline:.4g} | {row.current:.4g} | {change} |")
    meta = baseline.metadata
    lines += [
        "",
        f"Baseline refreshed {meta.refreshed_at} by {meta.refreshed_by} at `{meta.commit[:12]}` "
        f"on {meta.machine}: {meta.reason}",
    ]
    lines += [f"{line}" for line in context]
    return "\n".join(lines) + "\n"


def exit_code(verdict: Verdict) -> int:
    match verdict:
        case Ok() | CommentOnly():
            return 0
        case Fail():
            return 1
        case _:
            assert_never(verdict)


def exit_with_verdict(verdict: Verdict) -> NoReturn:
    """Exit the bench process with the verdict's code (Rule 3)."""
    sys.exit(exit_code(verdict))


EXIT_CANNOT_MEASURE = 2


def run_and_exit(evaluate: Callable[[], Verdict]) -> NoReturn:
    """A bench's `main`: exit with the verdict, or with 2 and one line on stderr when there is no
    verdict to give (an unusable baseline, a gather that crashed, a missing fixture)."""
    try:
        verdict = evaluate()
    except BaselineError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(error.exit_code)
    except (RuntimeError, FileNotFoundError) as error:
        print(f"error: the bench could not measure: {error}", file=sys.stderr)
        sys.exit(EXIT_CANNOT_MEASURE)
    exit_with_verdict(verdict)
