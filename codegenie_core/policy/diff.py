"""What changed between two context documents: a value, rendered by `policy.render` (ADR-0060).

Rule 1: dependencies are compared by (ecosystem, name) over their sets of resolved versions
(`(unresolved)` standing for a dependency no lockfile pins), so a package pinned in two manifests
is one row; base images by where they are named; indexes by path; probes by name.
Rule 2: every tuple is sorted, so the same two documents always give the same diff.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from codegenie_core.policy import facts
from codegenie_core.policy.facts import Plain

UNRESOLVED = "(unresolved)"


@attrs.frozen(kw_only=True)
class Change:
    """One subject whose value changed; `old` None: added, `new` None: removed."""

    subject: str
    old: str | None
    new: str | None


@attrs.frozen(kw_only=True)
class SetChange:
    """What a runtime trace list gained and lost."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class DocumentDiff:
    old: str  # how each side is named: a file, or a revision
    new: str
    dependencies_added: tuple[Change, ...] = ()
    dependencies_removed: tuple[Change, ...] = ()
    dependencies_bumped: tuple[Change, ...] = ()
    base_images: tuple[Change, ...] = ()
    indexes: tuple[Change, ...] = ()
    confidence: tuple[Change, ...] = ()
    binaries: SetChange = SetChange()
    files: SetChange = SetChange()
    connects: SetChange = SetChange()

    @property
    def empty(self) -> bool:
        changes = (
            self.dependencies_added,
            self.dependencies_removed,
            self.dependencies_bumped,
            self.base_images,
            self.indexes,
            self.confidence,
        )
        traced = (self.binaries, self.files, self.connects)
        return not any(changes) and not any(s.added or s.removed for s in traced)


def _versions(document: Plain) -> dict[str, str]:
    found: dict[str, set[str]] = {}
    for dep in facts.dependencies(document):
        found.setdefault(f"{dep.ecosystem}:{dep.name}", set()).add(dep.resolved or UNRESOLVED)
    return {name: ", ".join(sorted(versions)) for name, versions in found.items()}


def _changes(old: dict[str, str], new: dict[str, str]) -> tuple[Change, ...]:
    return tuple(
        Change(subject=subject, old=old.get(subject), new=new.get(subject))
        for subject in sorted(old.keys() | new.keys())
        if old.get(subject) != new.get(subject)
    )


def _set_change(old: Iterable[str], new: Iterable[str]) -> SetChange:
    before, after = set(old), set(new)
    return SetChange(added=tuple(sorted(after - before)), removed=tuple(sorted(before - after)))


def _trace_list(document: Plain, field: str) -> list[str]:
    values = facts.as_list(facts.probe_slice(document, facts.TRACE_PROBE).get(field))
    if field == "network_connects":
        return [facts.connect_text(value) for value in values]
    return [value for value in values if isinstance(value, str)]


def diff_documents(old: Plain, new: Plain, *, old_name: str, new_name: str) -> DocumentDiff:
    """The difference from `old` to `new`, both checked by `facts.check_document`."""
    dependencies = _changes(_versions(old), _versions(new))

    def images(document: Plain) -> dict[str, str]:
        return {image.where: image.ref for image in facts.base_images(document)}

    def indexes(document: Plain) -> dict[str, str]:
        return {index.path: index.kind for index in facts.index_states(document)}

    def standing(document: Plain) -> dict[str, str]:
        return {name: facts.confidence(entry) for name, entry in facts.probes(document)}

    def files(document: Plain) -> list[str]:
        return [
            *(f"read {path}" for path in _trace_list(document, "files_read")),
            *(f"wrote {path}" for path in _trace_list(document, "files_written")),
        ]

    return DocumentDiff(
        old=old_name,
        new=new_name,
        dependencies_added=tuple(c for c in dependencies if c.old is None),
        dependencies_removed=tuple(c for c in dependencies if c.new is None),
        dependencies_bumped=tuple(c for c in dependencies if c.old and c.new),
        base_images=_changes(images(old), images(new)),
        indexes=_changes(indexes(old), indexes(new)),
        confidence=_changes(standing(old), standing(new)),
        binaries=_set_change(
            _trace_list(old, "binaries_executed"), _trace_list(new, "binaries_executed")
        ),
        files=_set_change(files(old), files(new)),
        connects=_set_change(
            _trace_list(old, "network_connects"), _trace_list(new, "network_connects")
        ),
    )
