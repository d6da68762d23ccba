"""`ScriptedYaml` (the fake) and `RuamelYamlReader` (the real adapter) agree on `YamlReader`.

The fake knows the answer for each scripted text; the real reader must give the same plain data
for those texts, and both must answer a text that is not a YAML document with a `TextProblem`.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters.config_yaml import RuamelYamlReader
from codegenie_adapters.fakes import ScriptedYaml
from codegenie_core.ports import TextProblem, YamlReader

# Scripted documents: the text and the plain data it stands for.
DOCUMENTS: dict[str, object] = {
    "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n": {
        "on": "push",
        "jobs": {"a": {"runs-on": "ubuntu-latest"}},
    },
    "%YAML 1.1\n---\non: [push, pull_request]\n": {True: ["push", "pull_request"]},
    "- 1\n- 2.5\n- true\n- null\n- 'text'\n": [1, 2.5, True, None, "text"],
    "base: &b {x: 1}\nderived: *b\n": {"base": {"x": 1}, "derived": {"x": 1}},
    "when: 2024-05-01\n": {"when": "2024-05-01"},
    "": None,
}
NOT_YAML = ["a: 1\na: 2\n", "key: [unclosed\n", "---\na\n---\nb\n"]

READERS: dict[str, YamlReader] = {
    "fake": ScriptedYaml(documents=dict(DOCUMENTS)),
    "real": RuamelYamlReader(),
}


@pytest.mark.parametrize("reader", READERS.values(), ids=list(READERS))
@pytest.mark.parametrize("text", list(DOCUMENTS), ids=range(len(DOCUMENTS)))
def test_both_readers_give_the_scripted_plain_data(reader: YamlReader, text: str) -> None:
    assert reader.parse(text) == DOCUMENTS[text]


@pytest.mark.parametrize("reader", READERS.values(), ids=list(READERS))
@pytest.mark.parametrize("text", NOT_YAML, ids=range(len(NOT_YAML)))
def test_both_readers_answer_a_text_that_is_not_one_document_with_a_problem(
    reader: YamlReader, text: str
) -> None:
    problem = reader.parse(text)

    assert isinstance(problem, TextProblem)
    assert problem.line is not None and problem.line >= 1
    assert problem.column is not None and problem.column >= 1


# Printable text only: YAML refuses some characters JSON writes literally (NEL, BOM, DEL, ...).
printable = st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), max_size=10)
plain_scalars = st.none() | st.booleans() | st.integers() | printable
plain_data = st.recursive(
    plain_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(printable, inner, max_size=4),
    max_leaves=12,
)


@given(plain_data)
def test_the_real_reader_reads_back_json_written_data_as_the_fake_would_script_it(
    data: object,
) -> None:
    # JSON with literal (not escaped) characters is YAML 1.2, so either reader may be scripted
    # with it; escaped surrogate pairs are JSON only (YAML writes non-BMP characters as \U).
    text = json.dumps(data, ensure_ascii=False)
    scripted = ScriptedYaml(documents={text: data})

    assert RuamelYamlReader().parse(text) == scripted.parse(text)
