"""`listed` (ADR-0085): one scan of the joined listing decides the usual case, and the answer is
always each path's own Rule 1 check."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.listing import NEVER_LISTED_DIRS, is_listed, listed

segments = st.one_of(
    st.sampled_from(sorted(NEVER_LISTED_DIRS)),
    st.sampled_from([".github", ".gitignore", "venvs", "a.git", "x__pycache__", "src", "é"]),
    st.text(alphabet="ab._/", min_size=1, max_size=4),
)
paths = st.lists(segments, min_size=1, max_size=4).map("/".join)


@given(st.lists(paths, max_size=8))
def test_listed_keeps_exactly_the_paths_rule_1_lets_through_in_order(candidates: list[str]) -> None:
    assert listed(candidates) == [p for p in candidates if is_listed(p)]


def test_near_names_are_kept_and_a_listing_without_any_is_returned_whole() -> None:
    near = [".github/workflows/ci.yml", ".gitignore", "a.git/x", "venvs/x", "x__pycache__/y"]
    assert listed(iter(near)) == near
    assert listed([*near, "lib/.venv/bin/python", "__pycache__/m.pyc"]) == near
