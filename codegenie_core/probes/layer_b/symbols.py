"""The name a SCIP symbol string gives its innermost descriptor, for checking definition ranges.

Grammar (from the SCIP schema's `Symbol` comment; `(<x>)+` is one or more):

    symbol        ::= scheme ' ' manager ' ' package-name ' ' version ' ' (descriptor)+
                    | 'local ' local-id
    scheme, manager, package-name, version ::= any UTF-8, a space escaped as two spaces
    descriptor    ::= name '/' | name '#' | name '.' | name ':' | name '!'
                    | name '(' [simple-identifier] ').' | '[' name ']' | '(' name ')'
    name          ::= simple-identifier | '`' (any UTF-8, '`' escaped as '``')+ '`'
    simple-identifier ::= ('_' | '+' | '-' | '$' | ASCII letter or digit)+

Rule 1: `last_descriptor` returns None for local symbols and for anything not in this grammar; it
never raises.
"""

from __future__ import annotations

from typing import Literal

import attrs

Suffix = Literal[
    "namespace", "type", "term", "meta", "macro", "method", "type-parameter", "parameter"
]

_SUFFIXES: dict[str, Suffix] = {
    "/": "namespace",
    "#": "type",
    ".": "term",
    ":": "meta",
    "!": "macro",
}


@attrs.frozen(kw_only=True)
class Descriptor:
    name: str
    suffix: Suffix


def _is_simple(char: str) -> bool:
    return char in "_+-$" or (char.isascii() and char.isalnum())


def _skip_header(symbol: str) -> int | None:
    """Index just past the four space-terminated header fields; a doubled space is an escape."""
    position, fields = 0, 0
    while fields < 4:
        if position >= len(symbol):
            return None
        if symbol[position] == " ":
            if symbol.startswith("  ", position):
                position += 2
                continue
            fields += 1
        position += 1
    return position


def _name(text: str, position: int) -> tuple[str, int] | None:
    if position < len(text) and text[position] == "`":
        chars: list[str] = []
        position += 1
        while position < len(text):
            if text[position] == "`":
                if text.startswith("``", position):
                    chars.append("`")
                    position += 2
                    continue
                return ("".join(chars), position + 1) if chars else None
            chars.append(text[position])
            position += 1
        return None
    start = position
    while position < len(text) and _is_simple(text[position]):
        position += 1
    return (text[start:position], position) if position > start else None


def parse_descriptors(symbol: str) -> tuple[Descriptor, ...] | None:
    """The descriptors of a global symbol, outermost first; None for a local or malformed one."""
    if symbol.startswith("local "):
        return None
    position = _skip_header(symbol)
    if position is None or position >= len(symbol):
        return None
    found: list[Descriptor] = []
    while position < len(symbol):
        opener = symbol[position]
        if opener in "[(":
            closer = "]" if opener == "[" else ")"
            named = _name(symbol, position + 1)
            if named is None or not symbol.startswith(closer, named[1]):
                return None
            kind: Suffix = "type-parameter" if opener == "[" else "parameter"
            found.append(Descriptor(name=named[0], suffix=kind))
            position = named[1] + 1
            continue
        named = _name(symbol, position)
        if named is None or named[1] >= len(symbol):
            return None
        name, position = named
        mark = symbol[position]
        if mark == "(":
            close = symbol.find(").", position)
            disambiguator = symbol[position + 1 : close] if close >= 0 else "?"
            if close < 0 or not all(_is_simple(c) for c in disambiguator):
                return None
            found.append(Descriptor(name=name, suffix="method"))
            position = close + 2
        elif mark in _SUFFIXES:
            found.append(Descriptor(name=name, suffix=_SUFFIXES[mark]))
            position += 1
        else:
            return None
    return tuple(found)


def last_descriptor(symbol: str) -> Descriptor | None:
    descriptors = parse_descriptors(symbol)
    return descriptors[-1] if descriptors else None
