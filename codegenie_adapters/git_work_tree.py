"""A git work tree as the local repository adapter sees it: each answer asked once, then kept.

Rule 1: the root is a work tree only when `git rev-parse --show-toplevel` is the root itself, so a
directory merely inside another repository (a test fixture) is not one (see ADR-0015).
Rule 2: answers are asked once per instance (one gather): the first caller of a question computes
it, later callers (probes run on threads) wait for that one answer; different questions proceed
in parallel, so `prefetch` can start the usual ones in the background.
Rule 3: a value that reaches git's command line never starts with "-", so it cannot be an option.
Rule 4: what changed since HEAD is read off `git status` when every entry says it unambiguously,
so judging an index made at HEAD costs no git process (see ADR-0021).
Rule 5: git's refusals (dubious ownership, a corrupt index) are typed `GitError`s, never "not a
work tree" nor a failed gather: the question that met one raises it (see ADR-0029).
Rule 6: `detect` asks, in the same `git rev-parse`, for HEAD's commit and branch, so a work tree
with a commit costs no other process for them (see ADR-0078); where that one call fails (an
unborn branch, no work tree, a refusal) the questions are asked one by one, as before.
Rule 7: the commands of `detect` and `prefetch` are `head_start`'s `EARLY_QUESTIONS`, so one the
entry point started ahead (ADR-0091) is collected by the same question here, never re-run.
Rule 8: once `detect` has found the top, it asks `head_start.CONFIG` (the remotes' URLs and the
filter drivers), and every later question runs in `head_start.neutral_environment`, where no
driver of the repository's own configuration runs (ADR-0097); where that configuration cannot be
read, the work tree is refused (a `GitError`), since no question could be asked safely.
"""

from __future__ import annotations

import hashlib
import operator
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

from codegenie_adapters.exec import ExecResult
from codegenie_adapters.git_index import (
    GITLINK_MODE,
    IndexTable,
    StatusEntry,
    git_refusal,
    parse_ls_files_stage,
    parse_remote_urls,
    parse_status_z,
    run_git,
    split_nul,
)
from codegenie_adapters.head_start import (
    CONFIG,
    DETECT_WITH_HEAD,
    LS_FILES,
    STATUS,
    config_answer,
    neutral_environment,
)
from codegenie_core.errors import GitError, RepoError
from codegenie_core.once import OnceEach
from codegenie_core.ports import GitState

T = TypeVar("T")

_OID_LENGTH = {"sha1": 40, "sha256": 64}


