"""pom.xml: namespaces, parent inheritance, properties, scopes, and DTD refusal."""

from __future__ import annotations

import pytest

from codegenie_core.parsers.manifest_model import Dependency, ManifestProblem
from codegenie_core.parsers.maven_pom import parse_pom

POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>dev.example</groupId>
    <artifactId>parent</artifactId>
    <version>3.1.0</version>
  </parent>
  <artifactId>service</artifactId>
  <packaging>pom</packaging>
  <properties><jackson.version>2.17.1</jackson.version></properties>
  <modules><module>core</module><module>api</module></modules>
  <dependencies>
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
      <version>${jackson.version}</version>
    </dependency>
    <dependency>
      <groupId>${project.groupId}</groupId>
      <artifactId>core</artifactId>
      <version>${project.version}</version>
    </dependency>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <version>${junit.version}</version>
      <scope>test</scope>
    </dependency>
  </dependencies>
</project>
"""


def test_coordinates_inherit_from_the_parent_under_the_pom_namespace() -> None:
    project = parse_pom(POM).value

    assert project is not None
    assert (project.group_id, project.artifact_id, project.version, project.packaging) == (
        "dev.example",
        "service",
        "3.1.0",
        "pom",
    )
    assert project.modules == ("core", "api")


def test_dependencies_with_scopes_and_resolved_properties() -> None:
    project = parse_pom(POM).value

    assert project is not None
    assert project.dependencies == (
        Dependency(
            name="com.fasterxml.jackson.core:jackson-databind", spec="2.17.1", scope="compile"
        ),
        Dependency(name="dev.example:core", spec="3.1.0", scope="compile"),
        Dependency(name="org.junit.jupiter:junit-jupiter", spec="${junit.version}", scope="test"),
    )


def test_a_pom_without_namespace_reads_the_same() -> None:
    plain = POM.replace(' xmlns="http://maven.apache.org/POM/4.0.0"', "")

    assert parse_pom(plain) == parse_pom(POM)


@pytest.mark.parametrize("marker", ["<!DOCTYPE", "<!ENTITY"])
def test_dtds_and_entities_are_refused_before_parsing(marker: str) -> None:
    bomb = f'<?xml version="1.0"?>\n{marker} lol "lol">\n<project>&lol;</project>\n'

    assert parse_pom(bomb).value is None
    assert parse_pom(bomb).problems == (
        ManifestProblem(
            message=f"{marker} is not accepted in a POM (entity expansion risk)", line=2, column=1
        ),
    )


def test_malformed_xml_has_line_and_column() -> None:
    parsed = parse_pom("<project>\n  <artifactId>x</artifact>\n</project>\n")

    assert parsed.value is None
    assert [(p.line, p.column) for p in parsed.problems] == [(2, 18)]


def test_a_dependency_without_coordinates_is_a_problem() -> None:
    parsed = parse_pom("<project><dependencies><dependency/></dependencies></project>")

    assert parsed.problems == (ManifestProblem(message="dependency without groupId or artifactId"),)
