"""The `git` probe: HEAD, branch, dirty state and remotes, with credentials stripped from URLs.

Rule 1: no credential leaves this probe: a URL's userinfo is dropped whole, except over ssh, where
the user name (a login, `git`) is kept and only a password is dropped; in the scp-like form
`user@host:path` the user is kept, since that form cannot carry a password (see ADR-0015).
Rule 2: the key covers `git-state:<resolved>` (HEAD, branch and remotes, hashed) and every listed
file (`**`), so a commit, a branch switch or rename, a remote edited in `.git/config`, an edit, an
added or removed file each bust it (see ADR-0016).
"""

from __future__ import annotations

import re

import attrs

from codegenie_core.probe import Envelope, NotApplicable, ProbeContext, Skip
from codegenie_core.probe_types import Layer
from codegenie_core.registry import register_probe

# Schemes whose user name is a login, not a secret (ssh keys authenticate; the name is routing).
_SSH_SCHEMES = frozenset({"ssh", "git+ssh", "ssh+git"})

# RFC 3986:  URI = scheme ":" "//" authority path-abempty [ "?" query ] [ "#" fragment ]
#            scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
#            authority = [ userinfo "@" ] host [ ":" port ]   ; ends at the first "/", "?" or "#"
# userinfo is split at the authority's LAST "@", as git and curl do for an unescaped "@" in it.
_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#]*)(?P<rest>.*)", re.S)


def strip_credentials(url: str) -> str:
    """`url` without the secrets it may carry (Rule 1). Idempotent."""
    match = _URL.fullmatch(url)
    if match is not None:
        userinfo, at, hostport = match["authority"].rpartition("@")
        if not at:
            return url
        kept = ""
        if match["scheme"].lower() in _SSH_SCHEMES:
            user = userinfo.split(":", 1)[0]
            kept = user + "@" if user else ""
        return f"{match['scheme']}://{kept}{hostport}{match['rest']}"
    # scp-like (git's rule): [user@]host:path, with no "/" before the ":". The "@" ending the
    # user is the last one still followed by a ":" (a path may hold an "@", a password both).
    # Its user is a login; a ":" in it would start a password: drop that, keep the login.
    slash = url.find("/")
    head = url if slash == -1 else url[:slash]
    at = head.rfind("@")
    while at != -1 and ":" not in head[at + 1 :]:
        at = head.rfind("@", 0, at)
    user = head[:at] if at != -1 else ""
    if ":" not in user:
        return url
    login = user.split(":", 1)[0]
    return (login + "@" if login else "") + url[at + 1 :]


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


@register_probe(heaviness="light")
class GitProbe:
    """HEAD commit, branch, dirty flag and remotes of a git work tree."""

    name = "git"
    version = 1
    layer: Layer = "a"
    declared_inputs: tuple[str, ...] = ("**", "git-state:<resolved>")  # see Rule 2
    needs: tuple[str, ...] = ()
    slice_type = GitSlice
    schema_version = 1
    timeout_s = 60.0

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
            probe=self.name, schema_version=self.schema_version, confidence="high", slice=result
        )