class GitWorkTree:
    """A git work tree whose top is `root`; every answer is asked once and kept (one gather)."""

    def __init__(
        self,
        root: str,
        *,
        object_format: str,
        env: Mapping[str, str],
        timeout_s: float,
        head_and_branch: tuple[str, str | None] | None = None,
        config: bytes = b"",
    ):
        self.root = root
        self.object_format = object_format
        self._env = env
        self._timeout_s = timeout_s
        self._answers = OnceEach[tuple[str, ...], Any]()
        self._head_and_branch = head_and_branch  # answered by `detect` (Rule 6)
        self._config = config  # `head_start.CONFIG`'s answer (Rule 8)

    @classmethod
    def detect(
        cls, root: str, *, env: Mapping[str, str], timeout_s: float
    ) -> GitWorkTree | GitError | None:
        """The work tree when `root` is its top (Rule 1 of ADR-0015); git's refusal when it will
        not say (Rule 5); else None."""
        with_head = run_git(root, DETECT_WITH_HEAD, env=env, timeout_s=timeout_s)
        if not with_head.ok:
            stderr = with_head.stderr_tail()
            if (refusal := git_refusal(root, stderr)) is not None:
                return refusal
            if "not a git repository" in stderr:  # LC_ALL=C: git's own words
                return None
        lines = os.fsdecode(with_head.stdout).splitlines() if with_head.ok else []
        if len(lines) == 6 and lines[5] == "--" and lines[1] in _OID_LENGTH:  # Rule 6
            top, object_format, head, full_name, short_name, _ = lines
            if os.path.realpath(top) != root:
                return None
            if len(head) == _OID_LENGTH[object_format] and (
                full_name == "HEAD" or full_name.startswith("refs/")
            ):
                branch = None if full_name == "HEAD" else short_name or None
                return cls._neutral(
                    root, object_format, env=env, timeout_s=timeout_s, head=(head, branch)
                )
        found = run_git(
            root,
            ("rev-parse", "--show-toplevel", "--show-object-format"),
            env=env,
            timeout_s=timeout_s,
        )
        if not found.ok and (refusal := git_refusal(root, found.stderr_tail())) is not None:
            return refusal
        lines = os.fsdecode(found.stdout).splitlines() if found.ok else []
        if not lines or os.path.realpath(lines[0]) != root:
            return None
        object_format = lines[1] if len(lines) > 1 and lines[1] in ("sha1", "sha256") else "sha1"
        return cls._neutral(root, object_format, env=env, timeout_s=timeout_s, head=None)

    @classmethod
    def _neutral(
        cls,
        root: str,
        object_format: str,
        *,
        env: Mapping[str, str],
        timeout_s: float,
        head: tuple[str, str | None] | None,
    ) -> GitWorkTree | GitError:
        """The work tree at the top `detect` found, asking in the environment where none of the
        repository's filter drivers runs (Rule 8)."""
        asked = run_git(root, CONFIG, env=env, timeout_s=timeout_s)
        config = None if asked.truncated else config_answer(asked.exit_code, asked.stdout)
        if config is None:
            stderr = asked.stderr_tail()
            said = (stderr.strip().splitlines() or ["no message"])[-1]
            return git_refusal(root, stderr) or GitError(
                f"git cannot read the configuration of {root}, so which filter drivers it "
                f"defines is not known: {said}",
                path=root,
            )
        return cls(
            root,
            object_format=object_format,
            env=neutral_environment(env, config),
            timeout_s=timeout_s,
            head_and_branch=head,
            config=config,
        )

    def _once(self, key: tuple[str, ...], compute: Callable[[], T]) -> T:
        return cast("T", self._answers.get(key, compute))  # stored by this key's `compute`

    def prefetch(self) -> None:
        """Start the questions every gather asks (listing, status, state) in the background, so
        git works while the interpreter is still importing probes (see ADR-0007)."""
        for question in (self.index_table, self.status, self.state):
            threading.Thread(target=_swallow(question), name="git-prefetch", daemon=True).start()

    def _run(self, *args: str) -> ExecResult:
        return run_git(self.root, args, env=self._env, timeout_s=self._timeout_s)

    def _must(self, *args: str) -> bytes:
        result = self._run(*args)
        if not result.ok or result.truncated:
            refusal = git_refusal(self.root, result.stderr_tail())
            if refusal is not None:
                raise refusal
            problem = (
                "timed out"
                if result.timed_out
                else "its output exceeded the bound, so it cannot be read whole"
                if result.truncated
                else result.stderr_tail(300).strip()
            )
            raise RepoError(f"git {args[0]} failed in {self.root}: {problem}", path=self.root)
        return result.stdout

    def index_table(self) -> IndexTable:
        def compute() -> IndexTable:
            # Decoded here, so the listing's bytes are freed before it is parsed (ADR-0093).
            return parse_ls_files_stage(os.fsdecode(self._must(*LS_FILES)))

        return self._once(("ls-files",), compute)

    def clean_oids(self) -> Mapping[str, str]:
        """Merged regular files git's status does not list, with their object ids: the index's id
        is the digest of their work-tree bytes, so these are never read for a digest."""

        def compute() -> Mapping[str, str]:
            content = self.index_table().content
            changed = self.changed_in_work_tree()
            if changed.isdisjoint(content):  # a clean tree: the index's own table, not a copy
                return content
            clean = dict(content)
            for path in changed:
                clean.pop(path, None)
            return clean

        return self._once(("clean",), compute)

    def status(self) -> list[StatusEntry]:
        return self._once(("status",), lambda: parse_status_z(self._must(*STATUS)))

    def changed_in_work_tree(self) -> frozenset[str]:
        """Paths whose work-tree bytes may differ from the index: they are hashed, not looked up."""

        def compute() -> frozenset[str]:
            paths = {entry.path for entry in self.status()}
            paths.update(entry.orig for entry in self.status() if entry.orig is not None)
            return frozenset(paths)

        return self._once(("changed",), compute)

    def tracked_listing(self) -> list[str]:
        """What `listing` is when `git status` names no path: the index's files but gitlinks, in
        the index's order (an unmerged path once per stage); asked of the index alone, so known
        before the status is (ADR-0095)."""

        def compute() -> list[str]:
            table = self.index_table()
            gitlinks = {p for p, e in table.others.items() if e.mode == GITLINK_MODE}
            return [p for p in table.paths if p not in gitlinks] if gitlinks else list(table.paths)

        return self._once(("tracked",), compute)

    def listing(self) -> list[str]:
        """Tracked files still in the work tree plus untracked files that are not ignored."""

        def compute() -> list[str]:
            table = self.index_table()
            if (fast := _clean_listing(table, self.status(), self.tracked_listing())) is not None:
                return fast
            files = set(table.paths)
            files.difference_update(p for p, e in table.others.items() if e.mode == GITLINK_MODE)
            for entry in self.status():
                if entry.untracked and not entry.path.endswith("/"):  # a "/" is a nested repo
                    files.add(entry.path)
                elif entry.unmerged:
                    if not os.path.lexists(os.path.join(self.root, entry.path)):
                        files.discard(entry.path)
                elif entry.xy[1] == "D":
                    files.discard(entry.path)
            return sorted(files)

        return self._once(("listing",), compute)

    def state(self) -> GitState:
        def compute() -> GitState:
            head, branch = self._head_and_branch or self._ask_head_and_branch()
            return GitState(
                head=head,
                branch=branch,
                dirty=bool(self.status()),
                remotes=parse_remote_urls(self._config),
            )

        return self._once(("state",), compute)

    def _ask_head_and_branch(self) -> tuple[str | None, str | None]:
        """HEAD's commit and short branch name, one git process each (where `detect` could not
        ask them with the top: an unborn branch)."""
        head = self._run("rev-parse", "--verify", "-q", "HEAD")
        branch = self._run("symbolic-ref", "-q", "--short", "HEAD")
        return (
            os.fsdecode(head.stdout).strip() or None if head.ok else None,
            os.fsdecode(branch.stdout).strip() or None if branch.ok else None,
        )

    def commits_between(self, older: str, newer: str) -> int | None:
        def compute() -> int | None:
            if older.startswith("-") or newer.startswith("-"):  # never let a value be an option
                return None
            counted = self._run("rev-list", "--count", f"{older}..{newer}", "--")
            return int(counted.stdout) if counted.ok else None

        return self._once(("rev-list", older, newer), compute)

    def changed_since(self, commit: str) -> Sequence[str] | None:
        """`git diff <commit>` (work tree against the commit) plus untracked files, by path."""

        def compute() -> Sequence[str] | None:
            if commit.startswith("-"):
                return None
            if commit == self.state().head:
                from_status = self._changed_since_head()
                if from_status is not None:
                    return from_status
            verified = self._run("rev-parse", "--verify", "-q", f"{commit}^{{commit}}")
            if not verified.ok:
                return None
            oid = os.fsdecode(verified.stdout).strip()
            diff = self._must(
                "diff", "--name-only", "--no-renames", "--ignore-submodules=dirty", "-z", oid, "--"
            )
            paths = set(split_nul(diff))
            paths.update(e.path for e in self.status() if e.untracked and not e.path.endswith("/"))
            return sorted(paths)

        return self._once(("diff", commit), compute)

    def _changed_since_head(self) -> list[str] | None:
        """What `changed_since(HEAD)` answers, read off the status already asked (Rule 4): an
        entry with one blank column (index or work tree) differs from HEAD in its path, and a
        rename in its source too. None for an entry that may be back at HEAD, for `git diff` to
        settle: one changed in both columns, an unmerged one, and a work-tree deletion of an
        empty blob (an intent-to-add entry, `git add -N`, deleted again is in neither)."""
        empty_blob = hashlib.new(self.object_format, b"blob 0\0").hexdigest()
        index = self.index_table()
        paths: set[str] = set()
        for entry in self.status():
            if entry.untracked:
                if not entry.path.endswith("/"):  # a "/" is a nested repository
                    paths.add(entry.path)
            elif _maybe_back_at_head(entry, index.oid_of(entry.path), empty_blob):
                return None
            else:
                paths.add(entry.path)
                if entry.orig is not None and "R" in entry.xy:  # a copy's source is unchanged
                    paths.add(entry.orig)
        return sorted(paths)


