"""Maven: modules read recursively and each POM's effective versions (ADR-0046)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings

from codegenie_core.parsers.inventory import InventoryEntry
from codegenie_core.parsers.maven_pom import parse_pom, parse_pom_model
from codegenie_core.probe import Envelope
from codegenie_core.probes.layer_a.manifests import ManifestsProbe, ManifestsSlice
from tests.strategies import pom_texts
from tests.unit.layer_a_support import context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles" / "maven"
PROBE = ManifestsProbe()


def _files(name: str) -> dict[str, str | bytes]:
    root = FIXTURES / name
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _run(files: dict[str, str | bytes]) -> tuple[Envelope, ManifestsSlice]:
    envelope = PROBE.run(context(files))
    assert isinstance(envelope, Envelope)
    return envelope, envelope.slice


def _by_name(found: ManifestsSlice) -> dict[str, InventoryEntry]:
    return {e.name: e for e in found.inventory}


def _pom(body: str, parent: str = "") -> str:
    return (
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
        f"{parent}{body}</project>"
    )


def test_multi_module_build_resolves_versions_through_parents_properties_and_boms() -> None:
    envelope, found = _run(_files("multi"))
    entries = _by_name(found)

    shop_lib = entries["com.example:shop-lib"]
    assert (shop_lib.spec, shop_lib.effective_spec, shop_lib.resolved) == (
        "${project.parent.version}",
        "1.4.0",
        "1.4.0",
    )
    assert (shop_lib.purl, shop_lib.direct, shop_lib.manifest, shop_lib.member) == (
        "pkg:maven/com.example/shop-lib@1.4.0",
        True,
        "app/pom.xml",
        "app",
    )
    # the parent's <dependencyManagement> interpolated with the child's property (child wins),
    # and an explicit management entry beats the imported BOM's
    guava = entries["com.google.guava:guava"]
    assert (guava.spec, guava.effective_spec, guava.resolved) == ("", "32.1.3-jre", "32.1.3-jre")
    # managed by a BOM in the repository, interpolated in the BOM's own context
    assert entries["com.fasterxml.jackson.core:jackson-databind"].resolved == "2.16.0"
    # a property inherited from the parent
    junit = entries["org.junit.jupiter:junit-jupiter"]
    assert (junit.resolved, junit.scope) == ("5.10.1", "dev")
    # nothing in the repository manages it: the outside parent is named, never ""
    netty = entries["io.netty:netty-handler"]
    assert (netty.resolved, netty.effective_spec) == (None, None)
    assert netty.reasons[0] == (
        "managed by org.springframework.boot:spring-boot-starter-parent:3.2.0"
    )
    # a range is the effective spec, never a pinned version
    lang = entries["org.apache.commons:commons-lang3"]
    assert (lang.spec, lang.resolved) == ("[3.12,4.0)", None)
    # an undefined property is kept as written, with a reason
    assert entries["org.slf4j:slf4j-api"].spec == "${slf4j.version}"
    assert entries["org.slf4j:slf4j-api"].resolved is None
    subjects = {(r.subject, r.reason) for r in found.reasons}
    assert (
        "app/pom.xml: org.slf4j:slf4j-api",
        "version '${slf4j.version}' names properties the repository does not define: slf4j.version",
    ) in subjects
    assert ("pom.xml", "module 'gone' has no POM in the repository") in subjects
    (workspace,) = found.workspaces
    assert (workspace.tool, workspace.root, workspace.members, workspace.unmatched) == (
        "maven",
        "pom.xml",
        ("app", "bom", "lib"),
        ("gone",),
    )
    assert workspace.depends == {"app": ("lib",)}
    assert envelope.confidence == "medium"


def test_modules_are_followed_recursively_and_a_module_may_name_a_pom_file() -> None:
    _, found = _run(
        {
            "pom.xml": _pom(
                "<groupId>g</groupId><artifactId>root</artifactId><version>1</version>"
                "<modules><module>a</module></modules>"
            ),
            "a/pom.xml": _pom(
                "<groupId>g</groupId><artifactId>a</artifactId><version>1</version>"
                "<modules><module>b/custom.xml</module></modules>"
            ),
            "a/b/custom.xml": "",
        }
    )
    # a/b/custom.xml is not a manifest the probe reads, so it is not in the repository's POMs
    (workspace,) = found.workspaces
    assert (workspace.members, workspace.unmatched) == (("a",), ("b/custom.xml",))

    _, found = _run(
        {
            "pom.xml": _pom(
                "<groupId>g</groupId><artifactId>r</artifactId><version>1</version>"
                "<modules><module>a</module></modules>"
            ),
            "a/pom.xml": _pom(
                "<groupId>g</groupId><artifactId>a</artifactId><version>1</version>"
                "<modules><module>b</module></modules>"
            ),
            "a/b/pom.xml": _pom(
                "<groupId>g</groupId><artifactId>b</artifactId><version>1</version>"
                "<modules><module>../../a</module></modules>"
            ),
        }
    )
    (workspace,) = found.workspaces
    assert (workspace.root, workspace.members) == ("pom.xml", ("a", "a/b"))


def test_default_relative_path_and_a_mismatched_parent_is_outside() -> None:
    parent = "<parent><groupId>g</groupId><artifactId>p</artifactId><version>{v}</version></parent>"
    root = _pom(
        "<groupId>g</groupId><artifactId>p</artifactId><version>2</version>"
        "<properties><x.version>9.9</x.version></properties>"
    )
    child = "<artifactId>c</artifactId><dependencies><dependency><groupId>x</groupId>"
    child += "<artifactId>x</artifactId><version>${x.version}</version></dependency></dependencies>"
    _, found = _run({"pom.xml": root, "c/pom.xml": _pom(child, parent.format(v="2"))})
    assert _by_name(found)["x:x"].resolved == "9.9"  # ../pom.xml by default

    # Maven uses the POM at relativePath only when its coordinates match the reference
    _, found = _run({"pom.xml": root, "c/pom.xml": _pom(child, parent.format(v="3"))})
    assert _by_name(found)["x:x"].resolved is None


def test_first_bom_declared_wins_and_an_outside_bom_before_it_is_named() -> None:
    def bom(artifact: str, version: str) -> str:
        return _pom(
            f"<groupId>g</groupId><artifactId>{artifact}</artifactId><version>1</version>"
            "<dependencyManagement><dependencies><dependency><groupId>x</groupId>"
            f"<artifactId>x</artifactId><version>{version}</version></dependency>"
            "</dependencies></dependencyManagement>"
        )

    def imports(*artifacts: str) -> str:
        body = "".join(
            f"<dependency><groupId>g</groupId><artifactId>{a}</artifactId><version>1</version>"
            "<type>pom</type><scope>import</scope></dependency>"
            for a in artifacts
        )
        return _pom(
            "<groupId>g</groupId><artifactId>app</artifactId><version>1</version>"
            f"<dependencyManagement><dependencies>{body}</dependencies></dependencyManagement>"
            "<dependencies><dependency><groupId>x</groupId><artifactId>x</artifactId>"
            "</dependency></dependencies>"
        )

    boms = {"one/pom.xml": bom("one", "1.0"), "two/pom.xml": bom("two", "2.0")}
    _, found = _run({**boms, "app/pom.xml": imports("two", "one")})
    assert _by_name(found)["x:x"].resolved == "2.0"
    _, found = _run({**boms, "app/pom.xml": imports("one", "two")})
    assert _by_name(found)["x:x"].resolved == "1.0"
    _, found = _run({"app/pom.xml": imports("outside")})
    entry = _by_name(found)["x:x"]
    assert (entry.resolved, entry.reasons[0]) == (None, "managed by g:outside:1")


def test_a_property_cycle_and_a_bom_importing_itself_end() -> None:
    _, found = _run(
        {
            "pom.xml": _pom(
                "<groupId>g</groupId><artifactId>a</artifactId><version>1</version>"
                "<properties><a>${b}</a><b>${a}</b></properties>"
                "<dependencyManagement><dependencies><dependency><groupId>g</groupId>"
                "<artifactId>a</artifactId><version>1</version><type>pom</type>"
                "<scope>import</scope></dependency></dependencies></dependencyManagement>"
                "<dependencies><dependency><groupId>x</groupId><artifactId>x</artifactId>"
                "<version>${a}</version></dependency><dependency><groupId>y</groupId>"
                "<artifactId>y</artifactId></dependency></dependencies>"
            )
        }
    )
    entries = _by_name(found)
    assert entries["x:x"].resolved is None
    assert entries["y:y"].resolved is None
    assert any(r.subject == "pom.xml: y:y" for r in found.reasons)


def test_entity_declarations_are_still_refused() -> None:
    bomb = '<!DOCTYPE p [<!ENTITY a "aaaa">]><project>&a;</project>'
    assert parse_pom_model(bomb).value is None
    assert parse_pom(bomb).problems[0].message.startswith("<!DOCTYPE is not accepted")


@settings(max_examples=150, deadline=None)
@given(pom_texts())
def test_pom_model_never_raises_and_agrees_with_the_view(text: str) -> None:
    parsed = parse_pom_model(text)
    view = parse_pom(text)
    assert (parsed.value.project if parsed.value else None) == view.value
    assert parsed.problems == view.problems
