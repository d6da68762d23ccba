"""Unit tests of the benchmark verdict kernel: boundaries, shape changes, and the rank test."""

from __future__ import annotations

import itertools
import math
import statistics
from typing import assert_never

import pytest

from codegenie_core.verdicts import (
    MIN_SAMPLES,
    CommentOnly,
    Fail,
    Ok,
    Threshold,
    ThresholdError,
    Verdict,
    compare_to_baseline,
    mann_whitney_p_greater,
    regressions,
)

GATE = Threshold(comment_pct=50, fail_pct=100, fail_p95_s=360)
BASELINE = {"warm_p50_s": 100.0}


def kind(verdict: Verdict) -> str:
    match verdict:
        case Ok():
            return "ok"
        case CommentOnly():
            return "comment"
        case Fail():
            return "fail"
        case _:
            assert_never(verdict)


@pytest.mark.parametrize(
    ("regression_pct", "expected"),
    [
        (-10, "ok"),
        (0, "ok"),
        (49.9, "ok"),
        (50, "comment"),
        (99, "comment"),
        (99.999, "comment"),
        (100, "fail"),
        (101, "fail"),
        (500, "fail"),
    ],
)
def test_regression_percent_boundaries_are_inclusive(regression_pct: float, expected: str) -> None:
    current = {"warm_p50_s": 100.0 + regression_pct}

    verdict = compare_to_baseline(current, BASELINE, GATE)

    assert kind(verdict) == expected


@pytest.mark.parametrize(
    ("p95_s", "expected"),
    [(0, "ok"), (359, "ok"), (360, "ok"), (360.001, "fail"), (361, "fail"), (1000, "fail")],
)
def test_p95_ceiling_is_strict(p95_s: float, expected: str) -> None:
    verdict = compare_to_baseline(BASELINE, BASELINE, GATE, p95_s=p95_s)

    assert kind(verdict) == expected


def test_the_worst_shared_key_decides() -> None:
    baseline = {"a": 1.0, "b": 1.0, "c": 1.0}
    current = {"a": 1.0, "b": 2.5, "c": 1.6}

    verdict = compare_to_baseline(current, baseline, GATE)

    assert kind(verdict) == "fail"
    assert any(reason.startswith("b:") for reason in verdict.reasons)
    assert any(reason.startswith("c:") for reason in verdict.reasons)


def test_a_none_threshold_opts_out_of_its_check() -> None:
    lenient = Threshold(comment_pct=None, fail_pct=None, fail_p95_s=None)

    verdict = compare_to_baseline({"k": 1000.0}, {"k": 1.0}, lenient, p95_s=10_000)

    assert kind(verdict) == "ok"


def test_comment_only_threshold_never_fails() -> None:
    comment_only = Threshold(comment_pct=50, fail_pct=None, fail_p95_s=None)

    verdict = compare_to_baseline({"k": 1000.0}, {"k": 1.0}, comment_only)

    assert kind(verdict) == "comment"


def test_keys_missing_on_either_side_are_reasons_on_a_comment() -> None:
    verdict = compare_to_baseline({"a": 1.0, "new": 1.0}, {"a": 1.0, "gone": 1.0}, GATE)

    assert verdict == CommentOnly(
        reasons=(
            "gone: in the baseline but not measured now",
            "new: measured now but not in the baseline (refresh the baseline)",
        )
    )


def test_missing_keys_ride_along_on_a_failure() -> None:
    verdict = compare_to_baseline({"a": 3.0}, {"a": 1.0, "gone": 1.0}, GATE)

    assert kind(verdict) == "fail"
    assert "gone: in the baseline but not measured now" in verdict.reasons


@pytest.mark.parametrize("baseline_value", [0.0, -0.0, -3.0, math.nan, math.inf])
def test_an_unusable_baseline_value_is_a_reason_not_a_crash(baseline_value: float) -> None:
    verdict = compare_to_baseline({"k": 1.0}, {"k": baseline_value}, GATE)

    assert kind(verdict) == "comment"
    assert len(verdict.reasons) == 1
    assert verdict.reasons[0].startswith("k: baseline value")


def test_a_non_finite_current_value_is_a_reason_not_a_crash() -> None:
    verdict = compare_to_baseline({"k": math.nan}, {"k": 1.0}, GATE)

    assert verdict == CommentOnly(reasons=("k: current value nan is not a finite number",))


def test_empty_measurements_on_both_sides_are_worth_a_comment() -> None:
    assert kind(compare_to_baseline({}, {}, GATE)) == "comment"


def test_regressions_lists_shared_keys_sorted_with_percentages() -> None:
    rows = regressions({"b": 3.0, "a": 1.5, "only_now": 1.0}, {"a": 1.0, "b": 2.0, "gone": 1.0})

    assert [(r.key, r.pct) for r in rows] == [("a", 50.0), ("b", 50.0)]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"comment_pct": -1.0, "fail_pct": 100.0, "fail_p95_s": None}, "comment_pct"),
        ({"comment_pct": 50.0, "fail_pct": math.nan, "fail_p95_s": None}, "fail_pct"),
        ({"comment_pct": 50.0, "fail_pct": 100.0, "fail_p95_s": math.inf}, "fail_p95_s"),
        ({"comment_pct": 150.0, "fail_pct": 100.0, "fail_p95_s": None}, "comment_pct"),
    ],
)
def test_an_unusable_threshold_is_rejected_naming_the_field(
    fields: dict[str, float | None], field: str
) -> None:
    with pytest.raises(ThresholdError) as raised:
        Threshold(**fields)

    assert raised.value.field == field
    assert "ADR-0013" in str(raised.value)


