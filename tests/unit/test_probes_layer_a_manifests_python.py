"""The `manifests` probe on Python repositories: each lockfile format joined with its manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegenie_core.parsers.inventory import InventoryEntry
from codegenie_core.probe import Envelope
from codegenie_core.probes.layer_a.manifests import ManifestsProbe, ManifestsSlice
from tests.unit.layer_a_support import context

PROBE = ManifestsProbe()
LOCKFILES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles"


def run(files: dict[str, str | bytes]) -> tuple[Envelope, ManifestsSlice]:
    envelope = PROBE.run(context(files))
    assert isinstance(envelope, Envelope)
    return envelope, envelope.slice


def fixture(name: str) -> dict[str, str | bytes]:
    root = LOCKFILES / name
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def rows(found: ManifestsSlice) -> set[tuple[object, ...]]:
    return {
        (e.name, e.resolved, e.purl, e.direct, e.scope, e.manifest, e.lockfile, e.member, e.source)
        for e in found.inventory
    }


def entry(found: ManifestsSlice, name: str) -> InventoryEntry:
    (only,) = [e for e in found.inventory if e.name == name]
    return only


def test_poetry_2_lock_resolves_main_dev_optional_and_git_dependencies() -> None:
    envelope, found = run(fixture("poetry-2"))

    assert rows(found) == {
        ("requests", "2.31.0", "pkg:pypi/requests@2.31.0", True, "runtime",
         "pyproject.toml", "poetry.lock", ".", None),
        ("redis", "5.0.3", "pkg:pypi/redis@5.0.3", True, "optional",
         "pyproject.toml", "poetry.lock", ".", None),
        ("core-lib", "1.4.0", "pkg:pypi/core-lib@1.4.0", True, "runtime",
         "pyproject.toml", "poetry.lock", ".",
         "git+https://github.com/example/core-lib.git@0123456789abcdef0123456789abcdef01234567"),
        ("pytest", "8.1.1", "pkg:pypi/pytest@8.1.1", True, "dev",
         "pyproject.toml", "poetry.lock", ".", None),
        ("certifi", "2024.2.2", "pkg:pypi/certifi@2024.2.2", False, "runtime",
         None, "poetry.lock", None, None),
        ("urllib3", "2.2.1", "pkg:pypi/urllib3@2.2.1", False, "runtime",
         None, "poetry.lock", None, None),
        ("iniconfig", "2.0.0", "pkg:pypi/iniconfig@2.0.0", False, "dev",
         None, "poetry.lock", None, None),
        ("async-timeout", "4.0.3", "pkg:pypi/async-timeout@4.0.3", False, "optional",
         None, "poetry.lock", None, None),
    }  # fmt: skip
    manifest = found.python["pyproject.toml"]
    assert manifest.extras == {"cache": ("redis",)}
    assert manifest.scripts == {"billing": "billing_api.cli:main"}
    assert {d.name: d.scope for d in manifest.dependencies}["redis"] == "extra:cache"
    lock = found.locks["poetry.lock"]
    assert (lock.format, lock.format_version, lock.packages, lock.read) == (
        "poetry",
        "2.1",
        8,
        True,
    )
    assert (envelope.confidence, found.reasons) == ("high", ())


def test_poetry_1_lock_scopes_come_from_its_categories() -> None:
    envelope, found = run(fixture("poetry-1"))

    assert rows(found) == {
        ("click", "8.0.4", "pkg:pypi/click@8.0.4", True, "runtime",
         "pyproject.toml", "poetry.lock", ".", None),
        ("black", "22.1.0", "pkg:pypi/black@22.1.0", True, "dev",
         "pyproject.toml", "poetry.lock", ".", None),
        ("mypy-extensions", "0.4.3", "pkg:pypi/mypy-extensions@0.4.3", False, "dev",
         None, "poetry.lock", None, None),
    }  # fmt: skip
    assert found.locks["poetry.lock"].format_version == "1.1"
    assert envelope.confidence == "high"


def test_uv_workspace_members_join_through_their_importers() -> None:
    envelope, found = run(fixture("uv"))

    assert rows(found) == {
        ("acme-api", "0.2.0", "pkg:pypi/acme-api@0.2.0", True, "runtime",
         "pyproject.toml", "uv.lock", ".", "workspace:packages/api"),
        ("pytest", "8.2.0", "pkg:pypi/pytest@8.2.0", True, "dev",
         "pyproject.toml", "uv.lock", ".", None),
        ("acme-core", "0.2.0", "pkg:pypi/acme-core@0.2.0", True, "runtime",
         "packages/api/pyproject.toml", "uv.lock", "packages/api", "workspace:packages/core"),
        ("httpx", "0.27.0", "pkg:pypi/httpx@0.27.0", True, "runtime",
         "packages/api/pyproject.toml", "uv.lock", "packages/api", None),
        ("orjson", "3.10.3", "pkg:pypi/orjson@3.10.3", True, "optional",
         "packages/api/pyproject.toml", "uv.lock", "packages/api", None),
        ("idna", "3.7", "pkg:pypi/idna@3.7", True, "runtime",
         "packages/core/pyproject.toml", "uv.lock", "packages/core", None),
        ("iniconfig", "2.0.0", "pkg:pypi/iniconfig@2.0.0", False, "dev",
         None, "uv.lock", None, None),
    }  # fmt: skip
    (workspace,) = found.workspaces
    assert (workspace.tool, workspace.root, workspace.patterns, workspace.members) == (
        "uv",
        "pyproject.toml",
        ("packages/*", "libs/*"),
        (".", "packages/api", "packages/core"),
    )
    assert workspace.unmatched == ("libs/*",)
    assert workspace.depends == {".": ("packages/api",), "packages/api": ("packages/core",)}
    assert found.python["packages/api/pyproject.toml"].scripts == {"acme-api": "acme_api.main:run"}
    assert [(r.subject, r.confidence) for r in found.reasons] == [
        ("pyproject.toml: libs/*", "medium")
    ]
    assert envelope.confidence == "medium"


def test_pipfile_lock_pins_default_and_develop_packages() -> None:
    envelope, found = run(fixture("pipfile"))

    assert rows(found) == {
        ("requests", "2.31.0", "pkg:pypi/requests@2.31.0", True, "runtime",
         "Pipfile", "Pipfile.lock", ".", None),
        ("flask", "3.0.2", "pkg:pypi/flask@3.0.2", True, "runtime",
         "Pipfile", "Pipfile.lock", ".", None),
        ("pytest", "8.1.1", "pkg:pypi/pytest@8.1.1", True, "dev",
         "Pipfile", "Pipfile.lock", ".", None),
        ("certifi", "2024.2.2", "pkg:pypi/certifi@2024.2.2", False, "runtime",
         None, "Pipfile.lock", None, None),
    }  # fmt: skip
    manifest = found.python["Pipfile"]
    assert (manifest.kind, manifest.requires_python, manifest.scripts) == (
        "pipfile",
        "3.11",
        {"serve": "flask run"},
    )
    assert envelope.confidence == "high"


def test_pdm_lock_merges_extra_variants_and_takes_scopes_from_the_manifest() -> None:
    envelope, found = run(fixture("pdm"))

    assert rows(found) == {
        ("httpx", "0.27.0", "pkg:pypi/httpx@0.27.0", True, "runtime",
         "pyproject.toml", "pdm.lock", ".", None),
        ("pyyaml", "6.0.1", "pkg:pypi/pyyaml@6.0.1", True, "optional",
         "pyproject.toml", "pdm.lock", ".", None),
        ("pytest", "8.2.0", "pkg:pypi/pytest@8.2.0", True, "dev",
         "pyproject.toml", "pdm.lock", ".", None),
        ("h2", "4.1.0", "pkg:pypi/h2@4.1.0", False, "runtime",
         None, "pdm.lock", None, None),
        ("idna", "3.7", "pkg:pypi/idna@3.7", False, "runtime",
         None, "pdm.lock", None, None),
    }  # fmt: skip
    assert found.locks["pdm.lock"].packages == 5
    assert [(e.source, e.target) for e in found.edges] == [
        ("pkg:pypi/httpx@0.27.0", "pkg:pypi/h2@4.1.0"),
        ("pkg:pypi/httpx@0.27.0", "pkg:pypi/idna@3.7"),
    ]
    assert envelope.confidence == "high"


def test_exact_requirement_pins_resolve_and_a_poetry_lock_beside_them_does_not_govern_them() -> (
    None
):
    requirements = (
        "# pip-compile --generate-hashes\n"
        "certifi==2024.2.2 \\\n"
        "    --hash=sha256:0000 \\\n"
        "    --hash=sha256:1111\n"
        "    # via requests\n"
        "legacy-thing===1.0-custom --hash=sha256:2222\n"
        "requests>=2.31\n"
        "wild==1.*\n"
    )
    envelope, found = run(
        {
            "requirements.txt": requirements,
            **fixture("poetry-1"),
        }
    )

    pinned = {
        (e.name, e.resolved, e.lockfile, e.scope)
        for e in found.inventory
        if e.manifest == "requirements.txt"
    }
    assert pinned == {
        ("certifi", "2024.2.2", None, "runtime"),
        ("legacy-thing", "1.0-custom", None, "runtime"),
        ("requests", None, None, "runtime"),
        ("wild", None, None, "runtime"),
    }
    assert entry(found, "requests").reasons == ("no lockfile pins it",)
    assert envelope.confidence == "high"


def test_setup_py_literals_are_read_and_a_computed_argument_is_a_reason_not_a_guess() -> None:
    setup_py = (
        "from setuptools import setup, find_packages\n"
        "import versioneer\n"
        "setup(\n"
        "    name='Legacy_Pkg',\n"
        "    version=versioneer.get_version(),\n"
        "    python_requires='>=3.8',\n"
        "    install_requires=['six==1.16.0', 'attrs>=21'],\n"
        "    extras_require={'docs': ['sphinx']},\n"
        "    entry_points={'console_scripts': ['legacy = legacy.cli:main']},\n"
        "    packages=find_packages(),\n"
        ")\n"
    )
    envelope, found = run({"setup.py": setup_py})

    manifest = found.python["setup.py"]
    assert (manifest.kind, manifest.name, manifest.version, manifest.requires_python) == (
        "setup.py",
        "legacy-pkg",
        None,
        ">=3.8",
    )
    assert [(d.name, d.spec, d.scope) for d in manifest.dependencies] == [
        ("sphinx", "", "extra:docs"),
        ("attrs", ">=21", "runtime"),
        ("six", "==1.16.0", "runtime"),
    ]
    assert manifest.scripts == {"legacy": "legacy.cli:main"}
    assert manifest.not_literal == ("version: not a literal (line 5)",)
    assert entry(found, "six").resolved == "1.16.0"
    assert [(r.subject, r.reason, r.confidence) for r in found.reasons] == [
        ("setup.py: version", "not a literal (line 5)", "medium")
    ]
    assert envelope.confidence == "medium"


def test_setup_cfg_is_read_without_interpolation_and_attr_versions_are_reasons() -> None:
    setup_cfg = (
        "[metadata]\n"
        "name = cfg_pkg\n"
        "version = attr: cfg_pkg.__version__\n"
        "description = 100% static\n"
        "\n"
        "[options]\n"
        "python_requires = >=3.9\n"
        "install_requires =\n"
        "    click>=8\n"
        "    # a comment line\n"
        '    tomli>=2; python_version < "3.11"\n'
        "\n"
        "[options.extras_require]\n"
        "test =\n"
        "    pytest==8.1.1\n"
        "    wheelhouse @ https://files.example/wheelhouse-1.0%2Blocal-py3-none-any.whl\n"
        "\n"
        "[options.entry_points]\n"
        "console_scripts =\n"
        "    cfg = cfg_pkg.cli:main\n"
    )
    envelope, found = run({"setup.cfg": setup_cfg})

    manifest = found.python["setup.cfg"]
    assert (manifest.kind, manifest.name, manifest.version, manifest.requires_python) == (
        "setup.cfg",
        "cfg-pkg",
        None,
        ">=3.9",
    )
    assert [(d.name, d.scope, d.marker) for d in manifest.dependencies] == [
        ("pytest", "extra:test", None),
        ("wheelhouse", "extra:test", None),
        ("click", "runtime", None),
        ("tomli", "runtime", 'python_version < "3.11"'),
    ]
    assert manifest.extras == {"test": ("pytest", "wheelhouse")}
    assert manifest.scripts == {"cfg": "cfg_pkg.cli:main"}
    assert entry(found, "pytest").resolved == "8.1.1"
    assert [r.subject for r in found.reasons] == ["setup.cfg: version"]
    assert envelope.confidence == "medium"


def test_a_lockfile_version_the_reader_does_not_know_is_read_best_effort_at_medium() -> None:
    files = fixture("uv")
    files["uv.lock"] = str(files["uv.lock"]).replace("version = 1\n", "version = 2\n", 1)
    files["pyproject.toml"] = str(files["pyproject.toml"]).replace(', "libs/*"', "")

    envelope, found = run(files)

    assert entry(found, "httpx").resolved == "0.27.0"
    assert [(r.subject, r.reason) for r in found.reasons] == [
        ("uv.lock", "uv format version 2 is not one this reader knows; read best-effort")
    ]
    assert envelope.confidence == "medium"


@pytest.mark.parametrize(
    "argument",
    [
        "[" * 100_000 + "]" * 100_000,  # SyntaxError: too many nested parentheses
        "1" + "+1" * 200_000,  # RecursionError while the AST is built
        "-" * 200_000 + "1",  # MemoryError in the parser
    ],
)
def test_a_setup_py_nested_too_deeply_is_a_problem_not_a_crash(argument: str) -> None:
    envelope, found = run({"setup.py": f"setup(name={argument})\n"})

    assert found.python == {}
    assert [p.path for p in found.problems] == ["setup.py"]
    assert envelope.confidence == "low"


def test_without_a_lock_a_uv_member_dependency_on_another_member_has_a_workspace_source() -> None:
    files = fixture("uv")
    del files["uv.lock"]

    _, found = run(files)

    assert (entry(found, "acme-core").source, entry(found, "acme-core").resolved) == (
        "workspace:packages/core",
        None,
    )
