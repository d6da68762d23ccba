"""Rendering the context document to YAML and JSON text, and writing output files atomically.

Rule 1: an output file is complete or absent (`codegenie_adapters.atomic`, see ADR-0003).
Rule 2: YAML is emitted so that YAML 1.1 and 1.2 readers agree (`on`, `yes`, `012` are quoted)
and every string reads back exactly (non-ASCII characters are escaped).
Rule 3: a string holding a non-UTF-8 file name (surrogate escapes) is written as a `\\uDCxx`
escape, so the document stays valid UTF-8.
Rule 4: YAML is written by codegenie itself, block style, in one linear pass: ruamel's emitter
(pure Python) took over a minute for a document holding a 10,000-package inventory, and its C
emitter drops the YAML 1.1 quoting Rule 2 needs. Scalars follow `_scalar`'s rule; the
round-trip properties in `tests/unit/test_documents.py` read it back with ruamel under YAML 1.1
and 1.2 (see ADR-0049).
Rule 5: a mapping key whose scalar is longer than an implicit key may be is written as an
explicit key (`_key`), so that a long name from a repository still reads back.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Mapping
from typing import cast

from codegenie_adapters.atomic import write_atomically


def to_json(document: object) -> str:
    """`document` (plain data) as the CLI writes `context.json`: indented, keys in order."""
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # Rule 3: lone surrogates from non-UTF-8 names
        text = json.dumps(document, indent=2, ensure_ascii=True) + "\n"
    return text


def to_yaml(document: object) -> str:
    """`document` (plain data) as the CLI writes `context.yaml` (Rules 2 and 4)."""
    out: list[str] = ["%YAML 1.1\n---\n"]
    rendered: dict[str, str] = {}  # a string's scalar, rendered once (names, paths, scopes repeat)

    def scalar(value: object) -> str:
        if type(value) is str:  # not `1`, `True` or `1.0`, which hash alike
            text = rendered.get(value)
            if text is None:
                text = rendered[value] = _string(value)
            return text
        return _scalar(value)

    # (what starts the line, the value, the indent of the value's own children)
    stack: list[tuple[str, object, int]] = [("", document, 0)]
    while stack:  # an explicit stack: a deep document never meets the recursion limit
        prefix, value, indent = stack.pop()
        if not isinstance(value, dict | list) or not value:
            out.append(prefix + scalar(cast("object", value)) + "\n")
            continue
        pad = " " * indent
        # a mapping that is a list item starts on the dash's line: `- name: x`
        inline = prefix.endswith("- ") and isinstance(value, dict)
        if prefix and not inline:
            out.append(prefix.rstrip() + "\n")
        # Children are written in order: leading scalars at once, the rest through the stack.
        later: list[tuple[str, object, int]] = []
        if isinstance(value, dict):
            head = prefix if inline else pad
            for key, item in cast("dict[object, object]", value).items():
                written = head + _key(scalar(key), pad)
                if later or (isinstance(item, dict | list) and item):
                    later.append((written, cast("object", item), indent + 2))
                else:
                    out.append(f"{written}{scalar(cast('object', item))}\n")
                head = pad
        else:
            flat = _FlatItems(pad, scalar, rendered)
            for item in cast("list[object]", value):
                if (
                    not later
                    and type(item) is dict
                    and flat.write(cast("dict[object, object]", item), out)
                ):
                    continue
                if later or (isinstance(item, dict | list) and item):
                    later.append((f"{pad}- ", cast("object", item), indent + 2))
                else:
                    out.append(f"{pad}- {scalar(cast('object', item))}\n")
        stack.extend(reversed(later))
    return "".join(out)


class _FlatItems:
    """Rule 4's fast path for a list of flat mappings (the inventory, the edges): a mapping item
    whose values are all scalars, empty, or lists of scalars is written in one step, each key's
    line start built once per list, with the same bytes the stack would write."""

    def __init__(self, pad: str, scalar: Callable[[object], str], rendered: dict[str, str]) -> None:
        self._first = f"{pad}- "
        self._rest = f"{pad}  "
        self._scalar = scalar
        self._rendered = rendered
        self._heads: dict[object, tuple[str, str]] = {}  # key -> (first line's start, later's)

    def write(self, item: dict[object, object], out: list[str]) -> bool:
        """Append `item`'s lines to `out` and say True, or append nothing and say False when a
        value is a non-empty mapping or holds one, or a list (the stack writes that item)."""
        if not item:
            return False
        lines: list[str] = []
        heads, rendered, scalar = self._heads, self._rendered, self._scalar
        at = 0
        for key, value in item.items():
            head = heads.get(key) if type(key) is str else None
            if head is None:
                written = scalar(key)
                key_text = _key(written, self._rest)
                head = (self._first + key_text, self._rest + key_text)
                if type(key) is str:
                    heads[key] = head
            if type(value) is str:  # narrowed without a `cast` call (a million values)
                text = rendered.get(value) or scalar(value)
            elif value is None:
                text = "null"
            elif (kind := type(value)) is bool:
                text = "true" if value else "false"
            elif kind is list and value:  # a list of scalars: `reasons`, `notes`
                lines.append(head[at].rstrip() + "\n")
                for entry in cast("list[object]", value):
                    if isinstance(entry, dict | list) and entry:
                        return False
                    lines.append(f"{self._rest}  - {scalar(cast('object', entry))}\n")
                at = 1
                continue
            elif isinstance(value, dict | list) and value:
                return False
            else:
                text = _scalar(cast("object", value))
            lines.append(head[at] + text + "\n")
            at = 1
        out.extend(lines)
        return True


# Rule 4: a string is written plain only when it cannot read as anything but itself under YAML
# 1.1 or 1.2: it starts with a letter or "_" and holds only letters, digits and "_./-" (so no
# ": ", " #", indicator or space), and is none of the words either version resolves (booleans,
# null, YAML 1.1's y/n/yes/no/on/off, in any case). Every other string is double-quoted, ASCII
# only, with the escapes YAML 1.1 and 1.2 share (`\"`, `\\`, `\n`, `\t`, `\r`, `\uXXXX`,
# `\UXXXXXXXX`).
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*\Z")
_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
_LONGEST_WORD = max(map(len, _WORDS))


# Rule 5: YAML 1.1 and 1.2 bound an implicit key to 1024 characters (a reader stops looking for
# its ":" after that); a longer key is written explicitly, `? key` and then `: value` on the next
# line at the key's indent. The bound is kept with room to spare.
_LONGEST_IMPLICIT_KEY = 1000


def _key(written: str, pad: str) -> str:
    """What comes between a key's indent and its value: `key: `, or, for a key longer than an
    implicit key may be (Rule 5), `? key`, a newline, `pad` and `: `."""
    if len(written) > _LONGEST_IMPLICIT_KEY:
        return f"? {written}\n{pad}: "
    return f"{written}: "


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if value in (math.inf, -math.inf):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        # YAML 1.1's float needs a "." (`1e-05` would read as a string): write `1.0e-05`
        return text if "." in text else text.replace("e", ".0e", 1)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _string(str(value))


def _string(text: str) -> str:
    """A string's scalar (Rule 4); every word in `_WORDS` is at most five characters long."""
    if _PLAIN.match(text) and (len(text) > _LONGEST_WORD or text.lower() not in _WORDS):
        return text
    return '"' + _ESCAPED.sub(_escape, text) + '"'


_ESCAPED = re.compile(r'[^\x20-\x7e]|["\\]')
_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    """One character in YAML's double-quoted escapes: `\\uXXXX`, or `\\UXXXXXXXX` above the BMP
    (YAML reads a JSON-style surrogate pair as two characters, not one)."""
    char = match.group()
    point = ord(char)
    return _SHORT.get(char) or (f"\\u{point:04x}" if point <= 0xFFFF else f"\\U{point:08x}")


def write_outputs(directory: str, files: Mapping[str, str]) -> list[str]:
    """Render every file first, then write each atomically; returns the paths written."""
    os.makedirs(directory, exist_ok=True)
    written: list[str] = []
    for name, text in files.items():
        target = os.path.join(directory, name)
        write_atomically(target, text.encode("utf-8"))
        written.append(target)
    return written
