"""effective_cpu_count: positive integers only, the variable named in every error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.cpu_budget import FORCE_CPU_COUNT_VARIABLE, effective_cpu_count


@pytest.mark.parametrize(
    "raw", ["", "abc", "1.5", "two", "2x", " ", "0x2", "0", "-1", "+2", "02", "٢", " 2"]
)
def test_a_malformed_forced_count_raises_naming_the_variable(raw: str) -> None:
    with pytest.raises(ValueError, match=FORCE_CPU_COUNT_VARIABLE):
        effective_cpu_count({FORCE_CPU_COUNT_VARIABLE: raw}, 8)


@given(st.integers(min_value=1, max_value=10**6))
def test_a_positive_integer_is_taken_as_the_budget(count: int) -> None:
    assert effective_cpu_count({FORCE_CPU_COUNT_VARIABLE: str(count)}, 8) == count


def test_unset_falls_back_to_the_given_cpu_count() -> None:
    assert effective_cpu_count({}, 6) == 6


def test_an_unknown_cpu_count_falls_back_to_one() -> None:
    assert effective_cpu_count({}, None) == 1
