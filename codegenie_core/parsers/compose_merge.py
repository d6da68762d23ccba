"""The Compose `extends` merge of a base service into the service that extends it (pure).

Rule 1: `merge_extends` follows the Compose specification's merge rules ("Merge", which `extends`
uses, and "Extend your Compose file"): a mapping merges key by key, recursively, the extending
service winning; a sequence is appended to the base's; `command`, `entrypoint` and the
healthcheck's `test` are replaced, not appended; `ports` drop a base entry the extending service
repeats, and `volumes` merge by mount target; a scalar is replaced. `depends_on` and
`volumes_from` are "never shared between services that use extends", nor are `links`: they are
dropped from the base.
Rule 2: a base from another file resolves its relative paths against its own file (`rebase`).
Rule 3: bounded: a merge visits at most the keys its `MergeBudget` allows and nests at most
`MAX_MERGE_DEPTH` mappings; past either, the extending value replaces the base's. Environment
values are carried as they are and never read (the caller records names only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

MAX_MERGE_DEPTH = 32
_REPLACED = frozenset({"command", "entrypoint", "test"})
_NOT_INHERITED = ("depends_on", "links", "volumes_from")


class MergeBudget:
    """How many keys the merges of one compose file may still visit (Rule 3)."""

    def __init__(self, keys: int) -> None:
        self.remaining = keys
        self.exhausted = False

    def spend(self, keys: int) -> bool:
        self.remaining -= keys
        if self.remaining < 0:
            self.exhausted = True
        return not self.exhausted


def _mapping(value: object) -> Mapping[object, object] | None:
    return cast("Mapping[object, object]", value) if isinstance(value, Mapping) else None


def _items(value: object) -> list[object] | None:
    return cast("list[object]", value) if isinstance(value, list) else None


def _volume_target(item: object) -> object:
    table = _mapping(item)
    if table is not None:
        return table.get("target")
    if isinstance(item, str):
        parts = item.split(":")
        return parts[1] if len(parts) > 1 else parts[0]
    return None


def merge_extends(
    base: Mapping[object, object], local: Mapping[object, object], budget: MergeBudget
) -> dict[object, object]:
    """`local` extending `base`, merged as the Compose specification says (Rule 1)."""
    inherited = {k: v for k, v in base.items() if k not in _NOT_INHERITED}
    extending = {k: v for k, v in local.items() if k != "extends"}
    if "environment" in inherited and "environment" in extending:
        # only names are recorded: both forms become lists of entries, values dropped here
        inherited["environment"] = _env_entries(inherited["environment"])
        extending["environment"] = _env_entries(extending["environment"])
    return _merge(inherited, extending, budget, 0)


def _merge(
    old: Mapping[object, object], new: Mapping[object, object], budget: MergeBudget, depth: int
) -> dict[object, object]:
    merged = dict(old)
    if not budget.spend(len(old) + len(new)):
        merged.update(new)
        return merged
    for key, value in new.items():
        previous = merged.get(key)
        old_table, new_table = _mapping(previous), _mapping(value)
        old_items, new_items = _items(previous), _items(value)
        if key in _REPLACED:
            merged[key] = value
        elif old_table is not None and new_table is not None and depth < MAX_MERGE_DEPTH:
            merged[key] = _merge(old_table, new_table, budget, depth + 1)
        elif old_items is not None and new_items is not None:
            merged[key] = _append(key, old_items, new_items, budget)
        else:
            merged[key] = value
    return merged


def _append(key: object, old: list[object], new: list[object], budget: MergeBudget) -> list[object]:
    if not budget.spend(len(old) + len(new)):
        return new
    if key == "volumes":
        targets = {_volume_target(item) for item in new}
        return [*(item for item in old if _volume_target(item) not in targets), *new]
    if key in ("ports", "secrets", "configs"):
        repeated = {item for item in new if isinstance(item, str | int)}
        return [
            *(item for item in old if not (isinstance(item, str | int) and item in repeated)),
            *new,
        ]
    return [*old, *new]


def _env_entries(value: object) -> object:
    table = _mapping(value)
    if table is not None:
        return [str(key) for key in table]
    return value  # a list is appended as it is; any other shape is left for the reader to report


def rebase(data: Mapping[object, object], offset: str) -> dict[object, object]:
    """A base service from another file with its relative `build` and bind paths made relative to
    the extending file's directory (`offset` is the base file's directory seen from there), as
    the specification resolves a base's relative paths against the base's own file."""
    out = dict(data)
    if not offset or offset == ".":
        return out

    def moved(path: str) -> str:
        return path if path.startswith(("/", "~", "$")) or "://" in path else f"{offset}/{path}"

    build = data.get("build")
    build_table = _mapping(build)
    if isinstance(build, str):
        out["build"] = moved(build)
    elif build_table is not None:
        context = build_table.get("context", ".")
        if isinstance(context, str):
            out["build"] = {**build_table, "context": moved(context)}
    volumes = _items(data.get("volumes"))
    if volumes is not None:
        out["volumes"] = [
            moved(item) if isinstance(item, str) and item.startswith(".") else item
            for item in volumes
        ]
    return out


__all__ = ["MergeBudget", "merge_extends", "rebase"]
