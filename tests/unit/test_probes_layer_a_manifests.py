"""The `manifests` probe: every ecosystem, monorepo paths, package managers, graded confidence."""

from __future__ import annotations

from pathlib import Path

from codegenie_adapters.serde import envelope_from_json, envelope_to_json
from codegenie_core.ports import MAX_READ_BYTES
from codegenie_core.probe import Envelope, NotApplicable
from codegenie_core.probes.layer_a.inputs import InputProblem
from codegenie_core.probes.layer_a.manifests import LockSummary, ManifestsProbe, ManifestsSlice
from tests.unit.layer_a_support import PORTFOLIO, context, portfolio_context

PROBE = ManifestsProbe()


def run_portfolio(name: str) -> Envelope:
    envelope = PROBE.run(portfolio_context(name))
    assert isinstance(envelope, Envelope)
    return envelope


def test_polyglot_monorepo_reports_each_workspace_package_and_the_python_service() -> None:
    envelope = run_portfolio("polyglot-monorepo")
    found: ManifestsSlice = envelope.slice

    assert found.ecosystems == ("npm", "python")
    assert {path: m.name for path, m in found.npm.items()} == {
        "package.json": "polyglot-monorepo",
        "packages/shared/package.json": "@acme/shared",
        "packages/web/package.json": "@acme/web",
    }
    assert {m.package_manager for m in found.npm.values()} == {"npm"}
    assert found.npm["package.json"].workspaces == ("packages/*",)
    assert list(found.python) == ["services/worker/pyproject.toml"]
    assert found.lockfiles == ("package-lock.json",)
    assert (envelope.confidence, found.problems) == ("high", ())


def test_python_service_has_pyproject_and_both_requirements_files() -> None:
    found: ManifestsSlice = run_portfolio("python-service").slice

    assert {path: m.kind for path, m in found.python.items()} == {
        "pyproject.toml": "pep621",
        "requirements-dev.txt": "requirements",
        "requirements.txt": "requirements",
    }
    assert found.python["requirements-dev.txt"].includes == ("-r requirements.txt",)


def test_go_cli_module() -> None:
    found: ManifestsSlice = run_portfolio("go-cli").slice

    module = found.go["go.mod"]
    assert (module.module, module.go, module.toolchain, len(module.replaces)) == (
        "github.com/example/greet-cli",
        "1.22",
        "go1.22.4",
        1,
    )


def test_cargo_library_with_a_maven_module() -> None:
    found: ManifestsSlice = run_portfolio("no-docker-lib").slice

    assert found.ecosystems == ("cargo", "maven")
    assert found.cargo["Cargo.toml"].name == "ringbuf-lite"
    assert found.maven["java-bindings/pom.xml"].artifact_id == "ringbuf-java"


def test_minimal_ts_package_manager_comes_from_its_lockfile() -> None:
    found: ManifestsSlice = run_portfolio("minimal-ts").slice

    manifest = found.npm["package.json"]
    assert (manifest.package_manager, manifest.lockfile) == ("npm", "package-lock.json")


def test_a_broken_manifest_is_a_problem_with_coordinates_and_medium_confidence() -> None:
    envelope = PROBE.run(
        context(
            {
                "package.json": '{"name": "a"}',
                "api/package.json": '{"name": }',
                "go.mod": "module x\n",
            }
        )
    )

    assert isinstance(envelope, Envelope)
    assert envelope.slice.problems == (
        InputProblem(path="api/package.json", message="Expecting value", line=1, column=10),
    )
    assert list(envelope.slice.npm) == ["package.json"]
    assert envelope.confidence == "medium"
    assert envelope.notes == ("no facts from 1 of 3: api/package.json",)


def test_half_the_manifests_failing_gives_low_confidence() -> None:
    envelope = PROBE.run(
        context({"pom.xml": "<!DOCTYPE x>", "Cargo.toml": '[package]\nname="a"\n'})
    )

    assert isinstance(envelope, Envelope) and envelope.confidence == "low"


def test_lockfiles_alone_are_not_manifests() -> None:
    ctx = context({"yarn.lock": "", "README.md": ""})

    assert (PROBE.applies(ctx), PROBE.run(ctx)) == (
        False,
        NotApplicable(reason="no package manifest in the repository"),
    )


