"""Unit tests of the contract model: canonical type strings and recursive slice schemas."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Literal, Optional, Union

import attrs
import pytest

from codegenie_core.contract import (
    FieldSpec,
    probe_context_fields,
    slice_schema,
    type_string,
)
from codegenie_core.errors import ContractError

if TYPE_CHECKING:
    from decimal import Decimal  # only for type checking: cannot be resolved at run time


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (int, "int"),
        (None, "None"),
        (Optional[int], "int | None"),  # noqa: UP045 -- the old spelling must read the same
        (Union[int, str], "int | str"),  # noqa: UP007 -- the old spelling must read the same
        (int | None, "int | None"),
        (tuple[str, ...], "tuple[str, ...]"),
        (Mapping[str, list[int]], "Mapping[str, list[int]]"),
        (Literal["ran", "skipped"], "Literal['ran', 'skipped']"),
        (Callable[[], str | None], "Callable[[], str | None]"),
        (Callable[[int, str], None], "Callable[[int, str], None]"),
        ("NotResolved[int]", "NotResolved[int]"),
    ],
)
def test_type_strings_are_canonical(annotation: object, expected: str) -> None:
    assert type_string(annotation) == expected


@attrs.frozen(kw_only=True)
class Leaf:
    value: float


@attrs.frozen(kw_only=True)
class Node:
    label: str
    children: tuple[Node, ...]
    leaf: Leaf | None


@attrs.frozen(kw_only=True)
class Opaque:
    amount: Decimal


def test_a_nested_self_referential_slice_lists_each_class_once() -> None:
    schema = slice_schema(Node)

    assert schema.root == "Node"
    assert dict(schema.classes) == {
        "Leaf": (FieldSpec(name="value", type="float"),),
        "Node": (
            FieldSpec(name="label", type="str"),
            FieldSpec(name="children", type="tuple[Node, ...]"),
            FieldSpec(name="leaf", type="Leaf | None"),
        ),
    }


def test_a_slice_schema_is_plain_json_data() -> None:
    assert slice_schema(Leaf).as_data() == {
        "root": "Leaf",
        "classes": {"Leaf": [{"name": "value", "type": "float"}]},
    }


def test_an_unresolvable_annotation_keeps_its_source_text() -> None:
    assert slice_schema(Opaque).classes == (
        ("Opaque", (FieldSpec(name="amount", type="Decimal"),)),
    )


def test_a_non_attrs_slice_type_is_described_by_its_name_only() -> None:
    schema = slice_schema(dict[str, int])

    assert (schema.root, schema.classes) == ("dict[str, int]", ())


def test_context_fields_come_in_declaration_order() -> None:
    fields = probe_context_fields(Node, frozenset({"label", "children", "leaf"}))

    assert [f.name for f in fields] == ["label", "children", "leaf"]


def test_a_context_field_outside_the_allowlist_raises_naming_it() -> None:
    with pytest.raises(ContractError) as raised:
        probe_context_fields(Node, frozenset({"label", "children"}))

    assert raised.value.field == "leaf"
    assert "ADR-0030" in str(raised.value)
