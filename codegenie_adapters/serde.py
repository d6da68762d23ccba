"""The one cattrs converter: envelopes and their typed slices to JSON bytes and back.

Rule 1: a union of two or more attrs classes (a sum type) is written with a `kind` tag, the
member's class name, and structured by that tag; no per-type registration is needed.
Rule 2: an envelope records the module-qualified name of its slice's class, so reading it back as
another type is a miss, not a wrong answer (see ADR-0008).
Rule 3: structure failures raise (cattrs errors, `KeyError` for an unknown tag, `ValueError`,
`TypeError`); callers treat every one of them as a miss, and `structure_error_text` gives the
path-shaped message a user should see.
"""

from __future__ import annotations

import functools
import json
import types
from collections.abc import Callable, Set
from typing import Any, Literal, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.strategies import configure_union_passthrough
from cattrs.v import format_exception

from codegenie_core.probe import Envelope

__all__ = [
    "STRUCTURE_ERRORS",
    "TAG",
    "SliceTypeMismatchError",
    "UnknownTagError",
    "converter",
    "envelope_from_json",
    "envelope_to_json",
    "slice_type_name",
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


class SliceTypeMismatchError(TypeError):
    """The entry is sound but holds a slice of a class the reader did not ask for."""


class UnknownTagError(KeyError):
    """A tagged union's payload has no tag, or a tag naming no member (a miss for callers)."""

    def __str__(self) -> str:
        return str(self.args[0])


def _union_members(tp: Any) -> tuple[Any, ...]:
    if get_origin(tp) in (Union, types.UnionType):
        return get_args(tp)
    return ()


def _is_tagged_union(tp: Any) -> bool:
    """A union whose members, None aside, are all attrs classes, at least two of them."""
    members = [m for m in _union_members(tp) if m is not type(None)]
    return len(members) >= 2 and all(isinstance(m, type) and attrs.has(m) for m in members)


def _tagged_members(tp: Any) -> dict[str, type[Any]]:
    by_tag: dict[str, type[Any]] = {}
    for member in _union_members(tp):
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
    optional = type(None) in _union_members(tp)

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


@attrs.frozen(kw_only=True)
class _EnvelopeHead:
    """Every envelope field but the slice, structured first so a bad head is caught early."""

    probe: str
    schema_version: int
    confidence: Literal["high", "medium", "low"]
    notes: tuple[str, ...] = ()
    slice_type: str


def slice_type_name(tp: Any) -> str:
    """The module-qualified name an entry records for a slice class."""
    return f"{tp.__module__}.{tp.__qualname__}"


@functools.cache
def _slice_hooks(slice_type: Any) -> dict[str, tuple[type[Any], Callable[[Any, Any], Any]]]:
    """For each class `slice_type` admits (itself, or each member of a union), its hook."""
    members = [m for m in _union_members(slice_type) if m is not type(None)] or [slice_type]
    return {slice_type_name(m): (m, converter.get_structure_hook(m)) for m in members}


_structure_head = converter.get_structure_hook(_EnvelopeHead)


def envelope_to_json(envelope: Envelope) -> bytes:
    """The envelope as compact, key-sorted JSON (ASCII, so any str, even a lone surrogate, fits)."""
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
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("ascii")


def envelope_from_json(data: bytes, slice_type: Any) -> Envelope:
    """The envelope in `data`, its slice structured as `slice_type` (a class or a union of them).

    Raises one of `STRUCTURE_ERRORS` when `data` is not such an envelope; a recorded slice class
    that `slice_type` does not admit is a `SliceTypeMismatchError` (Rule 2)."""
    document = json.loads(data)
    if not isinstance(document, dict):
        raise TypeError("an envelope is a JSON object")
    fields: dict[str, Any] = document  # pyright: ignore[reportUnknownVariableType] - JSON object
    head: _EnvelopeHead = _structure_head(
        {k: v for k, v in fields.items() if k != "slice"}, _EnvelopeHead
    )
    admitted = _slice_hooks(slice_type)
    if head.slice_type not in admitted:
        raise SliceTypeMismatchError(
            f"entry holds a {head.slice_type}, not one of {', '.join(sorted(admitted))}"
        )
    member, hook = admitted[head.slice_type]
    return Envelope(
        probe=head.probe,
        schema_version=head.schema_version,
        confidence=head.confidence,
        slice=hook(fields["slice"], member),
        notes=head.notes,
    )


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
