"""The `YamlReader` port over ruamel.yaml's safe loader: YAML text in, plain Python data out.

Rule 1: only the safe loader is used (no arbitrary tags, no object construction).
Rule 2: every ruamel error (syntax, duplicate key, more than one document) and a document nested
too deeply becomes a `TextProblem` with 1-based line and column; nothing escapes as an exception.
Rule 3: the result is plain data: dict, list, str, int, float, bool, None. YAML timestamps become
ISO 8601 strings, `!!binary` becomes its base64 text, `!!set` a sorted list, and a complex
(non-scalar) mapping key its `str`. Shared nodes (anchors and aliases) are converted once and
shared, so an alias bomb costs what its text costs; a recursive alias is a `TextProblem`.
"""

from __future__ import annotations

import base64
import datetime
from typing import TYPE_CHECKING, cast

from codegenie_core.ports import TextProblem, YamlReader

if TYPE_CHECKING:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError


class _RecursiveAliasError(Exception):
    """A node that contains itself through an alias: not plain data."""


class RuamelYamlReader:
    """Reads one YAML document with ruamel.yaml's pure-Python safe loader."""

    def parse(self, text: str) -> object | TextProblem:
        # Imported here: a warm gather parses no YAML and should not pay for ruamel (ADR-0007).
        from ruamel.yaml import YAML
        from ruamel.yaml.error import MarkedYAMLError, YAMLError

        yaml = YAML(typ="safe", pure=True)
        try:
            loaded = cast("object", yaml.load(text))  # pyright: ignore[reportUnknownMemberType]  # ruamel leaves load() unannotated
        except MarkedYAMLError as error:
            return _problem(error)
        except YAMLError as error:  # a ReaderError: a character YAML does not accept
            return _position_problem(error, text)
        except RecursionError:
            return TextProblem(message="YAML nested too deeply")
        try:
            return _plain(loaded, {}, set())
        except _RecursiveAliasError:
            return TextProblem(message="a YAML alias refers to a node that contains it")
        except RecursionError:
            return TextProblem(message="YAML nested too deeply")


def _problem(error: MarkedYAMLError) -> TextProblem:
    # ruamel leaves its error attributes unannotated; read them as plain objects.
    fields = cast("dict[str, object]", vars(error))
    mark = fields.get("problem_mark") or fields.get("context_mark")
    parts = [str(fields[p]) for p in ("context", "problem") if fields.get(p)]
    line = _position(mark, "line")
    column = _position(mark, "column")
    return TextProblem(
        message=": ".join(parts) or str(error),
        line=line + 1 if line is not None else None,
        column=column + 1 if column is not None else None,
    )


def _position_problem(error: YAMLError, text: str) -> TextProblem:
    """A problem located by the character offset ruamel's reader errors carry, if any."""
    offset = cast("object", vars(error).get("position"))
    if not isinstance(offset, int) or not 0 <= offset <= len(text):
        return TextProblem(message=str(error))
    line_start = text.rfind("\n", 0, offset) + 1
    reason = cast("object", vars(error).get("reason"))
    return TextProblem(
        message=f"unacceptable character: {reason}" if reason else str(error),
        line=text.count("\n", 0, offset) + 1,
        column=offset - line_start + 1,
    )


def _position(mark: object, name: str) -> int | None:
    """A 0-based position from a ruamel mark, or None when there is no mark."""
    value = cast("object", getattr(mark, name, None))
    return value if isinstance(value, int) else None


def _plain(value: object, done: dict[int, object], active: set[int]) -> object:
    """`value` as plain data (Rule 3); `done` memoizes shared nodes, `active` finds cycles."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date):  # datetime.datetime is a date too
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    key = id(value)
    if key in done:
        return done[key]
    if key in active:
        raise _RecursiveAliasError
    active.add(key)
    result: object
    if isinstance(value, dict):
        items = cast("dict[object, object]", value)
        result = {_key(k): _plain(v, done, active) for k, v in items.items()}
    elif isinstance(value, list | tuple):
        result = [_plain(v, done, active) for v in cast("list[object]", value)]
    elif isinstance(value, set | frozenset):
        members = [_plain(v, done, active) for v in cast("set[object]", value)]
        result = sorted(members, key=repr)
    else:
        result = str(value)
    active.discard(key)
    done[key] = result
    return result


def _key(key: object) -> object:
    if key is None or isinstance(key, bool | int | float | str):
        return key
    if isinstance(key, datetime.date):
        return key.isoformat()
    return str(key)


_CONFORMS: type[YamlReader] = RuamelYamlReader
