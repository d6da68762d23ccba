"""Rendering documents to YAML/JSON and writing them atomically."""

from __future__ import annotations

import json
import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from codegenie_adapters.documents import to_json, to_yaml, write_outputs

plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@given(plain)
def test_json_round_trips_any_plain_document(document: object) -> None:
    assert json.loads(to_json(document)) == document


@given(plain)
def test_yaml_round_trips_any_plain_document(document: object) -> None:
    assert YAML(typ="safe", pure=True).load(to_yaml(document)) == document


def test_yaml_quotes_words_that_yaml_1_1_reads_as_booleans() -> None:
    text = to_yaml({"on": "on", "yes": "yes", "octal": "012"})
    assert "'on': 'on'" in text
    assert "'yes': 'yes'" in text
    assert "octal: '012'" in text


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
