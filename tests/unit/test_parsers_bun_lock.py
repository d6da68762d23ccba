"""bun.lock (codegenie_core.parsers.bun_lock) and JSONC (codegenie_core.parsers.jsonc)."""

from __future__ import annotations

from pathlib import Path

from codegenie_core.parsers.bun_lock import parse_bun_lock, split_key
from codegenie_core.parsers.jsonc import MAX_DEPTH, jsonc_to_json, loads_jsonc
from codegenie_core.parsers.lock_model import Lock
from codegenie_core.parsers.manifest_model import ManifestProblem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles" / "bun"


def _lock() -> Lock:
    parsed = parse_bun_lock("bun.lock", (FIXTURES / "v1" / "bun.lock").read_text())
    assert parsed.problems == () and parsed.value is not None
    return parsed.value


def test_bun_lock_reads_workspaces_as_importers_and_nested_keys_nearest_first() -> None:
    lock = _lock()
    assert (lock.format, lock.format_version, lock.known_version) == ("bun", "1", True)
    importers = {i.path: {r.name: r.target for r in i.dependencies} for i in lock.importers}
    assert importers == {
        ".": {"@types/bun": "@types/bun", "zod": "zod"},
        "packages/app": {"ms": "ms", "zod": "app/zod"},
    }
    packages = {p.id: p for p in lock.packages}
    assert (packages["app/zod"].name, packages["app/zod"].version) == ("zod", "3.20.6")
    assert packages["app"].source == "workspace:packages/app"
    assert packages["app"].version == "0.2.0"
    assert [r.target for r in packages["bun-types"].dependencies] == ["@types/node", "@types/ws"]


def test_keys_split_into_package_names_keeping_scopes() -> None:
    assert split_key("@babel/core/semver") == ["@babel/core", "semver"]
    assert split_key("a/@s/b/c") == ["a", "@s/b", "c"]


def test_non_registry_references_are_sources_not_versions() -> None:
    text = (
        '{"lockfileVersion": 1, "packages": {'
        '"g": ["g@github:o/g#abc", {}, "o-g-abc"], "f": ["f@file:../f", {}]}}'
    )
    parsed = parse_bun_lock("bun.lock", text)
    assert parsed.value is not None
    assert {(p.name, p.version, p.source) for p in parsed.value.packages} == {
        ("g", "", "github:o/g#abc"),
        ("f", "", "path:../f"),
    }


def test_bad_entries_unknown_versions_and_bad_text_are_problems() -> None:
    parsed = parse_bun_lock("bun.lock", '{"lockfileVersion": 2, "packages": {"a": {}}}')
    assert parsed.value is not None and not parsed.value.known_version
    assert parsed.value.packages == () and len(parsed.problems) == 1
    assert parse_bun_lock("bun.lock", '{"a": 1 /* open').value is None
    assert parse_bun_lock("bun.lock", "[]").value is None


def test_jsonc_comments_and_trailing_commas_keep_coordinates() -> None:
    assert loads_jsonc('{"a": [1, 2,], // c\n "b": "x//\\"y", /* z */ }') == {
        "a": [1, 2],
        "b": 'x//"y',
    }
    text = '{\n  // note\n  "a": 1,\n  "b": nope,\n}'
    assert len(str(jsonc_to_json(text))) == len(text)
    problem = loads_jsonc(text)
    assert isinstance(problem, ManifestProblem) and (problem.line, problem.column) == (4, 8)
    assert loads_jsonc('["a",, ]') != ["a"]  # two commas are not a trailing comma
    deep = loads_jsonc("[" * (MAX_DEPTH + 1))
    assert isinstance(deep, ManifestProblem) and "deeper" in deep.message
