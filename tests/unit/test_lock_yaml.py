"""The lockfile YAML subset parser (codegenie_core.parsers.lock_yaml): the shapes it reads, each
case it gives up on, and the manifests probe reading a pnpm lockfile beyond the port's bounds."""

from __future__ import annotations

import pytest

from benches._gen_lock_pnpm import generate
from codegenie_adapters.config_yaml import MAX_NODES, RuamelYamlReader
from codegenie_core.parsers.lock_yaml import MAX_DEPTH, NotInSubset, parse_lock_yaml
from codegenie_core.ports import TextProblem
from codegenie_core.probe import Envelope
from codegenie_core.probes.layer_a.manifests import ManifestsProbe, ManifestsSlice
from tests.unit.layer_a_support import context

PORT = RuamelYamlReader()


def test_the_lockfile_shapes_read_as_plain_data() -> None:
    text = (
        "---\n"
        "# a comment\n"
        "lockfileVersion: '9.0'\n"
        "\n"
        "settings:\n"
        "  autoInstallPeers: true  # trailing comment\n"
        "  count: 5.4\n"
        "  none: ~\n"
        "  empty:\n"
        "importers:\n"
        "  .:\n"
        "    configDependencies: {}\n"
        "    list: []\n"
        "packages:\n"
        "  '@pnpm/exe@12.0.0':\n"
        "    resolution: {integrity: sha512-ab+/==, tarball: https://x/y.tgz}\n"
        "    cpu: [arm64, x64]\n"
        "    engines: {node: '>=18', npm: ^9 || >=10}\n"
        '    message: "tab\\there \\u00e9 \\"quoted\\" it\'s"\n'
        "    quoted: 'it''s'\n"
        "    items:\n"
        "      - plain\n"
        "      - name: first\n"
        "        value: 1\n"
        "      -\n"
        "        nested: -2\n"
        "      -\n"
    )

    document = parse_lock_yaml(text)

    assert document == {
        "lockfileVersion": "9.0",
        "settings": {"autoInstallPeers": True, "count": 5.4, "none": None, "empty": None},
        "importers": {".": {"configDependencies": {}, "list": []}},
        "packages": {
            "@pnpm/exe@12.0.0": {
                "resolution": {"integrity": "sha512-ab+/==", "tarball": "https://x/y.tgz"},
                "cpu": ["arm64", "x64"],
                "engines": {"node": ">=18", "npm": "^9 || >=10"},
                "message": 'tab\there é "quoted" it\'s',
                "quoted": "it's",
                "items": ["plain", {"name": "first", "value": 1}, {"nested": -2}, None],
            }
        },
    }
    assert document == PORT.parse(text)


@pytest.mark.parametrize(
    ("case", "text"),
    [
        ("anchor", "a: &x 1\n"),
        ("alias", "a: 1\nb: *x\n"),
        ("tag", "a: !!str 1\n"),
        ("local tag", "a: !x 1\n"),
        ("literal block scalar", "a: |\n  text\n"),
        ("folded block scalar", "a: >-\n  text\n"),
        ("multi-line plain scalar", "a: b\n  c\n"),
        ("multi-line plain key value", "a:\n  b\n"),
        ("multi-line single-quoted scalar", "a: 'b\n  c'\n"),
        ("multi-line double-quoted scalar", 'a: "b\\\n  c"\n'),
        ("complex key", "? a\n: b\n"),
        ("flow key", "[a]: b\n"),
        ("duplicate key", "a: 1\na: 2\n"),
        ("duplicate quoted key", "a: 1\n'a': 2\n"),
        ("duplicate flow key", "a: {b: 1, b: 2}\n"),
        ("tab indentation", "a:\n\tb: 1\n"),
        ("tab in a value", "a: b\tc\n"),
        ("second document", "a: 1\n---\nb: 2\n"),
        ("document end", "a: 1\n...\n"),
        ("directive", "%YAML 1.2\n---\na: 1\n"),
        ("nested flow collection", "a: [[1]]\n"),
        ("multi-line flow collection", "a: [1,\n  2]\n"),
        ("leading zeros", "a: 007\n"),
        ("hexadecimal", "a: 0x1f\n"),
        ("octal", "a: 0o7\n"),
        ("underscores", "a: 1_000\n"),
        ("exponent", "a: 1e3\n"),
        ("float without fraction digits", "a: 1.\n"),
        ("float without integer digits", "a: .5\n"),
        ("infinity", "a: .inf\n"),
        ("not a number", "a: .NaN\n"),
        ("plus sign", "a: +1\n"),
        ("a YAML 1.1 boolean", "a: yes\n"),
        ("timestamp", "a: 2024-01-01\n"),
        ("sexagesimal", "a: 1:20\n"),
        ("merge key", "<<: {a: 1}\n"),
        ("a key that is not a string", "1: a\n"),
        ("a null key", "null: a\n"),
        ("a byte-order mark", "\ufeffa: 1\n"),
        ("a control character", "a: b\x07\n"),
        ("a lone carriage return", "a: 1\rb: 2\n"),
        ("a next-line character", "a: b\x85c\n"),
        ("a compact nested sequence", "- - a\n"),
        ("a sequence at its key's indentation", "a:\n- b\n"),
        ("a root scalar", "just text\n"),
        ("an empty document", "# only a comment\n"),
        ("an indented root", "  a: 1\n"),
        ("an indentation no collection has", "a:\n    b: 1\n  c: 2\n"),
        ("text after a quoted value", "a: 'b' c\n"),
        ("a colon inside a plain value", "a: b: c\n"),
        ("a surrogate escape", 'a: "\\ud83d"\n'),
        ("an unknown escape", 'a: "\\q"\n'),
    ],
)
def test_a_text_outside_the_subset_gives_up(case: str, text: str) -> None:
    assert isinstance(parse_lock_yaml(text), NotInSubset), case


