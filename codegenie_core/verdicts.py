"""Benchmark verdicts: compare measurements with a committed baseline, purely (see ADR-0013).

Rule 1: the regression of a key is `(current / baseline - 1) * 100` percent; the worst shared key
decides. A regression `>= fail_pct` fails (inclusive), a `p95_s > fail_p95_s` fails (strict), a
regression `>= comment_pct` comments. A threshold set to `None` opts out of that check.
Rule 2: a key present on one side only, a baseline that is zero or negative, and a value that is
not a finite number are reasons on a `CommentOnly` (or on a `Fail` decided elsewhere), never an
exception: a benchmark that changed shape deserves a human look, not a crash.
Rule 3: where raw samples exist on both sides, a percentage failure must also be significant: a
one-sided Mann-Whitney U test (normal approximation, tie and continuity corrected) must say the
current samples are slower with p < 0.05, from at least `MIN_SAMPLES` samples on each side;
otherwise the failure is downgraded to `CommentOnly` with that reason. Noise never fails a build.
Rule 4: the verdict is a sum type; consumers `match` it and close with `assert_never`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import assert_never

import attrs

from codegenie_core.errors import CodegenieError

__all__ = [
    "MIN_SAMPLES",
    "SIGNIFICANCE_LEVEL",
    "CommentOnly",
    "Fail",
    "KeyRegression",
    "Ok",
    "Threshold",
    "ThresholdError",
    "Verdict",
    "compare_to_baseline",
    "mann_whitney_p_greater",
    "regressions",
    "severity",
]

# Seven warm samples a side is the fewest for which the rank test's normal approximation can
# reach p < 0.01 on a clear shift; fewer than that and a "significant" result is mostly luck.
MIN_SAMPLES = 7
SIGNIFICANCE_LEVEL = 0.05


class ThresholdError(CodegenieError):
    """A `Threshold` is unusable: a negative or non-finite bound, or comment above fail."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def _check_bound(
    instance: Threshold, attribute: attrs.Attribute[float | None], value: float | None
) -> None:
    del instance  # attrs validator signature
    if value is not None and (not math.isfinite(value) or value < 0):
        raise ThresholdError(
            f"Threshold.{attribute.name} must be a finite number >= 0 or None, got {value!r} "
            "(see ADR-0013)",
            field=attribute.name,
        )


@attrs.frozen(kw_only=True)
class Threshold:
    """When a regression is worth a comment, when it fails, and the absolute p95 ceiling."""

    comment_pct: float | None = attrs.field(validator=_check_bound)
    fail_pct: float | None = attrs.field(validator=_check_bound)
    fail_p95_s: float | None = attrs.field(validator=_check_bound)

    def __attrs_post_init__(self) -> None:
        if (
            self.comment_pct is not None
            and self.fail_pct is not None
            and self.comment_pct > self.fail_pct
        ):
            raise ThresholdError(
                f"Threshold.comment_pct ({self.comment_pct}) is above fail_pct ({self.fail_pct}); "
                "a failure must also be worth a comment (see ADR-0013)",
                field="comment_pct",
            )


@attrs.frozen(kw_only=True)
class Ok:
    """Within the thresholds; `reasons` says how close it came."""

    reasons: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class CommentOnly:
    """Worth a human look (a regression past `comment_pct`, a changed shape, noise): never fails."""

    reasons: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Fail:
    """A significant regression past `fail_pct`, or a p95 above `fail_p95_s`: the gate fails."""

    reasons: tuple[str, ...] = ()


Verdict = Ok | CommentOnly | Fail


def severity(verdict: Verdict) -> int:
    """0 for Ok, 1 for CommentOnly, 2 for Fail: the order in which verdicts get worse."""
    match verdict:
        case Ok():
            return 0
        case CommentOnly():
            return 1
        case Fail():
            return 2
        case _:
            assert_never(verdict)


@attrs.frozen(kw_only=True)
class KeyRegression:
    """One shared key's comparison; `pct` is None when it cannot be computed (see `problem`)."""

    key: str
    current: float
    baseline: float
    pct: float | None
    problem: str | None = None


def regressions(
    current: Mapping[str, float], baseline: Mapping[str, float]
) -> tuple[KeyRegression, ...]:
    """Every key present on both sides, sorted by name, with its regression in percent."""
    rows: list[KeyRegression] = []
    for key in sorted(current.keys() & baseline.keys()):
        cur, base = float(current[key]), float(baseline[key])
        problem: str | None = None
        if not math.isfinite(cur):
            problem = f"{key}: current value {cur!r} is not a finite number"
        elif not math.isfinite(base):
            problem = f"{key}: baseline value {base!r} is not a finite number"
        elif base <= 0:
            problem = f"{key}: baseline value {base!r} is not positive, so no ratio is defined"
        pct = None if problem is not None else (cur / base - 1.0) * 100.0
        rows.append(KeyRegression(key=key, current=cur, baseline=base, pct=pct, problem=problem))
    return tuple(rows)


