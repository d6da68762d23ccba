"""PEP 735 `[dependency-groups]`: each group's requirements, its `{include-group}` tables expanded.

Rule 1: group names are compared normalised (PEP 503: lower case, runs of `-_.` as one `-`); two
names that normalise alike are an error of the second, which is left out.
Rule 2: an entry is a requirement string, or a table `{include-group = "<name>"}` standing for
that group's requirements, includes of includes too (PEP 735's "Dependency Group Include").
Rule 3: an include naming no group, or one that closes a cycle, is a problem naming the group it
is in (so the manifest's facts are graded down, see the manifests probe's Rule 4); the rest of the
group is kept. Nothing raises, nothing loops: each group is expanded once (memoised), the include
chain is at most `DEPTH_CAP` deep, and at most `ENTRIES_CAP` entries are expanded in all, with a
problem saying so when a cap is hit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import attrs

from codegenie_core.parsers.manifest_model import ManifestProblem, pep503

__all__ = ["DEPTH_CAP", "ENTRIES_CAP", "ExpandedGroup", "expand_dependency_groups"]

ENTRIES_CAP = 10_000
DEPTH_CAP = 64


@attrs.frozen(kw_only=True)
class ExpandedGroup:
    name: str  # as written
    normalised: str  # Rule 1
    items: object  # the group's entries, includes replaced by what they include (a list), or
    # the value as written when it is not a list (the requirement reader reports it)


@attrs.define
class _Expander:
    written: dict[str, tuple[str, object]]  # normalised name -> (name as written, entries)
    problems: list[ManifestProblem]
    done: dict[str, list[object]] = attrs.field(factory=dict[str, list[object]])
    budget: int = ENTRIES_CAP
    capped: bool = False

    def expand(self, key: str, chain: tuple[str, ...]) -> list[object]:
        found = self.done.get(key)
        if found is not None:
            return found
        name, entries = self.written[key]
        out: list[object] = []
        if not isinstance(entries, list):
            self.done[key] = out  # the group itself reports it (`ExpandedGroup.items`)
            return out
        for entry in cast("list[object]", entries):
            if self.budget <= 0:
                if not self.capped:
                    self.capped = True
                    self.problems.append(
                        ManifestProblem(
                            message=f"dependency group {name!r}: more than {ENTRIES_CAP} "
                            "entries after expanding include-group; the rest is not read"
                        )
                    )
                break
            if not isinstance(entry, Mapping):
                self.budget -= 1
                out.append(entry)
                continue
            out.extend(self._include(name, cast("Mapping[str, object]", entry), (*chain, key)))
        self.done[key] = out
        return out

    def _include(
        self, name: str, entry: Mapping[str, object], chain: tuple[str, ...]
    ) -> list[object]:
        target = entry.get("include-group")
        if not isinstance(target, str) or len(entry) != 1:
            return self._problem(name, f"{dict(entry)!r} is not an {{include-group}} table")
        key = pep503(target)
        if key not in self.written:
            return self._problem(name, f"include-group {target!r} names no dependency group")
        if key in chain:
            cycle = " -> ".join(self.written[k][0] for k in (*chain[chain.index(key) :], key))
            return self._problem(name, f"include-group {target!r} closes a cycle ({cycle})")
        if len(chain) >= DEPTH_CAP:
            return self._problem(name, f"include-group nested more than {DEPTH_CAP} deep")
        included = self.expand(key, chain)
        taken = included[: max(self.budget, 0)]
        self.budget -= len(taken)
        if len(taken) < len(included) and not self.capped:
            self.capped = True
            self._problem(
                name,
                f"more than {ENTRIES_CAP} entries after expanding include-group; "
                "the rest is not read",
            )
        return taken

    def _problem(self, name: str, message: str) -> list[object]:
        self.problems.append(ManifestProblem(message=f"dependency group {name!r}: {message}"))
        return []


def expand_dependency_groups(
    table: Mapping[str, object], problems: list[ManifestProblem]
) -> tuple[ExpandedGroup, ...]:
    """Rules 1-3: the groups of a `[dependency-groups]` table in the order written."""
    written: dict[str, tuple[str, object]] = {}
    for name, entries in table.items():
        key = pep503(name)
        if key in written:
            problems.append(
                ManifestProblem(
                    message=f"dependency group {name!r}: its normalised name {key!r} is "
                    f"also {written[key][0]!r}'s; it is left out"
                )
            )
            continue
        written[key] = (name, entries)
    expander = _Expander(written=written, problems=problems)
    return tuple(
        ExpandedGroup(
            name=name,
            normalised=key,
            items=expander.expand(key, ()) if isinstance(entries, list) else entries,
        )
        for key, (name, entries) in written.items()
    )
