"""Maven POMs: `pom.xml` text in (stdlib `xml.etree.ElementTree`), a `MavenProject` out.

Rule 1: a text holding `<!DOCTYPE` or `<!ENTITY` is refused with a problem before any XML parser
sees it: a POM needs neither, and entity expansion is how XML bombs work (see ADR-0014).
Rule 2: elements are matched by local name, so the POM namespace
(`http://maven.apache.org/POM/4.0.0`), another one, or none all read the same.
Rule 3: `${name}` in versions is resolved from `<properties>`, `project.version` and
`project.groupId` when it can be; otherwise it is kept as written.
Rule 4: groupId and version fall back to `<parent>`'s, as Maven inherits them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from codegenie_core.parsers.manifest_model import (
    Dependency,
    ManifestProblem,
    MavenProject,
    Parsed,
    sorted_dependencies,
)

# property-reference = "${" name "}"    ; name = 1*( any char but "}" )
_PROPERTY = re.compile(r"\$\{([^}]+)\}")
_FORBIDDEN = ("<!DOCTYPE", "<!ENTITY")


def parse_pom(text: str) -> Parsed[MavenProject]:
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
    parent = _child(root, "parent")
    group_id = _child_text(root, "groupId") or _child_text(parent, "groupId")
    version = _child_text(root, "version") or _child_text(parent, "version")
    properties: dict[str, str] = {}
    for prop in list(_child(root, "properties") or ()):
        properties[_local(prop.tag)] = (prop.text or "").strip()
    if version is not None:
        properties.setdefault("project.version", version)
    if group_id is not None:
        properties.setdefault("project.groupId", group_id)

    def resolve(value: str | None) -> str | None:
        if value is None:
            return None
        return _PROPERTY.sub(lambda m: properties.get(m.group(1), m.group(0)), value)

    dependencies: list[Dependency] = []
    for dependency in _children(_child(root, "dependencies"), "dependency"):
        group = _child_text(dependency, "groupId")
        artifact = _child_text(dependency, "artifactId")
        if group is None or artifact is None:
            problems.append(ManifestProblem(message="dependency without groupId or artifactId"))
            continue
        dependencies.append(
            Dependency(
                name=f"{resolve(group)}:{artifact}",
                spec=resolve(_child_text(dependency, "version")) or "",
                scope=_child_text(dependency, "scope") or "compile",
            )
        )
    project = MavenProject(
        group_id=resolve(group_id),
        artifact_id=_child_text(root, "artifactId"),
        version=resolve(version),
        packaging=_child_text(root, "packaging"),
        dependencies=sorted_dependencies(dependencies),
        modules=tuple((m.text or "").strip() for m in _children(_child(root, "modules"), "module")),
    )
    return Parsed(value=project, problems=tuple(problems))


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