# ---- the rank test ------------------------------------------------------------------------------
SLOW = [2.0, 2.1, 2.2, 2.05, 2.15, 2.3, 2.25]
FAST = [1.0, 1.05, 0.95, 1.02, 0.98, 1.01, 0.99]


def test_a_clear_slowdown_with_samples_still_fails() -> None:
    verdict = compare_to_baseline(
        {"k": statistics.median(SLOW)},
        {"k": statistics.median(FAST)},
        GATE,
        current_samples={"k": SLOW},
        baseline_samples={"k": FAST},
    )

    assert kind(verdict) == "fail"


def test_a_failure_whose_samples_are_not_significantly_slower_only_comments() -> None:
    # The medians doubled, but the samples interleave: one outlier-heavy run is not evidence.
    current_samples = [1.0, 5.0, 1.1, 5.0, 1.05, 5.0, 5.0]
    baseline_samples = [2.5, 1.0, 2.6, 1.1, 2.4, 1.2, 2.5]

    verdict = compare_to_baseline(
        {"k": 5.0},
        {"k": 2.4},
        GATE,
        current_samples={"k": current_samples},
        baseline_samples={"k": baseline_samples},
    )

    assert kind(verdict) == "comment"
    assert "not significantly slower" in verdict.reasons[0]


def test_too_few_samples_downgrade_a_failure_to_a_comment() -> None:
    verdict = compare_to_baseline(
        {"k": 2.0},
        {"k": 1.0},
        GATE,
        current_samples={"k": SLOW[: MIN_SAMPLES - 1]},
        baseline_samples={"k": FAST},
    )

    assert kind(verdict) == "comment"
    assert "too few samples" in verdict.reasons[0]


def test_samples_on_one_side_only_leave_the_median_verdict_standing() -> None:
    verdict = compare_to_baseline({"k": 2.0}, {"k": 1.0}, GATE, current_samples={"k": SLOW})

    assert kind(verdict) == "fail"


def test_the_p95_ceiling_fails_even_when_samples_are_noisy() -> None:
    verdict = compare_to_baseline(
        {"k": 1.0},
        {"k": 1.0},
        GATE,
        p95_s=400,
        current_samples={"k": FAST},
        baseline_samples={"k": FAST},
    )

    assert kind(verdict) == "fail"


def test_mann_whitney_matches_the_textbook_asymptotic_value() -> None:
    # Worked example: U = 17 for the first group (n1=5, n2=4, no ties); mean 10, variance 20*10/12.
    # One-sided p = 1 - Phi((17 - 10 - 0.5) / sqrt(200/12)).
    males = [19.0, 22.0, 16.0, 29.0, 24.0]
    females = [20.0, 11.0, 17.0, 12.0]
    z = (17 - 10 - 0.5) / math.sqrt(200 / 12)
    expected = 0.5 * math.erfc(z / math.sqrt(2))

    assert mann_whitney_p_greater(males, females) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.0556734, abs=1e-6)


def test_mann_whitney_ties_lower_the_variance() -> None:
    # Ranks with ties: pooled 1,1,2,2 | 2,3,3,3 -> average ranks 1.5,1.5,4,4 | 4,7,7,7.
    current = [2.0, 3.0, 3.0, 3.0]
    baseline = [1.0, 1.0, 2.0, 2.0]
    u_current = (4 + 7 + 7 + 7) - 4 * 5 / 2
    tie_term = (2**3 - 2) + (3**3 - 3) + (3**3 - 3)
    variance = 4 * 4 / 12 * (9 - tie_term / (8 * 7))
    z = (u_current - 8 - 0.5) / math.sqrt(variance)

    assert mann_whitney_p_greater(current, baseline) == pytest.approx(
        0.5 * math.erfc(z / math.sqrt(2)), rel=1e-12
    )


def test_mann_whitney_all_tied_gives_no_evidence() -> None:
    assert mann_whitney_p_greater([1.0] * 7, [1.0] * 7) == 1.0


def test_mann_whitney_is_close_to_the_exact_permutation_p_value() -> None:
    # The exact null distribution of U for 7 vs 7 distinct values, by enumerating every split.
    current = [3.0, 5.0, 6.0, 8.0, 9.0, 11.0, 13.0]
    baseline = [1.0, 2.0, 4.0, 7.0, 10.0, 12.0, 14.0]
    pooled = sorted(current + baseline)
    rank = {value: index + 1 for index, value in enumerate(pooled)}
    observed = sum(rank[v] for v in current) - 7 * 8 / 2
    splits = list(itertools.combinations(range(1, 15), 7))
    exact = sum(1 for split in splits if sum(split) - 28 >= observed) / len(splits)

    assert mann_whitney_p_greater(current, baseline) == pytest.approx(exact, abs=0.01)
