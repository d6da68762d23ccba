"""`load_lock_toml` is `tomllib` in every outcome: the same values (and types) when tomllib accepts
a text, a problem when it rejects one; rtoml is never more lenient (ADR-0048)."""

from __future__ import annotations

import datetime
import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codegenie_core.parsers.lock_toml import load_lock_toml
from codegenie_core.parsers.manifest_model import ManifestProblem
from tests.strategies import edited_texts, mutated_texts, toml_documents, toml_ish_texts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles"
LOCKS = sorted(
    path
    for name in ("Cargo.lock", "uv.lock", "poetry.lock", "pdm.lock")
    for path in FIXTURES.rglob(name)
)


def same_toml(left: object, right: object) -> bool:
    """Equal values of identical types, tables in the same key order, nan equal to nan, offsets
    carried by the same `tzinfo` class."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        assert isinstance(right, dict)
        return list(left) == list(right) and all(same_toml(left[k], right[k]) for k in left)  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType] - a TOML table
    if isinstance(left, list):
        assert isinstance(right, list)
        return len(left) == len(right) and all(map(same_toml, left, right))  # pyright: ignore[reportUnknownArgumentType] - a TOML array
    if isinstance(left, float):
        assert isinstance(right, float)
        if math.isnan(left):
            return math.isnan(right)
        return left == right and math.copysign(1, left) == math.copysign(1, right)
    if isinstance(left, datetime.datetime | datetime.time):
        assert isinstance(right, datetime.datetime | datetime.time)
        return left == right and type(left.tzinfo) is type(right.tzinfo)
    return left == right


def agrees_with_tomllib(text: str) -> None:
    try:
        expected = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        assert isinstance(load_lock_toml(text), ManifestProblem)
    else:
        actual = load_lock_toml(text)
        assert not isinstance(actual, ManifestProblem)
        assert same_toml(actual, expected), (actual, expected)


@given(toml_ish_texts)
def test_lock_toml_is_tomllib_on_toml_ish_text(text: str) -> None:
    agrees_with_tomllib(text)


@settings(max_examples=300)  # 14 additions, each alone and nested: a few ms a document
@given(toml_documents(toml_1_1=True))
def test_toml_1_1_additions_are_problems_as_in_tomllib(text: str) -> None:
    """A trailing comma or newline in an inline table, `\\e`, `\\xHH`, a time without seconds:
    rtoml reads them all, tomllib none, so neither may `load_lock_toml`."""
    assert isinstance(load_lock_toml(text), ManifestProblem)
    agrees_with_tomllib(text)


@pytest.mark.parametrize("path", LOCKS, ids=lambda p: str(p.relative_to(FIXTURES)))
@given(data=st.data())
def test_lock_toml_is_tomllib_on_edited_lockfiles(path: Path, data: st.DataObject) -> None:
    text = path.read_text(encoding="utf-8")
    agrees_with_tomllib(data.draw(st.one_of(edited_texts(text), mutated_texts(text))))


def test_same_toml_tells_tzinfo_classes_nan_and_order_apart() -> None:
    utc = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

    class OtherUtc(datetime.tzinfo):
        def utcoffset(self, dt: datetime.datetime | None) -> datetime.timedelta:
            return datetime.timedelta(0)

    assert same_toml({"a": math.nan, "b": [utc]}, {"a": math.nan, "b": [utc]})
    assert not same_toml(utc, utc.replace(tzinfo=OtherUtc()))
    assert not same_toml({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert not same_toml(1, 1.0)
    assert not same_toml(0.0, -0.0)
