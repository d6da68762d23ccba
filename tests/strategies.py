"""Hypothesis strategies shared by the property tests; each section names the module it serves."""

from __future__ import annotations

from hypothesis import strategies as st

from codegenie_core.verdicts import Threshold

# ---- codegenie_core.verdicts ---------------------------------------------------------------
measurement_keys = st.sampled_from(["cold_p50_s", "warm_p50_s", "warm_p95_s", "cold_p95_s", "rss"])
positive_seconds = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False)
measurements = st.dictionaries(measurement_keys, positive_seconds, max_size=5)
sample_runs = st.lists(positive_seconds, min_size=7, max_size=15)


@st.composite
def thresholds(draw: st.DrawFn) -> Threshold:
    """A valid `Threshold`: comment <= fail whenever both are set; any may opt out (None)."""
    comment = draw(st.none() | st.floats(min_value=0, max_value=500))
    floor = 0.0 if comment is None else comment
    fail = draw(st.none() | st.floats(min_value=floor, max_value=floor + 1000))
    p95 = draw(st.none() | st.floats(min_value=0, max_value=1000))
    return Threshold(comment_pct=comment, fail_pct=fail, fail_p95_s=p95)


# ---- codegenie_core.cache_keys ---------------------------------------------------------------
# Path segments from a small alphabet, so globs and files collide often enough to be interesting;
# "." and ".." never arrive through the RepoFiles port, so they are not generated.
path_segments = st.text(alphabet="abAB._-1", min_size=1, max_size=3).filter(
    lambda s: s not in {".", ".."}
)
repo_paths = st.lists(path_segments, min_size=1, max_size=3).map("/".join)
repo_files = st.dictionaries(repo_paths, st.binary(max_size=8), max_size=8)
glob_segments = st.one_of(
    path_segments,
    st.sampled_from(["*", "**", "*.a", "a*", "?", "[ab]*", "[!a]*"]),
)
repo_globs = st.lists(glob_segments, min_size=1, max_size=3).map("/".join)
token_values = st.text(max_size=6)  # any str, lone surrogates included
