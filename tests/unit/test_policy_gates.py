"""`--fail-on` conditions: parsed before the gather, judged over the document (ADR-0058)."""

from __future__ import annotations

from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.errors import ConfigError
from codegenie_core.policy.gates import (
    SIMPLE,
    BaseImageRule,
    DependencyRule,
    SimpleCondition,
    breaches,
    parse_condition,
    parse_conditions,
)
from codegenie_core.policy.versions import Operator, orderable
from tests.policy_documents import document
from tests.strategies import dependency_rule_texts, policy_documents


def dep(ecosystem: str | None, name: str, operator: str | None, version: str | None) -> object:
    op = cast("Operator | None", operator)
    return DependencyRule(ecosystem=ecosystem, name=name, operator=op, version=version)


def facts(conditions: str, doc: dict[str, object]) -> list[str]:
    return [f"{b.condition}: {b.fact}" for b in breaches(parse_conditions([conditions]), doc)]


def test_each_simple_condition_parses_to_itself() -> None:
    assert [parse_condition(name).rule for name in SIMPLE] == [
        SimpleCondition(name=name) for name in SIMPLE
    ]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("dependency:lodash<4.17.21", dep(None, "lodash", "<", "4.17.21")),
        ("dependency:npm:lodash<=4.17.21", dep("npm", "lodash", "<=", "4.17.21")),
        ("dependency:@babel/core==7.0.0", dep(None, "@babel/core", "==", "7.0.0")),
        ("dependency:maven:org.slf4j:slf4j-api>=2", dep("maven", "org.slf4j:slf4j-api", ">=", "2")),
        ("dependency:org.slf4j:slf4j-api>2", dep(None, "org.slf4j:slf4j-api", ">", "2")),
        ("dependency:pypi:requests<2.0rc1", dep("pypi", "requests", "<", "2.0rc1")),
        ("dependency:left-pad", dep(None, "left-pad", None, None)),
        ("base-image:*:latest", BaseImageRule(glob="*:latest")),
    ],
)  # fmt: skip
def test_rules_parse_with_their_parts(text: str, rule: object) -> None:
    assert parse_condition(text).rule == rule


