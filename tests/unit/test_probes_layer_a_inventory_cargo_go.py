"""The `manifests` probe's inventory for Cargo (Cargo.lock v1-v4, workspaces) and Go (go.mod,
go.sum, go.work): resolved version, purl, direct/transitive, scope, manifest, lockfile, member,
source, for a fixture of each format version."""

from __future__ import annotations

from pathlib import Path

from codegenie_core.probe import Envelope
from codegenie_core.probes.layer_a.manifests import ManifestsProbe, ManifestsSlice
from tests.unit.layer_a_support import context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles"
Row = tuple[str, str | None, str, bool, str, str | None, str | None, str | None, str | None]


def _run(fixture: str) -> tuple[Envelope, ManifestsSlice]:
    root = FIXTURES / fixture
    files: dict[str, str | bytes] = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
    envelope = ManifestsProbe().run(context(files))
    assert isinstance(envelope, Envelope)
    assert envelope.slice.problems == ()
    return envelope, envelope.slice


def _rows(found: ManifestsSlice) -> list[Row]:
    """(name, resolved, purl, direct, scope, manifest, lockfile, member, source) per entry."""
    return [
        (e.name, e.resolved, e.purl, e.direct, e.scope, e.manifest, e.lockfile, e.member, e.source)
        for e in found.inventory
    ]


def test_cargo_lock_v1_single_crate_with_a_path_dependency() -> None:
    envelope, found = _run("cargo/v1")
    assert found.locks["Cargo.lock"].format_version == "1"
    assert _rows(found) == [
        (
            "cfg-if",
            "0.1.10",
            "pkg:cargo/cfg-if@0.1.10",
            True,
            "runtime",
            "util/Cargo.toml",
            "Cargo.lock",
            "util",
            None,
        ),
        (
            "lazy_static",
            "1.4.0",
            "pkg:cargo/lazy_static@1.4.0",
            True,
            "dev",
            "Cargo.toml",
            "Cargo.lock",
            ".",
            None,
        ),
        (
            "log",
            "0.4.8",
            "pkg:cargo/log@0.4.8",
            True,
            "runtime",
            "Cargo.toml",
            "Cargo.lock",
            ".",
            None,
        ),
        (
            "util",
            "0.1.0",
            "pkg:cargo/util@0.1.0",
            True,
            "runtime",
            "Cargo.toml",
            "Cargo.lock",
            ".",
            "path:util",
        ),
    ]
    assert envelope.confidence == "high"


def test_cargo_lock_v2_virtual_workspace_two_versions_of_one_crate_and_an_excluded_crate() -> None:
    envelope, found = _run("cargo/v2")
    assert found.locks["Cargo.lock"].format_version == "2"
    (workspace,) = found.workspaces
    assert (workspace.members, workspace.unmatched) == (
        ("crates/cli", "crates/core"),
        ("tools/missing-*",),
    )
    assert _rows(found) == [
        (
            "acme-core",
            "0.3.0",
            "pkg:cargo/acme-core@0.3.0",
            True,
            "runtime",
            "crates/cli/Cargo.toml",
            "Cargo.lock",
            "crates/cli",
            "path:crates/core",
        ),
        (
            "rand",
            None,
            "pkg:cargo/rand",
            True,
            "runtime",
            "crates/experimental/Cargo.toml",
            None,
            "crates/experimental",
            None,
        ),
        (
            "rand",
            "0.7.3",
            "pkg:cargo/rand@0.7.3",
            True,
            "runtime",
            "crates/cli/Cargo.toml",
            "Cargo.lock",
            "crates/cli",
            None,
        ),
        (
            "rand",
            "0.8.5",
            "pkg:cargo/rand@0.8.5",
            True,
            "runtime",
            "crates/core/Cargo.toml",
            "Cargo.lock",
            "crates/core",
            None,
        ),
    ]
    subjects = {r.subject for r in found.reasons}
    assert {"Cargo.toml: tools/missing-*", "crates/experimental/Cargo.toml"} <= subjects
    assert envelope.confidence == "medium"


def test_cargo_lock_v3_root_package_and_member_with_build_scope() -> None:
    envelope, found = _run("cargo/v3")
    assert found.locks["Cargo.lock"].format_version == "3"
    assert _rows(found) == [
        (
            "cc",
            "1.0.83",
            "pkg:cargo/cc@1.0.83",
            True,
            "build",
            "Cargo.toml",
            "Cargo.lock",
            ".",
            None,
        ),
        (
            "quote",
            "1.0.33",
            "pkg:cargo/quote@1.0.33",
            True,
            "runtime",
            "macros/Cargo.toml",
            "Cargo.lock",
            "macros",
            None,
        ),
        (
            "server-macros",
            "1.2.0",
            "pkg:cargo/server-macros@1.2.0",
            True,
            "runtime",
            "Cargo.toml",
            "Cargo.lock",
            ".",
            "path:macros",
        ),
        (
            "tokio",
            "1.35.1",
            "pkg:cargo/tokio@1.35.1",
            True,
            "runtime",
            "Cargo.toml",
            "Cargo.lock",
            ".",
            None,
        ),
    ]
    assert found.workspaces[0].depends == {".": ("macros",)}
    assert (envelope.confidence, found.reasons) == ("high", ())


