"""The JSON Schema of the context document: generated from the slice types, shipped, strict."""

from __future__ import annotations

import collections.abc
import copy
import importlib.util
import json
import types
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from codegenie_adapters.serde import plain_data
from codegenie_cli.main import cli
from codegenie_core.probes import load_builtin_probes
from codegenie_core.registry import DEFAULT_REGISTRY, RegisteredProbe
from codegenie_core.report.schema import (
    SCHEMA_FILE,
    UnschemableType,
    builtin,
    context_schema,
    schema_text,
)
from tests.context_schema import assert_valid, schema_errors, shipped_schema
from tests.portfolio.golden import FIXTURES, golden_path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "codegenie_core" / "report" / SCHEMA_FILE


def _builtins() -> list[RegisteredProbe]:
    load_builtin_probes()
    return builtin(DEFAULT_REGISTRY)


def _golden(name: str = "polyglot-monorepo") -> dict[str, Any]:
    return json.loads(golden_path(name).read_text("utf-8"))


def test_the_shipped_schema_is_what_regenerating_it_from_the_slice_types_gives() -> None:
    assert SHIPPED.read_text("utf-8") == schema_text(_builtins())


def test_the_regeneration_script_checks_the_shipped_file() -> None:
    spec = importlib.util.spec_from_file_location("regen", ROOT / "scripts/regen_context_schema.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0


def test_the_shipped_schema_is_a_valid_2020_12_schema() -> None:
    schema = shipped_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_every_probe_the_package_ships_is_described_by_name() -> None:
    names = set(shipped_schema()["properties"]["probes"]["properties"])
    assert names == {r.name for r in _builtins()}


def test_schema_prints_the_shipped_schema() -> None:
    result = CliRunner().invoke(cli, ["schema"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == SHIPPED.read_text("utf-8")


@pytest.mark.parametrize("name", FIXTURES)
def test_every_golden_meets_the_schema(name: str) -> None:
    assert schema_errors(_golden(name), timings=False) == []


def test_a_golden_still_needs_its_timings_to_be_a_whole_document() -> None:
    errors = schema_errors(_golden())
    assert any("'duration_ms' is a required property" in e for e in errors)


def test_a_wrong_type_in_a_slice_is_rejected() -> None:
    document = _golden()
    document["probes"]["languages"]["slice"]["languages"][0]["files"] = "four"
    errors = schema_errors(document, timings=False)
    assert errors, "a string where the slice has an int must not pass"
    assert errors == [
        "$.probes.languages.slice.languages[0].files: 'four' is not of type 'integer'"
    ]


def test_a_field_the_slice_type_does_not_have_is_rejected() -> None:
    document = _golden()
    document["probes"]["languages"]["slice"]["invented"] = 1
    assert schema_errors(document, timings=False)


def test_a_missing_slice_field_is_rejected() -> None:
    document = _golden()
    del document["probes"]["manifests"]["slice"]["inventory"]
    assert schema_errors(document, timings=False)


def test_a_tagged_union_member_needs_a_known_kind() -> None:
    document = _golden()
    indexes = document["probes"]["index_health"]["slice"]["indexes"]
    assert indexes, "the fixture has an index verdict"
    indexes[0]["kind"] = "Splendid"
    assert schema_errors(document, timings=False)


def test_a_wrong_slice_schema_version_is_rejected() -> None:
    document = _golden()
    document["probes"]["languages"]["schema_version"] += 1
    assert schema_errors(document, timings=False)


def test_a_probe_of_another_package_is_admitted_with_any_slice_but_a_whole_envelope() -> None:
    document = _golden()
    entry = {
        "layer": "a",
        "version": 7,
        "outcome": "ran",
        "cache_key": "0123456789ab",
        "confidence": "medium",
        "schema_version": 3,
        "notes": ["from a plugin"],
        "slice": {"anything": [1, "two", None]},
    }
    document["probes"]["acme_licenses"] = entry
    assert schema_errors(document, timings=False) == []
    broken = copy.deepcopy(document)
    broken["probes"]["acme_licenses"]["confidence"] = "certain"
    assert schema_errors(broken, timings=False)
    broken = copy.deepcopy(document)
    del broken["probes"]["acme_licenses"]["notes"]
    assert schema_errors(broken, timings=False)


def test_each_outcome_has_its_own_fields() -> None:
    document = _golden()
    entry = document["probes"]["languages"]
    entry["outcome"] = "skipped"  # but still with a slice and without a reason
    assert schema_errors(document, timings=False)
    for key in ("cache_key", "confidence", "schema_version", "notes", "slice"):
        del entry[key]
    entry["reason"] = {"kind": "not_applicable", "message": "no files"}
    assert schema_errors(document, timings=False) == []
    entry["reason"] = {"kind": "tool_unavailable", "message": "no docker"}  # no tool, no hint
    assert schema_errors(document, timings=False)


def test_an_annotation_the_generator_cannot_describe_is_an_error_not_a_hole() -> None:
    @attrs.frozen(kw_only=True)
    class Odd:
        handler: type[int]

    @attrs.frozen
    class Spec:
        name: str = "odd"
        version: int = 1
        layer: str = "a"
        schema_version: int = 1
        slice_type: type[Any] = Odd

    probe = RegisteredProbe(probe=None, spec=Spec(), source="builtin:tests")  # pyright: ignore[reportArgumentType]  # a spec stand-in
    with pytest.raises(UnschemableType, match="handler"):
        context_schema([probe])


def _values(annotation: Any) -> st.SearchStrategy[Any]:
    """Any value of a slice type, with small collections (`st.from_type` builds a manifests slice
    with hundreds of nested entries, taking minutes). The oracle is the converter's output, not
    this walk."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation in _SCALAR_VALUES:
        return _SCALAR_VALUES[annotation]
    if isinstance(annotation, type) and attrs.has(annotation):
        hints = typing.get_type_hints(annotation)
        fields = {f.name: _values(hints[f.name]) for f in attrs.fields(annotation) if f.init}
        return st.builds(annotation, **fields)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([_values(a) for a in args])
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return st.lists(_values(args[0]), max_size=2).map(tuple)
    if origin is tuple:
        return st.tuples(*(_values(a) for a in args))
    if origin in (dict, collections.abc.Mapping):
        return st.dictionaries(st.text(max_size=3), _values(args[1]), max_size=2)
    if origin in (frozenset, set, collections.abc.Set):
        return st.frozensets(_values(args[0]), max_size=2)
    if origin in (list, collections.abc.Sequence):
        return st.lists(_values(args[0]), max_size=2)
    raise AssertionError(f"no strategy for {annotation!r}")


_SCALAR_VALUES: dict[Any, st.SearchStrategy[Any]] = {
    str: st.text(max_size=4),
    int: st.integers(),
    float: st.floats(allow_nan=False, allow_infinity=False),
    bool: st.booleans(),
    type(None): st.none(),
}
_GOLDEN_ENVELOPE = {key: value for key, value in _golden().items() if key != "probes"}


def _slice_types() -> list[RegisteredProbe]:
    return sorted(_builtins(), key=lambda r: r.name)


@pytest.mark.parametrize("registered", _slice_types(), ids=lambda r: r.name)
@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_any_slice_the_converter_writes_meets_its_probe_schema(
    registered: RegisteredProbe, data: st.DataObject
) -> None:
    """The generator mirrors the converter: any value of a slice type, unstructured as the
    document holds it, validates against that probe's part of the schema."""
    value = data.draw(_values(registered.spec.slice_type))
    document = {**_GOLDEN_ENVELOPE, "probes": {}}
    spec = registered.spec
    document["probes"][registered.name] = {
        "layer": spec.layer,
        "version": spec.version,
        "outcome": "ran",
        "cache_key": "0123456789ab",
        "confidence": "high",
        "schema_version": spec.schema_version,
        "notes": [],
        "slice": plain_data(value),
    }
    assert_valid(document, timings=False)
