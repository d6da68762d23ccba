"""Which dependency group or extra declares a dependency (ADR-0084): PEP 735 groups and their
includes, PEP 621 / setuptools / Poetry extras, Poetry, uv, Pipenv and Bundler groups, and the
inventory's merge of entries that differ only in their groups."""

from __future__ import annotations

from collections.abc import Mapping

from codegenie_core.parsers.dependency_groups import (
    DEPTH_CAP,
    ENTRIES_CAP,
    expand_dependency_groups,
)
from codegenie_core.parsers.inventory import Declared, InventoryEntry, join
from codegenie_core.parsers.lock_model import Lock, LockedPackage
from codegenie_core.parsers.manifest_model import Dependency, ManifestProblem, group_label
from codegenie_core.parsers.python_manifest import parse_pyproject
from codegenie_core.parsers.python_setup import parse_pipfile, parse_setup_cfg
from codegenie_core.parsers.ruby import parse_gemfile
from tests.unit.test_probes_layer_a_manifests_python import fixture, run


def _groups(text: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """(name, scope) -> groups of every dependency a pyproject declares."""
    manifest = parse_pyproject(text).value
    assert manifest is not None
    return {(d.name, d.scope): d.groups for d in manifest.dependencies}


def _expand(table: Mapping[str, object]) -> tuple[dict[str, object], list[str]]:
    problems: list[ManifestProblem] = []
    groups = expand_dependency_groups(table, problems)
    return {g.normalised: g.items for g in groups}, [p.message for p in problems]


def test_group_labels_normalise_pep_735_and_pep_685_names() -> None:
    assert [
        group_label("group", "Type_Checking..Strict"),
        group_label("extra", "Async"),
        group_label("group", "Lint_All", normalise=False),
    ] == ["group:type-checking-strict", "extra:async", "group:Lint_All"]


def test_include_group_expands_includes_of_includes_by_normalised_name() -> None:
    expanded, problems = _expand(
        {
            "all": [{"include-group": "Dev"}, "tox"],
            "dev": [{"include-group": "test_suite"}, "ruff"],
            "test-suite": ["pytest"],
        }
    )

    assert problems == []
    assert expanded == {
        "all": ["pytest", "ruff", "tox"],
        "dev": ["pytest", "ruff"],
        "test-suite": ["pytest"],
    }


def test_an_include_cycle_is_a_problem_of_the_group_that_closes_it_and_never_hangs() -> None:
    expanded, problems = _expand(
        {"a": ["x", {"include-group": "b"}], "b": ["y", {"include-group": "a"}]}
    )

    assert problems == ["dependency group 'b': include-group 'a' closes a cycle (a -> b -> a)"]
    assert expanded == {"a": ["x", "y"], "b": ["y"]}


def test_a_group_including_itself_is_a_cycle() -> None:
    expanded, problems = _expand({"a": ["x", {"include-group": "A"}]})

    assert problems == ["dependency group 'a': include-group 'A' closes a cycle (a -> a)"]
    assert expanded == {"a": ["x"]}


def test_an_include_of_a_missing_group_is_a_problem_naming_both_and_keeps_the_rest() -> None:
    expanded, problems = _expand({"dev": ["ruff", {"include-group": "docs"}]})

    assert problems == ["dependency group 'dev': include-group 'docs' names no dependency group"]
    assert expanded == {"dev": ["ruff"]}


def test_a_table_that_is_no_include_and_a_duplicate_normalised_name_are_problems() -> None:
    expanded, problems = _expand({"Dev": [{"path": "."}], "dev": ["x"]})

    assert problems == [
        "dependency group 'dev': its normalised name 'dev' is also 'Dev''s; it is left out",
        "dependency group 'Dev': {'path': '.'} is not an {include-group} table",
    ]
    assert expanded == {"dev": []}


def test_expansion_stops_at_the_entries_cap_with_one_problem() -> None:
    # each group includes the previous one twice: 2**30 entries if nothing stopped it
    table: dict[str, object] = {"g0": ["a"]}
    for i in range(1, 31):
        table[f"g{i}"] = [{"include-group": f"g{i - 1}"}, {"include-group": f"g{i - 1}"}]

    expanded, problems = _expand(table)

    assert sum(len(items) for items in expanded.values() if isinstance(items, list)) == ENTRIES_CAP
    assert len(problems) == 1 and f"more than {ENTRIES_CAP} entries" in problems[0]


def test_include_chains_deeper_than_the_cap_are_a_problem_not_a_recursion_error() -> None:
    table: dict[str, object] = {f"g{i}": [{"include-group": f"g{i + 1}"}] for i in range(500)}
    table["g500"] = ["leaf"]

    expanded, problems = _expand(table)

    assert problems and all(f"nested more than {DEPTH_CAP} deep" in p for p in problems)
    assert expanded["g500"] == ["leaf"] and expanded["g499"] == ["leaf"]


def test_pyproject_groups_extras_and_uv_dev_dependencies_are_labelled() -> None:
    text = """
[project]
name = "x"
dependencies = ["click"]
[project.optional-dependencies]
Async = ["asgiref>=3.2"]
[dependency-groups]
Type_Check = ["mypy"]
[tool.uv]
dev-dependencies = ["ruff"]
[tool.pdm.dev-dependencies]
Lint = ["black"]
"""
    assert _groups(text) == {
        ("click", "runtime"): (),
        ("asgiref", "extra:Async"): ("extra:async",),
        ("mypy", "group:Type_Check"): ("group:type-check",),
        ("ruff", "dev"): ("group:dev",),
        ("black", "group:Lint"): ("group:lint",),
    }


def test_a_cycle_in_a_pyproject_grades_the_manifest_medium_naming_the_group() -> None:
    files: dict[str, str | bytes] = {
        "pyproject.toml": '[project]\nname = "x"\ndependencies = []\n'
        '[dependency-groups]\na = [{include-group = "b"}, "x"]\nb = [{include-group = "a"}]\n'
    }
    envelope, found = run(files)

    assert envelope.confidence == "medium"
    assert [p.message for p in found.problems] == [
        "dependency group 'b': include-group 'a' closes a cycle (a -> b -> a)"
    ]
    assert [(e.name, e.groups) for e in found.inventory] == [("x", ("group:a",))]


def test_poetry_groups_legacy_dev_dependencies_and_extras_are_labelled() -> None:
    text = """
[tool.poetry]
name = "w"
[tool.poetry.dependencies]
python = "^3.11"
redis = { version = "^5", optional = true }
hiredis = { version = "^2", optional = true }
[tool.poetry.extras]
Cache = ["redis", "hiredis"]
fast = ["hiredis"]
[tool.poetry.dev-dependencies]
black = "^24"
[tool.poetry.group.Lint.dependencies]
ruff = "^0.6"
"""
    assert _groups(text) == {
        ("redis", "extra:Cache"): ("extra:cache",),
        ("hiredis", "optional"): ("extra:cache", "extra:fast"),
        ("black", "dev"): ("group:dev",),
        ("ruff", "group:Lint"): ("group:Lint",),
    }


def test_bundler_groups_blocks_and_options_are_labelled_as_written() -> None:
    text = """source "https://rubygems.org"
gem "rails", "~> 7.1"
group :development, :test do
  gem "rspec"
  gem "pry", group: :debug
end
gem "puma", group: :production
"""
    gemfile = parse_gemfile(text).value
    assert gemfile is not None
    assert {d.name: (d.scope, d.groups) for d in gemfile.dependencies} == {
        "rails": ("runtime", ()),
        "rspec": ("dev", ("group:development", "group:test")),
        "pry": ("runtime", ("group:debug", "group:development", "group:test")),
        "puma": ("runtime", ("group:production",)),
    }


def test_pipfile_dev_packages_and_categories_and_setup_cfg_extras_are_labelled() -> None:
    pipfile = parse_pipfile(
        '[packages]\nflask = "*"\n[dev-packages]\npytest = "*"\n[Docs]\nsphinx = "*"\n'
    ).value
    setup_cfg = parse_setup_cfg(
        "[metadata]\nname = x\n[options.extras_require]\nSpeed_Up =\n    orjson\n"
    ).value
    assert pipfile is not None and setup_cfg is not None
    assert {d.name: d.groups for d in pipfile.dependencies} == {
        "flask": (),
        "pytest": ("group:dev",),
        "sphinx": ("group:Docs",),
    }
    assert {d.name: d.groups for d in setup_cfg.dependencies} == {"orjson": ("extra:speed-up",)}


def _pypi(name: str, spec: str, scope: str, groups: tuple[str, ...]) -> Declared:
    return Declared(
        ecosystem="pypi",
        manifest="pyproject.toml",
        member=".",
        dependency=Dependency(name=name, spec=spec, scope=scope, groups=groups),
    )


# A uv.lock-like lock pinning one pytest, which the join tests declare in several groups.
PYTEST_LOCK = Lock(
    ecosystem="pypi",
    format="test",
    format_version="1",
    known_version=True,
    packages=(LockedPackage(id="p", name="pytest", version="8.3.4"),),
)


def test_join_merges_entries_equal_but_for_their_groups_and_keeps_other_differences() -> None:
    lock = PYTEST_LOCK
    declared = [
        _pypi("pytest", "", "group:typing", ("group:typing",)),
        _pypi("pytest", "", "group:tests", ("group:tests",)),
        _pypi("pytest", "", "group:dev", ("group:tests",)),  # an include of tests, again
        _pypi("pytest", ">=8", "group:lint", ("group:lint",)),  # another spec: another entry
    ]

    result = join(declared, {"uv.lock": lock}, {"pyproject.toml": "uv.lock"})

    assert [(e.spec, e.groups) for e in result.entries] == [
        ("", ("group:tests", "group:typing")),
        (">=8", ("group:lint",)),
    ]


def test_join_reports_a_stale_pin_once_for_a_dependency_in_two_groups() -> None:
    lock = Lock(
        ecosystem="pypi", format="test", format_version="1", known_version=True, packages=()
    )
    declared = [
        _pypi("pytest", "", "group:typing", ("group:typing",)),
        _pypi("pytest", "", "group:tests", ("group:tests",)),
    ]

    result = join(declared, {"uv.lock": lock}, {"pyproject.toml": "uv.lock"})

    assert len(result.entries) == 1 and len(result.reasons) == 1


def test_a_flask_shaped_uv_project_gives_one_entry_per_package_and_declaration() -> None:
    envelope, found = run(fixture("uv-groups"))

    assert envelope.confidence == "high" and found.problems == ()
    assert [
        (e.name, e.resolved, e.scope, e.groups)
        for e in found.inventory
        if isinstance(e, InventoryEntry)
    ] == [
        ("asgiref", "3.8.1", "dev", ("group:dev", "group:tests")),
        ("asgiref", "3.8.1", "optional", ("extra:async",)),
        ("click", "8.1.8", "runtime", ()),
        ("itsdangerous", "2.2.0", "runtime", ()),
        ("mypy", "1.13.0", "dev", ("group:dev", "group:typing")),
        ("pytest", "8.3.4", "dev", ("group:dev", "group:tests", "group:typing")),
        ("tox", "4.23.2", "dev", ("group:dev",)),
    ]


def test_an_entry_no_group_declares_is_never_merged_into_a_grouped_one() -> None:
    lock = PYTEST_LOCK
    declared = [
        _pypi("pytest", "", "optional", ()),  # an optional dependency no extra names
        _pypi("pytest", "", "optional", ("extra:testing",)),
        _pypi("pytest", "", "optional", ("extra:ci",)),
    ]

    result = join(declared, {"uv.lock": lock}, {"pyproject.toml": "uv.lock"})

    assert [e.groups for e in result.entries] == [(), ("extra:ci", "extra:testing")]


def test_dependencies_equal_but_for_their_groups_are_sorted_by_them() -> None:
    text = 'group :test do\n  gem "rspec"\nend\ngroup :development do\n  gem "rspec"\nend\n'
    gemfile = parse_gemfile(text).value
    assert gemfile is not None
    assert [d.groups for d in gemfile.dependencies] == [("group:development",), ("group:test",)]
