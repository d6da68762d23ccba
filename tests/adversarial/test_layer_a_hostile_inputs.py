"""Hostile inputs to the layer A parsers: bombs and pathological nesting give problems, not crashes.

Each input here is small to write and expensive or dangerous to parse naively.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from codegenie_adapters.config_yaml import MAX_NODES, RuamelYamlReader
from codegenie_adapters.fakes import FakeClock, FakeContainerRunner, FakeRepo
from codegenie_core.config import GatherConfig
from codegenie_core.parsers.cargo_manifest import parse_cargo_toml
from codegenie_core.parsers.dockerfile_facts import describe_dockerfile
from codegenie_core.parsers.manifest_model import ManifestProblem, Parsed
from codegenie_core.parsers.maven_pom import parse_pom
from codegenie_core.parsers.npm_manifest import parse_package_json
from codegenie_core.parsers.python_manifest import parse_pyproject
from codegenie_core.ports import TextProblem
from codegenie_core.probe import Envelope, ProbeContext
from codegenie_core.probes.layer_a.ci import CiProbe, CiSlice
from codegenie_core.probes.layer_a.inputs import InputProblem
from codegenie_core.probes.layer_a.manifests import ManifestsProbe, ManifestsSlice
from codegenie_core.probes.layer_c.model import ImageConfig
from codegenie_core.probes.layer_c.runtime_trace import RuntimeTraceProbe, RuntimeTraceSlice
from tests.unit.layer_a_support import context

DEPTH = 100_000

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<project><artifactId>&lol3;</artifactId></project>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<project><artifactId>&secret;</artifactId></project>
"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "external"])
def test_xml_entity_attacks_are_refused_unparsed(text: str) -> None:
    parsed = parse_pom(text)

    assert parsed.value is None
    assert parsed.problems == (
        ManifestProblem(
            message="<!DOCTYPE is not accepted in a POM (entity expansion risk)", line=2, column=1
        ),
    )


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_pyproject, "a = " + "[" * DEPTH + "]" * DEPTH, "TOML nested too deeply"),
        (parse_cargo_toml, "a = " + "{b=" * DEPTH + "}" * DEPTH, "TOML nested too deeply"),
        (parse_package_json, "[" * DEPTH + "]" * DEPTH, "JSON nested too deeply"),
    ],
    ids=["pyproject", "cargo", "package.json"],
)
def test_nesting_that_exhausts_the_stack_is_a_problem(
    parse: Callable[[str], Parsed[Any]], text: str, message: str
) -> None:
    assert parse(text).problems == (ManifestProblem(message=message),)


def test_deeply_nested_yaml_is_a_problem() -> None:
    depth = 1_000  # past the interpreter's recursion limit (ruamel is slow, ~2 s, to get there)
    assert RuamelYamlReader().parse("[" * depth + "]" * depth) == TextProblem(
        message="YAML nested too deeply"
    )


def billion_laughs_yaml(tail: str) -> str:
    """The 9x9 YAML "billion laughs": nine lists of nine aliases of the one before, 9**9 strings
    once expanded, in under 600 bytes; `tail` uses the last level (`*i`)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [
        f"{c}: &{c} [{','.join([f'*{p}'] * 9)}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    return "\n".join(lines) + "\n" + tail


WORKFLOW_BOMB = billion_laughs_yaml("on: *i\njobs:\n  build:\n    runs-on: *i\n")
SCENARIOS_BOMB = billion_laughs_yaml("scenarios:\n  - name: *i\n    argv: *i\n")
REFUSAL = f"YAML alias expansion exceeds {MAX_NODES:,} nodes"


def test_a_yaml_alias_bomb_in_a_workflow_is_that_files_problem_in_bounded_memory() -> None:
    assert len(WORKFLOW_BOMB) < 600  # under 600 bytes of text
    ctx = context({".github/workflows/ci.yml": WORKFLOW_BOMB})

    tracemalloc.start()
    try:
        envelope = CiProbe().run(ctx)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert isinstance(envelope, Envelope) and isinstance(envelope.slice, CiSlice)
    assert envelope.slice.problems == (
        InputProblem(path=".github/workflows/ci.yml", message=REFUSAL, line=6),
    )
    assert envelope.confidence == "low"
    assert peak < 100 * 2**20


# 2**40 requirements if every include were expanded, in under 2.5 KB of TOML
INCLUDE_BOMB = '[project]\nname = "x"\n[dependency-groups]\ng0 = ["pytest", "mypy"]\n' + "".join(
    f'g{i} = [{{include-group = "g{i - 1}"}}, {{include-group = "g{i - 1}"}}]\n'
    for i in range(1, 40)
)


def test_an_include_group_bomb_is_that_manifests_problem_in_bounded_memory() -> None:
    assert len(INCLUDE_BOMB) < 2560
    tracemalloc.start()
    try:
        envelope = ManifestsProbe().run(context({"pyproject.toml": INCLUDE_BOMB}))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert isinstance(envelope, Envelope) and isinstance(envelope.slice, ManifestsSlice)
    assert [p.message for p in envelope.slice.problems] == [
        "dependency group 'g12': more than 10000 entries after expanding include-group; "
        "the rest is not read"
    ]
    assert envelope.confidence == "medium"
    assert {(e.name, len(e.groups)) for e in envelope.slice.inventory} == {
        ("pytest", 13),
        ("mypy", 13),
    }
    assert peak < 100 * 2**20


def test_a_yaml_alias_bomb_in_the_scenarios_file_is_that_files_problem() -> None:
    runner = FakeContainerRunner(image=ImageConfig(cmd=("/bin/app",)))
    ctx = ProbeContext(
        repo=FakeRepo(
            files={
                "Dockerfile": b"FROM alpine:3.20\n",
                ".codegenie/scenarios.yaml": SCENARIOS_BOMB.encode(),
            }
        ),
        config=GatherConfig(),
        clock=FakeClock(),
        yaml=RuamelYamlReader(),
        containers=runner,
        image_digest_resolver=lambda: "alpine:3.20=sha256:abc",
    )

    tracemalloc.start()
    try:
        envelope = RuntimeTraceProbe().run(ctx)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert isinstance(envelope, Envelope) and isinstance(envelope.slice, RuntimeTraceSlice)
    assert envelope.slice.problems == (f".codegenie/scenarios.yaml:6: {REFUSAL}",)
    assert peak < 100 * 2**20


def test_the_yaml_reader_stops_a_bomb_after_composing_its_text_and_no_more() -> None:
    reader = RuamelYamlReader()

    assert isinstance(reader.parse(WORKFLOW_BOMB), TextProblem)
    # The composer built the nodes written in the text (a few dozen) and refused the first
    # alias that took the expanded count past the bound: no expansion was ever materialized.
    assert reader.composed_nodes <= 100 < MAX_NODES


def test_a_dockerfile_of_one_long_continuation_parses() -> None:
    text = "FROM alpine\nRUN true" + " \\\n && true" * 50_000 + "\nUSER app\n"

    facts = describe_dockerfile(text)

    assert (facts.final is not None and facts.final.user, facts.problems) == ("app", ())


def test_an_unterminated_heredoc_swallows_the_rest_and_says_so() -> None:
    facts = describe_dockerfile("FROM a\nRUN <<EOF\n" + "USER root\n" * 1000)

    assert facts.final is not None and facts.final.user is None
    assert [p.message for p in facts.problems] == [
        "heredoc 'EOF' is not terminated before end of file"
    ]


def test_deeply_nested_variable_defaults_do_not_exhaust_the_stack() -> None:
    facts = describe_dockerfile("FROM " + "${A:-" * 5_000 + "alpine" + "}" * 5_000 + "\n")

    assert [p.message.startswith("FROM uses ${A:-") for p in facts.problems] == [True]
