"""`--fail-on` conditions: parsed from text before the gather, judged over the document after.

Rule 1: `parse_conditions` refuses a malformed condition with a `ConfigError` naming it, so the
CLI can exit 2 before anything runs; `breaches` is total over any checked document.
Rule 2: a condition judges only the facts the document holds: a probe that was not run (its layer
not selected) makes no condition hold (see ADR-0058).
Rule 3: a `dependency:` rule with a version bound also holds for a matching dependency whose
resolved version is unknown or cannot be ordered: a gate that cannot prove the version is outside
the bound fails closed, and its line says why.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Literal, assert_never

import attrs
from packaging.utils import canonicalize_name

from codegenie_core.errors import ConfigError
from codegenie_core.policy import facts
from codegenie_core.policy.facts import Plain
from codegenie_core.policy.versions import OPERATORS, Operator, compare, holds, orderable

OPTION = "--fail-on"
Simple = Literal[
    "failed-probe", "low-confidence", "stale-index", "missing-index", "trace-unavailable"
]
SIMPLE: tuple[Simple, ...] = (
    "failed-probe",
    "low-confidence",
    "stale-index",
    "missing-index",
    "trace-unavailable",
)
# The inventory's ecosystems (purl types), which may prefix a dependency name: `npm:lodash`.
ECOSYSTEMS = ("cargo", "composer", "gem", "golang", "maven", "npm", "nuget", "pypi")


@attrs.frozen(kw_only=True)
class SimpleCondition:
    name: Simple


@attrs.frozen(kw_only=True)
class DependencyRule:
    """`dependency:[ECOSYSTEM:]NAME[OP VERSION]`: without a bound, the dependency's presence."""

    ecosystem: str | None
    name: str
    operator: Operator | None
    version: str | None


@attrs.frozen(kw_only=True)
class BaseImageRule:
    """`base-image:GLOB`, matched (fnmatch, case-sensitive) against each resolved reference."""

    glob: str


Rule = SimpleCondition | DependencyRule | BaseImageRule


@attrs.frozen(kw_only=True)
class Condition:
    text: str  # as the user wrote it, for the messages
    rule: Rule


@attrs.frozen(kw_only=True)
class Breach:
    """One condition that held, and the fact that made it hold."""

    condition: str
    fact: str


# dependency-rule = "dependency:" [ecosystem ":"] name [operator version]
# operator = "<=" / ">=" / "==" / "<" / ">"; name and version hold no operator character
_DEPENDENCY = re.compile(r"(?P<name>[^<>=\s]+)(?:(?P<op><=|>=|==|<|>)(?P<version>[^<>=\s]+))?")


def _refuse(text: str, why: str) -> ConfigError:
    return ConfigError(f"{OPTION} {text!r}: {why} (see ADR-0058)", variable=OPTION)


def parse_condition(text: str) -> Condition:
    text = text.strip()
    if text in SIMPLE:
        return Condition(text=text, rule=SimpleCondition(name=text))
    kind, _, body = text.partition(":")
    if kind == "base-image" and body:
        return Condition(text=text, rule=BaseImageRule(glob=body))
    if kind == "dependency" and body:
        return Condition(text=text, rule=_dependency(text, body))
    choices = ", ".join((*SIMPLE, "dependency:NAME<VERSION", "base-image:GLOB"))
    raise _refuse(text, f"not a condition; the conditions are {choices}")


def _dependency(text: str, body: str) -> DependencyRule:
    ecosystem: str | None = None
    prefix, _, rest = body.partition(":")
    if prefix in ECOSYSTEMS and rest:
        ecosystem, body = prefix, rest
    match = _DEPENDENCY.fullmatch(body)
    if match is None:
        raise _refuse(text, "expected dependency:[ECOSYSTEM:]NAME[<|<=|==|>=|>VERSION]")
    operator: Operator | None = next((op for op in OPERATORS if op == match["op"]), None)
    version = match["version"]
    # Without an ecosystem the bound must be orderable by one of the two orderings.
    if (
        version is not None
        and not orderable(ecosystem or "", version)
        and (ecosystem is not None or not orderable("pypi", version))
    ):
        raise _refuse(text, f"{version!r} is not a version that can be ordered")
    return DependencyRule(
        ecosystem=ecosystem, name=match["name"], operator=operator, version=version
    )


