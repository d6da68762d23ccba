"""Properties of the verdict kernel: monotonic, scale-free, total; the rank test only softens."""

from __future__ import annotations

import math
import random

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.verdicts import (
    Threshold,
    compare_to_baseline,
    mann_whitney_p_greater,
    severity,
)
from tests.strategies import (
    measurement_keys,
    measurements,
    positive_seconds,
    sample_runs,
    thresholds,
)

growth = st.floats(min_value=1.0, max_value=1e3, allow_nan=False)
p95s = st.none() | st.floats(min_value=0, max_value=2000)


@given(measurements, measurements, thresholds(), p95s, measurement_keys, growth)
def test_a_worse_current_never_yields_a_milder_verdict(
    current: dict[str, float],
    baseline: dict[str, float],
    threshold: Threshold,
    p95_s: float | None,
    key: str,
    factor: float,
) -> None:
    worse = {**current, key: current[key] * factor} if key in current else current

    before = severity(compare_to_baseline(current, baseline, threshold, p95_s))
    after = severity(compare_to_baseline(worse, baseline, threshold, p95_s))

    assert after >= before


@given(measurements, measurements, thresholds(), st.floats(min_value=0, max_value=2000), growth)
def test_a_slower_p95_never_yields_a_milder_verdict(
    current: dict[str, float],
    baseline: dict[str, float],
    threshold: Threshold,
    p95_s: float,
    factor: float,
) -> None:
    before = severity(compare_to_baseline(current, baseline, threshold, p95_s))
    after = severity(compare_to_baseline(current, baseline, threshold, p95_s * factor))

    assert after >= before


@given(measurements, measurements, thresholds(), st.integers(min_value=-20, max_value=20))
def test_scaling_both_sides_leaves_the_verdict_unchanged(
    current: dict[str, float], baseline: dict[str, float], threshold: Threshold, exponent: int
) -> None:
    # Powers of two scale floats exactly, so a ratio sitting on a boundary stays on it.
    scale = 2.0**exponent
    scaled_current = {k: v * scale for k, v in current.items()}
    scaled_baseline = {k: v * scale for k, v in baseline.items()}

    original = compare_to_baseline(current, baseline, threshold)
    scaled = compare_to_baseline(scaled_current, scaled_baseline, threshold)

    assert type(scaled) is type(original)


any_float = st.floats(allow_nan=True, allow_infinity=True)
any_measurements = st.dictionaries(st.text(max_size=3), any_float, max_size=4)


@given(any_measurements, any_measurements, thresholds(), st.none() | any_float)
def test_any_input_gives_a_verdict_with_reasons_never_an_exception(
    current: dict[str, float],
    baseline: dict[str, float],
    threshold: Threshold,
    p95_s: float | None,
) -> None:
    verdict = compare_to_baseline(current, baseline, threshold, p95_s)

    assert all(isinstance(reason, str) and reason for reason in verdict.reasons)


@given(
    st.dictionaries(measurement_keys, st.tuples(sample_runs, sample_runs), min_size=1, max_size=3),
    thresholds(),
)
def test_the_rank_test_only_ever_softens_a_verdict(
    runs: dict[str, tuple[list[float], list[float]]], threshold: Threshold
) -> None:
    current = {k: max(now) for k, (now, _) in runs.items()}
    baseline = {k: min(then) for k, (_, then) in runs.items()}

    without = compare_to_baseline(current, baseline, threshold)
    with_samples = compare_to_baseline(
        current,
        baseline,
        threshold,
        current_samples={k: now for k, (now, _) in runs.items()},
        baseline_samples={k: then for k, (_, then) in runs.items()},
    )

    assert severity(with_samples) <= severity(without)


@given(sample_runs, sample_runs)
def test_mann_whitney_p_is_a_probability(current: list[float], baseline: list[float]) -> None:
    p = mann_whitney_p_greater(current, baseline)

    assert 0.0 <= p <= 1.0
    assert math.isfinite(p)


@given(sample_runs, sample_runs, st.randoms(use_true_random=False), st.integers(-10, 10))
def test_mann_whitney_ignores_order_and_positive_scale(
    current: list[float], baseline: list[float], rng: random.Random, exponent: int
) -> None:
    shuffled_current = rng.sample(current, len(current))
    shuffled_baseline = rng.sample(baseline, len(baseline))
    scale = 2.0**exponent

    assert mann_whitney_p_greater(
        [v * scale for v in shuffled_current], [v * scale for v in shuffled_baseline]
    ) == mann_whitney_p_greater(current, baseline)


@given(st.lists(positive_seconds, min_size=7, max_size=12))
def test_a_sample_set_is_never_significantly_slower_than_itself(samples: list[float]) -> None:
    assert mann_whitney_p_greater(samples, samples) >= 0.05