def test_the_slice_round_trips_through_the_cache_serializer() -> None:
    envelope = run_portfolio("polyglot-monorepo")

    assert envelope_from_json(envelope_to_json(envelope), ManifestsSlice) == envelope


def test_requirements_files_in_a_requirements_directory_are_manifests() -> None:
    envelope = PROBE.run(
        context({"requirements/dev.txt": "pytest\n", "requirements/notes.md": "", "docs.txt": ""})
    )

    assert isinstance(envelope, Envelope)
    assert list(envelope.slice.python) == ["requirements/dev.txt"]


def test_a_manifest_over_the_read_cap_is_a_problem_with_its_path_and_lowers_confidence() -> None:
    ctx = context(
        {
            "package.json": b" " * (MAX_READ_BYTES + 1),
            "services/api/package.json": '{"name": "api"}',
        }
    )

    envelope = PROBE.run(ctx)

    assert isinstance(envelope, Envelope) and isinstance(envelope.slice, ManifestsSlice)
    assert envelope.confidence == "low"  # one of two inputs gave no facts
    assert InputProblem(path="package.json", message="unreadable: larger than 16 MiB") in (
        envelope.slice.problems
    )


def test_a_binary_lockfile_is_recognised_and_lowers_confidence_with_its_reason() -> None:
    envelope = PROBE.run(
        context({"package.json": '{"dependencies": {"a": "^1"}}', "bun.lockb": b"\x00bun"})
    )
    assert isinstance(envelope, Envelope) and isinstance(envelope.slice, ManifestsSlice)
    found = envelope.slice
    assert found.locks["bun.lockb"].read is False
    assert envelope.confidence == "medium"
    assert any("bun.lockb" in note and "binary" in note for note in envelope.notes)
    (entry,) = found.inventory
    assert entry.resolved is None and entry.reasons == ("no lockfile pins it",)


# ---- pnpm (issue #11): one fixture workspace per lockfile version ----------------------------
PNPM_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles" / "pnpm"


def run_pnpm_fixture(version: str) -> tuple[Envelope, ManifestsSlice]:
    root = PNPM_FIXTURES / version
    files: dict[str, str | bytes] = {
        p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
    }
    envelope = PROBE.run(context(files))
    assert isinstance(envelope, Envelope) and isinstance(envelope.slice, ManifestsSlice)
    return envelope, envelope.slice


def inventory_rows(found: ManifestsSlice) -> list[tuple[object, ...]]:
    return [
        (e.name, e.resolved, e.purl, e.direct, e.scope, e.manifest, e.lockfile, e.member, e.source)
        for e in found.inventory
    ]


def test_a_pnpm_9_workspace_inventory_joins_importers_snapshots_catalogs_and_members() -> None:
    envelope, found = run_pnpm_fixture("v9")
    lock = "pnpm-lock.yaml"
    a = "packages/a/package.json"
    assert inventory_rows(found) == [
        (
            "@demo/b",
            "2.1.0",
            "pkg:npm/%40demo/b@2.1.0",
            True,
            "runtime",
            a,
            lock,
            "packages/a",
            "workspace:packages/b",
        ),
        (
            "js-tokens",
            "4.0.0",
            "pkg:npm/js-tokens@4.0.0",
            True,
            "runtime",
            "packages/b/package.json",
            lock,
            "packages/b",
            None,
        ),
        (
            "loose-envify",
            "1.4.0",
            "pkg:npm/loose-envify@1.4.0",
            False,
            "runtime",
            None,
            lock,
            None,
            None,
        ),
        ("react", "18.2.0", "pkg:npm/react@18.2.0", True, "runtime", a, lock, "packages/a", None),
        (
            "react-dom",
            "18.2.0",
            "pkg:npm/react-dom@18.2.0",
            True,
            "runtime",
            a,
            lock,
            "packages/a",
            None,
        ),
        (
            "scheduler",
            "0.23.0",
            "pkg:npm/scheduler@0.23.0",
            False,
            "runtime",
            None,
            lock,
            None,
            None,
        ),
        (
            "typescript",
            "5.4.5",
            "pkg:npm/typescript@5.4.5",
            True,
            "dev",
            "package.json",
            lock,
            ".",
            None,
        ),
    ]
    specs = {e.name: (e.spec, e.effective_spec) for e in found.inventory if e.direct}
    assert specs["react"] == ("catalog:", "^18.2.0")
    assert specs["react-dom"] == ("catalog:react18", "^18.2.0")
    assert specs["@demo/b"] == ("workspace:^", "^2.1.0")
    assert found.locks["pnpm-lock.yaml"] == LockSummary(
        format="pnpm", format_version="9.0", packages=7, read=True
    )
    (workspace,) = found.workspaces
    assert workspace.members == ("packages/a", "packages/b")  # "!packages/ignored" excluded
    assert workspace.depends == {"packages/a": ("packages/b",)}
    # the workspace member is not a dependency edge; react-dom's peers and deps are
    assert ("pkg:npm/react-dom@18.2.0", "pkg:npm/react@18.2.0") in {
        (e.source, e.target) for e in found.edges
    }
    assert not any("%40demo" in e.source for e in found.edges)
    # "tools/*" matches nothing: the one reason, and the grade it costs
    assert envelope.confidence == "medium"
    assert envelope.notes == (
        "pnpm-workspace.yaml: workspace pattern 'tools/*' matches no package",
    )


