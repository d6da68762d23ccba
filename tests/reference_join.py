"""The inventory join as it was before ADR-0086 made it faster: the oracle a Hypothesis property
(`tests/property/test_inventory_join_properties.py`) holds `codegenie_core.parsers.inventory.join`
equal to, on arbitrary locks and declarations.

Scope propagation here walks every (package, scope) pair breadth-first and keeps each package's
whole set of scopes; purls and children are looked up per edge through the index's methods.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence

import attrs

from codegenie_core.parsers.inventory import (
    SCOPE_ORDER,
    Declared,
    DependencyEdge,
    InventoryEntry,
    JoinResult,
    Reason,
    merge_groups,
    scope_of,
)
from codegenie_core.parsers.lock_model import Lock, LockedPackage, LockedRef, Scope
from codegenie_core.parsers.purl import purl

__all__ = ["reference_join"]


def _widest(scopes: Iterable[Scope]) -> Scope:
    chosen = set(scopes)
    for scope in SCOPE_ORDER:
        if scope in chosen:
            return scope
    return "runtime"


@attrs.define
class _Index:
    """One lock, indexed once: packages by id and by name (for refs without a recorded target),
    each importer's refs by name, and each package's purl (built once: purls are not free)."""

    lock: Lock
    by_id: dict[str, LockedPackage]
    by_name: dict[str, list[LockedPackage]]
    importers: dict[str, dict[str, LockedRef]]
    by_descriptor: dict[str, LockedPackage] = attrs.field(factory=dict[str, LockedPackage])
    purls: dict[str, str] = attrs.field(factory=dict[str, str])
    _children: dict[str, tuple[LockedPackage, ...]] = attrs.field(
        factory=dict[str, tuple[LockedPackage, ...]]
    )

    @classmethod
    def of(cls, lock: Lock) -> _Index:
        by_name: dict[str, list[LockedPackage]] = {}
        by_descriptor: dict[str, LockedPackage] = {}
        for package in lock.packages:
            by_name.setdefault(package.name, []).append(package)
            for descriptor in package.descriptors:
                by_descriptor.setdefault(descriptor, package)
        importers = {
            importer.path: {ref.name: ref for ref in reversed(importer.dependencies)}
            for importer in lock.importers
        }
        return cls(
            lock=lock,
            by_id={p.id: p for p in lock.packages},
            by_name=by_name,
            importers=importers,
            by_descriptor=by_descriptor,
        )

    def resolve(self, ref: LockedRef) -> LockedPackage | None:
        if ref.target is not None:
            return self.by_id.get(ref.target)
        # A lock that records `name@spec` requests (yarn) answers the request itself.
        described = self.by_descriptor.get(f"{ref.name}@{ref.spec}") if ref.spec else None
        if described is not None:
            return described
        candidates = self.by_name.get(ref.name, [])
        if len(candidates) == 1:
            return candidates[0]
        exact = [p for p in candidates if p.version == ref.spec]
        return exact[0] if len(exact) == 1 else None

    def children(self, package: LockedPackage) -> tuple[LockedPackage, ...]:
        """The packages `package`'s requirements resolve to, resolved once per package."""
        found = self._children.get(package.id)
        if found is None:
            resolved = (self.resolve(ref) for ref in package.dependencies)
            found = self._children[package.id] = tuple(p for p in resolved if p is not None)
        return found

    def package_for(self, item: Declared) -> LockedPackage | None:
        """The locked package a declared dependency resolved to: through the importer of the
        manifest's directory when the lock records importers, else by name."""
        name = item.dependency.name
        if self.importers:
            ref = self.importers.get(item.member, {}).get(name)
            return self.resolve(ref) if ref is not None else None
        return self.resolve(LockedRef(name=name, spec=item.dependency.spec))

    def purl_of(self, package: LockedPackage) -> str:
        found = self.purls.get(package.id)
        if found is None:
            found = self.purls[package.id] = purl(
                self.lock.ecosystem, package.name, package.version
            )
        return found