def parse_conditions(values: Iterable[str]) -> tuple[Condition, ...]:
    """Each `--fail-on` value, split on commas; empty parts are ignored."""
    return tuple(
        parse_condition(part) for value in values for part in value.split(",") if part.strip()
    )


def breaches(conditions: Sequence[Condition], document: Plain) -> tuple[Breach, ...]:
    """Every (condition, fact) that holds in `document`, in condition order then fact order."""
    return tuple(
        Breach(condition=c.text, fact=fact) for c in conditions for fact in _facts(c.rule, document)
    )


def _facts(rule: Rule, document: Plain) -> Iterator[str]:
    match rule:
        case SimpleCondition(name=name):
            yield from _simple(name, document)
        case DependencyRule():
            yield from _dependency_facts(rule, document)
        case BaseImageRule(glob=glob):
            for image in facts.base_images(document):
                if fnmatch.fnmatchcase(image.ref, glob):
                    yield f"base image {image.ref} in {image.where}"
        case _:
            assert_never(rule)


def _simple(name: Simple, document: Plain) -> Iterator[str]:
    match name:
        case "failed-probe":
            for probe, entry in facts.probes(document):
                if entry.get("outcome") == "failed":
                    error = facts.as_map(entry.get("error"))
                    yield f"probe {probe} failed: {error.get('type')}: {error.get('message')}"
        case "low-confidence":
            for probe, entry in facts.probes(document):
                if entry.get("confidence") == "low":
                    notes = facts.as_list(entry.get("notes"))
                    why = f" ({notes[0]})" if notes else ""
                    yield f"probe {probe} has low confidence{why}"
        case "stale-index" | "missing-index":
            wanted = "Stale" if name == "stale-index" else "Missing"
            for index in facts.index_states(document):
                if index.kind == wanted:
                    yield f"index {index.path} is {wanted.lower()}"
        case "trace-unavailable":
            why = facts.trace_unavailable(document)
            if why is not None:
                yield f"runtime trace unavailable ({why})"
        case _:
            assert_never(name)


def _same_name(ecosystem: str, left: str, right: str) -> bool:
    """Package names as the ecosystem compares them: PEP 503 for PyPI, case-folded for NuGet."""
    if ecosystem == "pypi":
        return canonicalize_name(left) == canonicalize_name(right)
    if ecosystem == "nuget":
        return left.lower() == right.lower()
    return left == right


def _dependency_facts(rule: DependencyRule, document: Plain) -> Iterator[str]:
    seen: set[tuple[str, str, str | None]] = set()
    for dep in facts.dependencies(document):
        if rule.ecosystem not in (None, dep.ecosystem):
            continue
        if not _same_name(dep.ecosystem, dep.name, rule.name):
            continue
        identity = (dep.ecosystem, dep.name, dep.resolved)
        if identity in seen:
            continue
        seen.add(identity)
        named = f"dependency {dep.ecosystem}:{dep.name}"
        if rule.operator is None or rule.version is None:
            yield f"{named} {dep.resolved or '(version not resolved)'} is present ({dep.manifest})"
            continue
        if dep.resolved is None:
            bound = f"{rule.operator}{rule.version}"
            yield f"{named}: resolved version unknown, cannot rule out {bound} ({dep.manifest})"
            continue
        order = compare(dep.ecosystem, dep.resolved, rule.version)
        if order is None:
            why = f"cannot be ordered against {rule.version}"
            yield f"{named} {dep.resolved}: {why} ({dep.manifest})"
        elif holds(rule.operator, order):
            yield f"{named} {dep.resolved} {rule.operator} {rule.version} ({dep.manifest})"
