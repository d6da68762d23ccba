"""Version ordering for `dependency:` gates: PEP 440 for PyPI, semver-ish elsewhere (ADR-0058)."""

from __future__ import annotations

from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.policy.versions import Operator, compare, holds, orderable
from tests.strategies import semverish_versions


@pytest.mark.parametrize(
    ("ecosystem", "left", "right", "expected"),
    [
        ("npm", "4.17.20", "4.17.21", -1),
        ("npm", "1.10.0", "1.9.0", 1),  # numbers, not text
        ("golang", "v1.2", "1.2.0", 0),  # a `v` and missing zeros change nothing
        ("npm", "1.0.0-alpha", "1.0.0", -1),  # a pre-release sorts before its release
        ("npm", "1.0.0-alpha.1", "1.0.0-alpha.beta", -1),  # numeric identifiers first
        ("npm", "1.0.0-alpha.2", "1.0.0-alpha.10", -1),
        ("gem", "4.0.0.pre", "4.0.0", -1),  # a word after the release is a pre-release
        ("maven", "1.0-SNAPSHOT", "1.0", -1),
        ("cargo", "1.0.0+build.9", "1.0.0", 0),  # build metadata is ignored
        ("pypi", "1.0rc1", "1.0", -1),  # PEP 440 by packaging
        ("pypi", "1.0.post1", "1.0", 1),  # a post-release sorts after: not semver's rule
        ("pypi", "2!1.0", "3.0", 1),  # epochs
    ],
)
def test_versions_order_as_their_ecosystem_orders_them(
    ecosystem: str, left: str, right: str, expected: int
) -> None:
    assert compare(ecosystem, left, right) == expected


@pytest.mark.parametrize(
    ("ecosystem", "version"),
    [("npm", "latest"), ("golang", "abc123def"), ("pypi", "not a version"), ("npm", "")],
)
def test_a_version_without_a_release_cannot_be_ordered(ecosystem: str, version: str) -> None:
    assert not orderable(ecosystem, version)
    assert compare(ecosystem, version, "1.0") is None


@given(semverish_versions, semverish_versions)
def test_semverish_order_is_antisymmetric(left: str, right: str) -> None:
    assert compare("npm", left, right) == -(compare("npm", right, left) or 0)


@given(semverish_versions, semverish_versions, semverish_versions)
def test_semverish_order_is_transitive(a: str, b: str, c: str) -> None:
    ab, bc, ac = compare("npm", a, b), compare("npm", b, c), compare("npm", a, c)
    assert ab is not None and bc is not None and ac is not None
    if ab <= 0 and bc <= 0:
        assert ac <= 0


@given(st.lists(st.integers(min_value=0, max_value=99), min_size=1, max_size=4), st.integers(0, 3))
def test_trailing_zero_components_do_not_change_a_release(release: list[int], zeros: int) -> None:
    text = ".".join(map(str, release))
    assert compare("cargo", text, text + ".0" * zeros) == 0


@pytest.mark.parametrize(
    ("operator", "order", "expected"),
    [("<", -1, True), ("<", 0, False), ("<=", 0, True), ("==", 0, True), ("==", 1, False),
     (">=", 1, True), (">", 0, False), (">", 1, True)],
)  # fmt: skip
def test_operators_read_the_order(operator: str, order: int, expected: bool) -> None:
    assert holds(cast("Operator", operator), order) is expected
