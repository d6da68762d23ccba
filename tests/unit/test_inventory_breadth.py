"""Ruby, PHP and .NET in the inventory: each parser on fixtures in the shape of real
repositories, and the `manifests` probe joining them (resolved versions, purls, scopes,
central package versions, solutions)."""

from __future__ import annotations

from pathlib import Path

from codegenie_core.parsers.composer import parse_composer_json, parse_composer_lock
from codegenie_core.parsers.dotnet import parse_packages_lock, parse_project_file
from codegenie_core.parsers.inventory import InventoryEntry
from codegenie_core.parsers.ruby import parse_gemfile, parse_gemfile_lock
from codegenie_core.probe import Envelope
from codegenie_core.probes.layer_a.manifests import ManifestsProbe, ManifestsSlice
from tests.unit.layer_a_support import context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles"


def _files(name: str) -> dict[str, str | bytes]:
    root = FIXTURES / name
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _gather(name: str) -> tuple[Envelope, ManifestsSlice]:
    envelope = ManifestsProbe().run(context(_files(name)))
    assert isinstance(envelope, Envelope) and isinstance(envelope.slice, ManifestsSlice)
    return envelope, envelope.slice


def _by_name(found: ManifestsSlice) -> dict[str, list[InventoryEntry]]:
    out: dict[str, list[InventoryEntry]] = {}
    for entry in found.inventory:
        out.setdefault(entry.name, []).append(entry)
    return out


# ---- Ruby ---------------------------------------------------------------------------------------


def test_gemfile_is_read_statically_with_groups_options_and_requirements() -> None:
    parsed = parse_gemfile((FIXTURES / "ruby" / "Gemfile").read_text())
    assert parsed.value is not None and parsed.problems == ()
    deps = {d.name: d for d in parsed.value.dependencies}
    assert deps["pg"].spec == ">= 1.1, < 2.0" and deps["pg"].scope == "runtime"
    assert deps["puma"].spec == "~> 6.4"  # `require: false` is an option, not a requirement
    assert deps["rspec-rails"].scope == "dev" and deps["debug"].scope == "dev"
    assert deps["lograge"].scope == "runtime"  # production is installed: not dev
    optional = parse_gemfile('group :pam, optional: true do\n  gem "x"\nend\n').value
    assert optional is not None and optional.dependencies[0].scope == "optional"
    assert parsed.value.ruby == ">= 3.1.0" and parsed.value.sources == ("https://rubygems.org",)


def test_gemfile_code_that_is_not_the_dsl_is_a_problem_never_a_guess() -> None:
    text = 'gem "a"\nif ENV["X"]\n  gem "b"\nend\ngem "c#{x}"\neval_gemfile "other"\n'
    parsed = parse_gemfile(text)
    assert parsed.value is not None
    assert [d.name for d in parsed.value.dependencies] == ["a", "b"]
    lines = sorted(p.line for p in parsed.problems if p.line is not None)
    assert lines == [2, 4, 5, 6]


def test_gemfile_lock_specs_platforms_sources_and_dependencies() -> None:
    parsed = parse_gemfile_lock(
        "app/Gemfile.lock", (FIXTURES / "ruby" / "Gemfile.lock").read_text()
    )
    lock = parsed.value
    assert lock is not None and parsed.problems == ()
    assert lock.format_version == "2.5.6" and lock.known_version
    packages = {p.name: p for p in lock.packages}
    # nokogiri is locked for two platforms: one package, the version without the platform
    assert [p.version for p in lock.packages if p.name == "nokogiri"] == ["1.16.4"]
    assert packages["health_check"].source == "git:https://github.com/ianheggie/health_check"
    assert {r.name for r in packages["nokogiri"].dependencies} == {"mini_portile2", "racc"}
    (importer,) = lock.importers
    assert importer.path == "app"
    assert {r.name for r in importer.dependencies} >= {"rails", "health_check", "pg"}


def test_ruby_inventory_resolves_direct_and_transitive_gems() -> None:
    envelope, found = _gather("ruby")
    assert envelope.confidence == "high", envelope.notes
    gems = _by_name(found)
    (rails,) = gems["rails"]
    assert rails.direct and rails.resolved == "7.1.3.2" and rails.lockfile == "Gemfile.lock"
    assert rails.purl == "pkg:gem/rails@7.1.3.2" and rails.spec == "~> 7.1.3"
    (rack,) = gems["rack"]
    assert not rack.direct and rack.resolved == "3.0.10" and rack.scope == "runtime"
    (rspec,) = gems["rspec-rails"]
    assert rspec.scope == "dev"
    assert any(e.source == "pkg:gem/rails@7.1.3.2" for e in found.edges)


