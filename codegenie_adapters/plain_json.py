"""Unstructured data as JSON reads it back, without writing the JSON text in between.

Rule 1: `as_json_reads_it(value)` equals `json.loads(json.dumps(value))`, in values, types and
key order: tuples become lists, every mapping and list is a fresh copy, and what JSON cannot
write raises the `TypeError` or `ValueError` `json.dumps` raises.
Rule 2: only the exact types JSON gives back (`dict` with `str` keys, `list`, `str`, `bool`,
`float`, `None`, and `int` of at most 18 digits) and `tuple` are walked here; any other value (a
subclass, a non-`str` key, a huge int) has its whole subtree sent through `json` itself, so every
corner (key conversion, duplicate keys after it, the int digit limit) is `json`'s own.
Rule 3: a `JsonRows` is a list of rows `flat_rows` built for one call, each row a fresh `dict`
holding only exact `str`, `bool`, `None` and lists of exact `str`, which is what JSON gives back:
it is given back as a plain list holding the same rows, not walked. Nothing but `flat_rows` makes
one, and it hands each row to no one else, so no two results share a row.
Why: a 10,000-package inventory took about 1 s to write and read back as text (see ADR-0080);
its 60,000 entries and 86,000 edges were then unstructured by cattrs and copied here one value at
a time, 0.4 s (see ADR-0092).
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any, cast

_KEPT = frozenset({str, bool, float, type(None)})  # given back as themselves by json
_INT_BOUND = 10**18  # far below the int/str digit limit json's conversion meets


def as_json_reads_it(value: object) -> Any:
    """`value` as `json.loads(json.dumps(value))` gives it (Rule 1)."""
    kind = type(value)
    if kind is JsonRows:  # Rule 3
        return list(cast("JsonRows", value))
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


class JsonRows(list[dict[str, Any]]):
    """Rule 3: rows already as JSON reads them back, made only by `flat_rows`."""


_SCALARS = frozenset({str, bool, type(None)})
_STRINGS = frozenset({str})
_TUPLES = frozenset({tuple})


def flat_rows(
    fields: tuple[str, ...], lists: frozenset[str], fallback: Callable[[Any], Any]
) -> Callable[[Iterable[object]], Any]:
    """Rule 3: an unstructure hook for a collection of objects with the attributes `fields` (in
    that order), each `str`, `bool` or None, or a tuple of `str` for the names in `lists`: one
    row per object, its keys `fields` and its tuples as lists, as a `JsonRows`. When any value is
    of another type (a `str` subclass, an int, a tuple where a scalar belongs), the whole
    collection is `fallback`'s (the converter's own hook), walked by `as_json_reads_it` as ever."""
    scalars = tuple(name for name in fields if name not in lists)
    listed = tuple(name for name in fields if name in lists)
    assert len(scalars) >= 2, "attrgetter of one name gives no tuple"
    values_of = operator.attrgetter(*fields)
    scalars_of = operator.attrgetter(*scalars)
    lists_of = operator.attrgetter(*listed) if listed else None

    def unstructure(items: Iterable[object]) -> Any:
        held = items if isinstance(items, tuple | list) else tuple(items)
        if not _SCALARS.issuperset(map(type, chain.from_iterable(map(scalars_of, held)))):
            return fallback(held)
        if lists_of is not None:
            found: Iterable[Any] = map(lists_of, held)
            tuples: list[object] = list(found if len(listed) == 1 else chain.from_iterable(found))
            if not _TUPLES.issuperset(map(type, tuples)) or not _STRINGS.issuperset(
                map(type, chain.from_iterable(cast("list[tuple[object, ...]]", tuples)))
            ):
                return fallback(held)
        rows = JsonRows(map(dict, map(functools.partial(zip, fields), map(values_of, held))))
        for row in rows if listed else ():
            for name in listed:
                row[name] = list(row[name])
        return rows

    return unstructure
