"""The whole-text strace scanner (ADR-0079) against the old parser, the oracle: a trace's bytes cut
into chunks anywhere (a line split by a chunk's edge, a window's edge inside a line's chunks) give
the facts the oracle gives the same bytes."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from benches.bench_strace_parser import generate as generate_trace
from codegenie_core.parsers.strace import parse_strace_bytes, parse_strace_chunks, parse_strace_text
from tests.reference_strace import reference_parse_strace, reference_parse_strace_bytes
from tests.strategies import strace_differential_lines


def _cut(data: bytes, cuts: list[int]) -> list[bytes]:
    edges = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    return [data[a:b] for a, b in itertools.pairwise(edges)]


@settings(max_examples=500)
@given(
    strace_differential_lines(),
    st.lists(st.integers(min_value=0, max_value=10_000), max_size=12),
    st.integers(min_value=1, max_value=200),
    st.booleans(),
)
def test_the_chunked_scanner_gives_what_the_oracle_gives_across_chunk_edges(
    lines: list[str], cuts: list[int], window: int, keep_argv: bool
) -> None:
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    try:
        expected = reference_parse_strace_bytes(data, keep_argv=keep_argv)
    except UnicodeEncodeError:  # the old parser raised on a lone surrogate; the new one must not
        return

    facts = parse_strace_chunks(_cut(data, cuts), keep_argv=keep_argv, window_bytes=window)

    assert facts == expected


@given(st.lists(st.text(max_size=60), max_size=8))
def test_the_text_scanner_gives_what_the_oracle_gives_on_any_text(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert parse_strace_text(text) == reference_parse_strace(text.split("\n"))


@given(st.binary(max_size=300), st.lists(st.integers(min_value=0, max_value=300), max_size=6))
def test_any_bytes_in_any_chunks_parse_as_the_whole_bytes(data: bytes, cuts: list[int]) -> None:
    whole = parse_strace_bytes(data)
    assert parse_strace_chunks(_cut(data, cuts), window_bytes=7) == whole
    assert whole == reference_parse_strace_bytes(data)


def test_the_bench_trace_in_small_chunks_parses_as_the_oracle_parses_it() -> None:
    lines = generate_trace(3000)
    data = "".join(line + "\n" for line in lines).encode()
    chunks = [data[i : i + 4093] for i in range(0, len(data), 4093)]

    assert parse_strace_chunks(chunks, window_bytes=10_000) == reference_parse_strace(lines)