# ---- PHP ----------------------------------------------------------------------------------------


def test_composer_json_keeps_platform_requirements_apart() -> None:
    parsed = parse_composer_json((FIXTURES / "php" / "composer.json").read_text())
    assert parsed.value is not None
    assert parsed.value.platform == {"ext-json": "*", "php": "^8.2"}
    assert {d.name: d.scope for d in parsed.value.dependencies} == {
        "guzzlehttp/guzzle": "runtime",
        "laravel/framework": "runtime",
        "phpunit/phpunit": "dev",
    }


def test_composer_inventory_with_dev_packages_and_edges() -> None:
    envelope, found = _gather("php")
    assert envelope.confidence == "high", envelope.notes
    assert found.locks["composer.lock"].format_version == "2.6.0"
    entries = _by_name(found)
    (laravel,) = entries["laravel/framework"]
    assert (
        laravel.resolved == "v11.4.0" and laravel.purl == "pkg:composer/laravel/framework@v11.4.0"
    )
    (psr7,) = entries["guzzlehttp/psr7"]
    assert not psr7.direct and psr7.scope == "runtime"
    (diff,) = entries["sebastian/diff"]
    assert diff.scope == "dev"  # composer.lock's packages-dev says so
    assert "php" not in entries and "ext-json" not in entries


def test_a_composer_lock_that_is_not_json_is_a_problem_with_coordinates() -> None:
    parsed = parse_composer_lock("composer.lock", '{"packages": [}')
    assert parsed.value is None and parsed.problems[0].line == 1


# ---- .NET ---------------------------------------------------------------------------------------


def test_project_file_package_and_project_references() -> None:
    text = (FIXTURES / "dotnet" / "src" / "Api" / "Api.csproj").read_text()
    parsed = parse_project_file("src/Api/Api.csproj", text)
    project = parsed.value
    assert project is not None and parsed.problems == ()
    assert project.sdk == "Microsoft.NET.Sdk.Web" and project.target_frameworks == ("net8.0",)
    assert {(d.name, d.spec, d.scope) for d in project.dependencies} == {
        ("newtonsoft.json", "13.0.3", "runtime"),
        ("serilog", "", "runtime"),  # the `Update=` item declares nothing
        ("microsoft.codeanalysis.netanalyzers", "", "build"),
    }
    assert project.project_references == ("src/Core/Core.csproj",)


def test_project_files_refuse_dtds_and_entities() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]><Project>&a;</Project>'
    parsed = parse_project_file("x.csproj", bomb)
    assert parsed.value is None and "entity expansion" in parsed.problems[0].message


def test_packages_lock_direct_transitive_and_project_entries() -> None:
    text = (FIXTURES / "dotnet" / "src" / "Api" / "packages.lock.json").read_text()
    lock = parse_packages_lock("src/Api/packages.lock.json", text).value
    assert lock is not None and lock.known_version and lock.format_version == "2"
    assert "core" not in {p.name for p in lock.packages}  # a Project entry is not a package
    (importer,) = lock.importers
    assert importer.path == "src/Api"
    assert {r.name for r in importer.dependencies} == {
        "microsoft.codeanalysis.netanalyzers",
        "newtonsoft.json",
        "serilog",
    }


def test_dotnet_inventory_with_central_versions_and_a_solution() -> None:
    envelope, found = _gather("dotnet")
    entries = _by_name(found)
    api_serilog = next(e for e in entries["serilog"] if e.member == "src/Api")
    assert api_serilog.effective_spec == "3.1.1" and api_serilog.resolved == "3.1.1"
    assert api_serilog.purl == "pkg:nuget/serilog@3.1.1"
    core_serilog = next(e for e in entries["serilog"] if e.member == "src/Core")
    assert core_serilog.effective_spec == "3.1.1" and core_serilog.resolved is None  # no lock there
    (diagnostic,) = entries["system.diagnostics.diagnosticsource"]
    assert not diagnostic.direct and diagnostic.resolved == "7.0.2"
    (solution,) = found.workspaces
    assert solution.tool == "dotnet" and solution.members == ("src/Api", "src/Core")
    assert solution.unmatched == ("src\\Gone\\Gone.csproj",)
    assert solution.depends == {"src/Api": ("src/Core",)}
    # Polly has no version anywhere, and the solution names a project that is not there
    assert envelope.confidence == "medium"
    assert any("polly" in note and "no" in note for note in envelope.notes)
    assert any("Gone" in note for note in envelope.notes)
