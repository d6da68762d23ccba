"""Escaping for repository-sourced strings on their way into the Markdown report (see ADR-0025).

Rule 1: every string the report did not write itself (file, package, workflow and repository
names, messages, notes, fact keys and values) reaches Markdown through `escape_markdown`, so no
such string can add, remove or reshape a heading, a list item, a table row or a table column.
Rule 2: no line ending survives: CR, LF and every other control, format or separator character
(Unicode categories Cc, Cf, Cs, Zl, Zp: U+0085, U+2028 and U+2029 included) is shown as a
visible `\\n`, `\\r`, `\\t` or `\\u{XXXX}` escape, because a report line must stay one line.
Rule 3: as text, the characters Markdown gives meaning to anywhere in a line (backslash,
backtick, `*`, `~`, `|`, `<`, `>`, `[`, `]`, `#`, `&`, and `_` where it could delimit emphasis)
are backslash-escaped; those that only mean something at the start of a block (`-`, `+`, `=`,
a number followed by `.` or `)`) are neutralised there, and a space at either end is written as a
character reference.
Rule 4: as code, the text sits in a code span whose backtick fence is longer than any backtick
run inside it, padded when it starts or ends with a backtick or a space, so it cannot close early.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["escape_markdown", "one_line"]

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Meaningful wherever they stand in a line (CommonMark 6 inlines, GFM tables and strikethrough,
# ATX heading closing sequences).
_ALWAYS = frozenset("\\`*~|<>[]#&")
# Meaningful only as the first character of a block: list items, setext underlines, thematic breaks.
_AT_START = frozenset("-+=")
# What may need an escape: the ASCII characters above, `_`, and anything but printable ASCII
# (judged by its category). Everything else is copied as it is, in bulk.
_CANDIDATE = re.compile(r"[\\`*~|<>\[\]#&_]|[^\x20-\x7e]")
_NOT_PRINTABLE_ASCII = re.compile(r"[^\x20-\x7e]")


def _visible(char: str) -> str | None:
    """The visible escape of a character that must not reach a line as itself, or None."""
    if char in _NAMED:
        return _NAMED[char]
    if unicodedata.category(char) in _INVISIBLE_CATEGORIES:
        return f"\\u{{{ord(char):04X}}}"
    return None


def one_line(text: str) -> str:
    """`text` with every control, format and separator character shown as its visible escape
    (Rule 2), and nothing else changed: what a terminal table may print of a repository string."""
    return _NOT_PRINTABLE_ASCII.sub(lambda m: _visible(m.group()) or m.group(), text)


def _is_space(char: str) -> bool:
    return char == " " or unicodedata.category(char) == "Zs"


def _as_text(text: str) -> str:
    head = tail = ""
    if text and text[0] in _AT_START:
        head, text = "\\" + text[0], text[1:]
    elif text and _is_space(text[0]):
        # A leading space would count towards an indented code block.
        head, text = f"&#x{ord(text[0]):X};", text[1:]
    elif (digits := len(text) - len(text.lstrip("0123456789"))) and text[digits:][:1] in (".", ")"):
        # "1." or "1)" opens an ordered list.
        head, text = text[:digits] + "\\" + text[digits], text[digits + 1 :]
    if text and _is_space(text[-1]):
        # A space at the end would stop the report's own `**` around the string from closing.
        tail, text = f"&#x{ord(text[-1]):X};", text[:-1]

    def escaped(match: re.Match[str]) -> str:
        char = match.group()
        if (shown := _visible(char)) is not None:
            return "\\" + shown  # the escape's own backslash, escaped: it shows as typed
        if char == "_":
            return "_" if _inside_word(text, match.start()) else "\\_"
        return "\\" + char if char in _ALWAYS else char

    return head + _CANDIDATE.sub(escaped, text) + tail


def _inside_word(text: str, index: int) -> bool:
    """An underscore between two letters or digits cannot open or close emphasis. (The characters
    `_as_text` takes off either end are never letters or digits, so the answer is the same.)"""
    return 0 < index < len(text) - 1 and text[index - 1].isalnum() and text[index + 1].isalnum()


def _as_code(text: str) -> str:
    shown = one_line(text)
    longest = run = 0
    for char in shown:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    if shown == "" or shown[0] in "` " or shown[-1] in "` ":
        shown = f" {shown} "  # CommonMark strips exactly one space each side, when both are there
    return f"{fence}{shown}{fence}"


def escape_markdown(text: str, *, code: bool = False) -> str:
    """`text` made safe to place anywhere inline in the report: in a paragraph, a heading, a list
    item or a table cell. With `code`, it is shown as a code span; otherwise as plain text."""
    return _as_code(text) if code else _as_text(text)
