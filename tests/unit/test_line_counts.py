"""Code, comment and blank lines of one file: hand-counted fixtures per supported comment style."""

from __future__ import annotations

import pytest

from codegenie_core.line_counts import (
    BINARY,
    SYNTAXES,
    LineCounter,
    LineCounts,
    count_lines,
    count_text,
)


def counted(text: bytes, language: str | None) -> LineCounts | str:
    return count_lines((text,), language)


def lines(code: int = 0, comment: int = 0, blank: int = 0) -> LineCounts:
    return LineCounts(code=code, comment=comment, blank=blank)


C_SOURCE = b"""#include <stdio.h>
/* a block
   over lines */

int main(void) { // code, then a comment: code
    printf("/* not a comment */ // nor this\\n");
    char q = '"'; /* a quote char, then a comment: code */
    /* one */ /* two */
    return 0; /* open
    still comment */ int after;
}
// the end
"""


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        pytest.param("C", C_SOURCE, lines(code=7, comment=4, blank=1), id="c"),
        pytest.param(
            "Python",
            b'"""Module docstring."""\n\nimport os  # a comment after code\n'
            b'# a comment line\nx = "# not a comment"\ny = """a string\nthat spans"""\n'
            b"def f():\n    '''doc\n\n    more'''\n    return 1\n",
            lines(code=5, comment=5, blank=2),
            id="python",
        ),
        pytest.param(
            "Rust",
            b"/* outer /* inner */ still outer */\nfn main() {}\n/* /* */\n*/ let x = 1;\n",
            lines(code=2, comment=2),
            id="rust-nested",
        ),
        pytest.param(
            "C",
            b"/* nested? /* no */ int x;\n",
            lines(code=1),
            id="c-not-nested",
        ),
        pytest.param(
            "Go",
            b"package main\n/* never closed\nfunc main() {}\n\n",
            lines(code=1, comment=2, blank=1),
            id="unterminated-block-runs-to-the-end",
        ),
        pytest.param(
            "JavaScript",
            b"const s = `/* template */`;\nconst t = '//';\n  // indented comment\n",
            lines(code=2, comment=1),
            id="js-strings",
        ),
        pytest.param(
            "Shell",
            b"#!/bin/sh\n# comment\necho '#' # trailing\n\n\t \n",
            lines(code=2, comment=1, blank=2),  # a leading #! line is code, as cloc counts it
            id="hash",
        ),
        pytest.param(
            "SQL",
            b"-- a comment\nSELECT '--' FROM t; /* c */\n/* block\n*/\n",
            lines(code=1, comment=3),
            id="sql",
        ),
        pytest.param(
            "Lua",
            b"--[[ a block\nstill ]] print(1)\n-- line\nprint('--[[')\n",
            lines(code=2, comment=2),
            id="lua",
        ),
        pytest.param(
            "Haskell",
            b'{- outer {- inner -} outer -}\nmain = putStrLn "{-"\n-- c\n',
            lines(code=1, comment=2),
            id="haskell-nested",
        ),
        pytest.param(
            "HTML",
            b"<!-- a\ncomment -->\n<p>text</p> <!-- c -->\n",
            lines(code=1, comment=2),
            id="markup",
        ),
        pytest.param(
            "JSON",
            b'{\n  "a": "// not a comment",\n\n  "b": 1\n}\n',
            lines(code=4, blank=1),
            id="no-comment-rules",
        ),
        pytest.param(None, b"# anything\n\nelse\n", lines(code=2, blank=1), id="no-language"),
    ],
)
def test_hand_counted_fixtures(language: str, text: bytes, expected: LineCounts) -> None:
    assert counted(text, language) == expected


def test_crlf_counts_as_lf_and_a_bom_is_dropped() -> None:
    text = b"\xef\xbb\xbf# first\r\n\r\nx = 1\r\n"
    assert counted(text, "Python") == lines(code=1, comment=1, blank=1)
    assert counted(b"\xef\xbb\xbf\n", "Python") == lines(blank=1)
    assert count_lines((b"\xef", b"\xbb", b"\xbf\n"), "Python") == lines(blank=1)  # a split BOM


def test_a_last_line_without_a_newline_still_counts() -> None:
    assert counted(b"x = 1\n# end", "Python") == lines(code=1, comment=1)
    assert counted(b"x", "Python") == lines(code=1)
    assert counted(b"", "Python") == lines()
    assert counted(b"\n", "Python") == lines(blank=1)


def test_a_nul_byte_or_bytes_not_utf8_make_a_file_binary() -> None:
    assert counted(b"x = 1\n\x00\n", "Python") == BINARY
    assert counted(b"caf\xe9\n", "Python") == BINARY
    assert counted(b"caf\xc3\xa9 # utf-8\n", "Python") == lines(code=1)


def test_chunks_split_anywhere_give_the_counts_of_the_whole() -> None:
    whole = counted(C_SOURCE, "C")
    for cut in range(1, len(C_SOURCE)):
        counter = LineCounter("C")
        counter.feed(C_SOURCE[:cut])
        counter.feed(C_SOURCE[cut:])
        assert counter.result() == whole, cut
    split_utf8 = "é\n".encode()
    counter = LineCounter("Python")
    counter.feed(split_utf8[:1])
    counter.feed(split_utf8[1:])
    assert counter.result() == lines(code=1)


def test_a_chosen_language_is_picked_from_the_first_bytes() -> None:
    counter = LineCounter(None, choose=lambda head: "Python" if b"python" in head else None)
    counter.feed(b"#!/usr/bin/env python3\n'''doc'''\nprint(1)\n")
    assert (counter.language, counter.result()) == ("Python", lines(code=2, comment=1))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("Shell", lines(code=2, comment=1)), ("YAML", lines(code=1, comment=2))],
)
def test_a_leading_shebang_is_code_only_where_cloc_counts_it_so(
    language: str, expected: LineCounts
) -> None:
    data = b"#!/usr/bin/env x\n# c\nx\n"  # cloc 1.96: 2 code in shell, 1 in YAML
    chunks = [data[:1], data[1:4], data[4:]]  # "#!" split across chunks
    assert count_text(data, language) == count_lines(chunks, language) == expected
    assert count_text(b"x\n#!/bin/sh\n", language) == lines(code=1, comment=1)  # not line 1


def test_every_comment_syntax_has_a_marker() -> None:
    assert all(s.line or s.blocks for s in SYNTAXES.values())


def test_a_sequence_split_around_ascii_chunks_is_not_utf8() -> None:
    assert count_lines((b"a\xc3", b"bc", b"\xa9\n"), "Python") == BINARY
    assert count_lines((b"a\xc3", b"\xa9", b"bc\n"), "Python") == lines(code=1)
    assert count_lines((b"a\xc3", b"bc\n"), "Python") == BINARY
