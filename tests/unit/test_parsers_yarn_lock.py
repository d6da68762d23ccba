"""yarn.lock (codegenie_core.parsers.yarn_lock): the v1 line format, Berry's mapping subset,
descriptors, workspace importers, problems."""

from __future__ import annotations

from pathlib import Path

from codegenie_core.parsers.lock_model import Lock, LockedPackage
from codegenie_core.parsers.yarn_lock import MAX_LEVEL, parse_tree, parse_yarn_lock

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles" / "yarn"


def _lock(kind: str) -> Lock:
    parsed = parse_yarn_lock("yarn.lock", (FIXTURES / kind / "yarn.lock").read_text())
    assert parsed.problems == () and parsed.value is not None
    return parsed.value


def _by_id(lock: Lock) -> dict[str, LockedPackage]:
    return {p.id: p for p in lock.packages}


def test_v1_entries_keep_their_header_as_id_and_each_descriptor() -> None:
    lock = _lock("v1")
    assert (lock.format, lock.format_version, lock.known_version) == ("yarn-v1", "1", True)
    assert lock.importers == ()
    frame = _by_id(lock)["@babel/code-frame@^7.10.4, @babel/code-frame@^7.12.13"]
    assert (frame.name, frame.version) == ("@babel/code-frame", "7.12.13")
    assert frame.descriptors == ("@babel/code-frame@^7.10.4", "@babel/code-frame@^7.12.13")
    (highlight,) = frame.dependencies
    assert (highlight.name, highlight.spec, highlight.target) == (
        "@babel/highlight",
        "^7.12.13",
        "@babel/highlight@^7.12.13",
    )


def test_v1_two_versions_of_one_name_are_told_apart_by_descriptor() -> None:
    packages = _by_id(_lock("v1"))
    assert packages["chalk@^2.0.0, chalk@^2.4.2"].version == "2.4.2"
    assert packages["chalk@^4.1.0"].version == "4.1.2"
    assert [r.target for r in packages["chalk@^4.1.0"].dependencies] == ["ansi-styles@^4.1.0"]
    git = packages["left-pad@git+https://github.com/stevemao/left-pad.git#v1.3.0"]
    assert git.source is not None and git.source.startswith("git+https://")


def test_berry_reads_resolutions_and_makes_workspaces_importers() -> None:
    lock = _lock("berry")
    assert (lock.format, lock.format_version, lock.known_version) == ("yarn-berry", "8", True)
    packages = _by_id(lock)
    chalk = packages["chalk@npm:^4.1.0"]
    assert (chalk.name, chalk.version, chalk.source) == ("chalk", "4.1.2", None)
    # A manifest writes `^4.1.0` where Berry writes `npm:^4.1.0`: both descriptors are kept.
    assert chalk.descriptors == ("chalk@npm:^4.1.0", "chalk@^4.1.0")
    app = packages["app@workspace:*, app@workspace:packages/app"]
    assert app.source == "workspace:packages/app"
    importers = {i.path: {r.name: r.target for r in i.dependencies} for i in lock.importers}
    assert importers == {
        ".": {
            "app": "app@workspace:*, app@workspace:packages/app",
            "chalk": "chalk@npm:^2.4.2",
        },
        "packages/app": {"chalk": "chalk@npm:^4.1.0"},
    }


def test_berry_before_yarn_4_writes_dependency_ranges_without_the_protocol() -> None:
    text = (
        '__metadata:\n  version: 6\n  cacheKey: 8\n\n"a@npm:^1.0.0":\n  version: 1.0.0\n'
        '  resolution: "a@npm:1.0.0"\n  dependencies:\n    b: ^2.0.0\n  languageName: node\n'
        '  linkType: hard\n\n"b@npm:^2.0.0":\n  version: 2.1.0\n  resolution: "b@npm:2.1.0"\n'
    )
    parsed = parse_yarn_lock("yarn.lock", text)
    assert parsed.value is not None and parsed.problems == ()
    a = next(p for p in parsed.value.packages if p.name == "a")
    assert [r.target for r in a.dependencies] == ["b@npm:^2.0.0"]


def test_an_unknown_berry_version_or_an_unmarked_v1_is_read_best_effort() -> None:
    berry = parse_yarn_lock("yarn.lock", '__metadata:\n  version: 99\n\n"a@npm:1":\n  version: 1\n')
    assert berry.value is not None and not berry.value.known_version
    assert berry.value.format_version == "99"
    v1 = parse_yarn_lock("yarn.lock", 'a@^1:\n  version "1.0.0"\n')
    assert v1.value is not None and not v1.value.known_version
    assert [p.version for p in v1.value.packages] == ["1.0.0"]


def test_the_grammar_reads_both_syntaxes_to_one_tree() -> None:
    tree, problems = parse_tree(
        '# c\n"a@^1", a@^2:\n  version "1.0.0"\n  dependencies:\n    "@s/b" "^3"\n'
        '"c@npm:1":\n  conditions: os=darwin & cpu=arm64\n  bin:\n    c: ./c.js\n'
    )
    assert problems == []
    assert tree == {
        "a@^1, a@^2": {"version": "1.0.0", "dependencies": {"@s/b": "^3"}},
        "c@npm:1": {"conditions": "os=darwin & cpu=arm64", "bin": {"c": "./c.js"}},
    }


def test_lines_that_do_not_fit_are_problems_with_line_numbers() -> None:
    tree, problems = parse_tree('a@^1:\n   version "1"\n  "unterminated\n  ok yes\n:x\n')
    assert [p.line for p in problems] == [2, 3, 5]
    assert tree == {"a@^1": {"ok": "yes"}}
    deep = "".join(f"{'  ' * level}k{level}:\n" for level in range(MAX_LEVEL + 2))
    _, problems = parse_tree(deep)
    assert [p.message for p in problems][:1] == ["nested too deeply"]


def test_a_workspace_leaving_the_repository_is_dropped_with_a_problem() -> None:
    text = '__metadata:\n  version: 8\n\n"x@workspace:../x":\n  resolution: "x@workspace:../x"\n'
    parsed = parse_yarn_lock("yarn.lock", text)
    assert parsed.value is not None and parsed.value.packages == ()
    assert "leaves the repository" in parsed.problems[0].message
