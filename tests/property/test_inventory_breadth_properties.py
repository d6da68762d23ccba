"""Properties of the Ruby, PHP and .NET readers: Gemfile.lock round-trips through its rendering;
no reader raises on arbitrary or mutated text, and each reports what it could not read."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.parsers.composer import parse_composer_json, parse_composer_lock
from codegenie_core.parsers.dotnet import (
    parse_central_versions,
    parse_packages_lock,
    parse_project_file,
)
from codegenie_core.parsers.ruby import parse_gemfile, parse_gemfile_lock
from tests.strategies import GemLock, gemfile_locks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles"


def _render(lock: GemLock) -> str:
    lines = ["GEM", "  remote: https://rubygems.org/", "  specs:"]
    for name, (version, requirements, platforms) in sorted(lock.gems.items()):
        for platform in platforms or ("",):
            lines.append(f"    {name} ({version}{'-' + platform if platform else ''})")
            for dep, spec in requirements:
                lines.append(f"      {dep} ({spec})" if spec else f"      {dep}")
    lines += ["", "PLATFORMS", "  ruby", "", "DEPENDENCIES"]
    for name, spec in sorted(lock.direct):
        lines.append(f"  {name} ({spec})" if spec else f"  {name}")
    lines += ["", "BUNDLED WITH", f"   {lock.bundler}", ""]
    return "\n".join(lines)


@given(gemfile_locks())
def test_gemfile_lock_round_trips_through_its_rendering(lock: GemLock) -> None:
    parsed = parse_gemfile_lock("Gemfile.lock", _render(lock))
    assert parsed.problems == () and parsed.value is not None
    value = parsed.value
    assert {(p.name, p.version) for p in value.packages} == {
        (name, version) for name, (version, _, _) in lock.gems.items()
    }
    for package in value.packages:
        requirements = lock.gems[package.name][1]
        assert sorted((r.name, r.spec) for r in package.dependencies) == sorted(requirements)
    (importer,) = value.importers
    assert sorted((r.name, r.spec) for r in importer.dependencies) == sorted(lock.direct)
    assert value.format_version == lock.bundler


_FIXTURE_TEXTS = [
    p.read_text() for p in sorted(FIXTURES.rglob("*")) if p.is_file() and p.suffix != ".sln"
]


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    """A fixture with a slice cut out, repeated or replaced: near-misses of real files."""
    text = draw(st.sampled_from(_FIXTURE_TEXTS))
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    insert = draw(
        st.sampled_from(["", text[start:end] * 3, "\x00", "<!ENTITY", "{", "  ", "\n    x ("])
    )
    return text[:start] + insert + text[end:]


@given(st.one_of(st.text(max_size=300), _mutated()))
def test_no_reader_raises_and_each_reports(text: str) -> None:
    for parsed in (
        parse_gemfile(text),
        parse_gemfile_lock("Gemfile.lock", text),
        parse_composer_json(text),
        parse_composer_lock("composer.lock", text),
        parse_project_file("a/b.csproj", text),
        parse_central_versions(text),
        parse_packages_lock("packages.lock.json", text),
    ):
        assert parsed.value is not None or parsed.problems