def test_a_pnpm_6_workspace_inventory_strips_peers_and_marks_dev_packages() -> None:
    envelope, found = run_pnpm_fixture("v6")
    rows = {row[0]: row for row in inventory_rows(found)}
    assert rows["react-dom"][1:5] == ("18.2.0", "pkg:npm/react-dom@18.2.0", True, "runtime")
    assert rows["typescript"][1:5] == ("5.2.2", "pkg:npm/typescript@5.2.2", True, "dev")
    assert rows["@demo/b"][1] == "2.1.0" and rows["@demo/b"][8] == "workspace:packages/b"
    assert rows["scheduler"][3:8] == (False, "runtime", None, "pnpm-lock.yaml", None)
    assert found.locks["pnpm-lock.yaml"].format_version == "6.0"
    assert envelope.confidence == "high" and envelope.notes == ()


def test_a_pnpm_5_workspace_inventory_reads_specifiers_and_underscore_peer_keys() -> None:
    envelope, found = run_pnpm_fixture("v5")
    rows = {row[0]: row for row in inventory_rows(found)}
    assert rows["react-dom"][1:3] == ("17.0.2", "pkg:npm/react-dom@17.0.2")
    assert rows["object-assign"][1:5] == ("4.1.1", "pkg:npm/object-assign@4.1.1", False, "runtime")
    assert rows["@demo/b"][1:3] == ("2.1.0", "pkg:npm/%40demo/b@2.1.0")
    effective = {e.name: e.effective_spec for e in found.inventory if e.direct}
    assert effective["@demo/b"] == "~2.1.0"  # workspace:~ publishes as ~<version>
    assert found.workspaces[0].members == ("packages/a", "packages/b")  # "packages/**"
    assert envelope.confidence == "high"


def test_an_unknown_pnpm_lockfile_version_lowers_confidence_with_its_reason() -> None:
    envelope = PROBE.run(
        context(
            {
                "package.json": '{"dependencies": {"a": "^1"}}',
                "pnpm-lock.yaml": "lockfileVersion: '11.0'\nimporters:\n  .:\n    dependencies:\n"
                "      a: {specifier: ^1, version: 1.0.0}\n"
                "packages:\n  a@1.0.0: {}\nsnapshots:\n  a@1.0.0: {}\n",
            }
        )
    )
    assert isinstance(envelope, Envelope) and isinstance(envelope.slice, ManifestsSlice)
    assert envelope.confidence == "medium"
    assert envelope.notes == (
        "pnpm-lock.yaml: pnpm format version 11.0 is not one this reader knows; read best-effort",
    )
    (entry,) = envelope.slice.inventory
    assert entry.resolved == "1.0.0"


def test_manifests_under_vendored_directories_are_counted_not_read() -> None:
    envelope = PROBE.run(
        context(
            {
                "composer.json": '{"require": {"acme/a": "^1"}}',
                "vendor/acme/a/composer.json": '{"require": {"acme/b": "^2"}}',
                "web/node_modules/left-pad/package.json": '{"name": "left-pad"}',
            }
        )
    )
    assert isinstance(envelope, Envelope) and isinstance(envelope.slice, ManifestsSlice)
    assert list(envelope.slice.php) == ["composer.json"] and envelope.slice.npm == {}
    assert envelope.slice.vendored_inputs == 2
    assert [e.name for e in envelope.slice.inventory] == ["acme/a"]


