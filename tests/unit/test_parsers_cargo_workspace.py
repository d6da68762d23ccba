"""The Cargo workspace reader (codegenie_core.parsers.cargo_workspace): member globs and
exclude, implicit path members, inherited dependencies with merged features, path sources,
and the lock's members and importers."""

from __future__ import annotations

from codegenie_core.parsers.cargo_lock import read_cargo_lock
from codegenie_core.parsers.cargo_manifest import parse_cargo_toml
from codegenie_core.parsers.cargo_workspace import cargo_workspaces, pattern_matches
from codegenie_core.parsers.lock_model import Lock
from codegenie_core.parsers.manifest_model import CargoManifest


def _manifests(files: dict[str, str]) -> dict[str, CargoManifest]:
    out: dict[str, CargoManifest] = {}
    for path, text in files.items():
        parsed = parse_cargo_toml(text)
        assert parsed.value is not None
        out[path] = parsed.value
    return out


def _crate(name: str, deps: str = "") -> str:
    return f'[package]\nname = "{name}"\nversion = "0.1.0"\n\n[dependencies]\n{deps}'


def test_globs_match_one_component_and_double_star_spans_components() -> None:
    assert pattern_matches(["crates", "*"], ["crates", "a"])
    assert not pattern_matches(["crates", "*"], ["crates", "a", "b"])
    assert pattern_matches(["crates", "**"], ["crates", "a", "b"])
    assert pattern_matches(["c?ates", "a*"], ["crates", "abc"])
    assert not pattern_matches(["crates", "a"], ["crates"])


def test_members_exclude_root_package_and_implicit_path_members() -> None:
    manifests = _manifests(
        {
            "Cargo.toml": '[package]\nname = "root"\nversion = "1.0.0"\n\n[workspace]\n'
            'members = ["crates/*", "nothing/*"]\nexclude = ["crates/skip"]\n\n'
            '[dependencies]\nhelper = { path = "helper" }\n',
            "crates/a/Cargo.toml": _crate("a", 'b = { path = "../b" }\n'),
            "crates/b/Cargo.toml": _crate("b"),
            "crates/skip/Cargo.toml": _crate("skip"),
            "crates/skip/inner/Cargo.toml": _crate("inner"),
            "helper/Cargo.toml": _crate("helper"),
        }
    )
    facts = cargo_workspaces(manifests, {})
    (workspace,) = facts.workspaces
    # exclude wins and covers what is under it; "helper" joins as a path dependency inside
    assert workspace.members == (".", "crates/a", "crates/b", "helper")
    assert workspace.unmatched == ("nothing/*",)
    assert workspace.depends == {".": ("helper",), "crates/a": ("crates/b",)}
    assert {(r.subject, r.reason.split(":")[0]) for r in facts.reasons} == {
        (
            "Cargo.toml: nothing/*",
            "workspace member pattern matches no directory with a Cargo.toml",
        ),
        ("crates/skip/Cargo.toml", "excluded from the workspace of Cargo.toml"),
    }
    rewritten = facts.rewrites[("crates/a/Cargo.toml", "b", "runtime")]
    assert rewritten.source == "path:crates/b"


def test_inherited_dependencies_take_the_workspace_spec_and_merge_features() -> None:
    manifests = _manifests(
        {
            "Cargo.toml": '[workspace]\nmembers = ["app"]\n\n[workspace.dependencies]\n'
            'serde = { version = "1.0.190", features = ["derive"] }\n'
            'util = { path = "libs/util", version = "0.2" }\n',
            "app/Cargo.toml": _crate(
                "app",
                'serde = { workspace = true, optional = true, features = ["rc"] }\n'
                "util = { workspace = true }\nnope = { workspace = true }\n",
            ),
            "libs/util/Cargo.toml": _crate("util"),
        }
    )
    facts = cargo_workspaces(manifests, {})
    serde = facts.rewrites[("app/Cargo.toml", "serde", "optional")]
    assert (serde.effective_spec, serde.dependency.extras) == ("1.0.190", ("derive", "rc"))
    util = facts.rewrites[("app/Cargo.toml", "util", "runtime")]
    # a workspace path is relative to the workspace root, not to the member
    assert (util.effective_spec, util.source) == ("path:libs/util 0.2", "path:libs/util")
    assert ("app/Cargo.toml", "nope", "runtime") not in facts.rewrites
    assert [r.subject for r in facts.reasons] == ["app/Cargo.toml: nope"]


def test_a_crate_outside_any_workspace_inheriting_is_a_reason() -> None:
    facts = cargo_workspaces(
        _manifests({"Cargo.toml": _crate("a", "x = { workspace = true }\n")}), {}
    )
    assert facts.workspaces == ()
    assert [r.reason for r in facts.reasons] == [
        "inherits from a workspace, but no workspace root lists this crate"
    ]


def _lock(text: str) -> Lock:
    parsed = read_cargo_lock("Cargo.lock", text)
    assert parsed.value is not None
    return parsed.value


def test_the_locks_members_get_their_directories_as_sources_and_importers() -> None:
    manifests = _manifests(
        {
            "Cargo.toml": '[workspace]\nmembers = ["a", "b"]\n',
            "a/Cargo.toml": _crate("a", 'b = { path = "../b" }\nrand = "0.8"\n'),
            "b/Cargo.toml": _crate("b", 'rand = "0.7"\n'),
        }
    )
    lock = _lock(
        'version = 4\n[[package]]\nname = "a"\nversion = "0.1.0"\n'
        'dependencies = ["b", "rand 0.8.5"]\n'
        '[[package]]\nname = "b"\nversion = "0.1.0"\ndependencies = ["rand 0.7.3"]\n'
        '[[package]]\nname = "rand"\nversion = "0.7.3"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n'
        '[[package]]\nname = "rand"\nversion = "0.8.5"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n'
    )
    refined = cargo_workspaces(manifests, {"Cargo.lock": lock}).locks["Cargo.lock"]
    assert {p.name: p.source for p in refined.packages if p.name != "rand"} == {
        "a": "workspace:a",
        "b": "workspace:b",
    }
    assert {i.path: [r.target for r in i.dependencies] for i in refined.importers} == {
        "a": ["b 0.1.0", "rand 0.8.5 (registry+https://github.com/rust-lang/crates.io-index)"],
        "b": ["rand 0.7.3 (registry+https://github.com/rust-lang/crates.io-index)"],
    }
