"""The pnpm lock reader (codegenie_core.parsers.pnpm_lock): keys and references of lockfile 5.x,
6.0 and 9.0, importers, workspace links, non-registry packages, unknown versions."""

from __future__ import annotations

from pathlib import Path

from benches._gen_lock_pnpm import generate
from codegenie_adapters.config_yaml import RuamelYamlReader
from codegenie_core.parsers.lock_model import Importer, Lock, LockedPackage, LockedRef
from codegenie_core.parsers.manifest_model import ManifestProblem, Parsed
from codegenie_core.parsers.pnpm_lock import read_pnpm_lock
from codegenie_core.ports import TextProblem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles" / "pnpm"


def read(text: str, path: str = "pnpm-lock.yaml", max_nodes: int = 100_000) -> Parsed[Lock]:
    document = RuamelYamlReader(max_nodes=max_nodes).parse(text)
    assert not isinstance(document, TextProblem), document
    return read_pnpm_lock(path, document)


def lock_of(version: str) -> Lock:
    parsed = read((FIXTURES / version / "pnpm-lock.yaml").read_text(encoding="utf-8"))
    assert parsed.problems == () and parsed.value is not None
    return parsed.value


def by_id(lock: Lock) -> dict[str, LockedPackage]:
    return {p.id: p for p in lock.packages}


def test_v5_keys_strip_the_peer_suffix_for_the_version_and_keep_it_in_the_id() -> None:
    lock = lock_of("v5")
    assert (lock.format, lock.format_version, lock.known_version) == ("pnpm", "5.4", True)
    react_dom = by_id(lock)["/react-dom/17.0.2_react@17.0.2"]
    assert (react_dom.name, react_dom.version, react_dom.scope) == (
        "react-dom",
        "17.0.2",
        "runtime",
    )
    assert LockedRef(name="react", spec="17.0.2", target="/react/17.0.2") in react_dom.dependencies
    assert by_id(lock)["/typescript/4.9.5"].scope == "dev"  # `dev: true`


def test_v5_importers_pair_specifiers_with_versions_and_links_are_workspace_members() -> None:
    lock = lock_of("v5")
    member = next(i for i in lock.importers if i.path == "packages/a")
    assert member.dependencies == (
        LockedRef(name="@demo/b", spec="workspace:~", target="link:packages/b"),
        LockedRef(name="react", spec="^17.0.2", target="/react/17.0.2"),
        LockedRef(name="react-dom", spec="^17.0.2", target="/react-dom/17.0.2_react@17.0.2"),
    )
    link = by_id(lock)["link:packages/b"]
    assert (link.name, link.version, link.source) == ("@demo/b", "", "workspace:packages/b")
    assert [i.path for i in lock.importers] == [".", "packages/a", "packages/b"]


def test_v6_keys_carry_peers_in_parentheses_and_importers_specifier_version_pairs() -> None:
    lock = lock_of("v6")
    assert (lock.format_version, lock.known_version) == ("6.0", True)
    react_dom = by_id(lock)["/react-dom@18.2.0(react@18.2.0)"]
    assert (react_dom.name, react_dom.version) == ("react-dom", "18.2.0")
    member = next(i for i in lock.importers if i.path == "packages/a")
    assert (
        LockedRef(name="react-dom", spec="^18.2.0", target="/react-dom@18.2.0(react@18.2.0)")
        in member.dependencies
    )
    assert by_id(lock)["/typescript@5.2.2"].scope == "dev"


def test_v9_snapshots_are_the_packages_and_their_metadata_is_joined_by_the_bare_key() -> None:
    lock = lock_of("v9")
    assert (lock.format_version, lock.known_version) == ("9.0", True)
    assert sorted(by_id(lock)) == [
        "js-tokens@4.0.0",
        "link:packages/b",
        "loose-envify@1.4.0",
        "react-dom@18.2.0(react@18.2.0)",
        "react@18.2.0",
        "scheduler@0.23.0",
        "typescript@5.4.5",
    ]
    react_dom = by_id(lock)["react-dom@18.2.0(react@18.2.0)"]
    assert (react_dom.version, react_dom.scope) == ("18.2.0", None)  # 9.0 marks no `dev`
    assert {r.target for r in react_dom.dependencies} == {
        "loose-envify@1.4.0",
        "react@18.2.0",
        "scheduler@0.23.0",
    }
    member = next(i for i in lock.importers if i.path == "packages/a")
    assert LockedRef(name="react", spec="catalog:", target="react@18.2.0") in member.dependencies


def test_a_lock_in_a_subdirectory_makes_importer_paths_repository_relative() -> None:
    text = "lockfileVersion: 5.3\nspecifiers:\n  a: ^1.0.0\ndependencies:\n  a: 1.0.1\n" + (
        "packages:\n  /a/1.0.1:\n    resolution: {integrity: sha512-x}\n"
    )
    lock = read(text, path="apps/web/pnpm-lock.yaml").value
    assert lock is not None
    # a single project's sections at the top level: its importer is the lockfile's directory
    assert lock.importers == (
        Importer(
            path="apps/web", dependencies=(LockedRef(name="a", spec="^1.0.0", target="/a/1.0.1"),)
        ),
    )


