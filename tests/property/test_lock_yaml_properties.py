"""Properties of the lockfile YAML subset parser: whatever it accepts, it reads exactly as the
`YamlReader` port (ruamel's safe loader) does; every YAML lockfile fixture is in the subset; and
no text, however broken, makes it raise."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters.config_yaml import RuamelYamlReader
from codegenie_core.parsers.lock_yaml import NotInSubset, parse_lock_yaml
from codegenie_core.ports import TextProblem
from tests.strategies import lock_yaml_documents, mutated_texts

LOCKFILES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles"
FIXTURES = sorted(p for p in LOCKFILES.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
TEXTS = [p.read_text(encoding="utf-8") for p in FIXTURES]
# The port without its bounds: the comparison is about what the text means, not its size.
PORT = RuamelYamlReader(max_nodes=2**62, max_chars=2**62)


def agrees_with_the_port(text: str) -> bool:
    """Whether the subset parser gave up, or returned exactly the port's document."""
    subset = parse_lock_yaml(text)
    if isinstance(subset, NotInSubset):
        return True
    port = PORT.parse(text)
    assert not isinstance(port, TextProblem), (text, subset, port)
    return subset == port and _same_types(subset, port)


def _same_types(left: object, right: object) -> bool:
    """Equal plain data whose scalars also have equal types (`1 == 1.0 == True` in Python)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict) and isinstance(right, dict):
        pairs = zip(left.items(), right.items(), strict=True)  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]  # plain data of unknown type
        return all(
            _same_types(a, b) and _same_types(x, y)
            for (a, x), (b, y) in pairs  # pyright: ignore[reportUnknownVariableType]  # likewise
        )
    if isinstance(left, list) and isinstance(right, list):
        return all(_same_types(a, b) for a, b in zip(left, right, strict=True))  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]  # likewise
    return True


def test_the_yaml_lockfile_fixtures_are_found() -> None:
    assert len(FIXTURES) >= 6 and {p.name for p in FIXTURES} >= {"pnpm-lock.yaml"}


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(LOCKFILES)))
def test_every_yaml_lockfile_fixture_is_in_the_subset_and_reads_as_the_port_reads_it(
    path: Path,
) -> None:
    text = path.read_text(encoding="utf-8")

    subset = parse_lock_yaml(text)

    assert not isinstance(subset, NotInSubset), subset
    assert subset == PORT.parse(text) and _same_types(subset, PORT.parse(text))


@given(lock_yaml_documents())
def test_a_lockfile_shaped_document_reads_as_the_port_reads_it_or_gives_up(text: str) -> None:
    assert agrees_with_the_port(text)


@given(st.sampled_from(TEXTS).flatmap(mutated_texts))
def test_a_mutated_lockfile_fixture_reads_as_the_port_reads_it_or_gives_up(text: str) -> None:
    assert agrees_with_the_port(text)


@given(st.text() | st.sampled_from(TEXTS).flatmap(mutated_texts) | lock_yaml_documents())
def test_no_text_makes_it_raise(text: str) -> None:
    result = parse_lock_yaml(text)

    assert isinstance(result, NotInSubset | dict | list)
