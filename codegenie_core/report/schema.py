"""The JSON Schema (2020-12) of the context document, generated from the slice types.

Rule 1: nothing here is written by hand per probe: the envelope follows `report.context`, and each
registered probe's slice schema is derived by walking its attrs `slice_type`, mirroring how the
one cattrs converter unstructures it (`codegenie_adapters.serde`): an attrs class is an object
with every field required and no other; a union of two or more attrs classes is tagged with
`kind` (the member's class name); other unions pass through; tuples, lists and sets are arrays;
dicts are objects keyed by strings; `Literal` is an enum (see ADR-0056).
Rule 2: a probe the schema does not know (an entry point of another package) is admitted with the
generic probe entry: the same envelope, any slice (`additionalProperties` of `probes`).
Rule 3: the output is deterministic: definitions sorted by name, so the shipped file can be
compared byte for byte with a regeneration.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Iterable, Mapping, Sequence, Set
from typing import Any, Literal, Union

import attrs

from codegenie_core.errors import ContractError
from codegenie_core.probe_types import CONFIDENCE_ORDER, LAYERS
from codegenie_core.registry import RegisteredProbe
from codegenie_core.report.context import CONTEXT_SCHEMA_VERSION, TIMING_KEYS
from codegenie_core.spec import slice_type_of

__all__ = [
    "SCHEMA_FILE",
    "SCHEMA_ID",
    "UnschemableType",
    "builtin",
    "context_schema",
    "schema_text",
    "without_timing_requirements",
]

# Shipped beside this module (package data); `codegenie-cli schema` prints it, and
# `scripts/regen_context_schema.py --check` fails when it differs from a regeneration.
SCHEMA_FILE = "context.schema.json"
_BUILTIN_SOURCE = "builtin:codegenie_core."

SCHEMA_ID = "https://codegenie.invalid/schemas/context.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
TAG = "kind"  # as `codegenie_adapters.serde.TAG`
OUTCOMES = ("ran", "cached", "skipped", "failed")

Schema = dict[str, Any]


class UnschemableType(ContractError):
    """A slice annotation the generator cannot describe: the slice type is not plain data as
    the converter writes it (a callable, a class object), so no schema would be honest."""


_STRING: Schema = {"type": "string"}
_INTEGER: Schema = {"type": "integer"}
_NULL: Schema = {"type": "null"}
_SCALARS: Mapping[object, Schema] = {
    str: _STRING,
    int: _INTEGER,
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): _NULL,
    None: _NULL,
}


def _union_members(annotation: object) -> tuple[object, ...] | None:
    origin = typing.get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return typing.get_args(annotation)
    return None


def _is_attrs(annotation: object) -> bool:
    return isinstance(annotation, type) and attrs.has(annotation)


class _Walker:
    """Collects one `$defs` entry per attrs class (and per tagged use of it)."""

    def __init__(self) -> None:
        self.defs: dict[str, Schema] = {}
        self._names: dict[type[Any], str] = {}

    def _name(self, cls: type[Any]) -> str:
        known = self._names.get(cls)
        if known is not None:
            return known
        name = cls.__qualname__
        if name in self._names.values():  # two classes share a qualified name
            name = f"{cls.__module__}.{name}"
        self._names[cls] = name
        return name

    def ref(self, cls: type[Any], *, tagged: bool) -> Schema:
        name = self._name(cls) + (".tagged" if tagged else "")
        if name not in self.defs:
            self.defs[name] = {}  # reserved first: a self-referential class ends the walk
            self.defs[name] = self._object(cls, tagged=tagged)
        return {"$ref": f"#/$defs/{name}"}

    def _object(self, cls: type[Any], *, tagged: bool) -> Schema:
        try:
            hints = typing.get_type_hints(cls)
        except (NameError, TypeError, AttributeError) as error:
            raise UnschemableType(
                f"{cls.__qualname__}: annotations do not resolve: {error}",
                field=cls.__qualname__,
            ) from None
        properties: dict[str, Schema] = {}
        if tagged:
            properties[TAG] = {"const": cls.__name__}
        for field in attrs.fields(cls):
            if not field.init:  # cattrs leaves init=False fields out
                continue
            annotation: object = hints.get(field.name, field.type)
            properties[field.name] = self.schema(annotation, field.name)
        return {
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }

    def schema(self, annotation: object, where: str = "") -> Schema:
        if annotation is Any or annotation is object:
            return {}
        scalar = _SCALARS.get(annotation) if _hashable(annotation) else None
        if scalar is not None:
            return dict(scalar)
        if _is_attrs(annotation):
            return self.ref(typing.cast("type[Any]", annotation), tagged=False)
        values = _enum_values(annotation)
        if values is not None:
            return {"enum": values}
        members = _union_members(annotation)
        if members is not None:
            return self._union(members, where)
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is Literal:
            return {"enum": list(args)}
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return {
                "type": "array",
                "prefixItems": [self.schema(a, where) for a in args],
                "items": False,
                "minItems": len(args),
            }
        if isinstance(origin, type) and issubclass(origin, Mapping):
            value = args[1] if len(args) == 2 else Any
            return {"type": "object", "additionalProperties": self.schema(value, where)}
        if isinstance(origin, type) and issubclass(origin, Sequence | Set):
            item = args[0] if args else Any
            return {"type": "array", "items": self.schema(item, where)}
        raise UnschemableType(
            f"{where or 'slice'}: cannot describe the type {annotation!r} (see ADR-0056)",
            field=where,
        )

    def _union(self, members: Sequence[object], where: str) -> Schema:
        classes = [typing.cast("type[Any]", m) for m in members if _is_attrs(m)]
        if len(classes) >= 2 and all(_is_attrs(m) or m is type(None) for m in members):
            tagged = _dispatch(TAG, {c.__name__: self.ref(c, tagged=True) for c in classes})
            return {"anyOf": [_NULL, tagged]} if len(classes) < len(members) else tagged
        return {"anyOf": [self.schema(m, where) for m in members]}


def _dispatch(key: str, branches: Mapping[str, Schema]) -> Schema:
    """An object whose `key` names its shape: `if`/`then` per value rather than `oneOf`, so a
    validator's error points into the branch the value chose, not at the whole object."""
    return {
        "type": "object",
        "properties": {key: {"enum": list(branches)}},
        "required": [key],
        "allOf": [
            {"if": {"properties": {key: {"const": value}}}, "then": branch}
            for value, branch in branches.items()
        ],
    }


