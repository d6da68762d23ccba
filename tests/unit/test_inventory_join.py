"""The inventory join (codegenie_core.parsers.inventory): direct and transitive entries, scopes,
edges, importers, pins, stale lockfiles; and the manifests probe's lockfile plumbing."""

from __future__ import annotations

import attrs

from codegenie_core.parsers.inventory import Declared, join, scope_of
from codegenie_core.parsers.lock_model import Importer, Lock, LockedPackage, LockedRef, member_dir
from codegenie_core.parsers.manifest_model import Dependency
from codegenie_core.parsers.purl import purl


def _declared(name: str, spec: str, scope: str = "runtime", member: str = ".") -> Declared:
    manifest = "package.json" if member == "." else f"{member}/package.json"
    return Declared(
        ecosystem="npm",
        manifest=manifest,
        member=member,
        dependency=Dependency(name=name, spec=spec, scope=scope),
    )


LOCK = Lock(
    ecosystem="npm",
    format="test",
    format_version="1",
    known_version=True,
    packages=(
        LockedPackage(id="a", name="a", version="1.0.0", dependencies=(LockedRef(name="c"),)),
        LockedPackage(id="b", name="b", version="2.0.0", dependencies=(LockedRef(name="c"),)),
        LockedPackage(id="c", name="c", version="3.0.0"),
        LockedPackage(id="d", name="d", version="4.0.0", dependencies=(LockedRef(name="e"),)),
        LockedPackage(id="e", name="e", version="5.0.0"),
    ),
)


def test_direct_entries_take_the_locked_version_and_transitive_ones_the_widest_scope() -> None:
    declared = [_declared("a", "^1.0.0"), _declared("b", "^2.0.0", scope="dev")]
    result = join(declared, {"package-lock.json": LOCK}, {"package.json": "package-lock.json"})
    by_name = {e.name: e for e in result.entries}
    assert by_name["a"].resolved == "1.0.0" and by_name["a"].direct
    assert by_name["a"].purl == "pkg:npm/a@1.0.0" and by_name["a"].lockfile == "package-lock.json"
    assert by_name["b"].scope == "dev"
    # c is reached from a runtime and a dev dependency: runtime, the wider one.
    assert by_name["c"].scope == "runtime" and not by_name["c"].direct
    assert by_name["c"].member is None and by_name["c"].manifest is None
    # d and e are in the lock but no declared dependency reaches them: said so, not hidden.
    assert by_name["d"].reasons and by_name["e"].reasons
    assert {(e.source, e.target) for e in result.edges} == {
        ("pkg:npm/a@1.0.0", "pkg:npm/c@3.0.0"),
        ("pkg:npm/b@2.0.0", "pkg:npm/c@3.0.0"),
        ("pkg:npm/d@4.0.0", "pkg:npm/e@5.0.0"),
    }
    assert result.reasons == ()


def test_a_declared_dependency_the_lockfile_does_not_pin_is_a_stale_lockfile_reason() -> None:
    result = join(
        [_declared("zzz", "^9")], {"package-lock.json": LOCK}, {"package.json": "package-lock.json"}
    )
    entry = next(e for e in result.entries if e.name == "zzz")
    assert entry.resolved is None and entry.lockfile is None
    assert entry.reasons == ("package-lock.json does not pin it",)
    assert [r.subject for r in result.reasons] == ["package.json: zzz"]


