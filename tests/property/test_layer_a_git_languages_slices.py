"""The `git` and `languages` slices survive the cache's JSON round trip unchanged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters.serde import envelope_from_json, envelope_to_json
from codegenie_core.probe import Envelope
from codegenie_core.probes.layer_a.git import GitRemote, GitSlice
from codegenie_core.probes.layer_a.languages import FileTotal, LanguagesSlice, LanguageTotal

counts = st.integers(min_value=0, max_value=10**12)
totals = st.builds(FileTotal, files=counts, bytes=counts)
git_slices = st.builds(
    GitSlice,
    head=st.none() | st.text(alphabet="0123456789abcdef", min_size=40, max_size=64),
    branch=st.none() | st.text(min_size=1, max_size=12),
    detached=st.booleans(),
    dirty=st.booleans(),
    remotes=st.lists(st.builds(GitRemote, name=st.text(max_size=8), url=st.text(max_size=30)),
                     max_size=3).map(tuple),
)  # fmt: skip
languages_slices = st.builds(
    LanguagesSlice,
    languages=st.lists(
        st.builds(LanguageTotal, language=st.text(max_size=12), files=counts, bytes=counts),
        max_size=4,
    ).map(tuple),
    primary=st.none() | st.text(max_size=12),
    vendored=totals,
    generated=totals,
    unrecognized=totals,
    unreadable=counts,
)


@given(git_slices | languages_slices)
def test_a_slice_round_trips_through_the_cache_encoding(value: GitSlice | LanguagesSlice) -> None:
    envelope = Envelope(probe="p", schema_version=1, confidence="high", slice=value)
    assert envelope_from_json(envelope_to_json(envelope), type(value)) == envelope
