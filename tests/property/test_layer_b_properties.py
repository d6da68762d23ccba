"""Properties of layer B's parsers and serialized types: symbols, sidecars, the index reader."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters import _scip_wire
from codegenie_adapters.scip_reader import ScipReader
from codegenie_core.probes.layer_b.model import IndexReadError, IndexSidecar, IndexSummary
from codegenie_core.probes.layer_b.sidecar import parse_sidecar, sidecar_json
from codegenie_core.probes.layer_b.symbols import Descriptor, parse_descriptors
from tests.layer_b_support import index_bytes
from tests.strategies import (
    scip_any_names,
    scip_documents,
    scip_header_parts,
    scip_sidecars,
    scip_simple_names,
    scip_suffixes,
)

_MARKS = {"namespace": "/", "type": "#", "term": ".", "meta": ":", "macro": "!"}


def _escape_name(name: str) -> str:
    simple = all(c in "_+-$" or (c.isascii() and c.isalnum()) for c in name)
    return name if simple else "`" + name.replace("`", "``") + "`"


def _format(descriptor: Descriptor) -> str:
    name = _escape_name(descriptor.name)
    match descriptor.suffix:
        case "method":
            return f"{name}(+1)."
        case "type-parameter":
            return f"[{name}]"
        case "parameter":
            return f"({name})"
        case other:
            return name + _MARKS[other]


descriptors = st.builds(
    lambda name, suffix: Descriptor(name=name, suffix=suffix),
    scip_simple_names | scip_any_names,
    scip_suffixes,
)


@given(
    header=st.lists(scip_header_parts, min_size=4, max_size=4),
    chain=st.lists(descriptors, min_size=1, max_size=5),
)
def test_a_formatted_symbol_parses_back_to_its_descriptors(
    header: list[str], chain: list[Descriptor]
) -> None:
    escaped = " ".join(part.replace(" ", "  ") for part in header)
    symbol = escaped + " " + "".join(_format(d) for d in chain)
    assert parse_descriptors(symbol) == tuple(chain)


@given(st.text(max_size=40))
def test_any_text_parses_to_descriptors_or_none_without_raising(text: str) -> None:
    result = parse_descriptors(text)
    assert result is None or all(isinstance(d, Descriptor) for d in result)


@given(scip_sidecars())
def test_a_sidecar_round_trips_through_its_json(sidecar: object) -> None:
    assert isinstance(sidecar, IndexSidecar)
    assert parse_sidecar("index.json", sidecar_json(sidecar)) == sidecar


@given(st.text(max_size=200))
def test_any_text_is_a_sidecar_or_a_problem_never_an_exception(text: str) -> None:
    parse_sidecar("index.json", text)


def _read(tmp_path: Path, data: bytes, name: str) -> object:
    (tmp_path / name).write_bytes(data)
    return ScipReader(str(tmp_path)).read(name)


@given(data=st.binary(max_size=300), number=st.integers(min_value=0, max_value=10**6))
def test_random_bytes_never_raise(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, number: int
) -> None:
    directory = tmp_path_factory.mktemp("random")
    result = _read(directory, data, f"r{number}.scip")
    assert isinstance(result, IndexSummary | IndexReadError)


@given(documents=scip_documents, externals=st.integers(min_value=0, max_value=3))
def test_the_summary_counts_what_was_written(
    tmp_path_factory: pytest.TempPathFactory,
    documents: list[tuple[str, list[tuple[str, int, tuple[int, ...]]]]],
    externals: int,
) -> None:
    directory = tmp_path_factory.mktemp("counts")
    result = _read(directory, index_bytes(documents, external_symbols=externals), "i.scip")
    assert isinstance(result, IndexSummary)
    occurrences = [o for _, occ in documents for o in occ]
    expected = (
        len(documents),
        tuple(sorted(p for p, _ in documents)),
        len(occurrences),
        sum(1 for _, roles, _ in occurrences if roles & 1),
        externals,
    )
    actual = (
        result.document_count,
        result.document_paths,
        result.occurrence_count,
        result.definition_count,
        result.external_symbol_count,
    )
    assert actual == expected


@given(documents=scip_documents, cut=st.integers(min_value=0, max_value=10**6))
def test_every_prefix_of_an_index_is_a_summary_or_a_typed_error(
    tmp_path_factory: pytest.TempPathFactory,
    documents: list[tuple[str, list[tuple[str, int, tuple[int, ...]]]]],
    cut: int,
) -> None:
    data = index_bytes(documents)
    prefix = data[: cut % (len(data) + 1)]
    directory = tmp_path_factory.mktemp("prefix")
    result = _read(directory, prefix, "p.scip")
    boundaries = {
        0,
        *(
            o
            for _, payload, o in _scip_wire.iter_index_fields(io.BytesIO(data), len(data))
            for o in [o + len(payload)]
        ),
    }
    if len(prefix) in boundaries and prefix:
        assert isinstance(result, IndexSummary)
    else:
        assert isinstance(result, IndexReadError)
        assert result.kind in {"empty", "truncated", "malformed", "missing-metadata"}
