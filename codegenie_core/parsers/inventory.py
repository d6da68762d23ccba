"""The dependency inventory: one flat list of what a repository depends on, declared and resolved.

Rule 1: an entry is one package as one manifest declares it (direct) or as one lockfile pins it
(transitive): ecosystem (the purl type), name, the spec as written, the resolved version, its
purl, scope, the manifest that declares it, the lockfile that pins it and the workspace member
(the declaring manifest's directory) it belongs to. A transitive entry has no manifest and no
member; the edges say which packages pull it in.
Rule 2: the resolved version comes from the lockfile that governs the manifest (`join`); when no
lockfile pins it, from a version the manifest itself fixes (`Declared.pinned`: a Go `require`, an
`==` requirement, a Maven `<version>`), else it is absent and the entry says why.
Rule 3: a transitive package's scope is the widest of the direct dependencies it is reached from
(runtime over build over optional over peer over dev), unless the lockfile marks one; a package
no declared dependency reaches keeps the lockfile's scope, or "runtime", with a reason saying so.
Rule 4: entries are sorted by (ecosystem, name, resolved, member, manifest, lockfile, scope) and
edges by (source, target), so equal inputs give byte-identical documents.
Rule 5: a lockfile that records its members (importers: pnpm, npm v2+, uv, Cargo, bun, yarn
Berry) governs only those directories; a manifest below its root that is no member (a template,
a test fixture, an excluded crate) is pinned by nothing, and its entries say so, without calling
the lockfile stale.
Rule 6: a direct entry carries the dependency groups and extras that declare it (`groups`: sorted,
unique `group:<g>` / `extra:<x>`, see ADR-0084). Entries with groups that are equal but for their
groups are one entry with the union of the groups (pytest in PEP 735 groups `tests` and `typing`
is one entry); entries that differ in anything else, or that no group declares, stay apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from codegenie_core.parsers.lock_model import Lock, LockedPackage, LockedRef, Scope
from codegenie_core.parsers.manifest_model import Dependency
from codegenie_core.parsers.purl import purl
from codegenie_core.probe_types import Confidence

__all__ = [
    "SCOPE_ORDER",
    "Declared",
    "DependencyEdge",
    "InventoryEntry",
    "JoinResult",
    "Reason",
    "Workspace",
    "join",
    "merge_groups",
    "scope_of",
]

# Rule 3: the widest scope first.
SCOPE_ORDER: tuple[Scope, ...] = ("runtime", "build", "optional", "peer", "dev")


@attrs.frozen(kw_only=True)
class Reason:
    """Why a fact is less than certain: the input (and fact) it concerns, the grade it costs."""

    subject: str  # a repository path, optionally with the fact: "pnpm-lock.yaml", "pom.xml: junit"
    reason: str
    confidence: Confidence = "medium"  # never "high": a reason is why a fact is less


@attrs.frozen(kw_only=True)
class Declared:
    """One dependency one manifest declares, ready to be joined with the lockfiles."""

    ecosystem: str  # purl type
    manifest: str  # repository-relative path of the manifest
    member: str  # the manifest's directory ("." for the root): the workspace member
    dependency: Dependency
    effective_spec: str | None = None  # what `catalog:`, `workspace:` or a BOM turned the spec into
    pinned: str | None = None  # Rule 2: a version the manifest itself fixes
    source: str | None = None  # "workspace:<dir>", "path:<dir>", "git+<url>": not the registry
    direct: bool = (
        True  # False for what a manifest lists but only needs indirectly (Go `// indirect`)
    )
    notes: tuple[str, ...] = ()  # kept on the entry: "managed by G:A:V", "version from a property"


@attrs.frozen(kw_only=True)
class InventoryEntry:
    ecosystem: str
    name: str
    spec: str | None  # as written in the manifest; None for a transitive entry
    effective_spec: str | None  # the spec after catalog/workspace/BOM resolution, when it differs
    resolved: str | None
    purl: str
    direct: bool
    scope: Scope
    manifest: str | None
    lockfile: str | None
    member: str | None
    source: str | None = None
    reasons: tuple[str, ...] = ()  # why `resolved` is absent or less than certain
    groups: tuple[str, ...] = ()  # Rule 6: "group:<g>" / "extra:<x>", sorted and unique


@attrs.frozen(kw_only=True)
class DependencyEdge:
    source: str  # purl of the package that requires
    target: str  # purl of the package required


@attrs.frozen(kw_only=True)
class Workspace:
    """One workspace or multi-module build: its root manifest, member patterns as written, the
    member directories they expand to, and which members depend on which."""

    tool: str  # npm, yarn, pnpm, bun, cargo, uv, maven, gradle, go
    root: str  # repository-relative path of the root manifest (or pnpm-workspace.yaml, go.work)
    patterns: tuple[str, ...]
    members: tuple[str, ...]  # repository-relative directories, sorted
    unmatched: tuple[str, ...] = ()  # patterns that matched no member
    depends: dict[str, tuple[str, ...]] = attrs.field(factory=dict[str, tuple[str, ...]])


@attrs.frozen(kw_only=True)
class JoinResult:
    entries: tuple[InventoryEntry, ...]
    edges: tuple[DependencyEdge, ...]
    reasons: tuple[Reason, ...]


_OTHER_SCOPES: dict[str, Scope] = {
    "test": "dev",
    "provided": "build",
    "system": "build",
    "import": "build",
    "compile": "runtime",
    "indirect": "runtime",
}


def scope_of(written: str) -> Scope:
    """The inventory scope of a manifest parser's scope (`Dependency.scope`): its own words
    (`runtime`, `dev`, `peer`, `optional`, `build`), or `extra:<x>` (optional), `group:<g>`
    (dev, except poetry's `main`), `<scope>:<cfg>` (Cargo's target tables), Maven's
    `test`/`provided`/`system`/`import`."""
    for scope in SCOPE_ORDER:
        if written == scope:
            return scope
    if written.startswith("extra:"):
        return "optional"
    if written.startswith("group:"):
        return "runtime" if written == "group:main" else "dev"
    head = written.partition(":")[0]  # Cargo's target tables: "dev:cfg(unix)"
    for scope in SCOPE_ORDER:
        if head == scope:
            return scope
    return _OTHER_SCOPES.get(written, "runtime")


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


def join(
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
    add_edge = edges.add
    for lock_path, lock in locks.items():
        index = indexes[lock_path]
        direct_ids = reached[lock_path]
        widest = _widest_reached(direct_ids, index)
        purls, purl_of, children = index.purls, index.purl_of, index.children
        for package in lock.packages:
            if package.source is not None and package.source.startswith("workspace:"):
                continue  # a member of the workspace, not a dependency of it
            # a purl is never "": `or` only builds (and caches) the ones not yet built
            source = purls.get(package.id) or purl_of(package)
            for target in children(package):
                add_edge((source, purls.get(target.id) or purl_of(target)))
            if package.id in direct_ids:
                continue
            found = widest.get(package.id)
            entries.append(
                InventoryEntry(
                    ecosystem=lock.ecosystem,
                    name=package.name,
                    spec=None,
                    effective_spec=None,
                    resolved=package.version,
                    purl=source,
                    direct=False,
                    scope=package.scope or found or "runtime",
                    manifest=None,
                    lockfile=lock_path,
                    member=None,
                    source=package.source,
                    reasons=()
                    if found or package.scope
                    else ("no declared dependency reaches it; scope unknown, runtime assumed",),
                )
            )
    return JoinResult(
        entries=tuple(sorted(merge_groups(entries), key=_entry_order)),
        edges=tuple(DependencyEdge(source=a, target=b) for a, b in sorted(edges)),
        reasons=tuple(dict.fromkeys(reasons)),  # one stale pytest in two groups: one reason
    )


def merge_groups(entries: Iterable[InventoryEntry]) -> list[InventoryEntry]:
    """Rule 6: entries with groups that are equal but for their groups as one, with the union of
    the groups, at the place of the first. An entry no group declares (a runtime dependency, a
    transitive one) is kept as it is: merged into a grouped one it would read as declared in a
    group only. Only grouped entries are keyed, so a lock's transitive thousands cost nothing."""
    out: list[InventoryEntry] = []
    grouped: dict[InventoryEntry, tuple[int, set[str]]] = {}
    for entry in entries:
        if not entry.groups:
            out.append(entry)
            continue
        key = attrs.evolve(entry, groups=())
        found = grouped.get(key)
        if found is None:
            grouped[key] = (len(out), set(entry.groups))
            out.append(entry)
        else:
            found[1].update(entry.groups)
    for key, (place, union) in grouped.items():
        if len(union) > len(out[place].groups):
            out[place] = attrs.evolve(key, groups=tuple(sorted(union)))
    return out


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


def _widest_reached(direct: Mapping[str, set[Scope]], index: _Index) -> dict[str, Scope]:
    """Rule 3: the widest scope each package is reached with from the direct dependencies. One
    walk per scope, widest first, each stopping at a package an earlier walk reached: whatever
    lies below it was reached then too, with a wider scope (so each package is visited once)."""
    widest: dict[str, Scope] = {}
    by_id, children = index.by_id, index.children
    for scope in SCOPE_ORDER:
        stack = [i for i, found in direct.items() if scope in found and i not in widest]
        while stack:
            package_id = stack.pop()
            if package_id in widest:
                continue
            widest[package_id] = scope
            package = by_id.get(package_id)
            if package is not None:
                stack.extend(t.id for t in children(package) if t.id not in widest)
    return widest


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
