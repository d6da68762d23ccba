"""The `manifests` probe: every ecosystem, monorepo paths, package managers, graded confidence."""

from __future__ import annotations

from codegenie_adapters.serde import envelope_from_json, envelope_to_json
from codegenie_core.ports import MAX_READ_BYTES
from codegenie_core.probe import Envelope, NotApplicable
from codegenie_core.probes.layer_a.inputs import InputProblem
from codegenie_core.probes.layer_a.manifests import ManifestsProbe, ManifestsSlice
from tests.unit.layer_a_support import context, portfolio_context

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