def _enum_values(annotation: object) -> list[object] | None:
    """An `enum.Enum` class's values (the converter writes a member as its value)."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [member.value for member in annotation]
    return None


def _hashable(annotation: object) -> bool:
    try:
        hash(annotation)
    except TypeError:
        return False
    return True


def _skip_reason() -> Schema:
    def reason(kind: str, *fields: str) -> Schema:
        properties: dict[str, Schema] = {"kind": {"const": kind}}
        properties.update({f: dict(_STRING) for f in fields})
        return {
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }

    return _dispatch(
        "kind",
        {
            "not_applicable": reason("not_applicable", "message"),
            "tool_unavailable": reason("tool_unavailable", "tool", "message", "hint"),
            "upstream_failed": reason("upstream_failed", "upstream", "message"),
        },
    )


def _probe_entry(
    *, layer: Schema, version: Schema, schema_version: Schema, slice_schema: Schema
) -> Schema:
    """One probe's entry, one branch per outcome (as `report.context.probe_entry` builds it)."""
    common: dict[str, Schema] = {
        "layer": layer,
        "version": version,
        "duration_ms": dict(_INTEGER),
    }

    def branch(outcome: str, extra: Mapping[str, Schema]) -> Schema:
        properties = {**common, "outcome": {"const": outcome}, **extra}
        return {
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }

    with_envelope: dict[str, Schema] = {
        "cache_key": dict(_STRING),
        "confidence": {"enum": list(CONFIDENCE_ORDER)},
        "schema_version": schema_version,
        "notes": {"type": "array", "items": dict(_STRING)},
        "slice": slice_schema,
    }
    error: Schema = {
        "type": "object",
        "properties": {"type": dict(_STRING), "message": dict(_STRING)},
        "required": ["type", "message"],
        "additionalProperties": False,
    }
    return _dispatch(
        "outcome",
        {
            "ran": branch("ran", with_envelope),
            "cached": branch("cached", with_envelope),
            "skipped": branch("skipped", {"reason": {"$ref": "#/$defs/SkipReason"}}),
            "failed": branch("failed", {"error": error}),
        },
    )


