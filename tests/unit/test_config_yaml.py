"""`RuamelYamlReader`: safe loading into plain data, and every failure as a located problem."""

from __future__ import annotations

from codegenie_adapters.config_yaml import RuamelYamlReader
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


def test_an_alias_bomb_is_converted_once_per_node() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    data = READER.parse("\n".join(levels) + "\n")

    assert isinstance(data, dict)
    assert data["a8"][0] is data["a8"][1]  # shared, not copied 9**8 times


def test_an_empty_text_is_none() -> None:
    assert READER.parse("") is None
