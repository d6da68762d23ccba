"""An envelope's JSON document read without the converter: all that a cache read checks before it
trusts an entry, and all that rendering a cached result needs (see ADR-0020).

Rule 1: the document is a JSON object: `probe`, `schema_version`, `confidence`, `notes`,
`slice_type` (the module-qualified name of the slice's class) and `slice`. `read_envelope_json`
checks the type of every head field and leaves the slice as plain data; any problem raises a
`ValueError` or `TypeError` (JSON and UTF-8 errors are `ValueError`s too).
Rule 2: no cattrs here: a warm gather reads entries through this module alone and never imports
the converter (`serde`), which structures a slice only when a typed one is asked for; nor the
slice classes, when the probe's spec names them with a `SliceRef` (see ADR-0077).
"""

from __future__ import annotations

import json
import types
from typing import Any, Union, get_args, get_origin

import attrs

from codegenie_core.probe_types import Confidence
from codegenie_core.spec import SliceRef

_CONFIDENCES: tuple[Confidence, ...] = ("high", "medium", "low")


class SliceTypeMismatchError(TypeError):
    """The entry is sound but holds a slice of a class the reader did not ask for."""


@attrs.frozen(kw_only=True)
class EnvelopeDocument:
    """An envelope as stored: its head checked, its slice plain data in stored order."""

    probe: str
    schema_version: int
    confidence: Confidence
    notes: tuple[str, ...]
    slice_type: str
    plain_slice: Any


def slice_type_name(tp: Any) -> str:
    """The module-qualified name an entry records for a slice class."""
    return f"{tp.__module__}.{tp.__qualname__}"


def union_members(tp: Any) -> tuple[Any, ...]:
    """The members of a union type; () for anything else."""
    if get_origin(tp) in (Union, types.UnionType):
        return get_args(tp)
    return ()


def admitted_slice_types(slice_type: Any) -> dict[str, Any]:
    """Each class `slice_type` admits (itself, or each member of a union), by recorded name. A
    `SliceRef` is resolved: this is for structuring; `admits` answers a cache read."""
    if isinstance(slice_type, SliceRef):
        slice_type = slice_type.resolve()
    members = [m for m in union_members(slice_type) if m is not type(None)] or [slice_type]
    return {slice_type_name(m): m for m in members}


def admits(slice_type: Any, recorded: str) -> bool:
    """Whether `slice_type` admits an entry recording the slice class `recorded`; a `SliceRef`
    answers from the names it lists, importing nothing (Rule 2, ADR-0077)."""
    if isinstance(slice_type, SliceRef):
        return recorded in slice_type.names
    return recorded in admitted_slice_types(slice_type)


def read_envelope_json(data: bytes) -> EnvelopeDocument:
    """The envelope document in `data` (Rule 1)."""
    document = json.loads(data)
    if not isinstance(document, dict):
        raise TypeError("an envelope is a JSON object")
    fields: dict[str, Any] = document  # pyright: ignore[reportUnknownVariableType] - JSON object
    missing = sorted({"probe", "schema_version", "confidence", "slice_type", "slice"} - set(fields))
    if missing:
        raise ValueError(f"envelope lacks {', '.join(missing)}")
    probe, version, confidence = fields["probe"], fields["schema_version"], fields["confidence"]
    notes: Any = fields.get("notes", [])
    slice_type = fields["slice_type"]
    if not isinstance(probe, str) or not isinstance(slice_type, str):
        raise TypeError("an envelope's probe and slice_type are strings")
    if not isinstance(version, int) or isinstance(version, bool):
        raise TypeError(f"schema_version {version!r} is not an integer")
    if confidence not in _CONFIDENCES:
        raise ValueError(f"confidence {confidence!r} is not one of {', '.join(_CONFIDENCES)}")
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):  # pyright: ignore[reportUnknownVariableType] - JSON list
        raise TypeError("an envelope's notes are a list of strings")
    return EnvelopeDocument(
        probe=probe,
        schema_version=version,
        confidence=confidence,
        notes=tuple(notes),  # pyright: ignore[reportUnknownArgumentType] - checked above
        slice_type=slice_type,
        plain_slice=fields["slice"],
    )