def compare_to_baseline(
    current: Mapping[str, float],
    baseline: Mapping[str, float],
    threshold: Threshold,
    p95_s: float | None = None,
    *,
    current_samples: Mapping[str, Sequence[float]] | None = None,
    baseline_samples: Mapping[str, Sequence[float]] | None = None,
) -> Verdict:
    """The verdict of `current` against `baseline` under `threshold` (see the module's rules)."""
    fails: list[str] = []
    comments: list[str] = []
    notes: list[str] = []

    for key in sorted(baseline.keys() - current.keys()):
        comments.append(f"{key}: in the baseline but not measured now")
    for key in sorted(current.keys() - baseline.keys()):
        comments.append(f"{key}: measured now but not in the baseline (refresh the baseline)")
    if not current and not baseline:
        comments.append("nothing was measured and the baseline is empty")

    for row in regressions(current, baseline):
        if row.pct is None:
            comments.append(str(row.problem))
            continue
        described = f"{row.key}: {row.baseline:.6g} -> {row.current:.6g} ({row.pct:+.1f}%)"
        if threshold.fail_pct is not None and row.pct >= threshold.fail_pct:
            doubt = _significance_doubt(
                row.key,
                None if current_samples is None else current_samples.get(row.key),
                None if baseline_samples is None else baseline_samples.get(row.key),
            )
            if doubt is None:
                fails.append(
                    f"{described} is at or past the fail threshold {threshold.fail_pct:g}%"
                )
            else:
                comments.append(
                    f"{described} is past the fail threshold {threshold.fail_pct:g}% "
                    f"but {doubt}, so it only comments"
                )
        elif threshold.comment_pct is not None and row.pct >= threshold.comment_pct:
            comments.append(
                f"{described} is at or past the comment threshold {threshold.comment_pct:g}%"
            )
        else:
            notes.append(f"{described} is within the thresholds")

    if p95_s is not None and threshold.fail_p95_s is not None:
        if not math.isfinite(p95_s):
            comments.append(f"p95 {p95_s!r} s is not a finite number")
        elif p95_s > threshold.fail_p95_s:
            fails.append(f"p95 {p95_s:.3f} s is above the ceiling {threshold.fail_p95_s:g} s")
        else:
            notes.append(f"p95 {p95_s:.3f} s is within the ceiling {threshold.fail_p95_s:g} s")

    if fails:
        return Fail(reasons=(*fails, *comments))
    if comments:
        return CommentOnly(reasons=tuple(comments))
    return Ok(reasons=tuple(notes))


def _significance_doubt(
    key: str, current: Sequence[float] | None, baseline: Sequence[float] | None
) -> str | None:
    """Why a percentage failure of `key` is not trusted, or None when it stands (Rule 3)."""
    if current is None or baseline is None:
        return None  # no raw samples on both sides: the medians are all there is
    if not all(math.isfinite(v) for v in (*current, *baseline)):
        return f"its samples hold a value that is not a finite number ({key})"
    if len(current) < MIN_SAMPLES or len(baseline) < MIN_SAMPLES:
        return (
            f"too few samples to test significance ({len(current)} now, {len(baseline)} in the "
            f"baseline; {MIN_SAMPLES} a side needed)"
        )
    p = mann_whitney_p_greater(current, baseline)
    if p >= SIGNIFICANCE_LEVEL:
        return (
            f"its samples are not significantly slower "
            f"(one-sided Mann-Whitney U p={p:.3g} >= {SIGNIFICANCE_LEVEL:g})"
        )
    return None


def mann_whitney_p_greater(current: Sequence[float], baseline: Sequence[float]) -> float:
    """One-sided p-value that `current` is stochastically greater (slower) than `baseline`.

    The Mann-Whitney U statistic of `current` under the normal approximation, with average ranks
    for ties, the tie correction of the variance, and a continuity correction of 0.5. When every
    value is tied the variance is zero and there is no evidence either way: p = 1.
    """
    n1, n2 = len(current), len(baseline)
    if n1 == 0 or n2 == 0:
        return 1.0
    pooled = sorted([(float(v), 0) for v in current] + [(float(v), 1) for v in baseline])
    n = n1 + n2
    rank_sum_current = 0.0
    tie_term = 0.0  # sum over tie groups of t^3 - t
    i = 0
    while i < n:
        j = i
        while j + 1 < n and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        average_rank = (i + j) / 2.0 + 1.0  # ranks are 1-based
        t = j - i + 1
        tie_term += t**3 - t
        rank_sum_current += average_rank * sum(1 for k in range(i, j + 1) if pooled[k][1] == 0)
        i = j + 1
    u_current = rank_sum_current - n1 * (n1 + 1) / 2.0
    mean = n1 * n2 / 2.0
    variance = n1 * n2 / 12.0 * ((n + 1) - tie_term / (n * (n - 1)))
    if variance <= 0:
        return 1.0
    z = (u_current - mean - 0.5) / math.sqrt(variance)
    return 0.5 * math.erfc(z / math.sqrt(2.0))