def _slice_schema(walker: _Walker, registered: RegisteredProbe) -> Schema:
    slice_type: object = slice_type_of(registered.spec)
    members = _union_members(slice_type)
    if members is not None:  # a union at the root is unstructured by its runtime class: untagged
        return {"anyOf": [walker.schema(m, registered.name) for m in members]}
    return walker.schema(slice_type, registered.name)


def _envelope(probes: Schema) -> Schema:
    def closed(properties: Mapping[str, Schema]) -> Schema:
        return {
            "type": "object",
            "properties": dict(properties),
            "required": list(properties),
            "additionalProperties": False,
        }

    optional_string: Schema = {"type": ["string", "null"]}
    git = closed({"head": optional_string, "branch": optional_string, "dirty": {"type": "boolean"}})
    gather = closed(
        {
            "cpu_budget": dict(_INTEGER),
            "duration_ms": dict(_INTEGER),
            "probes": dict(_INTEGER),
            **{kind: dict(_INTEGER) for kind in OUTCOMES},
        }
    )
    return closed(
        {
            "schema_version": {"const": CONTEXT_SCHEMA_VERSION},
            "generator": closed({"name": {"const": "codegenie"}, "version": dict(_STRING)}),
            "repo": closed({"name": dict(_STRING), "git": {"anyOf": [_NULL, git]}}),
            "gather": gather,
            "probes": probes,
        }
    )


def context_schema(registered: Iterable[RegisteredProbe]) -> Schema:
    """The schema of a context document gathered with `registered` (and any other probe, by
    Rule 2), as JSON-ready data."""
    walker = _Walker()
    known: dict[str, Schema] = {}
    for probe in sorted(registered, key=lambda r: r.name):
        spec = probe.spec
        name = f"probe.{probe.name}"
        walker.defs[name] = _probe_entry(
            layer={"const": spec.layer},
            version={"const": spec.version},
            schema_version={"const": spec.schema_version},
            slice_schema=_slice_schema(walker, probe),
        )
        known[probe.name] = {"$ref": f"#/$defs/{name}"}
    walker.defs["SkipReason"] = _skip_reason()
    walker.defs["ProbeEntry"] = _probe_entry(
        layer={"enum": list(LAYERS)},
        version=dict(_INTEGER),
        schema_version=dict(_INTEGER),
        slice_schema={},
    )
    probes: Schema = {
        "type": "object",
        "properties": known,
        "additionalProperties": {"$ref": "#/$defs/ProbeEntry"},
    }
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        "title": "codegenie context document",
        **_envelope(probes),
        "$defs": dict(sorted(walker.defs.items())),
    }


def builtin(registered: Iterable[RegisteredProbe]) -> list[RegisteredProbe]:
    """The built-in probes among `registered`: the ones the shipped schema describes by name."""
    return [r for r in registered if r.source.startswith(_BUILTIN_SOURCE)]


def schema_text(registered: Iterable[RegisteredProbe]) -> str:
    """The schema as the shipped file holds it: two-space indent, final newline (Rule 3)."""
    return json.dumps(context_schema(registered), indent=2, ensure_ascii=False) + "\n"


def without_timing_requirements(schema: object) -> object:
    """The schema of the document without its timing keys (`context.without_timings`, as the
    goldens hold it): every timing key dropped from each `required` list."""
    if isinstance(schema, dict):
        items = typing.cast("dict[str, object]", schema).items()
        return {
            key: [k for k in typing.cast("list[str]", value) if k not in TIMING_KEYS]
            if key == "required" and isinstance(value, list)
            else without_timing_requirements(value)
            for key, value in items
        }
    if isinstance(schema, list):
        return [without_timing_requirements(item) for item in typing.cast("list[object]", schema)]
    return schema
