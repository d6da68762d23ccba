"""The workflow model itself: YAML 1.1's `on`, the shorthands, strict keys, the xdist scan."""

from __future__ import annotations

import cattrs
import pytest

from tests.ci.workflow_model import parse_workflow, read_yaml, xdist_uses

MINIMAL = """
name: t
on: push
jobs:
  a:
    runs-on: ubuntu-24.04
    needs: b
    steps:
      - run: echo hi
  b:
    runs-on: [self-hosted, linux]
    steps: []
"""


def test_yaml_1_1_reads_the_on_key_as_true_and_the_model_names_it() -> None:
    raw = read_yaml(MINIMAL)

    assert isinstance(raw, dict)
    assert True in raw
    assert parse_workflow(MINIMAL).on.events == {"push"}


def test_the_on_list_and_mapping_forms_give_the_same_events() -> None:
    as_list = parse_workflow(MINIMAL.replace("on: push", "on: [push, pull_request]"))
    as_mapping = parse_workflow(MINIMAL.replace("on: push", "on:\n  push:\n  pull_request:"))

    assert as_list.on.events == as_mapping.on.events == {"push", "pull_request"}


def test_a_single_needs_is_widened_to_a_tuple() -> None:
    workflow = parse_workflow(MINIMAL)

    assert (workflow.jobs["a"].needs, workflow.jobs["b"].needs) == (("b",), ())


def test_a_misspelt_key_fails_the_load() -> None:
    with pytest.raises(cattrs.BaseValidationError):
        parse_workflow(
            MINIMAL.replace("runs-on: ubuntu-24.04", "runs-on: x\n    timeout-minute: 5")
        )


def test_an_unquoted_python_version_is_read_as_a_number_like_github_does() -> None:
    text = MINIMAL.replace(
        "    needs: b\n", "    needs: b\n    strategy:\n      matrix:\n        python: [3.10]\n"
    )

    strategy = parse_workflow(text).jobs["a"].strategy

    assert strategy is not None
    assert strategy.matrix == {"python": [3.1]}


@pytest.mark.parametrize(
    "command",
    [
        "python -m pytest -n4 tests",
        "python -m pytest -n 4 tests",
        "pytest -n auto",
        "pytest tests -n=2",
        "pytest --numprocesses 3 tests",
        "pip install pytest-xdist",
        "pytest -p xdist tests",
    ],
)
def test_every_xdist_spelling_is_caught(command: str) -> None:
    assert xdist_uses(f"echo start\n{command}\necho done") == [command]


@pytest.mark.parametrize(
    "command",
    ["head -n 5 log.txt", "sort -n sizes", "echo -n 4", "pytest tests -q", "git log -n 3"],
)
def test_other_uses_of_dash_n_are_not_xdist(command: str) -> None:
    assert xdist_uses(command) == []
