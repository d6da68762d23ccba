"""`plan_tasks`: each repository once, in the order given, without what a resumed run recorded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.portfolio import RepoTask, plan_tasks


def test_each_key_once_in_order_without_the_done_ones() -> None:
    tasks = plan_tasks(
        [("/r/a", "path"), ("https://h/x.git", "url"), ("/r/a", "path"), ("/r/b", "path")],
        needs_engine=True,
        done=frozenset({"/r/b"}),
    )
    assert tasks == (
        RepoTask(key="/r/a", kind="path", needs_engine=True),
        RepoTask(key="https://h/x.git", kind="url", needs_engine=True),
    )


@given(
    st.lists(st.sampled_from(["/a", "/b", "/c", "/d"])),
    st.frozensets(st.sampled_from(["/a", "/c"])),
)
def test_planned_keys_are_the_first_occurrences_not_done(
    keys: list[str], done: frozenset[str]
) -> None:
    tasks = plan_tasks([(k, "path") for k in keys], needs_engine=False, done=done)
    expected = [k for i, k in enumerate(keys) if k not in done and k not in keys[:i]]
    assert [t.key for t in tasks] == expected