def test_cargo_lock_v4_inherited_optional_and_git_dependencies() -> None:
    _, found = _run("cargo/v4")
    assert found.locks["Cargo.lock"].format_version == "4"
    git = (
        "git+https://github.com/acme/http-kit?branch=main#0123456789abcdef0123456789abcdef01234567"
    )
    assert _rows(found) == [
        (
            "acme-util",
            "0.1.0",
            "pkg:cargo/acme-util@0.1.0",
            True,
            "runtime",
            "crates/app/Cargo.toml",
            "Cargo.lock",
            "crates/app",
            "path:crates/util",
        ),
        (
            "http-kit",
            "0.4.0",
            "pkg:cargo/http-kit@0.4.0",
            True,
            "runtime",
            "crates/app/Cargo.toml",
            "Cargo.lock",
            "crates/app",
            git,
        ),
        (
            "missing",
            None,
            "pkg:cargo/missing",
            True,
            "runtime",
            "crates/util/Cargo.toml",
            None,
            "crates/util",
            None,
        ),
        (
            "regex",
            "1.10.2",
            "pkg:cargo/regex@1.10.2",
            True,
            "dev",
            "crates/app/Cargo.toml",
            "Cargo.lock",
            "crates/app",
            None,
        ),
        (
            "serde",
            "1.0.193",
            "pkg:cargo/serde@1.0.193",
            True,
            "optional",
            "crates/app/Cargo.toml",
            "Cargo.lock",
            "crates/app",
            None,
        ),
        (
            "serde",
            "1.0.193",
            "pkg:cargo/serde@1.0.193",
            True,
            "runtime",
            "crates/util/Cargo.toml",
            "Cargo.lock",
            "crates/util",
            None,
        ),
    ]
    serde = next(e for e in found.inventory if e.name == "serde" and e.member == "crates/app")
    assert (serde.spec, serde.effective_spec) == ("workspace", "1.0.190")
    assert found.cargo["crates/app/Cargo.toml"].features == {"default": (), "serde": ("dep:serde",)}
    app_deps = {d.name: d.extras for d in found.cargo["crates/app/Cargo.toml"].dependencies}
    assert app_deps["serde"] == ("rc",)  # as written; the inventory's rewrite merges "derive"


def test_transitive_cargo_packages_take_the_scope_they_are_reached_with() -> None:
    _, found = _run("cargo/v1")
    # log -> cfg-if: cfg-if is also declared by util, so it is direct there; the edges say both
    assert {(e.source, e.target) for e in found.edges} == {
        ("pkg:cargo/log@0.4.8", "pkg:cargo/cfg-if@0.1.10"),
        ("pkg:cargo/util@0.1.0", "pkg:cargo/cfg-if@0.1.10"),
    }


def test_go_workspace_requires_replaces_go_sum_and_use_directories() -> None:
    envelope, found = _run("go/workspace")
    assert _rows(found) == [
        (
            "github.com/acme/fork",
            "v1.0.0",
            "pkg:golang/github.com/acme/fork@v1.0.0",
            True,
            "runtime",
            "app/go.mod",
            None,
            "app",
            "path:third_party/fork",
        ),
        (
            "github.com/acme/lib",
            "v0.0.0-00010101000000-000000000000",
            "pkg:golang/github.com/acme/lib@v0.0.0-00010101000000-000000000000",
            True,
            "runtime",
            "app/go.mod",
            None,
            "app",
            "workspace:lib",
        ),
        (
            "github.com/google/uuid",
            "v1.6.0",
            "pkg:golang/github.com/google/uuid@v1.6.0",
            True,
            "runtime",
            "app/go.mod",
            None,
            "app",
            None,
        ),
        (
            "github.com/pkg/errors",
            "v0.9.1",
            "pkg:golang/github.com/pkg/errors@v0.9.1",
            True,
            "runtime",
            "lib/go.mod",
            None,
            "lib",
            None,
        ),
        (
            "golang.org/x/sys",
            "v0.20.0",
            "pkg:golang/golang.org/x/sys@v0.20.0",
            False,
            "runtime",
            "app/go.mod",
            None,
            "app",
            None,
        ),
        (
            "golang.org/x/text",
            "v0.14.0",
            "pkg:golang/golang.org/x/text@v0.14.0",
            True,
            "runtime",
            "app/go.mod",
            None,
            "app",
            None,
        ),
    ]
    (workspace,) = found.workspaces
    assert (workspace.tool, workspace.members, workspace.unmatched, workspace.depends) == (
        "go",
        ("app", "lib"),
        ("./docs",),
        {"app": ("lib",)},
    )
    assert {(r.subject, r.reason) for r in found.reasons} == {
        ("app/go.mod: golang.org/x/sys", "go.sum has no line for golang.org/x/sys@v0.20.0"),
        ("go.work: ./docs", "a `use` directory with no go.mod"),
    }
    assert envelope.confidence == "medium"
    assert "go.work: ./docs: a `use` directory with no go.mod" in envelope.notes
