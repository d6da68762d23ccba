"""A gather turns each computed slice into plain data once for its check and first document."""

from __future__ import annotations

from codegenie_adapters.serde import plain_data
from codegenie_core.session import gather
from tests.support import context, registry_of, scripted


def test_each_slice_is_made_plain_once_for_the_check_and_the_first_document() -> None:
    calls: list[object] = []

    def counting(value: object) -> object:
        calls.append(value)
        return plain_data(value)

    registry = registry_of((scripted("a"), "light"), (scripted("b"), "light"))
    gathered = gather(context(), to_plain=counting, registry=registry)
    first = gathered.to_document()
    assert len(calls) == 2  # one per slice: the check's plain data served the first document
    second = gathered.to_document()
    assert len(calls) == 4  # a later document makes its own, sharing nothing with the first
    assert first == second
    assert first["probes"]["a"]["slice"] is not second["probes"]["a"]["slice"]
