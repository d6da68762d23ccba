"""A linear parser for the block-YAML subset lockfile writers emit (pnpm), or "not in the subset".

Rule 1: the answer is either exactly what the `YamlReader` port (ruamel's safe loader) would
return for the text, or `NotInSubset`; the caller then asks the port, so correctness never
depends on this parser (see ADR-0047). When in doubt, it gives up.
Rule 2: the subset is one document, optionally opened by `---`, of block mappings (by
indentation) and block sequences (`- x`, `- key: v`, `-` then a deeper block), whose keys are
strings (plain or quoted, on one line) and whose values are one-line scalars (plain,
'single-quoted', "double-quoted" with the YAML escapes) or one-line flow collections of scalars
(`[x64]`, `{integrity: sha512-...}`, `{}`, `[]`); comments and blank lines anywhere.
Rule 3: plain scalars resolve as ruamel's YAML 1.2 core schema does, for the forms known to
agree (`null`/`Null`/`NULL`/`~`, `true`/`True`/`TRUE`/`false`/..., `-?(0|[1-9][0-9]*)` ints,
`-?(0|[1-9][0-9]*).[0-9]+` floats); any other plain scalar that could resolve to a non-string
(leading zeros, underscores, `0x`, exponents, `.inf`, sexagesimals, timestamps, `yes`, `<<`,
`=`) gives up, and so does a key that is not a string.
Rule 4: anything else gives up: anchors, aliases, tags, block scalars (`|`, `>`), multi-line
plain or quoted scalars, complex keys (`?`, flow keys), duplicate keys, tabs, a second
document, directives, a nested flow collection, a nesting deeper than `MAX_DEPTH`, a character
YAML does not accept, a byte-order mark.
Rule 5: the work is linear in the text: one pass over the lines, each line scanned a bounded
number of times, no recursion; without aliases the output is no bigger than the text.
"""

from __future__ import annotations

import re

import attrs

__all__ = ["MAX_DEPTH", "NotInSubset", "parse_lock_yaml"]

MAX_DEPTH = 64
"""The deepest nesting of block collections read; deeper gives up (Rule 4)."""


@attrs.frozen(kw_only=True)
class NotInSubset:
    """The text is outside the subset (Rule 4): ask the `YamlReader` port instead."""

    reason: str
    line: int
    """1-based line where the parser gave up."""


