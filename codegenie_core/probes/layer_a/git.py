"""The `git` probe: HEAD, branch, dirty state and remotes, with credentials stripped from URLs.

Rule 1: no credential leaves this probe: a remote shows its scheme, host, port and path only, in
every form git accepts (`codegenie_core.redact.strip_credentials`, see ADR-0024). Version 2 drops
what version 1 kept (ssh logins, queries, fragments), so no entry cached by version 1 is served.
Rule 2: the key covers `git-state:<resolved>` (HEAD, branch and remotes, hashed) and every listed
file (`**`), so a commit, a branch switch or rename, a remote edited in `.git/config`, an edit, an
added or removed file each bust it (see ADR-0016).
"""

from __future__ import annotations

import attrs

from codegenie_core.probe import Envelope, NotApplicable, ProbeContext, Skip
from codegenie_core.redact import strip_credentials
from codegenie_core.registry import register_probe
from codegenie_core.spec import PortName, ProbeSpec


@attrs.frozen(kw_only=True)
class GitRemote:
    """A remote with its URL stripped of credentials."""

    name: str
    url: str


@attrs.frozen(kw_only=True)
class GitSlice:
    """What git says about the work tree."""

    head: str | None  # None on an unborn branch (no commit yet)
    branch: str | None  # None when HEAD is detached
    detached: bool
    dirty: bool  # staged, unstaged or untracked (not ignored) changes
    remotes: tuple[GitRemote, ...]


@register_probe()
class GitProbe:
    """HEAD commit, branch, dirty flag and remotes of a git work tree."""

    spec = ProbeSpec(
        name="git",
        version=2,  # see Rule 1
        layer="a",
        heaviness="light",
        timeout_s=60.0,
        reads=("**", "git-state:<resolved>"),  # see Rule 2
        ports=frozenset[PortName]({"repo"}),
        slice_type=GitSlice,
        schema_version=1,
    )

    def applies(self, ctx: ProbeContext) -> bool:
        return True  # `run` says why when this is not a git work tree

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        state = ctx.repo.git_state()
        if state is None:
            return NotApplicable(reason="the repository is not a git work tree")
        result = GitSlice(
            head=state.head,
            branch=state.branch,
            detached=state.branch is None,
            dirty=state.dirty,
            remotes=tuple(
                GitRemote(name=r.name, url=strip_credentials(r.url)) for r in state.remotes
            ),
        )
        return Envelope(
            probe=self.spec.name,
            schema_version=self.spec.schema_version,
            confidence="high",
            slice=result,
        )
