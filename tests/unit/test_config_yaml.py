"""`RuamelYamlReader`: safe loading into plain data, and every failure as a located problem."""

from __future__ import annotations

from codegenie_adapters.config_yaml import MAX_CHARS, MAX_NODES, RuamelYamlReader
from codegenie_core.ports import TextProblem

READER = RuamelYamlReader()


def test_a_duplicate_key_is_a_problem_at_the_second_key() -> None:
    assert READER.parse("a: 1\nb: 2\na: 3\n") == TextProblem(
        message='while constructing a mapping: found duplicate key "a" with value "3" '
        '(original value: "1")',
        line=3,
        column=1,
    )


def test_a_syntax_error_has_one_based_line_and_column() -> None:
    problem = READER.parse("jobs:\n  a: {x: 1\n")

    assert isinstance(problem, TextProblem)
    assert (problem.line, problem.column) == (3, 1)


def test_an_unacceptable_character_is_located() -> None:
    assert READER.parse("a: b\nc: \x07\n") == TextProblem(
        message="unacceptable character: special characters are not allowed", line=2, column=4
    )


def test_arbitrary_tags_are_refused_not_constructed() -> None:
    problem = READER.parse("!!python/object/apply:os.system ['true']\n")

    assert (
        isinstance(problem, TextProblem) and "could not determine a constructor" in problem.message
    )


def test_yaml_1_2_reads_on_as_a_string_and_yaml_1_1_as_true() -> None:
    assert (READER.parse("on: push\n"), READER.parse("%YAML 1.1\n---\non: push\n")) == (
        {"on": "push"},
        {True: "push"},
    )


def test_timestamps_binary_sets_and_complex_keys_become_plain_data() -> None:
    text = (
        "d: 2024-01-02\nt: 2024-01-02T03:04:05Z\nb: !!binary aGk=\ns: !!set {z, a}\n? [1, 2]\n: k\n"
    )

    assert READER.parse(text) == {
        "d": "2024-01-02",
        "t": "2024-01-02T03:04:05+00:00",
        "b": "aGk=",
        "s": ["a", "z"],
        "(1, 2)": "k",  # ruamel gives a tuple key; its str
    }


def test_a_recursive_alias_is_a_problem() -> None:
    assert READER.parse("a: &x [*x]\n") == TextProblem(
        message="a YAML alias refers to a node that contains it"
    )


def test_an_alias_within_the_node_bound_is_shared_not_copied() -> None:
    data = READER.parse("a: &a [x, y]\nb: *a\n")

    assert isinstance(data, dict)
    assert data["a"] is data["b"]


# map(1) + key x(1) + [1, 2](3) + key y(1) + the alias, charged as what it names (3): 9 nodes.
SHARED = "{x: &a [1, 2], y: *a}"


def test_a_document_of_exactly_the_node_bound_is_read() -> None:
    assert RuamelYamlReader(max_nodes=9).parse(SHARED) == {"x": [1, 2], "y": [1, 2]}


def test_an_alias_is_charged_the_size_of_what_it_names() -> None:
    reader = RuamelYamlReader(max_nodes=8)

    assert reader.parse(SHARED) == TextProblem(
        message="YAML alias expansion exceeds 8 nodes", line=1
    )
    assert reader.composed_nodes == 6  # the alias added no node of its own, only its charge


def test_a_large_document_stops_composing_at_the_node_bound() -> None:
    reader = RuamelYamlReader(max_nodes=100)
    text = "- x\n" * 10_000

    assert reader.parse(text) == TextProblem(message="YAML document exceeds 100 nodes", line=100)
    assert reader.composed_nodes == 101  # the list and 100 items: it stopped at the crossing


def test_a_text_longer_than_the_character_bound_is_refused_unread() -> None:
    reader = RuamelYamlReader(max_chars=10)

    assert reader.parse("a: 1234567\n") == TextProblem(
        message="YAML text longer than 10 characters"
    )
    assert reader.composed_nodes == 0


def test_the_default_bounds_are_documented_numbers() -> None:
    reader = RuamelYamlReader()

    assert (reader.max_nodes, reader.max_chars) == (MAX_NODES, MAX_CHARS) == (100_000, 4 * 2**20)


def test_an_empty_text_is_none() -> None:
    assert READER.parse("") is None
