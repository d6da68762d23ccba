"""The `manifests` probe on Python repositories: each lockfile format joined with its manifests."""

from __future__ import annotations

from pathlib import Path

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
    }  # fmt: skip
    manifest = found.python["pyproject.toml"]
    assert manifest.extras == {"cache": ("redis",)}
    assert manifest.scripts == {"billing": "billing_api.cli:main"}
    assert {d.name: d.scope for d in manifest.dependencies}["redis"] == "extra:cache"
    lock = found.locks["poetry.lock"]
    assert (lock.format, lock.format_version, lock.packages, lock.read) == ("poetry", "2.1", 7, True)
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
    assert envelope.confidence == "high"
