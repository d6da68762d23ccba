"""The Maven workspace reader: `<modules>` recursively, and each POM's effective versions.

Rule 1: a POM's `<module>` names a directory holding a `pom.xml` (or a POM file itself) relative
to the POM's directory; each module found in the repository is a member and is read for its own
modules in turn (each POM once, so a cycle ends). A module whose POM is not in the repository is
`unmatched`, with a reason. Only a POM that is no other POM's module is a workspace root. Members
depend on the members whose `groupId:artifactId` their dependencies name.
Rule 2: the parent chain. Maven's POM reference for `<parent>`: "relativePath: the relative path
of the parent pom.xml file within the check out. If not specified, it defaults to ../pom.xml.
Maven looks for the parent POM first in this location on the filesystem", a directory meaning its
`pom.xml`, and the POM found there is used only when its groupId:artifactId:version matches the
reference ("then the local repository, and lastly in the remote repo"). An empty `<relativePath/>`
skips the filesystem lookup. A parent not found in the repository ends the chain: it is outside.
Rule 3: properties. Maven interpolates the *effective* model, after inheritance: the chain's
`<properties>` are merged with the child winning, and `${project.version}`, `${project.groupId}`,
`${project.artifactId}`, `${project.parent.version}`, `${project.parent.groupId}` are the child's.
A reference still unresolved (a property defined nowhere in the repository, or a cycle) is kept
as written with a reason.
Rule 4: dependency management. Maven's "Introduction to the Dependency Mechanism": a dependency
without `<version>` takes the version `<dependencyManagement>` gives it; entries declared in the
chain's `<dependencyManagement>` (the nearest POM's declaration winning) come before imported
ones, and for `<scope>import</scope><type>pom</type>` BOMs "the first declaration wins" (the
child's imports before the parent's). A BOM in the repository contributes its own effective
management (interpolated in its own context); one outside, or a parent outside, is named: a
version that nothing in the repository manages is reported as `managed by G:A:V` (never "").
Rule 5: every dependency of a POM is rewritten with the version so found as `effective_spec`,
`pinned` when it is a literal version (not a `[1,2)` range, not a `${...}`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

import attrs

from codegenie_core.parsers.inventory import Declared, Reason, Workspace
from codegenie_core.parsers.maven_pom import PomDependency, PomModel, parse_pom_model
from codegenie_core.probes.layer_a.inputs import InputProblem
from codegenie_core.probes.layer_a.workspace_model import WorkspaceFacts, WorkspaceInput

__all__ = ["maven_workspaces"]

_PROPERTY = re.compile(r"\$\{([^}]+)\}")
_MAX_ROUNDS = 16  # nested property references followed at most this deep (a cycle stops here)
_MAX_CHAIN = 64  # parents and BOM imports followed at most this deep


@attrs.frozen
class _Managed:
    version: str | None
    scope: str | None


@attrs.frozen
class _Management:
    entries: dict[str, _Managed] = attrs.field(factory=dict[str, _Managed])
    # "G:A:V" of the parent, then the BOMs, outside the repository, in Maven's order (Rule 4)
    outside: tuple[str, ...] = ()


def maven_workspaces(view: WorkspaceInput) -> WorkspaceFacts:
    paths = sorted(p for p in view.manifests.get("maven", {}) if posixpath.basename(p) == "pom.xml")
    if not paths:
        return WorkspaceFacts()
    problems: list[InputProblem] = []
    models: dict[str, PomModel] = {}
    for path in paths:
        text = view.read_text(path)
        if isinstance(text, InputProblem):
            problems.append(text)
            continue
        parsed = parse_pom_model(text)
        if parsed.value is not None:  # its problems were reported when the view was parsed
            models[path] = parsed.value
    reader = _Reader(models)
    workspaces = reader.workspaces()
    rewrites: dict[tuple[str, str, str], Declared] = {}
    for path in sorted(models):
        reader.rewrite(path, rewrites)
    return WorkspaceFacts(
        workspaces=tuple(workspaces),
        rewrites=rewrites,
        reasons=tuple(reader.reasons),
        problems=tuple(problems),
    )


def _coordinates(group: str | None, artifact: str | None, version: str | None) -> str:
    return f"{group or '?'}:{artifact or '?'}:{version or '?'}"


def _literal(version: str) -> bool:
    return bool(version) and "${" not in version and not any(c in version for c in "[](),")


class _Reader:
    def __init__(self, models: Mapping[str, PomModel]) -> None:
        self.models = models
        self.reasons: list[Reason] = []
        self._contexts: dict[str, dict[str, str]] = {}
        self._chains: dict[str, tuple[list[str], str | None]] = {}
        self._management: dict[str, _Management] = {}

    # ---- Rule 1 -------------------------------------------------------------------------------
    def workspaces(self) -> list[Workspace]:
        children: dict[str, list[str]] = {}
        unmatched: dict[str, list[str]] = {}
        for path, model in self.models.items():
            for module in model.modules:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(path), module))
                if not target.endswith(".xml"):
                    target = posixpath.normpath(posixpath.join(target, "pom.xml"))
                if target.startswith("../") or target not in self.models:
                    unmatched.setdefault(path, []).append(module)
                    self.reasons.append(
                        Reason(
                            subject=path,
                            reason=f"module {module!r} has no POM in the repository",
                        )
                    )
                    continue
                children.setdefault(path, []).append(target)
        nested = {c for found in children.values() for c in found}
        coordinates = {
            f"{self._context(p).get('project.groupId')}:{m.artifact_id}": p
            for p, m in self.models.items()
        }
        found: list[Workspace] = []
        for root in sorted(children.keys() | unmatched.keys()):
            if root in nested:
                continue
            members: set[str] = set()
            missing: list[str] = list(unmatched.get(root, []))
            patterns = list(self.models[root].modules)
            stack = list(children.get(root, []))
            while stack:
                pom = stack.pop()
                if pom in members or pom == root:
                    continue
                members.add(pom)
                stack.extend(children.get(pom, []))
                missing.extend(unmatched.get(pom, []))
            member_dirs = {posixpath.dirname(p) or "." for p in members}
            depends: dict[str, tuple[str, ...]] = {}
            for pom in sorted(members):
                targets = {
                    posixpath.dirname(coordinates[d.declared.name]) or "."
                    for d in self.models[pom].dependencies
                    if d.declared.name in coordinates
                }
                wanted = tuple(sorted((targets & member_dirs) - {posixpath.dirname(pom) or "."}))
                if wanted:
                    depends[posixpath.dirname(pom) or "."] = wanted
            found.append(
                Workspace(
                    tool="maven",
                    root=root,
                    patterns=tuple(patterns),
                    members=tuple(sorted(member_dirs)),
                    unmatched=tuple(missing),
                    depends=depends,
                )
            )
        return found

    # ---- Rule 2 -------------------------------------------------------------------------------
    def _chain(self, path: str) -> tuple[list[str], str | None]:
        """The POMs from `path` up its parents inside the repository, and the coordinates of the
        first parent outside it (None when the chain ends at a POM without a parent)."""
        cached = self._chains.get(path)
        if cached is not None:
            return cached
        chain = [path]
        outside: str | None = None
        current = self.models[path]
        while current.parent is not None and len(chain) < _MAX_CHAIN:
            parent = current.parent
            wanted = _coordinates(parent.group_id, parent.artifact_id, parent.version)
            located = self._locate(chain[-1], parent.relative_path)
            if located is None or located in chain:
                outside = wanted
                break
            candidate = self.models[located]
            if _coordinates(candidate.group_id, candidate.artifact_id, candidate.version) != wanted:
                outside = wanted
                break
            chain.append(located)
            current = candidate
        self._chains[path] = (chain, outside)
        return chain, outside

    def _locate(self, child: str, relative: str | None) -> str | None:
        if relative == "":
            return None  # <relativePath/>: Maven skips the filesystem lookup
        written = "../pom.xml" if relative is None else relative
        target = posixpath.normpath(posixpath.join(posixpath.dirname(child), written))
        if not target.endswith(".xml"):
            target = posixpath.normpath(posixpath.join(target, "pom.xml"))
        if target.startswith("../") or target not in self.models:
            return None
        return target

    # ---- Rule 3 -------------------------------------------------------------------------------
    def _context(self, path: str) -> dict[str, str]:
        cached = self._contexts.get(path)
        if cached is not None:
            return cached
        chain, _ = self._chain(path)
        properties: dict[str, str] = {}
        for pom in reversed(chain):  # the farthest ancestor first: the child wins
            properties.update(self.models[pom].properties)
        model = self.models[path]
        parent = model.parent
        for key, value in (
            ("project.version", model.version),
            ("project.groupId", model.group_id),
            ("project.artifactId", model.artifact_id),
            ("project.parent.version", parent.version if parent else None),
            ("project.parent.groupId", parent.group_id if parent else None),
        ):
            if value is not None:
                properties[key] = value
        self._contexts[path] = properties
        return properties

    def _interpolate(self, path: str, value: str) -> tuple[str, list[str]]:
        properties = self._context(path)
        current = value
        for _ in range(_MAX_ROUNDS):
            following = _PROPERTY.sub(lambda m: properties.get(m.group(1), m.group(0)), current)
            if following == current:
                break
            current = following
        return current, [m.group(1) for m in _PROPERTY.finditer(current)]

    # ---- Rule 4 -------------------------------------------------------------------------------
    def _managed(self, path: str, depth: int = 0) -> _Management:
        cached = self._management.get(path)
        if cached is not None:
            return cached
        self._management[path] = _Management()  # a BOM importing itself (a cycle) sees nothing
        chain, outside_parent = self._chain(path)
        entries: dict[str, _Managed] = {}
        outside: list[str] = [outside_parent] if outside_parent is not None else []
        imports: list[PomDependency] = []
        for pom in chain:  # the nearest POM's declaration wins
            for entry in self.models[pom].managed:
                if entry.scope == "import" and entry.type == "pom":
                    imports.append(entry)
                    continue
                key = self._key(path, entry)
                if key in entries:
                    continue
                version = self._interpolate(path, entry.version)[0] if entry.version else None
                entries[key] = _Managed(version=version, scope=entry.scope)
        for entry in imports:  # the first BOM declared wins
            version = self._interpolate(path, entry.version)[0] if entry.version else None
            group = self._interpolate(path, entry.group_id)[0]
            bom = _coordinates(group, entry.artifact_id, version)
            located = self._bom(bom)
            if located is None or depth >= _MAX_CHAIN:
                outside.append(bom)
                continue
            imported = self._managed(located, depth + 1)
            for key, found in imported.entries.items():
                entries.setdefault(key, found)
            outside.extend(imported.outside)
        management = _Management(entries=entries, outside=tuple(dict.fromkeys(outside)))
        self._management[path] = management
        return management

    def _bom(self, wanted: str) -> str | None:
        for path, model in self.models.items():
            context = self._context(path)
            if (
                _coordinates(
                    context.get("project.groupId"),
                    model.artifact_id,
                    context.get("project.version"),
                )
                == wanted
            ):
                return path
        return None

    def _key(self, path: str, entry: PomDependency) -> str:
        return f"{self._interpolate(path, entry.group_id)[0]}:{entry.artifact_id}"

    # ---- Rule 5 -------------------------------------------------------------------------------
    def rewrite(self, path: str, rewrites: dict[tuple[str, str, str], Declared]) -> None:
        model = self.models[path]
        member = posixpath.dirname(path) or "."
        managed = self._managed(path)
        for entry in model.dependencies:
            declared = entry.declared
            name = self._key(path, entry)
            notes: tuple[str, ...] = ()
            scope = entry.scope
            if entry.version is not None:
                version: str | None = entry.version
            else:
                found = managed.entries.get(name)
                if found is None and managed.outside:
                    # the outside parent (Rule 2) manages before BOMs, then the first outside BOM
                    notes = (f"managed by {managed.outside[0]}",)
                elif found is None:
                    self.reasons.append(
                        Reason(
                            subject=f"{path}: {name}",
                            reason="no <version>, and nothing in the repository manages it",
                        )
                    )
                    continue
                version = found.version if found is not None else None
                scope = scope or (found.scope if found is not None else None)
            spec: str | None = None
            if version is not None:
                spec, unresolved = self._interpolate(path, version)
                if unresolved:
                    self.reasons.append(
                        Reason(
                            subject=f"{path}: {name}",
                            reason="version "
                            f"{spec!r} names properties the repository does not define: "
                            + ", ".join(unresolved),
                        )
                    )
            dependency = attrs.evolve(declared, name=name, scope=scope or declared.scope)
            rewrites[(path, declared.name, declared.scope)] = Declared(
                ecosystem="maven",
                manifest=path,
                member=member,
                dependency=dependency,
                effective_spec=spec if spec != declared.spec else None,
                pinned=spec if spec is not None and _literal(spec) else None,
                notes=notes,
            )