def test_importers_resolve_each_member_to_its_own_version() -> None:
    lock = Lock(
        ecosystem="npm",
        format="test",
        format_version="1",
        known_version=True,
        packages=(
            LockedPackage(id="x@1", name="x", version="1.0.0"),
            LockedPackage(id="x@2", name="x", version="2.0.0"),
            LockedPackage(id="m", name="m", version="0.0.0", source="workspace:packages/m"),
        ),
        importers=(
            Importer(path=".", dependencies=(LockedRef(name="x", spec="^1", target="x@1"),)),
            Importer(
                path="packages/m", dependencies=(LockedRef(name="x", spec="^2", target="x@2"),)
            ),
        ),
    )
    declared = [_declared("x", "^1"), _declared("x", "^2", member="packages/m")]
    governed = {"package.json": "pnpm-lock.yaml", "packages/m/package.json": "pnpm-lock.yaml"}
    result = join(declared, {"pnpm-lock.yaml": lock}, governed)
    resolved = {(e.member, e.resolved) for e in result.entries}
    assert resolved == {(".", "1.0.0"), ("packages/m", "2.0.0")}
    assert all(e.name != "m" for e in result.entries)  # a workspace member is not a dependency


def test_a_version_the_manifest_pins_is_resolved_without_a_lockfile() -> None:
    declared = Declared(
        ecosystem="golang",
        manifest="go.mod",
        member=".",
        dependency=Dependency(name="golang.org/x/text", spec="v0.15.0", scope="runtime"),
        pinned="v0.15.0",
    )
    (entry,) = join([declared], {}, {}).entries
    assert entry.resolved == "v0.15.0" and entry.lockfile is None and entry.reasons == ()
    assert entry.purl == "pkg:golang/golang.org/x/text@v0.15.0"


def test_scopes_and_purls_and_member_dirs() -> None:
    assert scope_of("extra:socks") == "optional"
    assert scope_of("group:main") == "runtime" and scope_of("group:lint") == "dev"
    assert scope_of("dev:cfg(unix)") == "dev" and scope_of("test") == "dev"
    assert purl("npm", "@babel/core", "7.24.0") == "pkg:npm/%40babel/core@7.24.0"
    assert purl("maven", "org.junit:junit", "4.13") == "pkg:maven/org.junit/junit@4.13"
    assert purl("pypi", "Foo_Bar", "1.0") == "pkg:pypi/foo-bar@1.0"
    assert member_dir("web/pnpm-lock.yaml", "packages/a") == "web/packages/a"
    assert member_dir("pnpm-lock.yaml", ".") == "."
    assert member_dir("pnpm-lock.yaml", "../outside") is None
    assert member_dir("pnpm-lock.yaml", "/etc") is None


def test_a_declared_notes_and_indirectness_reach_the_entry() -> None:
    declared = Declared(
        ecosystem="maven",
        manifest="pom.xml",
        member=".",
        dependency=Dependency(name="org.junit:junit", spec="", scope="test"),
        direct=False,
        notes=("managed by org.example:bom:1.0",),
    )
    (entry,) = join([declared], {}, {}).entries
    assert not entry.direct and entry.scope == "dev"
    assert entry.reasons == ("managed by org.example:bom:1.0", "no lockfile pins it")


def test_a_pin_the_lockfile_lacks_is_resolved_from_the_manifest_never_credited_to_the_lock() -> (
    None
):
    declared = Declared(
        ecosystem="npm",
        manifest="package.json",
        member=".",
        dependency=Dependency(name="zzz", spec="9.0.0", scope="runtime"),
        pinned="9.0.0",
    )
    result = join([declared], {"package-lock.json": LOCK}, {"package.json": "package-lock.json"})
    entry = next(e for e in result.entries if e.name == "zzz")
    assert entry.resolved == "9.0.0" and entry.lockfile is None
    assert [r.subject for r in result.reasons] == ["package.json: zzz"]


