"""Properties of the line counter: every line is exactly one of code, comment or blank, whatever
the language and however the bytes arrive in chunks."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from codegenie_core.line_counts import SYNTAXES, LineCounter, LineCounts, count_lines, count_text
from tests.strategies import source_texts

LANGUAGES = st.sampled_from([None, "JSON", *sorted(SYNTAXES)])


def physical_lines(text: bytes) -> list[bytes]:
    body = text.removeprefix(b"\xef\xbb\xbf")
    found = body.split(b"\n")
    return found[:-1] if body.endswith(b"\n") or not body else found


@given(source_texts(), LANGUAGES)
def test_code_comment_and_blank_add_up_to_every_line(text: bytes, language: str | None) -> None:
    counts = count_lines((text,), language)
    assert isinstance(counts, LineCounts)
    every = physical_lines(text)
    assert counts.code + counts.comment + counts.blank == len(every)
    assert counts.blank == sum(1 for line in every if not line.strip(b" \t\r\x0b\x0c"))


@given(
    source_texts(),
    LANGUAGES,
    st.lists(st.integers(min_value=0, max_value=200), max_size=6, unique=True),
)
def test_chunk_boundaries_never_change_the_counts(
    text: bytes, language: str | None, cuts: list[int]
) -> None:
    counter = LineCounter(language)
    at = 0
    for cut in sorted(cuts):
        counter.feed(text[at:cut])
        at = max(at, cut)
    counter.feed(text[at:])
    assert counter.result() == count_lines((text,), language)


@given(source_texts(), LANGUAGES)
def test_without_block_openers_a_comment_line_is_one_that_starts_with_a_line_marker(
    text: bytes, language: str | None
) -> None:
    syntax = SYNTAXES.get(language or "")
    openers = () if syntax is None else tuple(o for o, _ in syntax.blocks)
    markers = () if syntax is None else syntax.line
    assume(not any(o in text for o in openers))
    stripped = [line.strip(b" \t\r\x0b\x0c") for line in physical_lines(text)]
    blank = sum(1 for line in stripped if not line)
    comment = sum(1 for line in stripped if line and line.startswith(markers))
    expected = LineCounts(code=len(stripped) - blank - comment, comment=comment, blank=blank)
    assert count_lines((text,), language) == expected


@given(source_texts(), LANGUAGES)
def test_counting_a_whole_buffer_equals_counting_its_stream(
    text: bytes, language: str | None
) -> None:
    assert count_text(text, language) == count_lines((text,), language)
