"""JSON with comments and trailing commas (JSONC, as `bun.lock` is written) read as JSON.

Rule 1: one left-to-right pass over the tokens that matter here (strings with their escapes,
`//` and `/* */` comments, commas, brackets) turns the text into JSON of the same length:
comments become spaces (newlines kept) and a comma followed only by whitespace or comments before
`]` or `}` becomes a space, so stdlib `json` reports problems at the text's own line and column.
Rule 2: brackets nested deeper than `MAX_DEPTH` are a problem, not a RecursionError.
"""

from __future__ import annotations

import json
import re

from codegenie_core.parsers.manifest_model import ManifestProblem

__all__ = ["MAX_DEPTH", "jsonc_to_json", "loads_jsonc"]

MAX_DEPTH = 256
# The characters where the JSONC tokens that differ from JSON can start.
_SPECIAL = re.compile(r'["/,\[\]{}]')
# RFC 8259 string: quotation-mark *( unescaped / escape char ) quotation-mark.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _blank(text: str) -> str:
    return "".join(c if c == "\n" else " " for c in text)


def jsonc_to_json(text: str) -> str | ManifestProblem:
    """Rule 1 and 2: the JSON text, or the problem (an unterminated comment, too deep)."""
    out: list[str] = []
    pending: int | None = None  # index in `out` of a comma that may be trailing
    depth = 0
    at = 0
    size = len(text)
    while at < size:
        found = _SPECIAL.search(text, at)
        start = size if found is None else found.start()
        if start > at:
            chunk = text[at:start]
            out.append(chunk)
            if not chunk.isspace():
                pending = None
        if found is None:
            break
        at = start
        char = text[at]
        if char == '"':
            string = _STRING.match(text, at)
            end = size if string is None else string.end()  # unterminated: json says where
            out.append(text[at:end])
            pending = None
            at = end
            continue
        if text.startswith("//", at):
            end = text.find("\n", at)
            end = size if end < 0 else end
            out.append(_blank(text[at:end]))
            at = end
            continue
        if text.startswith("/*", at):
            end = text.find("*/", at + 2)
            if end < 0:
                return ManifestProblem(message="unterminated comment", line=_line(text, at))
            out.append(_blank(text[at : end + 2]))
            at = end + 2
            continue
        if char in "]}":
            if pending is not None:
                out[pending] = " "
            depth -= 1
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return ManifestProblem(
                    message=f"nested deeper than {MAX_DEPTH}", line=_line(text, at)
                )
        pending = len(out) if char == "," else None
        out.append(char)
        at += 1
    return "".join(out)


def _line(text: str, at: int) -> int:
    return text.count("\n", 0, at) + 1


def loads_jsonc(text: str) -> object | ManifestProblem:
    """The value a JSONC text stands for, or the problem with its coordinates."""
    converted = jsonc_to_json(text)
    if isinstance(converted, ManifestProblem):
        return converted
    try:
        return json.loads(converted)
    except json.JSONDecodeError as error:
        return ManifestProblem(message=error.msg, line=error.lineno, column=error.colno)
    except RecursionError:  # pragma: no cover - MAX_DEPTH keeps json well inside the limit
        return ManifestProblem(message="JSON nested too deeply")