def test_a_workspace_link_without_a_locked_version_takes_the_members_version() -> None:
    lock = Lock(
        ecosystem="npm",
        format="pnpm",
        format_version="9.0",
        known_version=True,
        packages=(
            LockedPackage(
                id="link:packages/b", name="b", version="", source="workspace:packages/b"
            ),
        ),
        importers=(
            Importer(
                path="packages/a",
                dependencies=(LockedRef(name="b", spec="workspace:*", target="link:packages/b"),),
            ),
        ),
    )
    pinned = attrs.evolve(_declared("b", "workspace:*", member="packages/a"), pinned="2.1.0")
    unpinned = _declared("b", "workspace:*", member="packages/a")
    governed = {"packages/a/package.json": "pnpm-lock.yaml"}
    (entry,) = join([pinned], {"pnpm-lock.yaml": lock}, governed).entries
    assert (entry.resolved, entry.purl, entry.source) == (
        "2.1.0",
        "pkg:npm/b@2.1.0",
        "workspace:packages/b",
    )
    assert entry.lockfile == "pnpm-lock.yaml" and entry.reasons == ()
    (entry,) = join([unpinned], {"pnpm-lock.yaml": lock}, governed).entries
    assert entry.resolved is None and entry.purl == "pkg:npm/b"
    assert entry.reasons == ("pnpm-lock.yaml links it to workspace:packages/b with no version",)


def test_a_lock_without_importers_answers_each_members_name_at_spec_by_descriptor() -> None:
    # yarn v1: two versions of x, no importers; only the descriptors tell which member has which.
    lock = Lock(
        ecosystem="npm",
        format="yarn-v1",
        format_version="1",
        known_version=True,
        packages=(
            LockedPackage(id="x@^1", name="x", version="1.4.0", descriptors=("x@^1",)),
            LockedPackage(
                id="x@^2, x@^2.1", name="x", version="2.3.0", descriptors=("x@^2", "x@^2.1")
            ),
        ),
    )
    declared = [_declared("x", "^1"), _declared("x", "^2.1", member="packages/m")]
    governed = {"package.json": "yarn.lock", "packages/m/package.json": "yarn.lock"}
    result = join(declared, {"yarn.lock": lock}, governed)
    assert {(e.member, e.resolved) for e in result.entries} == {
        (".", "1.4.0"),
        ("packages/m", "2.3.0"),
    }
    assert result.reasons == ()


def test_a_direct_aliased_dependency_has_the_purl_of_the_package_it_installs() -> None:
    lock = Lock(
        ecosystem="npm",
        format="package-lock",
        format_version="3",
        known_version=True,
        packages=(LockedPackage(id="node_modules/old", name="lodash", version="3.10.1"),),
        importers=(
            Importer(path=".", dependencies=(LockedRef(name="old", target="node_modules/old"),)),
        ),
    )
    declared = [_declared("old", "npm:lodash@^3")]
    (entry,) = join(declared, {"l": lock}, {"package.json": "l"}).entries
    assert (entry.name, entry.resolved, entry.purl) == ("old", "3.10.1", "pkg:npm/lodash@3.10.1")


def test_a_manifest_below_a_workspace_root_that_is_no_member_is_pinned_by_nothing() -> None:
    lock = Lock(
        ecosystem="npm",
        format="pnpm",
        format_version="9.0",
        known_version=True,
        packages=(LockedPackage(id="x@1", name="x", version="1.0.0"),),
        importers=(Importer(path=".", dependencies=(LockedRef(name="x", target="x@1"),)),),
    )
    template = _declared("x", "^1", member="packages/create/template")
    result = join([template], {"pnpm-lock.yaml": lock}, {template.manifest: "pnpm-lock.yaml"})
    entry = next(e for e in result.entries if e.direct)
    assert entry.resolved is None and entry.lockfile is None
    assert entry.reasons == ("not a member of the workspace pnpm-lock.yaml locks",)
    assert result.reasons == ()  # the lockfile is not stale: it never installed this package


def test_a_peer_dependency_the_lockfile_does_not_install_is_not_a_stale_lockfile() -> None:
    result = join(
        [_declared("less", "*", scope="peer")],
        {"package-lock.json": LOCK},
        {"package.json": "package-lock.json"},
    )
    (entry,) = [e for e in result.entries if e.name == "less"]
    assert entry.resolved is None
    assert entry.reasons == ("a peer dependency package-lock.json does not install",)
    assert result.reasons == ()
