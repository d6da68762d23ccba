"""Maven POMs: `pom.xml` text in (stdlib `xml.etree.ElementTree`), a `MavenProject` out.

Rule 1: a text holding `<!DOCTYPE` or `<!ENTITY` is refused with a problem before any XML parser
sees it: a POM needs neither, and entity expansion is how XML bombs work (see ADR-0014).
Rule 2: elements are matched by local name, so the POM namespace
(`http://maven.apache.org/POM/4.0.0`), another one, or none all read the same.
Rule 3: `${name}` in versions is resolved from `<properties>`, `project.version` and
`project.groupId` when it can be; otherwise it is kept as written.
Rule 4: groupId and version fall back to `<parent>`'s, as Maven inherits them.
Rule 5: `parse_pom_model` keeps what the effective model needs as written (the `<parent>`,
`<properties>`, `<dependencyManagement>`, each dependency's raw version, scope and type); the
`MavenProject` view is derived from it, so both name a dependency the same way (ADR-0046).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import attrs

from codegenie_core.parsers.manifest_model import (
    Dependency,
    ManifestProblem,
    MavenProject,
    Parsed,
    sorted_dependencies,
)

__all__ = ["PomDependency", "PomModel", "PomParent", "parse_pom", "parse_pom_model"]

# property-reference = "${" name "}"    ; name = 1*( any char but "}" )
_PROPERTY = re.compile(r"\$\{([^}]+)\}")
_FORBIDDEN = ("<!DOCTYPE", "<!ENTITY")


@attrs.frozen(kw_only=True)
class PomParent:
    group_id: str | None
    artifact_id: str | None
    version: str | None
    relative_path: str | None  # None: not written (Maven's default `../pom.xml`)


@attrs.frozen(kw_only=True)
class PomDependency:
    group_id: str
    artifact_id: str
    version: str | None  # as written, `${...}` unresolved
    scope: str | None  # as written
    type: str | None  # as written ("pom" for a BOM import)
    declared: Dependency  # the `MavenProject` view's dependency (Rule 5)


@attrs.frozen(kw_only=True)
class PomModel:
    group_id: str | None  # as written, own or the parent's (Rule 4)
    artifact_id: str | None
    version: str | None
    parent: PomParent | None
    properties: tuple[tuple[str, str], ...]  # in document order
    dependencies: tuple[PomDependency, ...]  # in document order
    managed: tuple[PomDependency, ...]  # <dependencyManagement>, in document order
    modules: tuple[str, ...]
    project: MavenProject


def parse_pom(text: str) -> Parsed[MavenProject]:
    parsed = parse_pom_model(text)
    value = parsed.value.project if parsed.value is not None else None
    return Parsed(value=value, problems=parsed.problems)


def parse_pom_model(text: str) -> Parsed[PomModel]:
    for marker in _FORBIDDEN:
        index = text.find(marker)
        if index != -1:
            line = text.count("\n", 0, index) + 1
            return Parsed(
                value=None,
                problems=(
                    ManifestProblem(
                        message=f"{marker} is not accepted in a POM (entity expansion risk)",
                        line=line,
                        column=index - (text.rfind("\n", 0, index) + 1) + 1,
                    ),
                ),
            )
    try:
        root = ET.fromstring(text)  # safe: DTDs and entities are refused above (Rule 1)
    except ET.ParseError as error:
        line, column = error.position
        return Parsed(
            value=None,
            problems=(ManifestProblem(message=str(error.msg), line=line, column=column + 1),),
        )
    problems: list[ManifestProblem] = []
    if _local(root.tag) != "project":
        return Parsed(
            value=None, problems=(ManifestProblem(message=f"root element is {_local(root.tag)!r}"),)
        )
    parent_element = _child(root, "parent")
    parent = None
    if parent_element is not None:
        relative = _child(parent_element, "relativePath")
        parent = PomParent(
            group_id=_child_text(parent_element, "groupId"),
            artifact_id=_child_text(parent_element, "artifactId"),
            version=_child_text(parent_element, "version"),
            relative_path=None if relative is None else (relative.text or "").strip(),
        )
    group_id = _child_text(root, "groupId") or _child_text(parent_element, "groupId")
    version = _child_text(root, "version") or _child_text(parent_element, "version")
    written: list[tuple[str, str]] = [
        (_local(prop.tag), (prop.text or "").strip())
        for prop in list(_child(root, "properties") or ())
    ]
    properties = dict(written)
    if version is not None:
        properties.setdefault("project.version", version)
    if group_id is not None:
        properties.setdefault("project.groupId", group_id)

    def resolve(value: str | None) -> str | None:
        if value is None:
            return None
        return _PROPERTY.sub(lambda m: properties.get(m.group(1), m.group(0)), value)

    def read(container: ET.Element | None) -> list[PomDependency]:
        found: list[PomDependency] = []
        for dependency in _children(_child(container, "dependencies"), "dependency"):
            group = _child_text(dependency, "groupId")
            artifact = _child_text(dependency, "artifactId")
            if group is None or artifact is None:
                problems.append(ManifestProblem(message="dependency without groupId or artifactId"))
                continue
            raw_version = _child_text(dependency, "version")
            raw_scope = _child_text(dependency, "scope")
            found.append(
                PomDependency(
                    group_id=group,
                    artifact_id=artifact,
                    version=raw_version,
                    scope=raw_scope,
                    type=_child_text(dependency, "type"),
                    declared=Dependency(
                        name=f"{resolve(group)}:{artifact}",
                        spec=resolve(raw_version) or "",
                        scope=raw_scope or "compile",
                    ),
                )
            )
        return found

    dependencies = read(root)
    managed = read(_child(root, "dependencyManagement"))
    modules = tuple((m.text or "").strip() for m in _children(_child(root, "modules"), "module"))
    project = MavenProject(
        group_id=resolve(group_id),
        artifact_id=_child_text(root, "artifactId"),
        version=resolve(version),
        packaging=_child_text(root, "packaging"),
        dependencies=sorted_dependencies(d.declared for d in dependencies),
        modules=modules,
    )
    model = PomModel(
        group_id=group_id,
        artifact_id=_child_text(root, "artifactId"),
        version=version,
        parent=parent,
        properties=tuple(written),
        dependencies=tuple(dependencies),
        managed=tuple(managed),
        modules=modules,
        project=project,
    )
    return Parsed(value=model, problems=tuple(problems))


def _local(tag: str) -> str:
    """The local name of `{namespace}name`."""
    return tag.rpartition("}")[2]


def _child(element: ET.Element | None, name: str) -> ET.Element | None:
    if element is None:
        return None
    return next((c for c in element if _local(c.tag) == name), None)


def _children(element: ET.Element | None, name: str) -> list[ET.Element]:
    if element is None:
        return []
    return [c for c in element if _local(c.tag) == name]


def _child_text(element: ET.Element | None, name: str) -> str | None:
    child = _child(element, name)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None