def test_nesting_deeper_than_the_cap_gives_up_and_at_the_cap_reads() -> None:
    def nested(depth: int) -> str:
        return "".join(f"{' ' * i}k{i}:\n" for i in range(depth - 1)) + f"{' ' * depth}x: 1\n"

    assert isinstance(parse_lock_yaml(nested(MAX_DEPTH + 1)), NotInSubset)
    assert parse_lock_yaml(nested(MAX_DEPTH)) == PORT.parse(nested(MAX_DEPTH))


def test_giving_up_names_the_reason_and_the_line() -> None:
    assert parse_lock_yaml("a: 1\nb: &x 2\n") == NotInSubset(
        reason="a plain scalar starting with an indicator", line=2
    )


def test_windows_line_ends_read_as_line_feeds() -> None:
    text = "a:\r\n  b: 'c'\r\n"

    assert parse_lock_yaml(text) == {"a": {"b": "c"}} == PORT.parse(text)


def run_probe(files: dict[str, str | bytes]) -> ManifestsSlice:
    envelope = ManifestsProbe().run(context(files))
    assert isinstance(envelope, Envelope) and isinstance(envelope.slice, ManifestsSlice)
    return envelope.slice


def test_a_pnpm_lock_beyond_the_ports_node_bound_is_read_by_the_probe_with_all_its_packages() -> (
    None
):
    files: dict[str, str | bytes] = dict(generate(20_000, 3))
    assert isinstance(PORT.parse(str(files["pnpm-lock.yaml"])), TextProblem)  # over MAX_NODES
    assert PORT.max_nodes == MAX_NODES

    found = run_probe(files)

    summary = found.locks["pnpm-lock.yaml"]
    # the 20,000 registry packages, and the links of members m1 -> m0 and m2 -> m1
    assert (summary.read, summary.packages) == (True, 20_000 + 2)
    assert not [p for p in found.problems if p.path == "pnpm-lock.yaml"]


def test_a_pnpm_lock_outside_the_subset_is_still_read_through_the_port() -> None:
    files: dict[str, str | bytes] = dict(generate(3, 1))
    lock = str(files["pnpm-lock.yaml"])
    files["pnpm-lock.yaml"] = lock.replace(
        "  autoInstallPeers: true\n", "  autoInstallPeers: &peers true\n  again: *peers\n"
    )
    assert isinstance(parse_lock_yaml(str(files["pnpm-lock.yaml"])), NotInSubset)

    found = run_probe(files)

    assert (found.locks["pnpm-lock.yaml"].read, found.locks["pnpm-lock.yaml"].packages) == (True, 3)


def test_a_pnpm_lock_the_port_refuses_is_still_a_problem_with_its_coordinates() -> None:
    files: dict[str, str | bytes] = dict(generate(3, 1))
    files["pnpm-lock.yaml"] = "lockfileVersion: '9.0'\npackages: [a\n"

    found = run_probe(files)

    assert found.locks["pnpm-lock.yaml"].read is False
    (problem,) = [p for p in found.problems if p.path == "pnpm-lock.yaml"]
    assert problem.line is not None
