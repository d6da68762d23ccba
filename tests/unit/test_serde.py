"""The one converter: envelopes round-trip, sum types are tagged by `kind`, failures are typed."""

from __future__ import annotations

import json
from typing import Literal

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codegenie_adapters.envelope_json import read_envelope_json
from codegenie_adapters.serde import (
    STRUCTURE_ERRORS,
    converter,
    envelope_from_json,
    envelope_to_json,
    plain_data,
    structure_error_text,
)
from codegenie_core.probe import Envelope


# ---- representative slice types: a sum type, nested tuples, optionals, dicts, literals ----------
@attrs.frozen(kw_only=True)
class Fresh:
    indexed_at: str


@attrs.frozen(kw_only=True)
class Stale:
    commits_behind: int
    changed_files: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Missing:
    pass


Health = Fresh | Stale | Missing


@attrs.frozen(kw_only=True)
class Stage:
    name: str | None
    base_image: str
    exposes: tuple[int, ...] = ()


@attrs.frozen(kw_only=True)
class SampleSlice:
    health: Health
    history: tuple[Health, ...]
    stages: tuple[Stage, ...]
    sizes: dict[str, int]
    previous: Fresh | Stale | None = None
    mode: Literal["static", "runtime"] = "static"
    ratio: float | None = None
    languages: frozenset[str] = frozenset()


texts = st.text(max_size=12)  # any str, lone surrogates included: JSON escapes them
health = st.one_of(
    st.builds(Fresh, indexed_at=texts),
    st.builds(Stale, commits_behind=st.integers(0, 10**9), changed_files=st.tuples(texts, texts)),
    st.just(Missing()),
)
stages = st.builds(
    Stage,
    name=st.none() | texts,
    base_image=texts,
    exposes=st.lists(st.integers(1, 65535), max_size=3).map(tuple),
)
sample_slices = st.builds(
    SampleSlice,
    health=health,
    history=st.lists(health, max_size=4).map(tuple),
    stages=st.lists(stages, max_size=3).map(tuple),
    sizes=st.dictionaries(texts, st.integers(), max_size=4),
    previous=st.none() | st.builds(Fresh, indexed_at=texts),
    mode=st.sampled_from(["static", "runtime"]),
    ratio=st.none() | st.floats(allow_nan=False),
    languages=st.frozensets(texts, max_size=3),
)


def envelope(slice_value: object, **overrides: object) -> Envelope:
    fields: dict[str, object] = {
        "probe": "sample",
        "schema_version": 3,
        "confidence": "medium",
        "slice": slice_value,
        "notes": ("a note",),
    }
    fields.update(overrides)
    return Envelope(**fields)  # pyright: ignore[reportArgumentType] - test helper


@given(sample_slices, st.lists(texts, max_size=3).map(tuple))
def test_envelopes_round_trip_through_json(
    slice_value: SampleSlice, notes: tuple[str, ...]
) -> None:
    original = envelope(slice_value, notes=notes)
    assert envelope_from_json(envelope_to_json(original), SampleSlice) == original


@given(health)
def test_a_slice_that_is_itself_a_sum_type_round_trips_as_the_union(value: Health) -> None:
    original = envelope(value)
    assert envelope_from_json(envelope_to_json(original), Health) == original


@given(sample_slices)
def test_encoding_is_deterministic(slice_value: SampleSlice) -> None:
    assert envelope_to_json(envelope(slice_value)) == envelope_to_json(envelope(slice_value))


def test_union_members_are_tagged_with_their_class_name() -> None:
    unstructured = converter.unstructure(Stale(commits_behind=2), unstructure_as=Health)
    assert unstructured == {"kind": "Stale", "commits_behind": 2, "changed_files": []}


def test_union_members_structure_by_tag() -> None:
    structured: object = converter.structure({"kind": "Fresh", "indexed_at": "t"}, Health)  # pyright: ignore[reportArgumentType] - a union is a valid target
    assert structured == Fresh(indexed_at="t")


def _payload(value: SampleSlice) -> dict[str, object]:
    return json.loads(envelope_to_json(envelope(value)))


SIMPLE = SampleSlice(health=Stale(commits_behind=1), history=(), stages=(), sizes={})


