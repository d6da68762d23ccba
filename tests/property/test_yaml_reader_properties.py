"""`RuamelYamlReader`'s node bound (ADR-0026): a document is read exactly when its expanded node
count, an alias counted as the size of what it names, is within the bound."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters.config_yaml import RuamelYamlReader
from codegenie_core.ports import TextProblem
from tests.strategies import yaml_node_count, yaml_plain_data


@given(yaml_plain_data)
def test_a_document_is_read_at_its_node_count_and_refused_one_below(data: object) -> None:
    text = json.dumps(data, ensure_ascii=False)
    nodes = yaml_node_count(data)

    assert RuamelYamlReader(max_nodes=nodes).parse(text) == data
    if nodes > 1:
        refused = RuamelYamlReader(max_nodes=nodes - 1).parse(text)
        assert isinstance(refused, TextProblem)
        assert refused.message == f"YAML document exceeds {nodes - 1:,} nodes"


@given(yaml_plain_data, st.integers(min_value=1, max_value=5))
def test_each_alias_costs_the_nodes_of_what_it_names(data: object, references: int) -> None:
    written = json.dumps(data, ensure_ascii=False)
    text = f"{{base: &b {written}, refs: [{', '.join(['*b'] * references)}]}}"
    nodes = yaml_node_count(data)
    # The mapping, its two keys, the refs list, the anchored value and each reference's charge.
    expanded = 4 + nodes * (1 + references)
    reader = RuamelYamlReader(max_nodes=expanded)

    assert reader.parse(text) == {"base": data, "refs": [data] * references}
    assert reader.composed_nodes == 4 + nodes
    refused = RuamelYamlReader(max_nodes=expanded - 1).parse(text)
    assert isinstance(refused, TextProblem)
    assert refused.message == f"YAML alias expansion exceeds {expanded - 1:,} nodes"
