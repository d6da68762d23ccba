"""`key_change`: what differs between the recorded explanation of a probe's last entry and now."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.cache_keys import KeyExplanation, explanation_data, recorded_explanation
from codegenie_core.key_changes import MAX_RECORDED_INPUTS, key_change, recorded_form
from codegenie_core.values.key import CacheKey


def explanation(
    files: dict[str, str],
    *,
    tokens: dict[str, str | None] | None = None,
    upstream: dict[str, str] | None = None,
    version: int = 1,
    key: str = "k" * 64,
) -> dict[str, Any]:
    return {
        "probe": "p",
        "probe_version": version,
        "schema_version": 1,
        "key": key,
        "inputs": [{"path": p, "digest": d} for p, d in sorted(files.items())],
        "tokens": [
            {"name": n, "declared": n, "value": v} for n, v in sorted((tokens or {}).items())
        ],
        "upstream": [{"probe": n, "key": k} for n, k in sorted((upstream or {}).items())],
    }


D1, D2 = "1" * 64, "2" * 64


def test_no_record_is_a_first_gather() -> None:
    change = key_change(None, explanation({"a": D1}))
    assert change.previous_key is None
    assert change.lines() == ("p: no earlier entry for this repository (a first gather)",)


def test_an_equal_key_says_the_entry_was_evicted_unreadable_or_refreshed() -> None:
    old = recorded_form(explanation({"a": D1}))
    change = key_change(old, explanation({"a": D1}))
    assert change.unchanged
    assert "evicted or unreadable, or recomputed on purpose (--refresh)" in change.lines()[0]


def test_files_added_removed_and_changed_are_named() -> None:
    old = recorded_form(explanation({"a": D1, "b": D1, "c": D1}, key="o" * 64))
    change = key_change(old, explanation({"a": D2, "b": D1, "d": D1}))
    assert (change.changed, change.added, change.removed) == (("a",), ("d",), ("c",))
    assert change.lines() == (
        "p: key oooooooooooo -> kkkkkkkkkkkk",
        "  added    d",
        "  removed  c",
        "  changed  a",
    )
    assert change.summary() == "p missed: 1 changed (a); 1 added (d); 1 removed (c)"


def test_tokens_upstream_keys_and_versions_are_named_with_old_and_new_values() -> None:
    old = recorded_form(
        explanation({}, tokens={"config:x": "false", "git-head": None}, upstream={"u": D1})
    )
    now = explanation({}, tokens={"config:x": "true"}, upstream={"u": D2}, version=2)
    change = key_change(old, now)
    assert change.versions == ("probe version 1 -> 2",)
    assert change.tokens == ("config:x: false -> true", "git-head: (unresolved) -> (none)")
    assert change.upstream == ("u: 111111111111 -> 222222222222",)


def test_a_probe_over_many_files_keeps_one_listing_digest_and_says_the_listing_changed() -> None:
    many = {f"f{i}": D1 for i in range(MAX_RECORDED_INPUTS + 1)}
    old = recorded_form(explanation(many))
    assert "inputs" not in old and old["inputs_count"] == MAX_RECORDED_INPUTS + 1
    assert key_change(old, explanation(many)).unchanged
    changed = key_change(old, explanation({**many, "f0": D2}))
    assert changed.listing_changed == MAX_RECORDED_INPUTS + 1
    assert "its file listing changed" in changed.summary()


def test_digests_are_compared_by_their_recorded_prefix() -> None:
    old = recorded_form(explanation({"a": D1}))
    assert (old["input_paths"], old["input_digests"]) == (["a"], ["1" * 16])
    assert key_change(old, explanation({"a": "1" * 16 + "2" * 48})).changed == ()


def test_a_long_summary_names_at_most_twenty_paths() -> None:
    old = recorded_form(explanation({f"f{i:02}": D1 for i in range(30)}))
    summary = key_change(old, explanation({f"f{i:02}": D2 for i in range(30)})).summary()
    assert summary.count(", ") == 20 and summary.endswith("f19, ...)")


files = st.dictionaries(st.sampled_from("abcdef"), st.sampled_from([D1, D2]), max_size=6)


@given(files, files)
def test_the_change_is_the_set_difference_of_the_two_listings(
    before: dict[str, str], after: dict[str, str]
) -> None:
    change = key_change(recorded_form(explanation(before)), explanation(after))
    assert set(change.added) == after.keys() - before.keys()
    assert set(change.removed) == before.keys() - after.keys()
    assert set(change.changed) == {p for p in before.keys() & after.keys() if before[p] != after[p]}
    assert change.unchanged == (before == after)


@given(files, files, st.booleans())
def test_a_recorded_current_explanation_tells_the_same_change_as_the_whole_one(
    before: dict[str, str], after: dict[str, str], many: bool
) -> None:
    # A miss hands `key_change` the recorded form it is about to keep (no mapping per file):
    # what it tells must be what the whole explanation tells, over few files or over many.
    pad = {f"z{i}": D1 for i in range(MAX_RECORDED_INPUTS + 1)} if many else {}
    old = recorded_form(explanation({**pad, **before}))
    now = explanation({**pad, **after})
    assert key_change(old, recorded_form(now)) == key_change(old, now)
    assert recorded_form(recorded_form(now)) == recorded_form(now)


@given(files, st.booleans())
def test_the_key_log_form_of_a_miss_is_recorded_form_of_its_explanation(
    chosen: dict[str, str], many: bool
) -> None:
    pad = {f"z{i}": D2 for i in range(MAX_RECORDED_INPUTS + 1)} if many else {}
    inputs = tuple(sorted({**pad, **chosen}.items()))
    explained = KeyExplanation(
        probe="p", probe_version=1, schema_version=2, inputs=inputs,
        tokens=(("git-head", "h"),), key=CacheKey("k" * 64),
    )  # fmt: skip
    upstream = (("u", CacheKey("u" * 64)),)
    assert recorded_explanation(explained, CacheKey("c" * 64), upstream) == recorded_form(
        explanation_data(explained, CacheKey("c" * 64), upstream)
    )


def test_a_damaged_record_of_files_says_only_that_the_listing_changed() -> None:
    old = recorded_form(explanation({"a": D1}))
    damaged = {**old, "input_digests": [*old["input_digests"], "extra"]}  # columns of two lengths
    change = key_change(damaged, explanation({"a": D1}))
    assert change.listing_changed == 1 and change.added == change.removed == change.changed == ()
