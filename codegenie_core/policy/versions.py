"""Ordering resolved versions per ecosystem, for `dependency:NAME<VERSION` gates (ADR-0058).

Rule 1: PyPI versions are ordered by `packaging` (PEP 440), every other ecosystem by `semverish`:
an optional `v`, dot-separated numeric release components compared as integers (missing ones are
zero, so 1.2 == 1.2.0), build metadata after `+` ignored, and anything after the release (after
`-`, or from the first component that is not a number: `4.0.0.pre`, `1.0-SNAPSHOT`) a pre-release
that sorts before its release, its dot-separated identifiers compared as semver's rule 11 says.
Rule 2: a version with no numeric release (`latest`, a commit hash) cannot be ordered: `parse`
returns None, and the gate says so rather than guessing.
"""

from __future__ import annotations

import re
from typing import Literal, assert_never

from packaging.version import InvalidVersion, Version

Operator = Literal["<", "<=", "==", ">=", ">"]
OPERATORS: tuple[Operator, ...] = ("<=", ">=", "==", "<", ">")  # two-character ones first

# semverish = ["v"] numeric *("." numeric) [("-" / ".") prerelease] ["+" build]
_SEMVERISH = re.compile(r"[vV]?(?P<release>[0-9]+(?:\.[0-9]+)*)(?P<rest>[^+]*)(?:\+.*)?")
_IDENTIFIER_SPLIT = re.compile(r"[.\-_]+")

# A pre-release identifier: numbers before words (semver rule 11); numbers by value, words by text.
Identifier = tuple[int, int, str]
Key = tuple[tuple[int, ...], int, tuple[Identifier, ...]]


def _semverish_key(text: str) -> Key | None:
    match = _SEMVERISH.fullmatch(text.strip())
    if match is None:
        return None
    release = [int(part) for part in match["release"].split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    rest = match["rest"]
    identifiers = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in _IDENTIFIER_SPLIT.split(rest)
        if part
    )
    # A release sorts after each of its pre-releases: flag 1 for "no pre-release".
    return (tuple(release), 0 if identifiers else 1, identifiers)


def compare(ecosystem: str, left: str, right: str) -> int | None:
    """-1, 0 or 1 as `left` sorts before, with or after `right` in `ecosystem`'s ordering;
    None when either cannot be ordered (Rule 2)."""
    if ecosystem == "pypi":
        try:
            a, b = Version(left), Version(right)
        except InvalidVersion:
            return None
        return (a > b) - (a < b)
    key_a, key_b = _semverish_key(left), _semverish_key(right)
    if key_a is None or key_b is None:
        return None
    return (key_a > key_b) - (key_a < key_b)


def orderable(ecosystem: str, version: str) -> bool:
    """Whether `version` can be ordered in `ecosystem` (checked for a gate's own bound)."""
    return compare(ecosystem, version, version) is not None


def holds(operator: Operator, order: int) -> bool:
    """Whether `left OPERATOR right` holds, given `order = compare(left, right)`."""
    match operator:
        case "<":
            return order < 0
        case "<=":
            return order <= 0
        case "==":
            return order == 0
        case ">=":
            return order >= 0
        case ">":
            return order > 0
        case _:
            assert_never(operator)
