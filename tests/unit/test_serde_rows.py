"""Inventory entries and edges unstructured as rows (`serde` Rule 4, `plain_json` Rule 3): the
same plain data and the same JSON as the converter's own per-entry hook gives, in one step."""

from __future__ import annotations

import json
import math
from typing import Any, cast

from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters.plain_json import JsonRows, as_json_reads_it
from codegenie_adapters.serde import converter, envelope_from_json, envelope_to_json, plain_data
from codegenie_core.parsers.inventory import DependencyEdge, InventoryEntry
from codegenie_core.probe import Envelope
from codegenie_core.probes.layer_a.manifests import ManifestsSlice

Entries = tuple[InventoryEntry, ...]
Edges = tuple[DependencyEdge, ...]


class _Word(str):
    """A str subclass: JSON gives back a plain str, so rows must not keep it."""


def _same(a: object, b: object) -> bool:
    """Equal in value, type and key order (NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(cast("float", b))
    if isinstance(a, dict):
        x, y = cast("dict[object, object]", a), cast("dict[object, object]", b)
        return list(x) == list(y) and all(_same(x[k], y[k]) for k in x)
    if isinstance(a, list):
        x, y = cast("list[object]", a), cast("list[object]", b)
        return len(x) == len(y) and all(_same(i, j) for i, j in zip(x, y, strict=True))
    return a == b


_text = st.text(max_size=4)
# mostly what the join builds, sometimes what a careless caller could put in (attrs checks no
# types): a str subclass, an int, a tuple where a scalar belongs, a list where a tuple belongs
_odd = st.builds(_Word, _text) | st.integers(-3, 3) | st.tuples(_text) | st.floats()
_scalar = _text | st.none()
_maybe_odd = st.one_of(_scalar, _scalar, _scalar, _odd)
_strings = st.lists(_text, max_size=2).map(tuple)
_maybe_odd_strings = st.one_of(
    _strings, _strings, _strings, st.lists(_text, max_size=2), st.tuples(_odd)
)
entries = st.builds(
    InventoryEntry,
    ecosystem=_maybe_odd,
    name=_text,
    spec=_maybe_odd,
    effective_spec=_scalar,
    resolved=_maybe_odd,
    purl=_text,
    direct=st.booleans() | st.integers(0, 1),
    scope=st.sampled_from(["runtime", "dev", "optional", "peer", "build"]),
    manifest=_scalar,
    lockfile=_scalar,
    member=_maybe_odd,
    source=_scalar,
    reasons=_maybe_odd_strings,
    groups=_maybe_odd_strings,
)
edges = st.builds(DependencyEdge, source=_maybe_odd, target=_text)


def _one_by_one(items: tuple[Any, ...], member: type[Any]) -> list[Any]:
    """What JSON gives back for the converter's per-item hook, item by item (the oracle)."""
    return [json.loads(json.dumps(converter.unstructure(i, unstructure_as=member))) for i in items]


@given(st.lists(entries, max_size=5).map(tuple))
def test_entries_read_back_as_json_reads_them_entry_by_entry(items: Entries) -> None:
    rows = converter.unstructure(items, unstructure_as=Entries)
    assert _same(as_json_reads_it(rows), _one_by_one(items, InventoryEntry))
    assert json.dumps(rows) == json.dumps(_one_by_one(items, InventoryEntry))


@given(st.lists(edges, max_size=5).map(tuple))
def test_edges_read_back_as_json_reads_them_edge_by_edge(items: Edges) -> None:
    rows = converter.unstructure(items, unstructure_as=Edges)
    assert _same(as_json_reads_it(rows), _one_by_one(items, DependencyEdge))
    assert json.dumps(rows) == json.dumps(_one_by_one(items, DependencyEdge))


def _entry(**changed: Any) -> InventoryEntry:
    fields: dict[str, Any] = {
        "ecosystem": "npm",
        "name": "a",
        "spec": "^1.0.0",
        "effective_spec": None,
        "resolved": "1.0.0",
        "purl": "pkg:npm/a@1.0.0",
        "direct": True,
        "scope": "runtime",
        "manifest": "package.json",
        "lockfile": "package-lock.json",
        "member": ".",
        "reasons": ("a reason",),
        "groups": (),
    }
    fields.update(changed)
    return InventoryEntry(**fields)


def _slice(inventory: Entries, found: Edges) -> ManifestsSlice:
    return ManifestsSlice(
        ecosystems=("npm",),
        npm={},
        python={},
        go={},
        cargo={},
        maven={},
        lockfiles=(),
        inventory=inventory,
        edges=found,
    )


def test_the_manifests_slice_unstructures_its_inventory_and_edges_as_rows() -> None:
    unstructured = converter.unstructure(
        _slice((_entry(),), (DependencyEdge(source="pkg:npm/a@1.0.0", target="pkg:npm/b@2"),))
    )
    assert type(unstructured["inventory"]) is JsonRows
    assert type(unstructured["edges"]) is JsonRows
    assert unstructured["inventory"][0]["reasons"] == ["a reason"]
    assert unstructured["edges"] == [{"source": "pkg:npm/a@1.0.0", "target": "pkg:npm/b@2"}]


def test_one_odd_value_sends_the_whole_collection_through_the_converter() -> None:
    odd = (_entry(), _entry(name="b", member=_Word(".")))
    unstructured = converter.unstructure(odd, unstructure_as=Entries)
    assert type(unstructured) is not JsonRows
    assert _same(as_json_reads_it(unstructured), _one_by_one(odd, InventoryEntry))


def test_plain_data_gives_plain_lists_and_no_two_calls_share_a_row() -> None:
    value = _slice((_entry(),), ())
    first, second = plain_data(value), plain_data(value)
    assert type(first["inventory"]) is list
    assert first["inventory"] == second["inventory"]
    assert first["inventory"][0] is not second["inventory"][0]
    assert first["inventory"][0]["reasons"] is not second["inventory"][0]["reasons"]


def test_a_cached_slice_with_rows_reads_back_as_the_slice() -> None:
    value = _slice(
        (_entry(), _entry(name="b", reasons=())), (DependencyEdge(source="a", target="b"),)
    )
    envelope = Envelope(probe="manifests", schema_version=8, confidence="high", slice=value)
    assert envelope_from_json(envelope_to_json(envelope), ManifestsSlice).slice == value
