"""`escape_markdown`: repository strings shown as themselves, never as Markdown structure."""

from __future__ import annotations

import pytest

from codegenie_core.report.escape import escape_markdown


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain words", "plain words"),
        ("src/app.ts", "src/app.ts"),
        ("snake_case_name", "snake_case_name"),
        ("a\nb\r\nc", "a\\\\nb\\\\r\\\\nc"),
        ("line\u2028sep\x85next", "line\\\\u{2028}sep\\\\u{0085}next"),
        ("a | b", "a \\| b"),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("===", "\\==="),
        ("12. ordered", "12\\. ordered"),
        ("3) ordered", "3\\) ordered"),
        ("v1.2", "v1.2"),
        ("> quote", "\\> quote"),
        ("<script>", "\\<script\\>"),
        ("[link](http://x)", "\\[link\\](http://x)"),
        ("**bold** _it_", "\\*\\*bold\\*\\* \\_it\\_"),
        ("`code`", "\\`code\\`"),
        ("back\\slash", "back\\\\slash"),
        ("&amp;", "\\&amp;"),
        ("    indented", "&#x20;   indented"),
        ("trailing ", "trailing&#x20;"),
    ],
)
def test_text_shows_the_string_and_no_markup(raw: str, shown: str) -> None:
    assert escape_markdown(raw) == shown


@pytest.mark.parametrize(
    ("raw", "span"),
    [
        ("main", "`main`"),
        ("a`b", "``a`b``"),
        ("x ``` y", "````x ``` y````"),
        ("`start", "`` `start ``"),
        ("end ", "` end  `"),
        ("two\nlines", "`two\\nlines`"),
        ("a|b", "`a|b`"),
    ],
)
def test_a_code_span_outlasts_every_backtick_run_inside_it(raw: str, span: str) -> None:
    assert escape_markdown(raw, code=True) == span