@pytest.mark.parametrize(
    "text",
    [
        "low-confidences",
        "dependency:",
        "dependency:lodash<",
        "dependency:lodash<<1",
        "dependency:lodash<latest",
        "dependency:npm:lodash<1 2",
        "base-image:",
        "npm:lodash<1",
    ],
)
def test_a_malformed_condition_is_a_config_error_naming_it(text: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_condition(text)
    assert repr(text) in raised.value.message
    assert raised.value.message.startswith("--fail-on ")


@given(st.lists(st.sampled_from(SIMPLE), min_size=1, max_size=5))
def test_commas_and_repetition_give_the_same_conditions(names: list[str]) -> None:
    assert parse_conditions([",".join(names)]) == parse_conditions(names)


def test_failed_probe_names_the_probe_and_its_error() -> None:
    doc = document(failed={"ci": "boom"}, confidence={"git": "high"})
    assert facts("failed-probe", doc) == ["failed-probe: probe ci failed: ProbeError: boom"]


def test_low_confidence_names_each_low_probe_and_its_first_note() -> None:
    doc = document(confidence={"git": "low", "ci": "medium", "languages": "low"})
    assert facts("low-confidence", doc) == [
        "low-confidence: probe git has low confidence (git is low)",
        "low-confidence: probe languages has low confidence (languages is low)",
    ]


def test_index_conditions_read_index_health() -> None:
    doc = document(indexes=[("index.scip", "Stale"), ("", "Missing")])
    assert facts("stale-index,missing-index", doc) == [
        "stale-index: index index.scip is stale",
        "missing-index: index (none found) is missing",
    ]
    assert facts("stale-index", document(indexes=[("index.scip", "Fresh")])) == []


@pytest.mark.parametrize(
    ("doc", "held"),
    [
        (document(trace_skip="tool_unavailable"), True),
        (document(trace_skip="not_applicable"), False),  # no Dockerfile: nothing to trace
        (document(trace={"status": "image-digest-unresolved"}), True),
        (document(trace={"trace_coverage_confidence": "unavailable"}), True),
        (document(trace={}), False),
        (document(), False),  # layer c not run: no fact to judge
    ],
)
def test_trace_unavailable_holds_when_the_trace_could_not_run(
    doc: dict[str, object], held: bool
) -> None:
    assert bool(facts("trace-unavailable", doc)) is held


def test_dependency_bounds_compare_resolved_versions_in_the_ecosystems_order() -> None:
    doc = document(
        inventory=[
            ("npm", "lodash", "4.17.20"),
            ("npm", "lodash", "4.17.21"),
            ("pypi", "lodash", "1.0"),  # another ecosystem's package of the same name
        ]
    )
    assert facts("dependency:npm:lodash<4.17.21", doc) == [
        "dependency:npm:lodash<4.17.21: dependency npm:lodash 4.17.20 < 4.17.21 (m.txt)"
    ]
    assert len(facts("dependency:lodash<4.17.21", doc)) == 2  # no prefix: every ecosystem
    assert facts("dependency:npm:lodash>=5", doc) == []


def test_an_unresolved_version_holds_a_bounded_rule_and_says_why() -> None:
    doc = document(inventory=[("npm", "lodash", None), ("npm", "lodash", "latest")])
    assert facts("dependency:lodash<4.17.21", doc) == [
        "dependency:lodash<4.17.21: dependency npm:lodash: resolved version unknown, cannot rule "
        "out <4.17.21 (m.txt)",
        "dependency:lodash<4.17.21: dependency npm:lodash latest: cannot be ordered against "
        "4.17.21 (m.txt)",
    ]


def test_pypi_names_match_as_pep_503_normalises_them() -> None:
    doc = document(inventory=[("pypi", "Flask_Login", "0.6.0")])
    assert facts("dependency:pypi:flask-login<0.6.3", doc) != []
    assert facts("dependency:pypi:flask-login<0.6.0", doc) == []


def test_a_rule_without_a_bound_holds_on_presence() -> None:
    doc = document(inventory=[("npm", "left-pad", "1.3.0")])
    assert facts("dependency:left-pad", doc) == [
        "dependency:left-pad: dependency npm:left-pad 1.3.0 is present (m.txt)"
    ]


def test_base_image_globs_match_dockerfile_and_compose_images() -> None:
    doc = document(dockerfile_images=["python:3.12-slim"], compose_images={"db": "postgres:latest"})
    assert facts("base-image:*:latest,base-image:python:3.1[0-2]*", doc) == [
        "base-image:*:latest: base image postgres:latest in compose.yaml#db",
        "base-image:python:3.1[0-2]*: base image python:3.12-slim in Dockerfile#stage 0",
    ]
    assert facts("base-image:scratch", doc) == []  # FROM scratch names no image


@given(policy_documents())
def test_breaches_are_total_and_name_their_condition(doc: dict[str, object]) -> None:
    conditions = parse_conditions([",".join(SIMPLE), "dependency:lodash<2,base-image:*"])
    texts = {c.text for c in conditions}
    assert all(b.condition in texts for b in breaches(conditions, doc))


@given(dependency_rule_texts())
def test_a_dependency_rule_parses_back_to_the_parts_it_was_written_from(
    drawn: tuple[str, str | None, str, str | None, str | None],
) -> None:
    text, ecosystem, name, operator, version = drawn
    if version is not None and not orderable(ecosystem or "", version):
        # `1.0-SNAPSHOT` is no PEP 440 version: a `pypi:` bound refuses it
        assert ecosystem == "pypi"
        with pytest.raises(ConfigError, match="not a version that can be ordered"):
            parse_condition(text)
        return
    assert parse_condition(text) == parse_condition(f"  {text} ")
    assert parse_condition(text).rule == dep(ecosystem, name, operator, version)
