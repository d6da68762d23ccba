"""The one cattrs converter: envelopes and their typed slices to JSON bytes and back.

Rule 1: a union of two or more attrs classes (a sum type) is written with a `kind` tag, the
member's class name, and structured by that tag; no per-type registration is needed.
Rule 2: an envelope records the module-qualified name of its slice's class, so reading it back as
another type is a miss, not a wrong answer (see ADR-0008).
Rule 3: structure failures raise (cattrs errors, `KeyError` for an unknown tag, `ValueError`,
`TypeError`); the cache reports every one of them, removes the entry and treats it as a miss
where a typed slice is needed (ADR-0020), and `structure_error_text` gives the path-shaped
message a user should see.
Rule 4: a tuple of inventory entries or of dependency edges (a 10,000-package lockfile gives tens
of thousands) is unstructured into rows in one step (`plain_json.flat_rows`), the bytes of every
document and cache entry unchanged (see ADR-0092). The classes are named, not imported, so this
module does not load the inventory's parsers.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Set
from typing import Any, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.strategies import configure_union_passthrough
from cattrs.v import format_exception

from codegenie_adapters.envelope_json import (
    EnvelopeDocument,
    SliceTypeMismatchError,
    admitted_slice_types,
    read_envelope_json,
    slice_type_name,
    union_members,
)
from codegenie_adapters.plain_json import as_json_reads_it, flat_rows
from codegenie_core.probe import Envelope

__all__ = [
    "STRUCTURE_ERRORS",
    "TAG",
    "SliceTypeMismatchError",
    "UnknownTagError",
    "converter",
    "envelope_from_json",
    "envelope_to_json",
    "plain_data",
    "slice_type_name",
    "structure_envelope",
    "structure_error_text",
]

TAG = "kind"

# Everything a damaged or foreign payload can make structuring raise (see Rule 3).
STRUCTURE_ERRORS: tuple[type[Exception], ...] = (
    cattrs.BaseValidationError,
    cattrs.StructureHandlerNotFoundError,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
)

converter = cattrs.Converter(unstruct_collection_overrides={Set: list})
# JSON carries str, int, float, bool and null natively; unions of those pass straight through.
configure_union_passthrough(Union[str, int, float, bool, None], converter)  # noqa: UP007 - a runtime union object is needed


class UnknownTagError(KeyError):
    """A tagged union's payload has no tag, or a tag naming no member (a miss for callers)."""

    def __str__(self) -> str:
        return str(self.args[0])


def _is_tagged_union(tp: Any) -> bool:
    """A union whose members, None aside, are all attrs classes, at least two of them."""
    members = [m for m in union_members(tp) if m is not type(None)]
    return len(members) >= 2 and all(isinstance(m, type) and attrs.has(m) for m in members)


def _tagged_members(tp: Any) -> dict[str, type[Any]]:
    by_tag: dict[str, type[Any]] = {}
    for member in union_members(tp):
        if member is type(None):
            continue
        tag = member.__name__
        assert tag not in by_tag, f"two members of {tp!r} share the class name {tag!r}"
        assert TAG not in attrs.fields_dict(member), (
            f"{member.__qualname__} has a field named {TAG!r}, which the union tag would clobber"
        )
        by_tag[tag] = member
    return by_tag


def _structure_tagged(tp: Any) -> Callable[[Any, Any], Any]:
    by_tag = _tagged_members(tp)
    hooks = {tag: converter.get_structure_hook(member) for tag, member in by_tag.items()}
    optional = type(None) in union_members(tp)

    def structure(value: Any, _: Any) -> Any:
        if value is None and optional:
            return None
        if not isinstance(value, dict):
            raise TypeError(f"expected an object with a {TAG!r} tag, got {type(value).__name__}")
        body = {k: v for k, v in value.items() if k != TAG}  # pyright: ignore[reportUnknownVariableType] - JSON object
        tag = value.get(TAG)  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType] - JSON object
        if tag not in hooks:
            raise UnknownTagError(f"{TAG} {tag!r} is not one of {', '.join(sorted(hooks))}")
        return hooks[tag](body, by_tag[tag])

    return structure


def _unstructure_tagged(tp: Any) -> Callable[[Any], Any]:
    by_tag = _tagged_members(tp)
    hooks = {member: converter.get_unstructure_hook(member) for member in by_tag.values()}

    def unstructure(value: Any) -> Any:
        if value is None:
            return None
        body = hooks[type(value)](value)
        body[TAG] = type(value).__name__
        return body

    return unstructure


converter.register_structure_hook_factory(_is_tagged_union, _structure_tagged)
converter.register_unstructure_hook_factory(_is_tagged_union, _unstructure_tagged)

