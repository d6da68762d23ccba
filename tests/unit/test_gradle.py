"""Gradle: build scripts read statically, the version catalog, settings and gradle.lockfile."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import given, settings

from benches._gen_lock_gradle import generate
from codegenie_core.parsers.gradle import (
    accessor,
    parse_build_script,
    parse_gradle_lockfile,
    parse_settings,
    parse_version_catalog,
    render_gradle_lockfile,
)
from codegenie_core.parsers.inventory import InventoryEntry
from codegenie_core.probe import Envelope
from codegenie_core.probes.layer_a.manifests import ManifestsProbe, ManifestsSlice
from tests.strategies import gradle_lock_entries, gradle_texts
from tests.unit.layer_a_support import context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles" / "gradle"
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


def _entry(found: ManifestsSlice, name: str, manifest: str | None) -> InventoryEntry:
    (entry,) = [e for e in found.inventory if e.name == name and e.manifest == manifest]
    return entry


def test_multi_project_build_joins_scripts_catalog_and_lockfiles() -> None:
    envelope, found = _run(_files("multi"))

    assert "gradle" in found.ecosystems
    # a catalog accessor in a build script: the catalog's coordinates and version, the
    # project's own lockfile's resolved version
    junit = _entry(found, "org.junit.jupiter:junit-jupiter", "app/build.gradle.kts")
    assert (junit.spec, junit.effective_spec, junit.resolved, junit.scope) == (
        "libs.junit.jupiter",
        "[5.10, 6.0[",
        "5.10.1",
        "dev",
    )
    assert (junit.lockfile, junit.member, junit.purl) == (
        "app/gradle.lockfile",
        "app",
        "pkg:maven/org.junit.jupiter/junit-jupiter@5.10.1",
    )
    # a bundle stands for each of its libraries
    bundle = {
        e.name
        for e in found.inventory
        if e.manifest == "app/build.gradle.kts" and e.spec == "libs.bundles.jackson"
    }
    assert bundle == {
        "com.fasterxml.jackson.core:jackson-databind",
        "com.fasterxml.jackson.module:jackson-module-kotlin",
    }
    # static coordinates, the Groovy map form, configurations' scopes
    guava = _entry(found, "com.google.guava:guava", "lib/core/build.gradle")
    assert (guava.spec, guava.resolved, guava.scope) == ("33.0.0-jre", "33.0.0-jre", "runtime")
    lang = _entry(found, "org.apache.commons:commons-lang3", "lib/core/build.gradle")
    assert lang.resolved == "3.14.0"
    assert _entry(found, "org.projectlombok:lombok", "lib/core/build.gradle").scope == "build"
    # the catalog itself declares its libraries, for the build's root directory
    okhttp = _entry(found, "com.squareup.okhttp3:okhttp", "gradle/libs.versions.toml")
    assert (okhttp.member, okhttp.resolved, okhttp.lockfile) == (".", "4.12.0", None)
    # transitive packages of a lockfile, scoped by their configurations
    okio = _entry(found, "com.squareup.okio:okio", None)
    assert (okio.direct, okio.scope, okio.lockfile) == (False, "runtime", "app/gradle.lockfile")
    assert _entry(found, "org.opentest4j:opentest4j", None).scope == "dev"
    # an interpolated coordinate is not guessed at
    assert [p.line for p in found.problems if p.path == "lib/core/build.gradle"] == [10]
    assert not [e for e in found.inventory if e.name.startswith("io.netty")]
    (workspace,) = found.workspaces
    assert (workspace.tool, workspace.root, workspace.members, workspace.unmatched) == (
        "gradle",
        "settings.gradle.kts",
        ("app", "lib/core"),
        (":missing",),
    )
    assert workspace.depends == {"app": ("lib/core",)}
    reasons = {(r.subject, r.reason) for r in found.reasons}
    assert (
        "app/build.gradle.kts: libs.mockk",
        "a catalog accessor no gradle/libs.versions.toml defines",
    ) in reasons
    assert any(s == "lib/core/build.gradle" and "static scan" in r for s, r in reasons)
    # an accessor no catalog defines is kept as written, never taken for a version
    mockk = _entry(found, "libs.mockk", "app/build.gradle.kts")
    assert (mockk.spec, mockk.resolved) == ("libs.mockk", None)
    assert envelope.confidence == "medium"
    assert found.locks["app/gradle.lockfile"].packages == 8


def test_build_script_scanner_reads_only_literal_arguments() -> None:
    parsed = parse_build_script(
        "dependencies {\n"
        '  implementation("a:b:1") { exclude(group = "x") }\n'
        "  testImplementation group = 'g', name = 'n'\n"
        '  implementation(kotlin("stdlib"))\n'
        "  // implementation 'c:d:1'\n"
        "  /* api 'e:f:1' */\n"
        "  configurations.implementation { }\n"
        "  customConf('x:y:1')\n"
        "}\n"
    )
    assert parsed.value is not None
    assert {(d.name, d.spec, d.scope) for d in parsed.value.dependencies} == {
        ("a:b", "1", "runtime"),
        ("g:n", "", "dev"),
    }
    assert [p.line for p in parsed.problems] == [4]
    deep = parse_build_script("dependencies " + "{" * 200)
    assert deep.value is None and deep.problems[0].message == "nesting too deep"


def test_settings_includes_and_accessors() -> None:
    parsed = parse_settings("include ':a', 'b:c'\ninclude(\"d\")\ninclude(\"$x\")\n")
    assert parsed.value == (":a", "b:c", "d")
    assert [p.line for p in parsed.problems] == [3]
    assert accessor("groovy-core_x.y") == "libs.groovy.core.x.y"


def test_version_catalog_forms() -> None:
    parsed = parse_version_catalog(
        '[versions]\nv = "1.0"\n[libraries]\n'
        'a = "g:a:2"\nb = { group = "g", name = "b", version.ref = "v" }\n'
        'c = { module = "g:c", version.ref = "nope" }\nd = { module = "g:d" }\n'
        '[bundles]\nall = ["a", "b", "zz"]\n'
    )
    assert parsed.value is not None
    assert [(lib.alias, lib.module, lib.version) for lib in parsed.value.libraries] == [
        ("a", "g:a", "2"),
        ("b", "g:b", "1.0"),
        ("c", "g:c", None),
        ("d", "g:d", None),
    ]
    assert {p.message for p in parsed.problems} == {
        "c: version.ref 'nope' unknown",
        "bundles.all names no library 'zz'",
    }
    assert parse_version_catalog("[versions\n").value is None


def test_lockfile_lines_of_another_shape_are_problems_and_an_unknown_version() -> None:
    parsed = parse_gradle_lockfile("gradle.lockfile", "g:a:1=compileClasspath\ng:b:2\nx=y\n")
    assert parsed.value is not None
    assert parsed.value.known_version is False
    assert [p.line for p in parsed.problems] == [2, 3]
    assert [p.id for p in parsed.value.packages] == ["g:a:1"]


@settings(max_examples=100, deadline=None)
@given(gradle_lock_entries())
def test_lockfile_round_trip(entries: dict[str, tuple[str, ...]]) -> None:
    parsed = parse_gradle_lockfile("gradle.lockfile", render_gradle_lockfile(entries, ("x",)))
    assert parsed.value is not None and parsed.problems == ()
    assert parsed.value.known_version
    assert {p.id: (p.name, p.version) for p in parsed.value.packages} == {
        c: (c.rpartition(":")[0], c.rpartition(":")[2]) for c in entries
    }


@settings(max_examples=150, deadline=None)
@given(gradle_texts())
def test_gradle_parsers_never_raise(text: str) -> None:
    for parsed in (
        parse_build_script(text),
        parse_settings(text),
        parse_version_catalog(text),
        parse_gradle_lockfile("gradle.lockfile", text),
    ):
        assert parsed.value is not None or parsed.problems


def test_bench_generator_lock_of_2000_packages_parses_to_2000_packages() -> None:
    files = generate(2000, 4)
    parsed = parse_gradle_lockfile("gradle.lockfile", files["gradle.lockfile"])
    assert parsed.value is not None and parsed.problems == ()
    assert len(parsed.value.packages) == 2000
    settings_parsed = parse_settings(files["settings.gradle"])
    assert len(settings_parsed.value or ()) == 4
    started = time.perf_counter()
    _, found = _run(dict(files))
    assert time.perf_counter() - started < 60
    assert found.locks["gradle.lockfile"].packages == 2000
