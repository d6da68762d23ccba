"""The public probe contract as plain data: `ProbeContext`'s fields and every probe's shape.

Rule 1: the contract is what a third-party probe can see and rely on: the fields of the context it
is handed, and for every registered probe its `ProbeSpec` (name, version, layer, heaviness,
timeout, reads, ports, writes, needs, schema version) with its slice schema.
`scripts/regen_probe_contract_snapshot.py` commits it as a snapshot and `--check` fails on drift
(see ADR-0030, which supersedes ADR-0006).
Rule 2: a `ProbeContext` field outside the allowlist is a `ContractError` citing ADR-0030; growing
the context is a decision, not a side effect.
Rule 3: type strings are canonical, not as written: `Optional[int]` and `int | None` both read
`int | None`, classes by their qualified name, so a cosmetic rewrite is not drift. A class with an
annotation that cannot be resolved at run time keeps the source text of its fields' annotations.
Rule 4: a slice schema lists every attrs class reachable from the slice type, once, keyed by
qualified name, so nested and self-referential slices are described without recursion limits.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any, Literal, Union

import attrs

from codegenie_core.errors import ContractError
from codegenie_core.registry import ProbeRegistry
from codegenie_core.spec import slice_type_of

__all__ = [
    "SNAPSHOT_FORMAT",
    "FieldSpec",
    "SliceSchema",
    "contract_snapshot",
    "probe_context_fields",
    "slice_schema",
    "type_string",
]

SNAPSHOT_FORMAT = 2  # 2: every probe's whole `ProbeSpec` (ADR-0030)

JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


@attrs.frozen(kw_only=True)
class FieldSpec:
    """One attrs field: its name and canonical type string."""

    name: str
    type: str

    def as_data(self) -> dict[str, JsonValue]:
        return {"name": self.name, "type": self.type}


@attrs.frozen(kw_only=True)
class SliceSchema:
    """A slice type's shape: the root class name and the fields of every reachable attrs class."""

    root: str
    classes: tuple[tuple[str, tuple[FieldSpec, ...]], ...]

    def as_data(self) -> dict[str, JsonValue]:
        return {
            "root": self.root,
            "classes": {name: [f.as_data() for f in fields] for name, fields in self.classes},
        }


def type_string(annotation: object) -> str:
    """The canonical spelling of a resolved annotation (Rule 3)."""
    if isinstance(annotation, str):
        return annotation  # unresolved: keep the source text
    if annotation is None or annotation is type(None):
        return "None"
    if annotation is Ellipsis:
        return "..."
    if isinstance(annotation, list):
        items = typing.cast("list[object]", annotation)  # Callable's parameter list
        return "[" + ", ".join(type_string(a) for a in items) + "]"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Union or origin is types.UnionType:
        return " | ".join(type_string(a) for a in args)
    if origin is Literal:
        return "Literal[" + ", ".join(repr(a) for a in args) + "]"
    if origin is not None:
        name = _class_name(origin)
        return f"{name}[{', '.join(type_string(a) for a in args)}]" if args else name
    if isinstance(annotation, type):
        return _class_name(annotation)
    return repr(annotation)


def _class_name(cls: object) -> str:
    return str(getattr(cls, "__qualname__", None) or getattr(cls, "_name", None) or repr(cls))


def _resolved_fields(cls: type[Any]) -> list[tuple[str, object]]:
    """Each attrs field with its resolved annotation, or its source text where it cannot be
    resolved (a name imported only for type checking)."""
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError, AttributeError):
        hints = {}
    return [(field.name, hints.get(field.name, field.type)) for field in attrs.fields(cls)]


def _attrs_classes_in(annotation: object) -> Iterable[type[Any]]:
    """Every attrs class named anywhere inside an annotation."""
    if isinstance(annotation, type) and attrs.has(annotation):
        yield annotation
    if isinstance(annotation, list):
        for item in typing.cast("list[object]", annotation):
            yield from _attrs_classes_in(item)
    for arg in typing.get_args(annotation):
        yield from _attrs_classes_in(arg)


def slice_schema(slice_type: object) -> SliceSchema:
    """The shape of a probe's slice type: every reachable attrs class and its fields (Rule 4)."""
    if not (isinstance(slice_type, type) and attrs.has(slice_type)):
        return SliceSchema(root=type_string(slice_type), classes=())
    names: dict[type[Any], str] = {}
    classes: dict[str, tuple[FieldSpec, ...]] = {}
    pending: list[type[Any]] = [slice_type]
    while pending:
        cls = pending.pop()
        if cls in names:
            continue
        name = _class_name(cls)
        if name in classes:  # two classes share a qualified name: tell them apart by module
            name = f"{cls.__module__}.{name}"
        names[cls] = name
        fields = _resolved_fields(cls)
        classes[name] = tuple(FieldSpec(name=n, type=type_string(t)) for n, t in fields)
        for _, annotation in fields:
            pending.extend(c for c in _attrs_classes_in(annotation) if c not in names)
    return SliceSchema(root=names[slice_type], classes=tuple(sorted(classes.items())))


def probe_context_fields(
    context_type: type[Any], allowlist: frozenset[str]
) -> tuple[FieldSpec, ...]:
    """The context's fields, in declaration order; a field outside `allowlist` is an error."""
    fields = _resolved_fields(context_type)
    for name, _ in fields:
        if name not in allowlist:
            raise ContractError(
                f"{context_type.__qualname__}.{name} is not in the ProbeContext field allowlist: "
                "the context is a public contract, so adding a field means adding it to "
                "_PROBE_CONTEXT_FIELD_ALLOWLIST and writing an ADR (see ADR-0030)",
                field=name,
            )
    return tuple(FieldSpec(name=n, type=type_string(t)) for n, t in fields)


def contract_snapshot(
    registry: ProbeRegistry, *, context_type: type[Any], allowlist: frozenset[str]
) -> dict[str, JsonValue]:
    """The whole contract as JSON-ready data, probes sorted by name (Rule 1)."""
    probes: list[JsonValue] = []
    for registered in sorted(registry, key=lambda r: r.name):
        spec = registered.spec
        entry: Mapping[str, JsonValue] = {
            "name": spec.name,
            "version": spec.version,
            "layer": spec.layer,
            "heaviness": spec.heaviness,
            "timeout_s": spec.timeout_s,
            "reads": list(spec.reads),
            "ports": [str(port) for port in sorted(spec.ports)],
            "writes": list(spec.writes),
            "needs": list(spec.needs),
            "schema_version": spec.schema_version,
            "slice": slice_schema(slice_type_of(spec)).as_data(),
        }
        probes.append(dict(entry))
    return {
        "format": SNAPSHOT_FORMAT,
        "probe_context": {
            "type": context_type.__qualname__,
            "fields": [f.as_data() for f in probe_context_fields(context_type, allowlist)],
        },
        "probes": probes,
    }
