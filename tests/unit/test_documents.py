"""Rendering documents to YAML/JSON and writing them atomically."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from codegenie_adapters.documents import to_json, to_yaml, write_outputs
from tests.reference_writers import reference_to_yaml

plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)
# What the YAML writer must also get right: floats, surrogate-escaped file names, and the words
# and shapes YAML 1.1 or 1.2 would read as something else.
yaml_plain = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.text(alphabet=st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF), max_size=2)
    | st.sampled_from(["on", "Off", "yes", "N", "~", "null", "012", "0x1F", "1:30", "-", ".inf"])
    | st.from_regex(r"[A-Za-z_][A-Za-z0-9_./-]{0,6}", fullmatch=True),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@given(plain)
def test_json_round_trips_any_plain_document(document: object) -> None:
    assert json.loads(to_json(document)) == document


def _load(text: str, version: tuple[int, int] | None) -> object:
    """`text` read by ruamel under its own `%YAML` directive, or forced to `version`."""
    yaml = YAML(typ="safe", pure=True)
    if version is not None:
        yaml.version = version
        text = text.removeprefix("%YAML 1.1\n---\n")
    return yaml.load(text)  # pyright: ignore[reportUnknownMemberType]  # ruamel leaves load() unannotated


def _same(a: object, b: object) -> bool:
    """Equal, NaN equal to NaN (a float NaN is written `.nan`)."""
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:  # noqa: PLR0124  # NaN is the one value unequal to itself
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        x, y = cast("dict[object, object]", a), cast("dict[object, object]", b)
        return list(x) == list(y) and all(_same(x[k], y[k]) for k in x)
    if isinstance(a, list) and isinstance(b, list):
        x, y = cast("list[object]", a), cast("list[object]", b)
        return len(x) == len(y) and all(_same(i, j) for i, j in zip(x, y, strict=True))
    return type(a) is type(b) and a == b


@given(yaml_plain)
def test_yaml_is_byte_for_byte_what_the_one_node_at_a_time_writer_gives(document: object) -> None:
    assert to_yaml(document) == reference_to_yaml(document)


# The shape the inventory and the edges have: lists of flat mappings, whose values are scalars,
# empty containers, lists of scalars, and now and then a nested container (which leaves the fast
# path for that item and every one after it).
_leaf = yaml_plain.filter(lambda v: not isinstance(v, dict | list) or not v)
_flat_value = _leaf | st.lists(_leaf, max_size=3) | yaml_plain
flat_lists = st.lists(
    st.dictionaries(
        st.sampled_from(["name", "on", "", "a b", "reasons", "1"]) | st.text(max_size=3),
        _flat_value,
        max_size=5,
    )
    | _leaf,
    max_size=8,
)
flat_documents = st.dictionaries(st.text(max_size=3), flat_lists, max_size=3) | st.lists(
    flat_lists, max_size=3
)


@given(flat_documents)
def test_lists_of_flat_mappings_are_written_byte_for_byte_as_the_reference_writes_them(
    document: object,
) -> None:
    assert to_yaml(document) == reference_to_yaml(document)


@given(flat_documents)
def test_lists_of_flat_mappings_read_back_under_yaml_1_1_and_1_2(document: object) -> None:
    text = to_yaml(document)
    for version in (None, (1, 1), (1, 2)):
        assert _same(_load(text, version), document), (version, text)


_LONG = "\u1e70\u033a" * 300 + " a name from a repository"  # 1,227 characters once escaped


@pytest.mark.parametrize(
    "document",
    [
        {_LONG: None},
        {"a": {_LONG: "value", "b": [1, 2]}},
        {_LONG: {"nested": True}, "after": 1},
        {_LONG: [1, {"x": _LONG}]},
        [{_LONG: "first key", "b": None}, {"a": 1, _LONG: ["x", "y"]}],
        {"rows": [{_LONG: {"nested": 1}}, {"a": [], _LONG: {}}]},
    ],
)
def test_a_key_longer_than_an_implicit_key_may_be_reads_back_under_yaml_1_1_and_1_2(
    document: object,
) -> None:
    text = to_yaml(document)
    assert "? " in text
    assert text == reference_to_yaml(document)
    for version in (None, (1, 1), (1, 2)):
        assert _same(_load(text, version), document), (version, text)


@given(yaml_plain)
def test_yaml_round_trips_any_plain_document_under_yaml_1_1_and_1_2(document: object) -> None:
    text = to_yaml(document)
    for version in (None, (1, 1), (1, 2)):
        assert _same(_load(text, version), document), (version, text)


def test_yaml_quotes_words_that_yaml_1_1_reads_as_booleans() -> None:
    text = to_yaml({"on": "on", "yes": "yes", "octal": "012", "plain": "pkg-name/a.b_c"})
    assert '"on": "on"' in text
    assert '"yes": "yes"' in text
    assert 'octal: "012"' in text
    assert "plain: pkg-name/a.b_c" in text


def test_a_deep_document_is_written_without_recursion() -> None:
    deep: object = "leaf"
    for _ in range(5000):
        deep = [deep]
    lines = to_yaml(deep).splitlines()
    assert len(lines) == 2 + 5000 and lines[-1].strip() == "- leaf"


def test_a_non_utf8_file_name_is_escaped_so_json_stays_valid_utf8() -> None:
    name = os.fsdecode(b"caf\xe9.txt")
    text = to_json({"path": name})
    text.encode("utf-8")
    assert json.loads(text) == {"path": name}


def test_key_order_is_kept_as_given() -> None:
    assert list(json.loads(to_json({"z": 1, "a": 2}))) == ["z", "a"]
    assert to_yaml({"z": 1, "a": 2}).splitlines()[-2:] == ["z: 1", "a: 2"]


def test_write_outputs_creates_the_directory_and_every_file(tmp_path: Path) -> None:
    written = write_outputs(str(tmp_path / "out"), {"a.txt": "1", "b.txt": "2"})
    assert [Path(p).name for p in written] == ["a.txt", "b.txt"]
    assert (tmp_path / "out" / "b.txt").read_text() == "2"


def test_unicode_line_breaks_read_back_exactly_from_yaml() -> None:
    document = {"\x85": None, "k": "a\u2028b\u2029c", "café": "naïve"}
    assert YAML(typ="safe", pure=True).load(to_yaml(document)) == document