def test_an_importer_leaving_the_repository_is_dropped_with_a_problem() -> None:
    text = "lockfileVersion: '9.0'\nimporters:\n  .: {}\n  ../../elsewhere: {}\n"
    parsed = read(text, path="sub/pnpm-lock.yaml")
    assert parsed.value is not None
    assert [i.path for i in parsed.value.importers] == ["sub"]
    assert parsed.problems == (
        ManifestProblem(message="importers.../../elsewhere leaves the repository; not followed"),
    )


def test_an_unknown_lockfile_version_is_read_best_effort_and_says_so() -> None:
    text = (
        "lockfileVersion: '10.1'\nimporters:\n  .:\n    dependencies:\n"
        "      a:\n        specifier: ^1\n        version: 1.2.0\n"
        "packages:\n  a@1.2.0: {resolution: {integrity: sha512-x}}\n"
        "snapshots:\n  a@1.2.0: {}\n"
    )
    lock = read(text).value
    assert lock is not None
    assert (lock.format_version, lock.known_version) == ("10.1", False)
    assert [(p.name, p.version) for p in lock.packages] == [("a", "1.2.0")]


def test_aliases_git_and_tarball_packages_keep_their_names_versions_and_sources() -> None:
    text = """lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      string-width-cjs:
        specifier: npm:string-width@^4.2.0
        version: string-width@4.2.3
      left-pad:
        specifier: github:stevemao/left-pad#abc123
        version: https://codeload.github.com/stevemao/left-pad/tar.gz/abc123
packages:
  string-width@4.2.3:
    resolution: {integrity: sha512-x}
  left-pad@https://codeload.github.com/stevemao/left-pad/tar.gz/abc123:
    resolution: {tarball: https://codeload.github.com/stevemao/left-pad/tar.gz/abc123}
    version: 1.3.0
  fsevents@2.3.3:
    resolution: {integrity: sha512-x}
snapshots:
  string-width@4.2.3: {}
  left-pad@https://codeload.github.com/stevemao/left-pad/tar.gz/abc123: {}
  fsevents@2.3.3:
    optional: true
"""
    lock = read(text).value
    assert lock is not None
    packages = by_id(lock)
    (root,) = lock.importers
    assert [r.target for r in root.dependencies] == [
        "left-pad@https://codeload.github.com/stevemao/left-pad/tar.gz/abc123",
        "string-width@4.2.3",  # the alias names its own key
    ]
    left_pad = packages["left-pad@https://codeload.github.com/stevemao/left-pad/tar.gz/abc123"]
    assert (left_pad.name, left_pad.version) == ("left-pad", "1.3.0")
    assert left_pad.source == "https://codeload.github.com/stevemao/left-pad/tar.gz/abc123"
    assert packages["string-width@4.2.3"].source is None
    assert packages["fsevents@2.3.3"].scope == "optional"


def test_a_v6_git_package_takes_its_name_and_version_from_its_entry() -> None:
    text = """lockfileVersion: '6.0'
dependencies:
  foo:
    specifier: github:user/foo
    version: github.com/user/foo/0123abc
packages:
  github.com/user/foo/0123abc:
    resolution: {type: git, repo: https://github.com/user/foo.git, commit: 0123abc}
    name: foo
    version: 2.0.0
    dev: false
"""
    lock = read(text).value
    assert lock is not None
    (package,) = lock.packages
    assert (package.id, package.name, package.version) == (
        "github.com/user/foo/0123abc",
        "foo",
        "2.0.0",
    )
    assert package.source == "git+https://github.com/user/foo.git#0123abc"
    assert lock.importers[0].dependencies[0].target == "github.com/user/foo/0123abc"


def test_malformed_sections_are_problems_and_the_rest_is_read() -> None:
    text = (
        "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies: [a]\n"
        "packages:\n  weird: {}\nsnapshots:\n  a@1.0.0: {}\n  bad: 3\n"
    )
    parsed = read(text)
    assert parsed.value is not None
    assert [p.id for p in parsed.value.packages] == ["a@1.0.0"]
    messages = [p.message for p in parsed.problems]
    assert "bad is not a mapping" in messages
    assert "importers...dependencies is not a mapping" in messages
    assert "packages.weird: neither the key nor the entry names it" in messages


def test_a_document_that_is_not_a_mapping_is_not_a_lock() -> None:
    assert read_pnpm_lock("pnpm-lock.yaml", ["a"]) == Parsed(
        value=None, problems=(ManifestProblem(message="not a YAML mapping"),)
    )


def test_a_generated_2000_package_lock_reads_2000_packages_and_its_members() -> None:
    files = generate(2_000, 5)
    parsed = read(files["pnpm-lock.yaml"], max_nodes=1_000_000)
    assert parsed.problems == () and parsed.value is not None
    registry = [p for p in parsed.value.packages if p.source is None]
    links = [p for p in parsed.value.packages if p.source is not None]
    assert len(registry) == 2_000
    assert sorted(p.source or "" for p in links) == [f"workspace:packages/m{j}" for j in range(4)]
    ids = {p.id for p in parsed.value.packages}
    assert all(r.target in ids for p in parsed.value.packages for r in p.dependencies)
    assert len(parsed.value.importers) == 6