class _GiveUp(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# YAML 1.2 c-printable but tab (Rule 4), the byte-order mark and the line breaks other than LF
# (x85, x2028, x2029, which ruamel also breaks lines at):
#   x0A | [x20-x7E] | [xA0-xD7FF] but x2028 x2029 | [xE000-xFFFD] but xFEFF | [x10000-x10FFFF]
_OUTSIDE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# Rule 3, the resolutions known to agree with ruamel's core schema.
_NULL = frozenset({"null", "Null", "NULL", "~"})
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")
# Rule 3, generous supersets of what ruamel's resolvers (1.2, and 1.1 for margin) turn into a
# non-string; full match:
#   int:   [-+]? [0-9_]+  |  [-+]? 0 [bBoOxX] [0-9a-fA-F_]*
#   float: [-+]? ( [0-9_]+ . [0-9_]* | [0-9_]* . [0-9_]+ ) ( [eE] [-+]? [0-9]+ )?
#          | [-+]? [0-9_]+ [eE] [-+]? [0-9]+
#   sexagesimal: [-+]? [0-9_]+ ( : [0-9_]+ )+ ( . [0-9_]* )?
# (`.inf` and `.nan` in any case are words, below.)
_NUMBER_LIKE = re.compile(
    r"[-+]?[0-9_]+|[-+]?0[bBoOxX][0-9a-fA-F_]*"
    r"|[-+]?(?:[0-9_]+\.[0-9_]*|[0-9_]*\.[0-9_]+)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?[0-9_]+[eE][-+]?[0-9]+"
    r"|[-+]?[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?"
)
#   timestamp, a prefix: [0-9]{4} - [0-9]{1,2} - [0-9]{1,2}
_TIMESTAMP_LIKE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_WORDS = frozenset(
    {"yes", "no", "on", "off", "y", "n", "true", "false", "null", "~", "=", "<<", ".inf", ".nan"}
)
# Indicators no plain scalar starts with here, with `?` and `:`; `-` only before a space.
_INDICATORS = frozenset(",[]{}#&*!|>'\"%@`")
_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
# The first characters of every plain scalar Rule 3 resolves or gives up on; others are strings.
_MAYBE_TYPED = frozenset("-+0123456789.~=<nNyYoOtTfF")
_BRACKET = re.compile(r"[\[\]{}]")
_FLOW_INDICATOR = re.compile(r"[,\[\]{}]")
# In a flow collection a plain scalar runs to the next `,` `]` `}`, or to a `:` or `#` that ends
# it (`: ` after a key, ` #` a comment); other `:` and `#` are part of it.
_FLOW_STOP = re.compile(r"[,\]}:#]")
_HEX_LENGTHS = {"x": 2, "u": 4, "U": 8}
_HEX = re.compile(r"[0-9a-fA-F]+")
# ruamel refuses a simple key longer than 1024 characters; stay well below (Rule 4).
_MAX_KEY = 1000


def parse_lock_yaml(text: str) -> object | NotInSubset:
    """The document `text` holds, as plain data (Rule 1), or `NotInSubset`."""
    parser = _Parser()
    text = text.replace("\r\n", "\n")
    try:
        if _OUTSIDE.search(text) is not None:
            raise _GiveUp("a character outside the subset (tab, control, CR, byte-order mark)")
        for number, line in enumerate(text.split("\n")):
            parser.number = number
            parser.line(line)
        return parser.finish()
    except _GiveUp as give_up:
        return NotInSubset(reason=give_up.reason, line=parser.number + 1)


@attrs.define
class _Open:
    """A block collection being filled: its column, and its value."""

    column: int
    value: dict[str, object] | list[object]


@attrs.define
class _Pending:
    """An entry whose value is a deeper block, or null when none follows."""

    column: int
    into: dict[str, object] | list[object]
    key: str | None


class _Parser:
    def __init__(self) -> None:
        self.number = 0
        self.stack: list[_Open] = []
        self.pending: _Pending | None = None
        self.root: dict[str, object] | list[object] | None = None
        self.started = False
        self.opened = False

    def line(self, line: str) -> None:
        content = line.lstrip(" ")
        if not content or content.startswith("#"):
            return
        column = len(line) - len(content)
        if column == 0 and content.startswith(("---", "...")):
            if self.started or self.opened or content.rstrip(" ") != "---":
                raise _GiveUp("a document marker inside the document")
            self.opened = True
            return
        self.started = True
        if content.startswith("- ") or content.rstrip(" ") == "-":
            self._entry(column, None)
            self._item(column, content[1:])
        else:
            self._entry(column, {})
            self._pair(column, content)

    def _entry(self, column: int, kind: dict[str, object] | None) -> None:
        """Find (or open, under the pending entry) the collection an entry at `column` joins."""
        pending, self.pending = self.pending, None
        if pending is not None and column > pending.column:
            self._open(column, {} if kind is not None else [], pending)
            return
        if self.root is None:
            if column != 0:
                raise _GiveUp("the document does not start at column 0")
            self.root = {} if kind is not None else []
            self.stack.append(_Open(column, self.root))
            return
        while self.stack and self.stack[-1].column > column:
            self.stack.pop()
        if not self.stack or self.stack[-1].column != column:
            raise _GiveUp("an indentation that matches no open collection")
        if isinstance(self.stack[-1].value, dict) != (kind is not None):
            raise _GiveUp("a sequence entry and a mapping entry at one indentation")

    def _open(
        self, column: int, value: dict[str, object] | list[object], pending: _Pending
    ) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise _GiveUp(f"nested deeper than {MAX_DEPTH}")
        if pending.key is None:
            assert isinstance(pending.into, list)
            pending.into[-1] = value
        else:
            assert isinstance(pending.into, dict)
            pending.into[pending.key] = value
        self.stack.append(_Open(column, value))

    def _item(self, dash: int, rest: str) -> None:
        """A `- ...` entry at column `dash`; `rest` follows the dash."""
        into = self.stack[-1].value
        assert isinstance(into, list)
        body = rest.lstrip(" ")
        into.append(None)
        if not body or body.startswith("#"):
            self.pending = _Pending(dash, into, None)
            return
        column = dash + 1 + len(rest) - len(body)
        if body.startswith("- ") or body.rstrip(" ") == "-":
            raise _GiveUp("a compact nested sequence (- - x)")
        if _is_pair(body):
            self._open(column, {}, _Pending(dash, into, None))
            self._pair(column, body)
            return
        into[-1] = _value(body)

    def _pair(self, column: int, content: str) -> None:
        """A `key: value` entry at `column` in the mapping on top of the stack."""
        into = self.stack[-1].value
        assert isinstance(into, dict)
        key, rest = _key(content)
        if rest[:1] not in ("", " "):
            raise _GiveUp("no space after a key's colon")
        if key in into:
            raise _GiveUp("a duplicate key")
        body = rest.lstrip(" ")
        if not body or body.startswith("#"):
            into[key] = None
            self.pending = _Pending(column, into, key)
            return
        into[key] = _value(body)

    def finish(self) -> object:
        if self.root is None:
            raise _GiveUp("no block collection")
        return self.root


def _is_pair(body: str) -> bool:
    """Whether a sequence item's text starts a mapping (`- key: v`)."""
    if body[0] in "'\"":
        end = _quoted_end(body)
        return body[end : end + 1] == ":"
    if body[0] in "[{":
        return False
    colon = _plain_colon(body)
    comment = body.find(" #")
    return colon >= 0 and (comment < 0 or colon < comment)


def _plain_colon(text: str) -> int:
    """The index of the first `:` followed by a space or the end, else -1."""
    at = text.find(":")
    while at >= 0:
        if at + 1 == len(text) or text[at + 1] == " ":
            return at
        at = text.find(":", at + 1)
    return -1


def _key(content: str) -> tuple[str, str]:
    """A block mapping key and the text after its colon."""
    if content[0] in "'\"":
        end = _quoted_end(content)
        if content[end : end + 1] != ":":
            raise _GiveUp("a quoted key not followed by a colon")
        if end > _MAX_KEY:
            raise _GiveUp("a key too long to be a simple key")
        return _quoted(content[:end]), content[end + 1 :]
    colon = _plain_colon(content)
    if colon < 0:
        raise _GiveUp("a line that is neither a mapping entry nor a sequence entry")
    raw = content[:colon]
    if colon > _MAX_KEY or " #" in raw or raw.endswith(" "):
        raise _GiveUp("a plain key outside the subset")
    key = _plain(raw, flow=False)
    if not isinstance(key, str):
        raise _GiveUp("a key that is not a string")
    return key, content[colon + 1 :]


def _value(body: str) -> object:
    """A one-line value (Rule 2) and, after it, nothing but an optional comment."""
    first = body[0]
    if first in "[{":
        value, end = _flow(body)
        _only_comment(body[end:])
    elif first in "'\"":
        end = _quoted_end(body)
        value = _quoted(body[:end])
        _only_comment(body[end:])
    else:
        comment = body.find(" #")
        raw = (body if comment < 0 else body[:comment]).rstrip(" ")
        if _plain_colon(raw) >= 0:
            raise _GiveUp("a colon and a space inside a plain value")
        value = _plain(raw, flow=False)
    return value


def _only_comment(tail: str) -> None:
    rest = tail.lstrip(" ")
    if rest and not (rest.startswith("#") and len(rest) < len(tail)):
        raise _GiveUp("text after a value")


def _quoted_end(text: str) -> int:
    """The index just past the quoted scalar `text` starts with; gives up if it does not end."""
    quote = text[0]
    at = 1
    while True:
        close = text.find(quote, at)
        if close < 0:
            raise _GiveUp("a quoted scalar that does not end on its line")
        if quote == "'":
            if text[close + 1 : close + 2] == "'":
                at = close + 2
                continue
            return close + 1
        before = close
        while before > at and text[before - 1] == "\\":
            before -= 1
        if (close - before) % 2 == 0:
            return close + 1
        at = close + 1


def _quoted(token: str) -> str:
    """The value of one complete quoted scalar (`'...'` or `"..."`)."""
    inner = token[1:-1]
    if token[0] == "'":
        return inner.replace("''", "'")
    if "\\" not in inner:
        return inner
    out: list[str] = []
    at = 0
    while True:
        slash = inner.find("\\", at)
        if slash < 0:
            out.append(inner[at:])
            return "".join(out)
        out.append(inner[at:slash])
        code = inner[slash + 1 : slash + 2]
        if code in _ESCAPES:
            out.append(_ESCAPES[code])
            at = slash + 2
        elif code in _HEX_LENGTHS:
            digits = inner[slash + 2 : slash + 2 + _HEX_LENGTHS[code]]
            if len(digits) != _HEX_LENGTHS[code] or _HEX.fullmatch(digits) is None:
                raise _GiveUp("a malformed hexadecimal escape")
            point = int(digits, 16)
            if point > 0x10FFFF or 0xD800 <= point <= 0xDFFF:
                raise _GiveUp("an escape outside Unicode scalar values")
            out.append(chr(point))
            at = slash + 2 + len(digits)
        else:
            raise _GiveUp("an escape outside the subset")


def _plain(raw: str, *, flow: bool) -> object:
    """A one-line plain scalar, resolved (Rule 3)."""
    if not raw:
        raise _GiveUp("an empty plain scalar")
    first = raw[0]
    if first in _INDICATORS or first in "?:" or (first == "-" and raw[1:2] in ("", " ")):
        raise _GiveUp("a plain scalar starting with an indicator")
    if (_FLOW_INDICATOR if flow else _BRACKET).search(raw) is not None:
        raise _GiveUp("a flow indicator inside a plain scalar")
    if first not in _MAYBE_TYPED:
        return raw
    if raw in _NULL:
        return None
    if raw in _BOOL:
        return _BOOL[raw]
    if _INT.fullmatch(raw) is not None:
        return int(raw)
    if _FLOAT.fullmatch(raw) is not None:
        return float(raw)
    if (
        raw.lower().lstrip("+-") in _WORDS
        or _NUMBER_LIKE.fullmatch(raw) is not None
        or _TIMESTAMP_LIKE.match(raw) is not None
    ):
        raise _GiveUp("a plain scalar whose resolution is not known to agree")
    return raw


def _flow(text: str) -> tuple[object, int]:
    """A one-line flow collection of scalars at the start of `text`, and the index past it."""
    closing = "]" if text[0] == "[" else "}"
    mapping: dict[str, object] = {}
    sequence: list[object] = []
    at = _skip_spaces(text, 1)
    if text[at : at + 1] == closing:
        return (mapping if closing == "}" else sequence), at + 1
    while True:
        if closing == "}":
            key, at = _flow_scalar(text, at, key=True)
            if text[at : at + 2] != ": ":
                raise _GiveUp("a flow mapping entry without `: `")
            if not isinstance(key, str) or key in mapping:
                raise _GiveUp("a flow key that is not a new string")
            value, at = _flow_scalar(text, _skip_spaces(text, at + 2), key=False)
            mapping[key] = value
        else:
            value, at = _flow_scalar(text, at, key=False)
            sequence.append(value)
        at = _skip_spaces(text, at)
        mark = text[at : at + 1]
        if mark == closing:
            return (mapping if closing == "}" else sequence), at + 1
        if mark != ",":
            raise _GiveUp("a flow collection that does not close on its line")
        at = _skip_spaces(text, at + 1)
        if text[at : at + 1] in (closing, ","):
            raise _GiveUp("an empty flow entry")


def _skip_spaces(text: str, at: int) -> int:
    while text[at : at + 1] == " ":
        at += 1
    return at


def _flow_scalar(text: str, at: int, *, key: bool) -> tuple[object, int]:
    """One scalar inside a flow collection: quoted, or plain up to `,` `]` `}` (or `: `)."""
    if text[at : at + 1] in ("'", '"'):
        end = at + _quoted_end(text[at:])
        return _quoted(text[at:end]), end
    end = at
    while True:
        stop = _FLOW_STOP.search(text, end)
        if stop is None:
            end = len(text)
            break
        end = stop.start()
        mark = text[end]
        if mark in ",]}":
            break
        if mark == ":":
            if key or text[end + 1 : end + 2] in ("", " ", ",", "]", "}"):
                break
        elif text[end - 1 : end] == " ":
            raise _GiveUp("a comment inside a flow collection")
        end += 1
    raw = text[at:end].rstrip(" ")
    if not key and text[end : end + 1] == ":":
        raise _GiveUp("a flow mapping inside a flow sequence")
    return _plain(raw, flow=True), end