def test_an_unknown_tag_is_a_typed_failure_naming_the_tag_and_path() -> None:
    payload = _payload(SIMPLE)
    payload["slice"]["health"]["kind"] = "Vanished"  # pyright: ignore[reportIndexIssue] - JSON document
    with pytest.raises(STRUCTURE_ERRORS) as caught:
        envelope_from_json(json.dumps(payload).encode(), SampleSlice)
    assert structure_error_text(caught.value) == (
        "kind 'Vanished' is not one of Fresh, Missing, Stale @ $.health"
    )


def test_a_wrong_field_type_reports_its_path() -> None:
    payload = _payload(SIMPLE)
    payload["slice"]["health"]["commits_behind"] = "two"  # pyright: ignore[reportIndexIssue] - JSON document
    with pytest.raises(STRUCTURE_ERRORS) as caught:
        envelope_from_json(json.dumps(payload).encode(), SampleSlice)
    assert structure_error_text(caught.value) == (
        "invalid value for type, expected int @ $.health.commits_behind"
    )


def test_reading_an_entry_as_another_slice_type_fails() -> None:
    data = envelope_to_json(envelope(Fresh(indexed_at="t")))
    with pytest.raises(STRUCTURE_ERRORS):
        envelope_from_json(data, Stage)


@pytest.mark.parametrize(
    "data",
    [b"", b"[]", b"{", b'{"probe": 1}', b"\xff\xfe", b'{"probe":"p","schema_version":1}'],
)
def test_garbage_is_a_typed_failure(data: bytes) -> None:
    with pytest.raises(STRUCTURE_ERRORS):
        envelope_from_json(data, SampleSlice)


def test_a_bad_confidence_is_a_typed_failure() -> None:
    payload = _payload(SIMPLE)
    payload["confidence"] = "certain"
    with pytest.raises(STRUCTURE_ERRORS):
        envelope_from_json(json.dumps(payload).encode(), SampleSlice)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"{", "not JSON (Expecting property name enclosed in double quotes at byte 1) @ $"),
        (b"\xff", "not UTF-8 text (bad byte at 0) @ $"),
        (b"[]", "invalid type (an envelope is a JSON object) @ $"),
    ],
)
def test_garbage_is_described_without_a_traceback(data: bytes, expected: str) -> None:
    with pytest.raises(STRUCTURE_ERRORS) as caught:
        envelope_from_json(data, SampleSlice)
    assert structure_error_text(caught.value) == expected


def _registered_slice_types() -> list[tuple[str, type[object]]]:
    from codegenie_core.probes import load_builtin_probes
    from codegenie_core.registry import DEFAULT_REGISTRY

    load_builtin_probes()
    return [(r.name, r.spec.slice_type) for r in DEFAULT_REGISTRY]


@pytest.mark.parametrize(
    ("probe", "slice_type"),
    _registered_slice_types(),
    ids=[n for n, _ in _registered_slice_types()],
)
def test_every_built_in_probes_slice_round_trips_without_per_type_code(
    probe: str, slice_type: type[object]
) -> None:
    # Examples are drawn from the slice's own annotations; equality is checked on the encoded
    # bytes, so a NaN float (never equal to itself) still counts as a faithful round trip.
    @settings(max_examples=10, suppress_health_check=list(HealthCheck))
    @given(st.from_type(slice_type))
    def round_trips(value: object) -> None:
        original = envelope(value, probe=probe)
        data = envelope_to_json(original)
        assert envelope_to_json(envelope_from_json(data, slice_type)) == data

    round_trips()


@pytest.mark.parametrize(
    ("probe", "slice_type"),
    _registered_slice_types(),
    ids=[n for n, _ in _registered_slice_types()],
)
def test_a_stored_slice_reads_back_as_the_plain_data_a_computed_one_renders(
    probe: str, slice_type: type[object]
) -> None:
    # ADR-0020: a warm gather renders `plain_slice` where the cold one rendered `plain_data`;
    # the two must agree in values and in key order, or warm and cold documents would differ.
    @settings(max_examples=10, suppress_health_check=list(HealthCheck))
    @given(st.from_type(slice_type))
    def agree(value: object) -> None:
        stored = read_envelope_json(envelope_to_json(envelope(value, probe=probe))).plain_slice
        assert json.dumps(stored) == json.dumps(plain_data(value))

    agree()
