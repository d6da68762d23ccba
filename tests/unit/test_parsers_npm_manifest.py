"""package.json reading and the lockfile that decides the package manager."""

from __future__ import annotations

import pytest

from codegenie_core.parsers.manifest_model import Dependency, ManifestProblem
from codegenie_core.parsers.npm_manifest import package_manager_for, parse_package_json

PACKAGE_JSON = """{
  "name": "@acme/web",
  "version": "1.2.3",
  "packageManager": "pnpm@9.1.0",
  "scripts": {"start": "node server.js", "build": "tsc"},
  "engines": {"node": ">=20"},
  "workspaces": ["packages/*", "apps/*"],
  "dependencies": {"express": "^4.19.2"},
  "devDependencies": {"typescript": "~5.4.5"},
  "peerDependencies": {"react": ">=18"}
}"""


def test_fields_and_dependencies_by_scope() -> None:
    manifest = parse_package_json(PACKAGE_JSON).value

    assert manifest is not None
    assert (manifest.name, manifest.version, manifest.package_manager_field) == (
        "@acme/web",
        "1.2.3",
        "pnpm@9.1.0",
    )
    assert manifest.scripts == {"build": "tsc", "start": "node server.js"}
    assert manifest.engines == {"node": ">=20"}
    assert manifest.workspaces == ("packages/*", "apps/*")
    assert manifest.dependencies == (
        Dependency(name="typescript", spec="~5.4.5", scope="dev"),
        Dependency(name="react", spec=">=18", scope="peer"),
        Dependency(name="express", spec="^4.19.2", scope="runtime"),
    )


def test_yarn_object_form_of_workspaces() -> None:
    manifest = parse_package_json('{"workspaces": {"packages": ["libs/*"], "nohoist": []}}').value

    assert manifest is not None and manifest.workspaces == ("libs/*",)


def test_a_json_syntax_error_has_line_and_column() -> None:
    parsed = parse_package_json('{\n  "name": "x",\n  "version": \n}')

    assert parsed == type(parsed)(
        value=None,
        problems=(ManifestProblem(message="Expecting value", line=4, column=1),),
    )


def test_fields_of_the_wrong_type_are_problems_and_the_rest_is_kept() -> None:
    parsed = parse_package_json('{"name": 7, "version": "1.0.0", "scripts": ["build"]}')

    assert parsed.value is not None and parsed.value.version == "1.0.0"
    assert parsed.problems == (
        ManifestProblem(message="'name' is not a string"),
        ManifestProblem(message="'scripts' is not an object of strings"),
    )


def test_a_json_array_is_not_a_manifest() -> None:
    assert parse_package_json("[]").problems == (ManifestProblem(message="not a JSON object"),)


@pytest.mark.parametrize(
    ("lockfile", "manager"),
    [
        ("package-lock.json", "npm"),
        ("npm-shrinkwrap.json", "npm"),
        ("yarn.lock", "yarn"),
        ("pnpm-lock.yaml", "pnpm"),
        ("bun.lockb", "bun"),
        ("bun.lock", "bun"),
    ],
)
def test_the_lockfile_beside_the_manifest_names_the_package_manager(
    lockfile: str, manager: str
) -> None:
    assert package_manager_for("web/package.json", ["web/package.json", f"web/{lockfile}"]) == (
        manager,
        f"web/{lockfile}",
    )


def test_a_workspace_package_uses_the_nearest_ancestor_lockfile() -> None:
    files = ["package.json", "yarn.lock", "packages/a/package.json", "other/pnpm-lock.yaml"]

    assert package_manager_for("packages/a/package.json", files) == ("yarn", "yarn.lock")


def test_no_lockfile_means_no_package_manager() -> None:
    assert package_manager_for("package.json", ["package.json"]) == (None, None)