def _maybe_back_at_head(entry: StatusEntry, indexed: str | None, empty_blob: str) -> bool:
    """Whether a status entry's work tree may equal HEAD although git lists it (see
    `_changed_since_head`)."""
    if entry.unmerged or " " not in entry.xy:
        return True
    return entry.xy == " D" and indexed == empty_blob


def _swallow(question: Callable[[], object]) -> Callable[[], None]:
    """A prefetch keeps its error in the question's answer; the caller that needs it sees it."""

    def run() -> None:
        try:
            question()
        except Exception:  # re-raised to the real caller by the answer it left behind
            return

    return run


def _clean_listing(
    table: IndexTable, changes: Sequence[StatusEntry], tracked: list[str]
) -> list[str] | None:
    """The listing without a set and a sort, in the usual case: every index entry a merged
    regular file, git's order already ascending as Python compares (UTF-8 keeps the byte order;
    `os.fsdecode`'s escapes may not, then the check fails), and nothing untracked or unmerged: the
    listing is the index minus what the work tree deleted; with nothing deleted, `tracked` (the
    index's paths, as there are no gitlinks) itself, so the listing is known to be the draft
    (ADR-0095). None when that does not hold."""
    paths = table.paths
    if table.others or not all(map(operator.lt, paths, paths[1:])):
        return None
    if any(entry.untracked or entry.unmerged for entry in changes):
        return None
    gone = {entry.path for entry in changes if entry.xy[1] == "D"}
    return [path for path in paths if path not in gone] if gone else tracked