# Rule 4: the classes unstructured as rows, by qualified name, and their fields that are tuples
_ROWS: dict[str, frozenset[str]] = {
    "codegenie_core.parsers.inventory.InventoryEntry": frozenset({"reasons", "groups"}),
    "codegenie_core.parsers.inventory.DependencyEdge": frozenset(),
}


def _row_class(tp: Any) -> type[Any] | None:
    """The class of `tuple[C, ...]` when C is one of `_ROWS`, else None."""
    args = get_args(tp)
    if get_origin(tp) is not tuple or len(args) != 2 or args[1] is not Ellipsis:
        return None
    member = args[0]
    if not isinstance(member, type) or f"{member.__module__}.{member.__qualname__}" not in _ROWS:
        return None
    return member


def _unstructure_rows(tp: Any) -> Callable[[Any], Any]:
    member = _row_class(tp)
    assert member is not None
    lists = _ROWS[f"{member.__module__}.{member.__qualname__}"]
    fields = tuple(field.name for field in attrs.fields(member))
    assert lists <= set(fields), f"{member.__qualname__} lost a field {sorted(lists)} names"
    one = converter.get_unstructure_hook(member)

    def fallback(items: tuple[Any, ...] | list[Any]) -> tuple[Any, ...]:
        return tuple(one(item) for item in items)  # what the converter writes for a tuple

    return flat_rows(fields, lists, fallback)


converter.register_unstructure_hook_factory(
    lambda tp: _row_class(tp) is not None, _unstructure_rows
)


def envelope_to_json(envelope: Envelope) -> bytes:
    """The envelope as compact JSON (ASCII, so any str, even a lone surrogate, fits). The slice
    keeps the converter's field order, which is the order a rendered cached result shows."""
    value: object = envelope.slice
    kind = type(value)
    document = {
        "probe": envelope.probe,
        "schema_version": envelope.schema_version,
        "confidence": envelope.confidence,
        "notes": list(envelope.notes),
        "slice_type": slice_type_name(kind),
        "slice": converter.unstructure(value, unstructure_as=kind),
    }
    return json.dumps(document, separators=(",", ":")).encode("ascii")


def plain_data(value: object) -> Any:
    """A slice as the context document holds it: unstructured, then as JSON reads it back, which
    is exactly what a cache entry stores (Rule 4 of `codegenie_core.report.context`), without
    the text in between (`plain_json`)."""
    return as_json_reads_it(converter.unstructure(value))


@functools.cache
def _structure_hook(member: Any) -> Callable[[Any, Any], Any]:
    return converter.get_structure_hook(member)


def structure_envelope(document: EnvelopeDocument, slice_type: Any) -> Envelope:
    """The typed envelope of a read document. Raises `SliceTypeMismatchError` when `slice_type`
    does not admit the recorded slice class, else one of `STRUCTURE_ERRORS` when the slice does
    not structure (Rule 2)."""
    admitted = admitted_slice_types(slice_type)
    member = admitted.get(document.slice_type)
    if member is None:
        raise SliceTypeMismatchError(
            f"entry holds a {document.slice_type}, not one of {', '.join(sorted(admitted))}"
        )
    return Envelope(
        probe=document.probe,
        schema_version=document.schema_version,
        confidence=document.confidence,
        slice=_structure_hook(member)(document.plain_slice, member),
        notes=document.notes,
    )


def structured_or_problem(document: EnvelopeDocument, slice_type: Any) -> Envelope | str:
    """The typed envelope of a read document, or the cache's one-line reason it is no entry
    (`payload does not structure: ...`), for the local and the remote tier alike."""
    try:
        return structure_envelope(document, slice_type)
    except STRUCTURE_ERRORS as error:
        return f"payload does not structure: {structure_error_text(error)}"


def envelope_from_json(data: bytes, slice_type: Any) -> Envelope:
    """The envelope in `data`, its slice structured as `slice_type` (a class or a union of them).

    Raises one of `STRUCTURE_ERRORS` when `data` is not such an envelope; a recorded slice class
    that `slice_type` does not admit is a `SliceTypeMismatchError` (Rule 2)."""
    return structure_envelope(read_envelope_json(data), slice_type)


def structure_error_text(error: BaseException) -> str:
    """One line per problem, each with its path (`... @ $.slice.items[2]`), never a traceback."""
    return "; ".join(cattrs.transform_error(error, format_exception=_format_exception))


def _format_exception(error: BaseException, tp: type[Any] | None) -> str:
    match error:
        case UnknownTagError():
            return str(error)  # cattrs would say "required field missing", which misleads
        case json.JSONDecodeError():
            return f"not JSON ({error.msg} at byte {error.pos})"
        case UnicodeDecodeError():
            return f"not UTF-8 text (bad byte at {error.start})"
        case _:
            return format_exception(error, tp)
