"""`as_json_reads_it` gives what `json.loads(json.dumps(value))` gives, without the text."""

from __future__ import annotations

import enum
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters.plain_json import as_json_reads_it
from tests.json_equality import same_json


class _Word(str):
    """A str subclass: JSON gives back a plain str."""


class _Level(enum.IntEnum):
    LOW = 1


_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**17, max_value=10**19)
    | st.floats()
    | st.text(max_size=4)
    | st.builds(_Word, st.text(max_size=3))
    | st.just(_Level.LOW)
)
_keys = st.text(max_size=3) | st.integers(-2, 2) | st.booleans() | st.none() | st.floats()
unstructured = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(_keys, inner, max_size=4)
        | st.dictionaries(st.text(max_size=3), inner, max_size=4)
    ),
    max_leaves=25,
)


@given(unstructured)
def test_values_read_back_as_json_reads_them(value: object) -> None:
    assert same_json(as_json_reads_it(value), json.loads(json.dumps(value)))


@given(unstructured)
def test_every_mapping_and_list_is_a_fresh_copy(value: object) -> None:
    held = [value]
    assert as_json_reads_it(held) is not held
    assert as_json_reads_it({"a": held})["a"] is not held


@pytest.mark.parametrize("value", [{"when": object()}, [1, {2, 3}], {(1, 2): "tuple key"}])
def test_what_json_cannot_write_raises_what_json_raises(value: object) -> None:
    with pytest.raises(TypeError):
        json.dumps(value)
    with pytest.raises(TypeError):
        as_json_reads_it(value)


def test_an_int_beyond_the_digit_limit_raises_as_json_does() -> None:
    huge = 10**5000
    with pytest.raises(ValueError, match="digits"):
        json.dumps({"n": huge})
    with pytest.raises(ValueError, match="digits"):
        as_json_reads_it({"n": huge})
