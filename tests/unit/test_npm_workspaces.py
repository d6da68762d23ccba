"""The npm-family workspace reader (codegenie_core.probes.layer_a.npm_workspaces), through the
manifests probe: members, depends, `catalog:` and `workspace:` rewrites and their reasons."""

from __future__ import annotations

import json

from codegenie_core.parsers.inventory import InventoryEntry
from codegenie_core.probe import Envelope
from codegenie_core.probes.layer_a.inputs import InputProblem
from codegenie_core.probes.layer_a.manifests import ManifestsProbe, ManifestsSlice
from tests.unit.layer_a_support import context

PROBE = ManifestsProbe()


def pkg(name: str | None = None, version: str | None = None, **fields: object) -> str:
    data: dict[str, object] = dict(fields)
    if name is not None:
        data["name"] = name
    if version is not None:
        data["version"] = version
    return json.dumps(data)


def run(files: dict[str, str | bytes]) -> tuple[Envelope, ManifestsSlice]:
    envelope = PROBE.run(context(files))
    assert isinstance(envelope, Envelope) and isinstance(envelope.slice, ManifestsSlice)
    return envelope, envelope.slice


def entry(found: ManifestsSlice, manifest: str, name: str) -> InventoryEntry:
    return next(e for e in found.inventory if e.manifest == manifest and e.name == name)


def test_npm_workspaces_expand_in_order_and_members_depend_on_members_by_name() -> None:
    _, found = run(
        {
            "package.json": pkg("root", workspaces=["packages/*", "!packages/old", "tools/*"]),
            "package-lock.json": "{}",
            "packages/a/package.json": pkg("a", "1.0.0", dependencies={"b": "^2.0.0"}),
            "packages/b/package.json": pkg("b", "2.0.0"),
            "packages/old/package.json": pkg("old", "0.1.0"),
            "packages/a/node_modules/b/package.json": pkg("b", "2.0.0"),
        }
    )
    (workspace,) = found.workspaces
    assert (workspace.tool, workspace.root) == ("npm", "package.json")
    assert workspace.members == ("packages/a", "packages/b")
    assert workspace.unmatched == ("tools/*",)
    assert workspace.depends == {"packages/a": ("packages/b",)}
    assert any(
        r.subject == "package.json" and "'tools/*' matches no package" in r.reason
        for r in found.reasons
    )


def test_yarn_workspaces_as_packages_object_take_the_tool_from_the_lockfile() -> None:
    _, found = run(
        {
            "package.json": pkg("root", workspaces={"packages": ["apps/**"]}),
            "yarn.lock": "",
            "apps/web/package.json": pkg("web", "1.0.0", dependencies={"ui": "workspace:^"}),
            "apps/web/ui/package.json": pkg("ui", "3.1.4"),
        }
    )
    (workspace,) = found.workspaces
    assert (workspace.tool, workspace.members) == ("yarn", ("apps/web", "apps/web/ui"))
    web_ui = next(e for e in found.inventory if e.name == "ui")
    assert (web_ui.spec, web_ui.effective_spec, web_ui.resolved) == (
        "workspace:^",
        "^3.1.4",
        "3.1.4",
    )
    assert web_ui.source == "workspace:apps/web/ui"
    assert web_ui.purl == "pkg:npm/ui@3.1.4"


def test_workspace_specs_by_range_alias_and_path_and_an_unknown_member() -> None:
    _, found = run(
        {
            "pnpm-workspace.yaml": "packages: ['packages/*']\n",
            "package.json": pkg("root"),
            "packages/a/package.json": pkg(
                "a",
                "1.0.0",
                dependencies={
                    "b": "workspace:>=2.0.0",
                    "bee": "workspace:b@*",
                    "scoped-alias": "workspace:@s/d@^",
                    "c": "workspace:../c",
                    "ghost": "workspace:*",
                },
            ),
            "packages/b/package.json": pkg("b", "2.5.0"),
            "packages/c/package.json": pkg("c", "0.3.0"),
            "packages/d/package.json": pkg("@s/d", "4.0.0"),
        }
    )
    got = {
        e.name: (e.effective_spec, e.resolved, e.source)
        for e in found.inventory
        if e.manifest == "packages/a/package.json"
    }
    assert got["b"] == (">=2.0.0", "2.5.0", "workspace:packages/b")
    assert got["bee"] == ("2.5.0", "2.5.0", "workspace:packages/b")
    assert got["c"] == ("0.3.0", "0.3.0", "workspace:packages/c")
    assert got["scoped-alias"] == ("^4.0.0", "4.0.0", "workspace:packages/d")
    assert got["ghost"] == (None, None, None)
    assert any(
        r.subject == "packages/a/package.json: ghost" and "names no member" in r.reason
        for r in found.reasons
    )
    (workspace,) = found.workspaces
    assert workspace.depends == {"packages/a": ("packages/b", "packages/c", "packages/d")}


def test_catalog_specs_take_the_catalogs_range_and_a_missing_entry_is_a_reason() -> None:
    envelope, found = run(
        {
            "pnpm-workspace.yaml": (
                "packages: ['packages/*']\ncatalog:\n  react: ^18.2.0\n"
                "catalogs:\n  legacy:\n    react: ^16.14.0\n"
            ),
            "package.json": pkg("root", devDependencies={"react": "catalog:default"}),
            "packages/a/package.json": pkg(
                "a",
                "1.0.0",
                dependencies={"react": "catalog:legacy", "vue": "catalog:", "x": "catalog:none"},
            ),
        }
    )
    assert entry(found, "package.json", "react").effective_spec == "^18.2.0"
    assert entry(found, "packages/a/package.json", "react").effective_spec == "^16.14.0"
    subjects = {r.subject: r.reason for r in found.reasons}
    assert "has no entry for vue" in subjects["packages/a/package.json: vue"]
    assert "catalog 'none'" in subjects["packages/a/package.json: x"]
    assert envelope.confidence == "medium"


def test_pnpm_reads_its_yaml_file_not_the_package_json_workspaces_beside_it() -> None:
    _, found = run(
        {
            "pnpm-workspace.yaml": "packages:\n  - 'libs/*'\n",
            "pnpm-lock.yaml": "lockfileVersion: '9.0'\nimporters:\n  .: {}\n",
            "package.json": pkg("root", workspaces=["packages/*"]),
            "libs/x/package.json": pkg("x", "1.0.0"),
        }
    )
    assert [(w.tool, w.root, w.members) for w in found.workspaces] == [
        ("pnpm", "pnpm-workspace.yaml", ("libs/x",))
    ]


def test_a_pnpm_workspace_file_that_is_not_a_mapping_is_a_problem() -> None:
    _, found = run({"pnpm-workspace.yaml": "- a\n", "package.json": pkg("root")})
    assert found.workspaces == ()
    assert InputProblem(path="pnpm-workspace.yaml", message="not a YAML mapping") in found.problems
