"""The git-state token: branch and remotes enter the key, credentials never show."""

from __future__ import annotations

import attrs

from codegenie_adapters.fakes import FakeRepo
from codegenie_core.cache_keys import UNRESOLVED, _resolve_special_token, key_for
from codegenie_core.ports import GitState, Remote
from tests.support import scripted

HEAD = "c" * 40
PROBE = scripted("git", declared_inputs=("**", "git-state:<resolved>"))


def repo(branch: str | None = "main", url: str = "https://host/x.git") -> FakeRepo:
    state = GitState(
        head=HEAD, branch=branch, dirty=False, remotes=(Remote(name="origin", url=url),)
    )
    return FakeRepo(files={"a": b"1"}, git=state)


def test_a_branch_switch_at_the_same_commit_changes_the_key() -> None:
    assert key_for(PROBE, repo("main")) != key_for(PROBE, repo("feature"))


def test_a_detached_head_at_the_same_commit_changes_the_key() -> None:
    assert key_for(PROBE, repo("main")) != key_for(PROBE, repo(None))


def test_a_remote_url_edit_changes_the_key() -> None:
    assert key_for(PROBE, repo(url="https://host/a.git")) != key_for(
        PROBE, repo(url="https://host/b.git")
    )


def test_the_resolved_value_never_shows_a_credential() -> None:
    value = _resolve_special_token("git-state", repo(url="https://user:s3cret@host/x.git"), None)
    assert value.startswith("sha256:")
    assert "s3cret" not in value


def test_outside_git_the_token_is_unresolved() -> None:
    assert _resolve_special_token("git-state", attrs.evolve(repo(), git=None), None) == UNRESOLVED
