"""Properties of PEP 735 include expansion and of the inventory's merge of group duplicates
(ADR-0084)."""

from __future__ import annotations

from typing import cast

import attrs
from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.parsers.dependency_groups import ENTRIES_CAP, expand_dependency_groups
from codegenie_core.parsers.inventory import InventoryEntry, merge_groups
from codegenie_core.parsers.manifest_model import ManifestProblem

_NAMES = st.sampled_from(["a", "b", "c", "d", "e"])


def _include(group: str) -> object:
    return {"include-group": group}


_ENTRY: st.SearchStrategy[object] = st.one_of(
    st.sampled_from(["x", "y", "z"]),
    st.sampled_from(["a", "b", "c", "d", "e", "zz"]).map(_include),
)


def _items(value: object) -> list[object]:
    return cast("list[object]", value) if isinstance(value, list) else []


@given(st.dictionaries(_NAMES, st.lists(_ENTRY, max_size=6), max_size=5))
def test_any_groups_table_expands_without_raising_deterministically_within_the_cap(
    table: dict[str, list[object]],
) -> None:
    first: list[ManifestProblem] = []
    second: list[ManifestProblem] = []
    expanded = expand_dependency_groups(table, first)

    assert expanded == expand_dependency_groups(table, second) and first == second
    assert [g.name for g in expanded] == list(table)
    strings = {e for entries in table.values() for e in entries if isinstance(e, str)}
    items = [i for g in expanded for i in _items(g.items)]
    assert set(items) <= strings and len(items) <= ENTRIES_CAP * len(table)


@given(st.lists(st.lists(st.one_of(st.sampled_from(["x", "y"]), st.integers(0, 9)), max_size=4),
                min_size=1, max_size=6))  # fmt: skip
def test_an_acyclic_table_expands_to_each_groups_strings_and_its_includes_in_order(
    shape: list[list[str | int]],
) -> None:
    # group i may include only groups before it (j = n % i), so the table is acyclic
    table: dict[str, list[object]] = {
        f"g{i}": [e if isinstance(e, str) or i == 0 else {"include-group": f"g{e % i}"}
                  for e in entries if isinstance(e, str) or i > 0]
        for i, entries in enumerate(shape)
    }  # fmt: skip
    reference: dict[str, list[object]] = {}
    for name, entries in table.items():
        out: list[object] = []
        for entry in entries:
            included = cast("dict[str, str]", entry)
            out.extend([entry] if isinstance(entry, str) else reference[included["include-group"]])
        reference[name] = out
    problems: list[ManifestProblem] = []

    expanded = expand_dependency_groups(table, problems)

    assert problems == []
    assert {g.name: g.items for g in expanded} == reference


_ENTRIES = st.builds(
    InventoryEntry,
    ecosystem=st.just("pypi"),
    name=st.sampled_from(["pytest", "mypy"]),
    spec=st.sampled_from(["", ">=8"]),
    effective_spec=st.none(),
    resolved=st.sampled_from([None, "8.3.4"]),
    purl=st.just("pkg:pypi/x"),
    direct=st.just(True),
    scope=st.sampled_from(["dev", "optional"]),
    manifest=st.just("pyproject.toml"),
    lockfile=st.none(),
    member=st.just("."),
    groups=st.lists(
        st.sampled_from(["group:tests", "group:typing", "extra:async"]), max_size=2
    ).map(lambda g: tuple(sorted(set(g)))),
)


@given(st.lists(_ENTRIES, max_size=12))
def test_merging_keeps_one_grouped_entry_per_identity_with_the_union_and_the_rest_as_is(
    entries: list[InventoryEntry],
) -> None:
    merged = merge_groups(entries)

    def identity(entry: InventoryEntry) -> InventoryEntry | int:
        # an entry no group declares is its own identity, whatever else equals it
        return attrs.evolve(entry, groups=()) if entry.groups else id(entry)

    assert [identity(e) for e in merged if e.groups] == list(
        dict.fromkeys(identity(e) for e in entries if e.groups)
    )
    assert [e for e in merged if not e.groups] == [e for e in entries if not e.groups]
    for entry in merged:
        union = {g for e in entries if identity(e) == identity(entry) for g in e.groups}
        assert entry.groups == tuple(sorted(union))
    assert merge_groups(merged) == merged
