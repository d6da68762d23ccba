"""Cargo.toml: package, dependency tables of every kind, workspaces."""

from __future__ import annotations

from codegenie_core.parsers.cargo_manifest import parse_cargo_toml
from codegenie_core.parsers.manifest_model import Dependency, ManifestProblem

CARGO = """
[package]
name = "ringbuf"
version = "0.2.3"
edition = "2021"

[dependencies]
thiserror = "1.0"
serde = { version = "1", features = ["derive", "alloc"], optional = true }
local-util = { path = "../util" }
json = { package = "serde_json", version = "1.0.120" }
tokio = { workspace = true }

[dev-dependencies]
proptest = "1.4"

[build-dependencies]
cc = { git = "https://github.com/rust-lang/cc-rs", version = "1" }

[target.'cfg(unix)'.dependencies]
libc = "0.2"
"""


def test_package_name_and_version() -> None:
    manifest = parse_cargo_toml(CARGO).value

    assert manifest is not None and (manifest.name, manifest.version) == ("ringbuf", "0.2.3")


def test_dependencies_of_every_table_renames_paths_git_and_workspace() -> None:
    manifest = parse_cargo_toml(CARGO).value

    assert manifest is not None
    assert manifest.dependencies == (
        Dependency(name="cc", spec="git:https://github.com/rust-lang/cc-rs 1", scope="build"),
        Dependency(name="proptest", spec="1.4", scope="dev"),
        Dependency(name="serde", spec="1", scope="optional", extras=("alloc", "derive")),
        Dependency(name="local-util", spec="path:../util", scope="runtime"),
        Dependency(name="serde_json", spec="1.0.120", scope="runtime"),
        Dependency(name="thiserror", spec="1.0", scope="runtime"),
        Dependency(name="tokio", spec="workspace", scope="runtime"),
        Dependency(name="libc", spec="0.2", scope="runtime:cfg(unix)"),
    )


def test_a_virtual_workspace_lists_members_and_shared_dependencies() -> None:
    parsed = parse_cargo_toml(
        '[workspace]\nmembers = ["crates/a", "crates/b"]\n\n'
        '[workspace.dependencies]\nanyhow = "1"\n'
    )

    assert parsed.problems == ()
    assert parsed.value is not None
    assert parsed.value.workspace_members == ("crates/a", "crates/b")
    assert parsed.value.dependencies == (Dependency(name="anyhow", spec="1", scope="workspace"),)


def test_an_inherited_version_is_unknown_not_a_crash() -> None:
    manifest = parse_cargo_toml('[package]\nname = "a"\nversion.workspace = true\n').value

    assert manifest is not None and manifest.version is None


def test_a_toml_error_has_coordinates_and_a_table_without_package_is_a_problem() -> None:
    assert [(p.line, p.column) for p in parse_cargo_toml("[package\n").problems] == [(1, 9)]
    assert parse_cargo_toml("[lib]\n").problems == (
        ManifestProblem(message="neither [package] nor [workspace]"),
    )