LOCKFIXTURES = PORTFOLIO.parent / "lockfiles"


def _fixture_inventory(
    name: str, rename: dict[str, str] | None = None
) -> tuple[Envelope, list[tuple[object, ...]]]:
    root = LOCKFIXTURES / name
    files = {
        (rename or {}).get(p.relative_to(root).as_posix(), p.relative_to(root).as_posix()): (
            p.read_text()
        )
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
    envelope = PROBE.run(context(dict(files)))
    assert isinstance(envelope, Envelope) and isinstance(envelope.slice, ManifestsSlice)
    rows: list[tuple[object, ...]] = [
        (e.name, e.resolved, e.purl, e.direct, e.scope, e.manifest, e.lockfile, e.member)
        for e in envelope.slice.inventory
    ]
    return envelope, rows


def test_package_lock_v3_workspace_inventory_gives_each_member_its_own_version() -> None:
    envelope, rows = _fixture_inventory("package-lock/v3")
    lock = "package-lock.json"
    api = "packages/api/package.json"
    assert rows == [
        (
            "@acme/web",
            "0.4.0",
            "pkg:npm/%40acme/web@0.4.0",
            True,
            "runtime",
            api,
            lock,
            "packages/api",
        ),
        (
            "@types/semver",
            "7.5.8",
            "pkg:npm/%40types/semver@7.5.8",
            True,
            "dev",
            "package.json",
            lock,
            ".",
        ),
        (
            "debug",
            "4.3.4",
            "pkg:npm/debug@4.3.4",
            True,
            "runtime",
            "packages/web/package.json",
            lock,
            "packages/web",
        ),
        # An alias keeps its declared name; its purl is the package it installs.
        (
            "legacy-debug",
            "2.6.9",
            "pkg:npm/debug@2.6.9",
            True,
            "runtime",
            api,
            lock,
            "packages/api",
        ),
        ("lru-cache", "6.0.0", "pkg:npm/lru-cache@6.0.0", False, "runtime", None, lock, None),
        ("ms", "2.0.0", "pkg:npm/ms@2.0.0", False, "runtime", None, lock, None),
        ("ms", "2.1.2", "pkg:npm/ms@2.1.2", False, "runtime", None, lock, None),
        ("semver", "5.7.2", "pkg:npm/semver@5.7.2", True, "runtime", api, lock, "packages/api"),
        ("semver", "7.6.0", "pkg:npm/semver@7.6.0", True, "runtime", "package.json", lock, "."),
        ("yallist", "4.0.0", "pkg:npm/yallist@4.0.0", False, "runtime", None, lock, None),
    ]
    assert envelope.slice.locks[lock].format_version == "3"
    assert envelope.confidence == "high" and envelope.slice.reasons == ()


def test_package_lock_v2_and_v1_and_shrinkwrap_inventories() -> None:
    _, v2 = _fixture_inventory("package-lock/v2")
    assert (
        "fsevents",
        "2.3.3",
        "pkg:npm/fsevents@2.3.3",
        True,
        "optional",
        "package.json",
        "package-lock.json",
        ".",
    ) in v2
    assert (
        "has-flag",
        "4.0.0",
        "pkg:npm/has-flag@4.0.0",
        False,
        "runtime",
        None,
        "package-lock.json",
        None,
    ) in v2
    _, v1 = _fixture_inventory("package-lock/v1")
    assert (
        "old-lodash",
        "3.10.1",
        "pkg:npm/lodash@3.10.1",
        True,
        "runtime",
        "package.json",
        "package-lock.json",
        ".",
    ) in v1
    assert (
        "debug",
        "3.1.0",
        "pkg:npm/debug@3.1.0",
        False,
        "dev",
        None,
        "package-lock.json",
        None,
    ) in v1
    envelope, shrink = _fixture_inventory(
        "package-lock/v2", rename={"package-lock.json": "npm-shrinkwrap.json"}
    )
    assert {row[6] for row in shrink} == {"npm-shrinkwrap.json"}
    assert envelope.slice.locks["npm-shrinkwrap.json"].format == "npm-shrinkwrap"


def test_yarn_v1_inventory_matches_each_member_by_its_declared_range() -> None:
    envelope, rows = _fixture_inventory("yarn/v1")
    direct = {(r[0], r[1], r[7]) for r in rows if r[3]}
    assert direct == {
        ("@babel/code-frame", "7.12.13", "."),
        ("chalk", "2.4.2", "."),
        ("chalk", "4.1.2", "packages/app"),
        ("left-pad", "1.3.0", "packages/app"),
    }
    transitive = {(r[0], r[1], r[4]) for r in rows if not r[3]}
    assert transitive == {
        ("@babel/highlight", "7.13.10", "runtime"),
        ("ansi-styles", "3.2.1", "runtime"),
        ("ansi-styles", "4.3.0", "runtime"),
    }
    assert envelope.slice.locks["yarn.lock"].format == "yarn-v1"
    assert envelope.confidence == "high"


def test_yarn_berry_inventory_through_workspace_importers() -> None:
    envelope, rows = _fixture_inventory("yarn/berry")
    direct = {(r[0], r[1], r[7]) for r in rows if r[3]}
    assert direct == {
        ("app", "0.0.0-use.local", "."),
        ("chalk", "2.4.2", "."),
        ("chalk", "4.1.2", "packages/app"),
    }
    assert (
        "color-name",
        "1.1.4",
        "pkg:npm/color-name@1.1.4",
        False,
        "runtime",
        None,
        "yarn.lock",
        None,
    ) in rows
    assert all(r[0] != "berry-monorepo" for r in rows)  # the root workspace is no dependency
    summary = envelope.slice.locks["yarn.lock"]
    assert (summary.format, summary.format_version, summary.packages) == ("yarn-berry", "8", 10)


def test_bun_lock_inventory_and_a_text_lock_beats_the_binary_one() -> None:
    envelope, rows = _fixture_inventory("bun/v1")
    direct = {(r[0], r[1], r[4], r[7]) for r in rows if r[3]}
    assert direct == {
        ("@types/bun", "1.1.14", "dev", "."),
        ("zod", "3.23.8", "runtime", "."),
        ("zod", "3.20.6", "runtime", "packages/app"),
        ("ms", "2.1.3", "runtime", "packages/app"),
    }
    assert (
        "undici-types",
        "5.26.5",
        "pkg:npm/undici-types@5.26.5",
        False,
        "dev",
        None,
        "bun.lock",
        None,
    ) in rows
    assert envelope.confidence == "high"
    root = LOCKFIXTURES / "bun" / "v1"
    files: dict[str, str | bytes] = {
        p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()
    }
    files["bun.lockb"] = b"\x00bun"
    both = PROBE.run(context(files))
    assert isinstance(both, Envelope) and isinstance(both.slice, ManifestsSlice)
    assert {e.lockfile for e in both.slice.inventory if e.direct} == {"bun.lock"}


def test_an_unknown_lockfile_version_lowers_confidence_with_its_reason() -> None:
    envelope = PROBE.run(
        context(
            {
                "package.json": '{"dependencies": {"a": "^1"}}',
                "package-lock.json": '{"lockfileVersion": 9, "packages": {"": {"dependencies":'
                ' {"a": "^1"}}, "node_modules/a": {"version": "1.2.0"}}}',
            }
        )
    )
    assert isinstance(envelope, Envelope) and isinstance(envelope.slice, ManifestsSlice)
    assert envelope.confidence == "medium"
    assert [r.reason for r in envelope.slice.reasons] == [
        "package-lock format version 9 is not one this reader knows; read best-effort"
    ]
    (entry,) = envelope.slice.inventory
    assert entry.resolved == "1.2.0"


def test_npm_shrinkwrap_takes_precedence_over_package_lock_in_one_directory() -> None:
    root = LOCKFIXTURES / "package-lock" / "v2"
    text = (root / "package-lock.json").read_text()
    files: dict[str, str | bytes] = {
        "package.json": (root / "package.json").read_text(),
        "package-lock.json": text,
        "npm-shrinkwrap.json": text,
    }
    envelope = PROBE.run(context(files))
    assert isinstance(envelope, Envelope) and isinstance(envelope.slice, ManifestsSlice)
    assert {e.lockfile for e in envelope.slice.inventory if e.direct} == {"npm-shrinkwrap.json"}
    assert [r.reason for r in envelope.slice.reasons] == [
        "several lockfiles could pin it; read npm-shrinkwrap.json, not package-lock.json"
    ]
