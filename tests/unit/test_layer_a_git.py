"""The `git` probe (its credential stripping is `codegenie_core.redact`, tested beside it)."""

from __future__ import annotations

from codegenie_adapters.fakes import FakeClock, FakeRepo, ScriptedYaml
from codegenie_core.cache_keys import key_for
from codegenie_core.config import GatherConfig
from codegenie_core.ports import GitState, Remote
from codegenie_core.probe import Envelope, NotApplicable, ProbeContext
from codegenie_core.probes.layer_a.git import GitProbe, GitRemote, GitSlice


def context(repo: FakeRepo) -> ProbeContext:
    return ProbeContext(repo=repo, config=GatherConfig(), clock=FakeClock(), yaml=ScriptedYaml())


def test_the_slice_has_head_branch_dirty_and_stripped_remotes() -> None:
    repo = FakeRepo(
        git=GitState(
            head="a" * 40,
            branch="main",
            dirty=True,
            remotes=(
                Remote(name="origin", url="https://me:tok@example.invalid/x.git?access_token=t"),
                Remote(name="mirror", url="git@example.invalid:o/x.git"),
            ),
        )
    )
    assert GitProbe().run(context(repo)) == Envelope(
        probe="git",
        schema_version=1,
        confidence="high",
        slice=GitSlice(
            head="a" * 40,
            branch="main",
            detached=False,
            dirty=True,
            remotes=(
                GitRemote(name="origin", url="https://example.invalid/x.git"),
                GitRemote(name="mirror", url="example.invalid:o/x.git"),
            ),
        ),
    )


def test_a_detached_head_is_said_so() -> None:
    repo = FakeRepo(git=GitState(head="b" * 40, branch=None, dirty=False))
    envelope = GitProbe().run(context(repo))
    assert isinstance(envelope, Envelope)
    assert (envelope.slice.branch, envelope.slice.detached) == (None, True)


def test_outside_git_the_probe_does_not_apply_and_says_why() -> None:
    repo = FakeRepo(files={"a.py": b"a"})
    assert GitProbe().run(context(repo)) == NotApplicable(
        reason="the repository is not a git work tree"
    )


def test_the_key_changes_with_head_with_an_edit_and_with_an_untracked_file() -> None:
    def repo(head: str, files: dict[str, bytes]) -> FakeRepo:
        return FakeRepo(files=files, git=GitState(head=head, branch="main", dirty=False))

    base = {"a.py": b"a"}
    keys = [
        key_for(GitProbe(), repo("1" * 40, base)),
        key_for(GitProbe(), repo("2" * 40, base)),
        key_for(GitProbe(), repo("1" * 40, {"a.py": b"edited"})),
        key_for(GitProbe(), repo("1" * 40, {**base, "new.py": b"n"})),
        key_for(GitProbe(), repo("1" * 40, base)),
    ]
    assert (len(set(keys[:4])), keys[4]) == (4, keys[0])
