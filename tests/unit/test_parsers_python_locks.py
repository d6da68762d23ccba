"""The Python lockfile readers: poetry.lock, uv.lock, Pipfile.lock, pdm.lock."""

from __future__ import annotations

from benches._gen_lock_poetry import generate as generate_poetry
from benches._gen_lock_uv import generate as generate_uv
from codegenie_core.parsers.lock_model import Importer, LockedRef
from codegenie_core.parsers.manifest_model import ManifestProblem
from codegenie_core.parsers.pdm_lock import parse_pdm_lock
from codegenie_core.parsers.pipfile_lock import parse_pipfile_lock
from codegenie_core.parsers.poetry_lock import parse_poetry_lock
from codegenie_core.parsers.uv_lock import parse_uv_lock


def test_a_generated_2000_package_uv_lock_gives_2000_packages_and_one_importer_per_member() -> None:
    files = generate_uv(2_000, 8)
    parsed = parse_uv_lock("uv.lock", files["uv.lock"])

    assert parsed.value is not None
    assert (len(parsed.value.packages), len(parsed.value.importers), parsed.problems) == (
        2_000,
        9,
        (),
    )


def test_a_generated_2000_package_poetry_lock_gives_2000_packages() -> None:
    files = generate_poetry(2_000, 8)
    parsed = parse_poetry_lock("poetry.lock", files["poetry.lock"])

    assert parsed.value is not None
    assert (len(parsed.value.packages), parsed.problems) == (2_000, ())
    assert {p.source for p in parsed.value.packages if p.source} == {
        f"path:libs/lib{m:03d}" for m in range(8)
    }


UV_TWO_VERSIONS = """
version = 1
revision = 2

[[package]]
name = "app"
version = "1.0.0"
source = { editable = "." }
dependencies = [
    { name = "numpy", version = "1.26.4", source = { registry = "https://pypi.org/simple" } },
    { name = "numpy", version = "2.0.0", source = { registry = "https://pypi.org/simple" } },
    { name = "Typing_Extensions" },
]

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "numpy"
version = "2.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "typing-extensions"
version = "4.12.0"
source = { registry = "https://mirror.example/simple" }

[[package]]
name = "outside"
version = "0.1.0"
source = { editable = "../../../outside" }
"""


def test_uv_requirements_name_the_version_they_resolved_to_when_a_name_is_locked_twice() -> None:
    parsed = parse_uv_lock("services/app/uv.lock", UV_TWO_VERSIONS)

    assert parsed.value is not None
    assert parsed.value.importers == (
        Importer(
            path="services/app",
            dependencies=(
                LockedRef(name="numpy", spec="1.26.4", target="numpy 1.26.4"),
                LockedRef(name="numpy", spec="2.0.0", target="numpy 2.0.0"),
                LockedRef(name="typing-extensions", spec="", target="typing-extensions 4.12.0"),
            ),
        ),
    )
    sources = {p.id: p.source for p in parsed.value.packages}
    assert sources["app 1.0.0"] == "workspace:services/app"
    assert sources["typing-extensions 4.12.0"] == "registry:https://mirror.example/simple"
    assert parsed.problems == (
        ManifestProblem(message="outside: editable '../../../outside' leaves the repository"),
    )


def test_uv_entries_of_the_wrong_type_are_problems_and_the_rest_is_read() -> None:
    parsed = parse_uv_lock(
        "uv.lock",
        'version = "one"\npackage = [{ name = "a", version = "1", source = { registry = "'
        'https://pypi.org/simple" } }, { version = "2" }, "x", { name = "b" }]\n',
    )

    assert parsed.value is not None
    assert [p.id for p in parsed.value.packages] == ["a 1"]
    assert [p.message for p in parsed.problems] == [
        "'version' is not an integer",
        "an entry of 'package' is not a table",
        "package #2: no name",
        "package #3: 'b' has no version",
    ]
    assert (parsed.value.format_version, parsed.value.known_version) == (None, False)


def test_a_poetry_lock_version_it_does_not_know_is_read_best_effort() -> None:
    parsed = parse_poetry_lock(
        "poetry.lock",
        '[[package]]\nname = "Django"\nversion = "5.0"\n\n[metadata]\nlock-version = "3.0"\n',
    )

    assert parsed.value is not None
    assert [(p.name, p.scope) for p in parsed.value.packages] == [("django", None)]
    assert (parsed.value.format_version, parsed.value.known_version) == ("3.0", False)


def test_a_pipfile_lock_vcs_package_gets_its_ref_and_source_and_bad_json_has_coordinates() -> None:
    parsed = parse_pipfile_lock(
        "Pipfile.lock",
        '{"_meta": {"pipfile-spec": 6}, "default": {"Lib_X": {"git": "https://g.example/x.git",'
        ' "ref": "abc123"}, "broken": {"hashes": []}}, "develop": []}',
    )

    assert parsed.value is not None
    assert [(p.name, p.version, p.source, p.scope) for p in parsed.value.packages] == [
        ("lib-x", "abc123", "git+https://g.example/x.git", "runtime")
    ]
    assert [p.message for p in parsed.problems] == [
        "default: 'broken' has no version",
        "'develop' is not a table",
    ]
    bad = parse_pipfile_lock("Pipfile.lock", '{\n  "default": ,\n}')
    assert bad.value is None
    assert [(p.line, p.column) for p in bad.problems] == [(2, 14)]


def test_a_pdm_lock_before_version_4_reads_its_sections_best_effort() -> None:
    parsed = parse_pdm_lock(
        "pdm.lock",
        '[metadata]\nlock_version = "3.1"\n\n[[package]]\nname = "click"\nversion = "8.1.7"\n'
        'sections = ["default"]\ndependencies = ["colorama; platform_system == \\"Windows\\""]\n',
    )

    assert parsed.value is not None
    (package,) = parsed.value.packages
    assert (package.scope, package.dependencies) == ("runtime", (LockedRef(name="colorama"),))
    assert (parsed.value.format_version, parsed.value.known_version) == ("3.1", False)


def test_a_pipfile_lock_package_in_both_sections_with_one_version_is_one_runtime_package() -> None:
    parsed = parse_pipfile_lock(
        "Pipfile.lock",
        '{"_meta": {"pipfile-spec": 6}, "default": {"six": {"version": "==1.16.0"}},'
        ' "develop": {"six": {"version": "==1.16.0"}, "mock": {"version": "==5.1.0"}}}',
    )

    assert parsed.value is not None
    assert [(p.id, p.scope) for p in parsed.value.packages] == [
        ("mock 5.1.0", "dev"),
        ("six 1.16.0", "runtime"),
    ]
