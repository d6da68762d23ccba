"""Unstructured data as JSON reads it back, without writing the JSON text in between.

Rule 1: `as_json_reads_it(value)` equals `json.loads(json.dumps(value))`, in values, types and
key order: tuples become lists, every mapping and list is a fresh copy, and what JSON cannot
write raises the `TypeError` or `ValueError` `json.dumps` raises.
Rule 2: only the exact types JSON gives back (`dict` with `str` keys, `list`, `str`, `bool`,
`float`, `None`, and `int` of at most 18 digits) and `tuple` are walked here; any other value (a
subclass, a non-`str` key, a huge int) has its whole subtree sent through `json` itself, so every
corner (key conversion, duplicate keys after it, the int digit limit) is `json`'s own.
Why: a 10,000-package inventory took about 1 s to write and read back as text (see ADR-0080).
"""

from __future__ import annotations

import json
from typing import Any, cast

_KEPT = frozenset({str, bool, float, type(None)})  # given back as themselves by json
_INT_BOUND = 10**18  # far below the int/str digit limit json's conversion meets


def as_json_reads_it(value: object) -> Any:
    """`value` as `json.loads(json.dumps(value))` gives it (Rule 1)."""
    kind = type(value)
    if kind is dict:
        copied: dict[str, object] = {}
        for key, item in cast("dict[object, object]", value).items():
            if type(key) is not str:
                return _through_json(value)
            copied[key] = item if type(item) in _KEPT else as_json_reads_it(item)
        return copied
    if kind is list or kind is tuple:
        return [
            item if type(item) in _KEPT else as_json_reads_it(item)
            for item in cast("list[object]", value)
        ]
    if kind in _KEPT:
        return value
    if kind is int and -_INT_BOUND < cast("int", value) < _INT_BOUND:
        return value
    return _through_json(value)


def _through_json(value: object) -> Any:
    return json.loads(json.dumps(value))