def reference_join(
    declared: Sequence[Declared],
    locks: Mapping[str, Lock],
    lock_of: Mapping[str, str],
) -> JoinResult:
    """Rule 1-3: inventory entries and edges from the declared dependencies and the locks
    (`locks` by repository path; `lock_of` maps a manifest path to the lockfile governing it)."""
    entries: list[InventoryEntry] = []
    reasons: list[Reason] = []
    indexes = {path: _Index.of(lock) for path, lock in locks.items()}
    reached: dict[str, dict[str, set[Scope]]] = {path: {} for path in locks}
    for item in declared:
        lock_path = lock_of.get(item.manifest)
        index = indexes.get(lock_path) if lock_path is not None else None
        if index is not None and index.importers and item.member not in index.importers:
            # Rule 5: a lock that records its members governs only them (a template or fixture
            # package.json below a workspace root is installed by nothing)
            entries.append(
                _direct(item, None, None, absent=f"not a member of the workspace {lock_path} locks")
            )
            continue
        package = index.package_for(item) if index is not None else None
        peer = scope_of(item.dependency.scope) == "peer"
        if package is None and peer and index is not None:
            # a peer is the installer's to provide: a lock that leaves it out is not stale
            entries.append(
                _direct(item, None, None, absent=f"a peer dependency {lock_path} does not install")
            )
            continue
        entries.append(_direct(item, lock_path if index is not None else None, package))
        if lock_path is None or index is None:
            continue
        if package is None:
            reasons.append(
                Reason(
                    subject=f"{item.manifest}: {item.dependency.name}",
                    reason=f"declared but {lock_path} does not pin it (the lockfile is stale)",
                )
            )
        else:
            reached[lock_path].setdefault(package.id, set()).add(scope_of(item.dependency.scope))
    edges: set[tuple[str, str]] = set()
    for lock_path, lock in locks.items():
        index = indexes[lock_path]
        scopes = _propagate(reached[lock_path], index)
        direct_ids = set(reached[lock_path])
        for package in lock.packages:
            if package.source is not None and package.source.startswith("workspace:"):
                continue  # a member of the workspace, not a dependency of it
            source = index.purl_of(package)
            edges.update((source, index.purl_of(target)) for target in index.children(package))
            if package.id in direct_ids:
                continue
            found = scopes.get(package.id)
            entries.append(
                InventoryEntry(
                    ecosystem=lock.ecosystem,
                    name=package.name,
                    spec=None,
                    effective_spec=None,
                    resolved=package.version,
                    purl=source,
                    direct=False,
                    scope=package.scope or (_widest(found) if found else "runtime"),
                    manifest=None,
                    lockfile=lock_path,
                    member=None,
                    source=package.source,
                    reasons=()
                    if found or package.scope
                    else ("no declared dependency reaches it; scope unknown, runtime assumed",),
                )
            )
    # ADR-0084's groups are not the join's walk: they are merged, and reasons made unique, as
    # the join does it (`merge_groups`), after the walk this reference keeps as it was
    return JoinResult(
        entries=tuple(sorted(merge_groups(entries), key=_entry_order)),
        edges=tuple(DependencyEdge(source=a, target=b) for a, b in sorted(edges)),
        reasons=tuple(dict.fromkeys(reasons)),
    )


def _direct(
    item: Declared,
    lock_path: str | None,
    package: LockedPackage | None,
    *,
    absent: str = "no lockfile pins it",
) -> InventoryEntry:
    """The entry of one declared dependency: its version from the lock (`package`, when the
    governing lock at `lock_path` pins it), else the manifest's own pin, else absent (Rule 2)."""
    dependency = item.dependency
    why: list[str] = []
    identity = dependency.name  # the purl names the package installed, an npm alias its target
    if package is not None and (package.version or item.pinned is not None):
        # A workspace link (pnpm `link:`) has no version in the lock: the member's manifest has
        # it, and a workspace reader passed it on as `pinned`.
        resolved: str | None = package.version or item.pinned
        source = item.source or package.source
        identity = package.name
    elif package is not None:
        resolved, source = None, item.source or package.source
        why.append(f"{lock_path} links it to {package.source or package.id} with no version")
    else:
        resolved, source = item.pinned, item.source
        if resolved is None:
            why.append(f"{lock_path} does not pin it" if lock_path else absent)
    return InventoryEntry(
        ecosystem=item.ecosystem,
        name=dependency.name,
        spec=dependency.spec,
        effective_spec=item.effective_spec,
        resolved=resolved,
        purl=purl(item.ecosystem, identity, resolved),
        direct=item.direct,
        scope=scope_of(dependency.scope),
        manifest=item.manifest,
        lockfile=lock_path if package is not None and resolved is not None else None,
        member=item.member,
        source=source,
        reasons=(*item.notes, *why),
        groups=tuple(sorted(set(dependency.groups))),
    )


def _propagate(direct: Mapping[str, set[Scope]], index: _Index) -> dict[str, set[Scope]]:
    """Rule 3: the scopes each package is reached with, walking the lock's edges breadth-first
    from the direct dependencies (each package visited once per scope: linear in the lock)."""
    scopes: dict[str, set[Scope]] = {}
    queue: deque[tuple[str, Scope]] = deque(
        (package_id, scope) for package_id, found in direct.items() for scope in found
    )
    while queue:
        package_id, scope = queue.popleft()
        seen = scopes.setdefault(package_id, set())
        if scope in seen:
            continue
        seen.add(scope)
        package = index.by_id.get(package_id)
        if package is None:
            continue
        for target in index.children(package):
            if scope not in scopes.get(target.id, ()):
                queue.append((target.id, scope))
    return scopes


def _entry_order(entry: InventoryEntry) -> tuple[str, ...]:
    return (
        entry.ecosystem,
        entry.name,
        entry.resolved or "",
        entry.member or "",
        entry.manifest or "",
        entry.lockfile or "",
        entry.scope,
    )
