"""Cargo.lock v1-v4 (codegenie_core.parsers.cargo_lock): versions, dependency strings, sources,
problems; a round-trip property over generated locks and a never-raises property."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from benches._gen_lock_cargo import generate
from codegenie_core.parsers.cargo_lock import CRATES_IO, package_id, read_cargo_lock
from codegenie_core.parsers.lock_model import Lock
from tests.strategies import cargo_lock_packages

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles" / "cargo"


def _lock(text: str) -> Lock:
    parsed = read_cargo_lock("Cargo.lock", text)
    assert parsed.problems == ()
    assert parsed.value is not None
    return parsed.value


def _fixture(version: str) -> Lock:
    return _lock((FIXTURES / version / "Cargo.lock").read_text())


def test_v1_is_told_by_its_metadata_checksums_and_its_long_dependency_strings_resolve() -> None:
    lock = _fixture("v1")
    assert (lock.format, lock.format_version, lock.known_version) == ("cargo", "1", True)
    hello = next(p for p in lock.packages if p.name == "hello")
    assert hello.source is None and hello.id == "hello 0.1.0"
    assert [r.target for r in hello.dependencies] == [
        f"lazy_static 1.4.0 ({next(iter(sorted(CRATES_IO)))})",
        f"log 0.4.8 ({next(iter(sorted(CRATES_IO)))})",
        "util 0.1.0",
    ]
    # crates.io is the default registry: no source on the package
    assert next(p for p in lock.packages if p.name == "log").source is None


def test_v2_names_a_crate_with_its_version_only_where_two_versions_are_locked() -> None:
    lock = _fixture("v2")
    assert (lock.format_version, lock.known_version) == ("2", True)
    cli = next(p for p in lock.packages if p.name == "acme-cli")
    assert {r.name: r.spec for r in cli.dependencies} == {"acme-core": "0.3.0", "rand": "0.7.3"}
    assert all(r.target is not None for r in cli.dependencies)


def test_v3_and_v4_carry_their_version_and_git_sources_stay() -> None:
    assert _fixture("v3").format_version == "3"
    lock = _fixture("v4")
    assert (lock.format_version, lock.known_version) == ("4", True)
    kit = next(p for p in lock.packages if p.name == "http-kit")
    assert kit.source is not None and kit.source.startswith("git+https://github.com/acme/")


def test_a_version_the_reader_does_not_know_is_read_best_effort() -> None:
    parsed = read_cargo_lock(
        "Cargo.lock", 'version = 5\n[[package]]\nname = "a"\nversion = "1.0.0"\n'
    )
    assert parsed.value is not None and parsed.problems == ()
    assert (parsed.value.format_version, parsed.value.known_version) == ("5", False)
    assert [p.id for p in parsed.value.packages] == ["a 1.0.0"]


def test_ambiguous_or_dangling_dependency_strings_and_bad_entries_are_problems() -> None:
    text = (
        'version = 3\n[[package]]\nname = "a"\nversion = "1.0.0"\ndependencies = ["b", "zz"]\n'
        '[[package]]\nname = "b"\nversion = "1.0.0"\n[[package]]\nname = "b"\nversion = "2.0.0"\n'
        "[[package]]\nname = 7\n"
    )
    parsed = read_cargo_lock("Cargo.lock", text)
    assert parsed.value is not None
    assert [p.message for p in parsed.problems] == [
        "[[package]] #4 has no string name/version",
        "a 1.0.0: dependency 'b' names no single package",
        "a 1.0.0: dependency 'zz' names no single package",
    ]
    broken = read_cargo_lock("Cargo.lock", "[[package]\n")
    assert broken.value is None and broken.problems[0].line == 1


def test_a_string_without_a_source_names_the_path_crate_beside_a_registry_one() -> None:
    registry = next(iter(sorted(CRATES_IO)))
    lock = _lock(
        f'[[package]]\nname = "a"\nversion = "1.0.0"\nsource = "{registry}"\n'
        '[[package]]\nname = "a"\nversion = "1.0.0"\n'
        '[[package]]\nname = "b"\nversion = "1.0.0"\n'
        f'dependencies = ["a 1.0.0", "a 1.0.0 ({registry})"]\n'
        f'[metadata]\n"checksum a 1.0.0 ({registry})" = "00"\n'
    )
    b = next(p for p in lock.packages if p.name == "b")
    assert sorted(r.target or "" for r in b.dependencies) == ["a 1.0.0", f"a 1.0.0 ({registry})"]


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    parsed = read_cargo_lock("Cargo.lock", "x = " + "[" * 100_000 + "]" * 100_000)
    assert parsed.value is None and parsed.problems


def _render(packages: list[tuple[str, str, str | None, list[int]]], version: int | None) -> str:
    """A Cargo.lock as Cargo writes it: V1 with full dependency strings and [metadata], V2+ with
    the shortest unambiguous ones."""
    out = [] if version is None else [f"version = {version}\n"]
    for name, pkg_version, source, deps in packages:
        out.append(f'\n[[package]]\nname = "{name}"\nversion = "{pkg_version}"\n')
        if source is not None:
            out.append(f'source = "{source}"\n')
        if deps:
            written = [_dependency_string(packages, i, full=version is None) for i in deps]
            out.append("dependencies = [\n" + "".join(f' "{w}",\n' for w in written) + "]\n")
    if version is None:
        checksums = [p for p in packages if p[2] is not None]
        out.append("\n[metadata]\n")
        out.extend(f'"checksum {package_id(n, v, s)}" = "00"\n' for n, v, s, _ in checksums)
    return "".join(out)


def _dependency_string(
    packages: list[tuple[str, str, str | None, list[int]]], index: int, *, full: bool
) -> str:
    name, version, source, _ = packages[index]
    if full:
        return package_id(name, version, source)
    same_name = [p for p in packages if p[0] == name]
    if len(same_name) == 1:
        return name
    if len([p for p in same_name if p[1] == version]) == 1:
        return f"{name} {version}"
    return package_id(name, version, source)


@settings(max_examples=60)
@given(cargo_lock_packages(), st.sampled_from([None, 3, 4]))
def test_round_trip_a_rendered_lock_parses_back_to_its_packages(
    packages: list[tuple[str, str, str | None, list[int]]], version: int | None
) -> None:
    # a V1 lock with no checksum at all is read as V2 (Cargo's rule): give it one registry crate
    if version is None and all(p[2] is None for p in packages):
        packages = [*packages, ("zzz-registry", "9.9.9", next(iter(sorted(CRATES_IO))), [])]
    lock = _lock(_render(packages, version))
    assert lock.format_version == ("1" if version is None else str(version))
    expected = {
        package_id(n, v, s): (
            n,
            v,
            None if s is None or s in CRATES_IO else s,
            sorted({package_id(*packages[i][:3]) for i in deps}),
        )
        for n, v, s, deps in packages
    }
    assert {
        p.id: (p.name, p.version, p.source, sorted({r.target or "?" for r in p.dependencies}))
        for p in lock.packages
    } == expected


@settings(max_examples=100)
@given(st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    read_cargo_lock("Cargo.lock", "version = 3\n" + text)
    read_cargo_lock("Cargo.lock", text)


@settings(max_examples=50)
@given(cargo_lock_packages(), st.data())
def test_never_raises_on_mutated_locks(
    packages: list[tuple[str, str, str | None, list[int]]], data: st.DataObject
) -> None:
    text = _render(packages, 4)
    cut = data.draw(st.integers(0, len(text)))
    junk = data.draw(
        st.sampled_from(["", "[", '"', "]]", "\n[[package]]\n", "= 1", "dependencies = 3"])
    )
    parsed = read_cargo_lock("Cargo.lock", text[:cut] + junk + text[cut:])
    assert parsed.value is not None or parsed.problems


def test_a_generated_2000_package_workspace_lock_reads_2000_packages() -> None:
    files = generate(2000, 5)
    lock = _lock(files["Cargo.lock"])
    assert len(lock.packages) == 2000  # the registry packages and the 5 members
    assert lock.format_version in ("3", "4")
