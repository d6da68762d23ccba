"""package-lock.json / npm-shrinkwrap.json (codegenie_core.parsers.npm_lock): v1 trees, v2 and v3
`packages` tables, node's nearest-node_modules resolution, workspaces, aliases, bounds."""

from __future__ import annotations

import json
from pathlib import Path

from codegenie_core.parsers.lock_model import Lock, LockedPackage
from codegenie_core.parsers.npm_lock import MAX_DEPTH, parse_npm_lock, resolve_install_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles" / "package-lock"


def _lock(version: str, path: str = "package-lock.json") -> Lock:
    parsed = parse_npm_lock(path, (FIXTURES / version / "package-lock.json").read_text())
    assert parsed.problems == () and parsed.value is not None
    return parsed.value


def _by_id(lock: Lock) -> dict[str, LockedPackage]:
    return {p.id: p for p in lock.packages}


def test_v3_reads_packages_by_install_path_with_scoped_and_aliased_names() -> None:
    lock = _lock("v3")
    assert (lock.format, lock.format_version, lock.known_version) == ("package-lock", "3", True)
    packages = _by_id(lock)
    assert packages["node_modules/@types/semver"].name == "@types/semver"
    assert packages["node_modules/@types/semver"].scope == "dev"
    # An alias installed as legacy-debug is the package debug (its `name` field).
    assert packages["packages/api/node_modules/legacy-debug"].name == "debug"
    assert packages["packages/api/node_modules/legacy-debug"].version == "2.6.9"
    # A link entry is a workspace member, with the member's own version.
    web = packages["node_modules/@acme/web"]
    assert (web.name, web.version, web.source) == ("@acme/web", "0.4.0", "workspace:packages/web")


def test_v3_resolves_requirements_to_the_nearest_node_modules_upwards() -> None:
    packages = _by_id(_lock("v3"))
    # legacy-debug (under packages/api) needs ms 2.0.0: packages/api/node_modules/ms, not the
    # hoisted node_modules/ms 2.1.2 that debug 4 gets.
    (ms,) = packages["packages/api/node_modules/legacy-debug"].dependencies
    assert ms.target == "packages/api/node_modules/ms"
    (ms4,) = packages["node_modules/debug"].dependencies
    assert ms4.target == "node_modules/ms"


def test_v3_importers_are_the_root_and_each_member_with_their_own_versions() -> None:
    lock = _lock("v3")
    importers = {i.path: {r.name: r.target for r in i.dependencies} for i in lock.importers}
    assert importers == {
        ".": {"@types/semver": "node_modules/@types/semver", "semver": "node_modules/semver"},
        "packages/api": {
            "@acme/web": "node_modules/@acme/web",
            "legacy-debug": "packages/api/node_modules/legacy-debug",
            "semver": "packages/api/node_modules/semver",
        },
        "packages/web": {"debug": "node_modules/debug"},
    }


def test_a_lockfile_below_the_root_gives_repository_relative_importers() -> None:
    lock = _lock("v3", path="web/package-lock.json")
    assert [i.path for i in lock.importers] == ["web", "web/packages/api", "web/packages/web"]
    assert _by_id(lock)["node_modules/@acme/api"].source == "workspace:web/packages/api"


def test_v2_reads_packages_and_ignores_the_legacy_dependencies_section() -> None:
    lock = _lock("v2")
    packages = _by_id(lock)
    assert lock.format_version == "2" and "node_modules/fsevents" in packages
    assert packages["node_modules/fsevents"].scope == "optional"
    assert [r.target for r in packages["node_modules/chalk"].dependencies] == [
        "node_modules/ansi-styles",
        "node_modules/supports-color",
    ]
    (root,) = lock.importers
    assert [r.name for r in root.dependencies] == ["chalk", "fsevents"]


def test_v1_flattens_the_nested_tree_with_requires_dev_flags_and_aliases() -> None:
    lock = _lock("v1")
    packages = _by_id(lock)
    assert lock.format_version == "1" and lock.known_version
    nested = packages["node_modules/mocha/node_modules/debug"]
    assert (nested.version, nested.scope) == ("3.1.0", "dev")
    # mocha requires debug 3.1.0: its own nested copy, not the hoisted 2.6.9.
    assert [r.target for r in packages["node_modules/mocha"].dependencies] == [
        "node_modules/mocha/node_modules/debug"
    ]
    assert [r.target for r in nested.dependencies] == ["node_modules/ms"]
    alias = packages["node_modules/old-lodash"]
    assert (alias.name, alias.version) == ("lodash", "3.10.1")
    (root,) = lock.importers
    assert {r.name: r.target for r in root.dependencies}["express"] == "node_modules/express"


def test_shrinkwrap_is_its_own_format_name() -> None:
    text = (FIXTURES / "v2" / "package-lock.json").read_text()
    parsed = parse_npm_lock("npm-shrinkwrap.json", text)
    assert parsed.value is not None and parsed.value.format == "npm-shrinkwrap"


def test_an_unknown_lockfile_version_is_read_best_effort() -> None:
    text = json.dumps({"lockfileVersion": 4, "packages": {"node_modules/a": {"version": "1.0.0"}}})
    parsed = parse_npm_lock("package-lock.json", text)
    assert parsed.value is not None and not parsed.value.known_version
    assert [p.version for p in parsed.value.packages] == ["1.0.0"]


def test_not_json_and_too_deep_are_problems_not_exceptions() -> None:
    bad = parse_npm_lock("package-lock.json", '{"lockfileVersion": 3,')
    assert bad.value is None and bad.problems[0].line == 1
    assert parse_npm_lock("package-lock.json", "[1]").value is None
    deep = "/".join(["node_modules/x"] * (MAX_DEPTH + 2))
    text = json.dumps({"lockfileVersion": 3, "packages": {deep: {"version": "1"}}})
    parsed = parse_npm_lock("package-lock.json", text)
    assert parsed.value is not None and parsed.value.packages == ()
    assert "deeper" in parsed.problems[0].message


def test_a_link_or_importer_leaving_the_repository_is_dropped_with_a_problem() -> None:
    text = json.dumps(
        {
            "lockfileVersion": 3,
            "packages": {
                "": {},
                "../outside": {"name": "x"},
                "node_modules/x": {"resolved": "../outside", "link": True},
            },
        }
    )
    parsed = parse_npm_lock("package-lock.json", text)
    assert parsed.value is not None and parsed.value.packages == ()
    assert [i.path for i in parsed.value.importers] == ["."]
    assert len(parsed.problems) == 2


def test_resolution_walks_up_packages_and_directories() -> None:
    keys = {
        "node_modules/c": 1,
        "node_modules/@s/a/node_modules/c": 1,
        "packages/m/node_modules/c": 1,
    }
    assert resolve_install_path("node_modules/@s/a/node_modules/b", "c", keys) == (
        "node_modules/@s/a/node_modules/c"
    )
    assert resolve_install_path("node_modules/@s/b", "c", keys) == "node_modules/c"
    assert resolve_install_path("packages/m", "c", keys) == "packages/m/node_modules/c"
    assert resolve_install_path("packages/n", "c", keys) == "node_modules/c"
    assert resolve_install_path("", "d", keys) is None
