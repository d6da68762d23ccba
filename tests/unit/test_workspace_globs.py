"""Workspace member patterns (codegenie_core.parsers.workspace_globs): one-segment `*`, any-depth
`**`, npm's ordered `!` against pnpm's ignore-list `!`, unmatched patterns."""

from __future__ import annotations

import fnmatch

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.parsers.workspace_globs import Expansion, expand, matches

CANDIDATES = (
    ".",
    "packages/a",
    "packages/b",
    "packages/b/nested",
    "packages/ignored",
    "apps/web",
    "apps/.hidden",
    "node_modules/x",
    "packages/a/node_modules/dep",
)


def test_a_star_matches_one_segment_and_a_double_star_any_depth() -> None:
    assert matches("packages/*", "packages/a")
    assert not matches("packages/*", "packages/b/nested")
    assert matches("packages/**", "packages/b/nested")
    assert matches("packages/**", "packages")  # `**` is zero segments too
    assert matches("**/nested", "packages/b/nested")
    assert matches("./apps/web/", "apps/web")
    assert matches("pack?ges/[ab]", "packages/b")
    assert not matches("apps/*", "apps/.hidden")  # wildcards skip dot directories


def test_npm_applies_patterns_in_order_a_later_exclusion_removing_and_a_later_pattern_adding() -> (
    None
):
    patterns = ("packages/*", "!packages/b", "packages/b")
    assert expand(patterns, CANDIDATES, ordered=True).members == (
        "packages/a",
        "packages/b",
        "packages/ignored",
    )
    patterns = ("packages/*", "packages/b", "!packages/b")
    assert expand(patterns, CANDIDATES, ordered=True).members == ("packages/a", "packages/ignored")


def test_pnpm_exclusions_apply_wherever_they_are_written() -> None:
    patterns = ("!packages/ignored", "packages/*")
    assert expand(patterns, CANDIDATES, ordered=False).members == ("packages/a", "packages/b")
    assert expand(patterns, CANDIDATES, ordered=True).members == (
        "packages/a",
        "packages/b",
        "packages/ignored",
    )


def test_patterns_matching_nothing_are_unmatched_and_node_modules_and_the_root_never_members() -> (
    None
):
    assert expand(("**", "tools/*", "!!apps/*"), CANDIDATES, ordered=True) == Expansion(
        members=(
            "apps/web",
            "packages/a",
            "packages/b",
            "packages/b/nested",
            "packages/ignored",
        ),  # "!!apps/*" is plain "apps/*"; "apps/.hidden" is a dot directory
        unmatched=("tools/*",),
    )


_segments = st.sampled_from(["a", "b", "ab", ".h"])
_paths = st.lists(_segments, min_size=1, max_size=5).map("/".join)
_pattern_segments = st.sampled_from(["a", "b", "*", "**", "a*", "?b", ".h"])
_patterns = st.lists(_pattern_segments, min_size=1, max_size=5).map("/".join)


def _reference(pattern: list[str], path: list[str]) -> bool:
    """A direct recursive reading of Rule 1, for small inputs only."""
    if not pattern:
        return not path
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return _reference(rest, path) or (
            bool(path) and not path[0].startswith(".") and _reference(pattern, path[1:])
        )
    if not path:
        return False
    first = path[0]
    ok = head == first or (
        any(c in head for c in "*?[")
        and not (first.startswith(".") and not head.startswith("."))
        and fnmatch.fnmatchcase(first, head)
    )
    return ok and _reference(rest, path[1:])


@given(_patterns, _paths)
def test_the_table_matcher_agrees_with_the_recursive_definition(pattern: str, path: str) -> None:
    assert matches(pattern, path) == _reference(pattern.split("/"), path.split("/"))
