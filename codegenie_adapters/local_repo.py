"""The local repository adapter: `RepoFiles` over a directory on disk, with git's answers when it
is a work tree, and digests as cheap as asking git what changed.

Rule 1: the root is a git work tree only when `git rev-parse --show-toplevel` is the root itself; a
directory merely inside another repository is walked (see ADR-0015). Both listings keep what the
one rule set of `codegenie_core.listing` keeps, so a tree lists the same files committed or not;
where git refuses (a corrupt index, dubious ownership) the tree is walked and the git questions
raise that refusal (see ADR-0029).
Rule 2: nothing is read through a symlink that leaves the repository (see `repo_fs`); sizes and
stats take one `lstat` per file and never resolve a path (see `repo_stat`, ADR-0039), except a
clean tracked regular file whose index blob id has a size remembered in the line index: its
stat is that size, no `lstat` (the bytes of one blob id have one size; ADR-0089).
Rule 3: a digest is the git blob id in the repository's object format: read from git's index for a
clean tracked regular file, else hashed from the bytes as a stream (through the stat index when one
is given); a file over `large_file_bytes` is digested by its stat identity, unread (ADR-0026).
Only the asked paths are ever hashed, and each at most once per instance.
Rule 4: git answers are asked once per instance (one gather) and shared by the probes' threads.
Rule 5: lines are counted in the read that hashes a file, as the language its path names; a file
git vouches for is read once, when its lines are first asked, and hashed in that read; counts are
remembered by blob id and language in the line index beside the stat index, so a file is read
again only when its bytes change, or when its counts were among the few the index did not write
yet (line_index Rule 6; ADR-0076, ADR-0090).
Rule 6: what is kept per file is shared, not copied, where it can be: the digests of every clean
file are the index's own table; a blob id counted equal to the index's is kept as the index's
string; equal line counts are one object, and so are equal stats of regular files (ADR-0093).
Rule 7: a probe's remembered fold (`recall_fold`, `remember_fold`) is kept beside the stat
index, one file per name (`file_fold`); without a stat index (no cache) nothing is kept, and the
files `clean_blobs` names are the ones `digests` reads from git's index (ADR-0094).
Rule 8: in a work tree the listing is drafted from git's index before `git status` answers (the
index's files through the same rule set), so the core can match globs while git works; the
changes `list_files` made to the draft are its exact set differences (ADR-0095). The draft is
never asked under the listing's lock, which is held while the status is awaited.
"""

from __future__ import annotations

import hashlib
import itertools
import operator
import os
import re
import stat
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, cast

from codegenie_adapters import repo_fs
from codegenie_adapters.git_work_tree import GitWorkTree
from codegenie_adapters.head_start import git_environment
from codegenie_adapters.repo_stat import RepoStats
from codegenie_core.digest import STAT_DIGEST_PREFIX, blob_digest, link_digest, problem_digest
from codegenie_core.errors import GitError
from codegenie_core.languages import has_no_extension, language_of, origin_of
from codegenie_core.line_counts import LineCounter, LineCounts, count_text
from codegenie_core.listing import listed
from codegenie_core.once import OnceEach
from codegenie_core.ports import (
    HEAD_BYTES,
    MAX_READ_BYTES,
    DraftedListing,
    FileFold,
    FileProblem,
    FileStat,
    GitState,
    ListingChanges,
    RepoFiles,
    too_large_reason,
)

if TYPE_CHECKING:
    from codegenie_adapters.line_index import LineIndex
    from codegenie_adapters.stat_index import StatIndex

GIT_TIMEOUT_S = 60.0
_WHOLE_READ_BYTES = 1 << 20  # a file this small is read and counted whole, in one call
_FOLD_NAME = re.compile(r"[a-z0-9_][a-z0-9_.-]*")  # a file name part, no separator (Rule 7)


def open_repo(path: str, *, stat_index_path: str | None = None) -> LocalRepo:
    """The repository at `path`, its git answers already under way; `RepoError` when it is
    missing, not a directory or unreadable."""
    repo = LocalRepo(path, stat_index_path=stat_index_path)
    repo.prefetch()
    return repo


def stat_index_path_for(cache_dir: str, root: str) -> str:
    """Where the stat index of the repository at `root` lives under `cache_dir` (the root enters
    only as a hash, so no absolute path is written into the cache)."""
    name = hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:32]
    return os.path.join(cache_dir, "stat-index", name + ".json")


class LocalRepo:
    """A repository on the local disk. `hashed` records, in order, the paths this instance hashed
    from their bytes (the warm path should leave it short)."""

    def __init__(
        self,
        root: str,
        *,
        stat_index_path: str | None = None,
        git_timeout_s: float = GIT_TIMEOUT_S,
        large_file_bytes: int = MAX_READ_BYTES,
    ) -> None:
        self._root = repo_fs.check_root(root)
        self._lstats = RepoStats(self._root)
        self._large_file_bytes = large_file_bytes
        env = git_environment(os.environ)
        detected = GitWorkTree.detect(self._root, env=env, timeout_s=git_timeout_s)
        self._git = detected if isinstance(detected, GitWorkTree) else None
        self._refusal = detected if isinstance(detected, GitError) else None
        self._object_format = "sha1" if self._git is None else self._git.object_format
        self._stat_index_path = stat_index_path
        self._stat_index: StatIndex | None = None  # loaded by the first hash (see `_stats`)
        self._line_index: LineIndex | None = None  # loaded by the first count (see `_lines`)
        self._lock = threading.Lock()
        self._listing: Sequence[str] | None = None
        self._listing_problems: tuple[FileProblem, ...] = ()
        self._drafts = OnceEach[str, Sequence[str] | None]()  # not under `_lock`: see Rule 8
        self._drafts_changes = OnceEach[str, ListingChanges]()  # asked once, by every probe
        self._memo: dict[str, str] = {}
        self.hashed: list[str] = []
        self.counted: list[str] = []  # paths read to count their lines, not hashed before

    def prefetch(self) -> None:
        """Start git's listing, status and state in the background (nothing outside git)."""
        if self._git is not None:
            self._git.prefetch()

    @property
    def name(self) -> str:
        return os.path.basename(self._root)

    @property
    def object_format(self) -> str:
        return self._object_format

    def list_files(self) -> Sequence[str]:
        with self._lock:
            if self._listing is None:
                self._listing = self._list()
            return self._listing

    def listing_problems(self) -> Sequence[FileProblem]:
        self.list_files()
        return self._listing_problems

    def _list(self) -> Sequence[str]:
        """git's listing through the shared rules, else the walk (Rule 1); called under the lock."""
        if self._git is not None:
            try:
                listing = self._git.listing()
                if listing is self._git.tracked_listing() and (draft := self.listing_draft()):
                    return draft  # Rule 8: the status changed nothing listed; the same rules
                return listed(listing)
            except GitError:  # the git questions raise it again to the probes that ask them
                pass
        from codegenie_adapters import repo_walk  # with pathspec: only a work tree git cannot list

        walked = repo_walk.walk(self._root)
        self._listing_problems = walked.problems
        return walked.files

    def listing_draft(self) -> Sequence[str] | None:
        """The index's files through the rule set (Rule 8): the listing when `git status` names no
        path, known as soon as `git ls-files` is; None outside git or where git refuses."""
        if self._git is None:
            return None
        return self._drafts.get("draft", self._draft)

    def _draft(self) -> Sequence[str] | None:
        assert self._git is not None, "asked by `listing_draft` of a work tree only"
        try:
            return listed(self._git.tracked_listing())
        except GitError:  # the listing is then walked, and the changes say how it differs
            return None

    def draft_digests(self) -> Mapping[str, str] | None:
        """The index's object ids of its merged regular files (Rule 8): each the digest of a file
        git's status does not name (Rule 3); None outside git or where git refuses."""
        if self._git is None or self.listing_draft() is None:
            return None
        try:
            return self._git.index_table().content
        except GitError:
            return None

    def listing_changes(self) -> ListingChanges:
        """How `list_files` differs from `listing_draft` (Rule 8): nothing, in one C-level
        comparison of the same strings, when the status named no listed path; else the two set
        differences, exact by construction. `changed` is every path git's status names (their
        digests are hashed from the bytes, Rule 3), or the whole draft where git cannot say."""
        return self._drafts_changes.get("changes", self._listing_changes)

    def _listing_changes(self) -> ListingChanges:
        listing = self.list_files()
        draft = self.listing_draft() or ()
        changed = self._changed(draft)
        if len(listing) == len(draft) and list(listing) == list(draft):
            return ListingChanges(added=(), removed=frozenset(), changed=changed)
        drafted, final = set(draft), set(listing)
        return ListingChanges(
            added=tuple(sorted(final.difference(drafted))),
            removed=frozenset(drafted.difference(final)),
            changed=changed,
        )

    def _changed(self, draft: Sequence[str]) -> frozenset[str]:
        if self._git is None:
            return frozenset()
        try:
            self._git.clean_oids()  # what `digests` looks up: where it raises, all are hashed
            return self._git.changed_in_work_tree()
        except GitError:
            return frozenset(draft)

    def read_bytes(self, path: str, *, max_bytes: int = MAX_READ_BYTES) -> bytes | FileProblem:
        return repo_fs.read(self._root, path, max_bytes=max_bytes)

    def read_head(self, path: str, *, max_bytes: int = HEAD_BYTES) -> bytes | FileProblem:
        return repo_fs.head(self._root, path, max_bytes=max_bytes)

    def file_sizes(self, paths: Iterable[str]) -> Mapping[str, int]:
        sizes: dict[str, int] = {}
        for path in paths:
            st = self._lstats.lstat(path)
            if st is None:
                continue
            if stat.S_ISREG(st.st_mode):
                sizes[path] = st.st_size
            elif stat.S_ISLNK(st.st_mode):  # rare: only a link pays for resolving its target
                size = repo_fs.size(self._root, path)
                if size is not None:
                    sizes[path] = size
        return sizes

    def file_stats(self, paths: Iterable[str]) -> Mapping[str, FileStat]:
        asked = paths if isinstance(paths, list | tuple) else list(paths)
        clean, sizes = self._remembered_sizes()
        # Rule 2: git vouches for a clean file's bytes, and their size is known by its blob id.
        # C-level passes, no frame per file (a gather after an edit asks for every file): one
        # `FileStat` per distinct size, shared; `sizes.get(None)` is None, so a file git does not
        # vouch for has no size yet and holds None until it is stat'ed below.
        size_of = cast("Callable[[str | None], int | None]", sizes.get)  # get(None) is None
        known = list(map(size_of, map(clean.get, asked)))
        shared: dict[int | None, FileStat | None] = {
            size: None if size is None else FileStat(size, False) for size in set(known)
        }
        found = dict(zip(asked, map(shared.__getitem__, known), strict=True))
        for path in [path for path, size in zip(asked, known, strict=True) if size is None]:
            st = self._lstats.lstat(path)
            if st is not None and stat.S_ISREG(st.st_mode):
                one = shared.get(st.st_size)  # Rule 6: one stat per distinct size, as above
                if one is None:
                    one = shared[st.st_size] = FileStat(st.st_size, False)
                found[path] = one
            elif st is not None and stat.S_ISLNK(st.st_mode):
                found[path] = FileStat(st.st_size, True)
            else:  # gone, or neither a file nor a link: not sized
                found.pop(path, None)
        return cast("dict[str, FileStat]", found)  # every None was replaced or dropped above

    def _remembered_sizes(self) -> tuple[Mapping[str, str], Mapping[str, int]]:
        """The clean tracked regular files' index blob ids and the sizes the line index remembers
        by blob id (Rule 2); nothing when git cannot say."""
        if self._git is None:
            return {}, {}
        try:
            clean = self._git.clean_oids()
        except GitError:  # git cannot say: every file is stat'ed
            return {}, {}
        return clean, self._lines().sizes()

    def digests(self, paths: Iterable[str]) -> Mapping[str, str]:
        clean: Mapping[str, str] = {}
        if self._git is not None:
            try:
                clean = self._git.clean_oids()
            except GitError:  # git cannot say: every file is hashed from its bytes
                clean = {}
        asked = paths if isinstance(paths, list | tuple) else list(paths)
        found = list(
            map(clean.get, asked)
        )  # one C-level pass: the warm path runs no frame per file
        answer: Mapping[str, str]
        if None not in found and len(asked) == len(clean) and _ascending(asked):
            # Every clean file asked, each once: the index's own table is the answer, not a copy
            # of it (7 MB at 200,000 files; ADR-0093).
            answer = clean
        else:
            out: dict[str, str | None] = dict(zip(asked, found, strict=True))
            if None in found:
                for path, oid in zip(asked, found, strict=True):
                    if oid is None:
                        out[path] = self._hash_from_disk(path)
            answer = cast("dict[str, str]", out)  # every None was replaced by its hash above
        if self._stat_index is not None and self._stat_index.dirty:
            self._stat_index.save(keep=frozenset(self.list_files()))
        return answer

    def line_counts(self, languages: Mapping[str, str]) -> Mapping[str, LineCounts | FileProblem]:
        asked = list(languages)
        blobs = self.digests(asked)
        index = self._lines()
        by_language: dict[str, list[str]] = {}
        for path, language in languages.items():
            group = by_language.get(language)
            if group is None:
                group = by_language[language] = []
            group.append(path)
        same: dict[LineCounts, LineCounts] = {}  # Rule 6: one object per distinct count
        # `str` and None only until the loop below replaces them
        out: dict[str, LineCounts | FileProblem | str | None] = dict.fromkeys(asked)
        for language, paths in by_language.items():
            # looked up in C-level passes; only a file whose counts are not remembered is read
            found = index.counts_of(language, list(map(blobs.get, paths)))
            out.update(zip(paths, found, strict=True))
            left = [(p, c) for p, c in zip(paths, found, strict=True) if type(c) is not LineCounts]
            unknown = [path for path, remembered in left if remembered is None]
            answers = self._count_all(unknown, language, index, blobs, same)
            counted = dict(zip(unknown, answers, strict=True))
            with self._lock:
                self.counted.extend(unknown)
            for path, remembered in left:  # not remembered (None), or remembered as uncountable
                counts = counted[path] if remembered is None else remembered
                out[path] = (
                    counts
                    if isinstance(counts, LineCounts)
                    else FileProblem(path=path, reason=counts)
                )
        index.save(keep=blobs.values())  # a set of 200,000 ids only if it prunes (ADR-0093)
        return cast("dict[str, LineCounts | FileProblem]", out)  # every path was answered above

    def _count_all(
        self,
        paths: Sequence[str],
        language: str,
        index: LineIndex,
        expected: Mapping[str, str],
        same: dict[LineCounts, LineCounts],
    ) -> list[LineCounts | str]:
        """The lines of each of `paths` (or why not), each hashed in the same read and remembered
        under the blob id of the very bytes counted (line_index Rule 1); no `realpath` (Rule 2).
        A blob id equal to the one `expected` holds (the index's) is remembered as that very
        string, and equal counts as the one object in `same` (Rule 6). One loop, its look-ups
        bound once, and one `record_many` for the files read whole (ADR-0096)."""
        full_of = self._lstats.full
        open_checked, read_opened = repo_fs.open_checked, repo_fs.read_opened
        object_format = self._object_format
        whole = min(_WHOLE_READ_BYTES, self._large_file_bytes)
        records: list[tuple[str, LineCounts | str, int]] = []
        answers: list[LineCounts | str] = []
        for path in paths:
            full = full_of(path)
            opened = None if full is None else open_checked(full)
            if opened is not None and opened[1].st_size <= whole:
                data = read_opened(opened, whole)
                if data is not None:
                    found = count_text(data, language)
                    if type(found) is LineCounts:
                        found = same.setdefault(found, found)
                    blob = blob_digest(data, object_format=object_format)
                    records.append((_same(blob, expected.get(path)), found, len(data)))
                    answers.append(found)
                    continue
                opened = None
            found = self._count(path, language, index, opened, expected=expected.get(path))
            answers.append(same.setdefault(found, found) if type(found) is LineCounts else found)
        index.record_many(language, records)
        return answers

    def _count(
        self,
        path: str,
        language: str,
        index: LineIndex,
        opened: tuple[int, os.stat_result] | None,
        *,
        expected: str | None = None,
    ) -> LineCounts | str:
        """The lines of `path` (or why not), streamed (a file over the whole-read bound, or one
        that could not be opened and read whole, so `digest` says why), hashed in the same read
        and remembered under the blob id of the very bytes counted (line_index Rule 1). `opened`
        is a descriptor `open_checked` gave for it, closed here."""
        counter = LineCounter(language)
        read = repo_fs.digest(
            self._root,
            path,
            object_format=self._object_format,
            large_bytes=self._large_file_bytes,
            counter=counter,
            opened=opened,
        )
        if isinstance(read, FileProblem):
            return read.reason
        if read.startswith(STAT_DIGEST_PREFIX):
            return too_large_reason(self._large_file_bytes)
        found = counter.result()
        index.record(language, _same(read, expected), found)
        return found

    def clean_blobs(self) -> Mapping[str, str]:
        if self._git is None:
            return {}
        try:
            return self._git.clean_oids()
        except GitError:  # git cannot say: nothing is vouched for
            return {}

    def recall_fold(self, name: str) -> FileFold | None:
        path = self._fold_path(name)
        if path is None:
            return None
        from codegenie_adapters import file_fold  # only a gather that runs a folding probe

        return file_fold.load(
            path, object_format=self._object_format, large_file_bytes=self._large_file_bytes
        )

    def remember_fold(self, name: str, fold: FileFold) -> None:
        path = self._fold_path(name)
        if path is None:
            return
        from codegenie_adapters import file_fold

        file_fold.save(
            path, fold, object_format=self._object_format, large_file_bytes=self._large_file_bytes
        )

    def _fold_path(self, name: str) -> str | None:
        """Where the fold `name` is kept: beside the stat index (Rule 7); None without one."""
        if not _FOLD_NAME.fullmatch(name):
            raise ValueError(f"not a fold name: {name!r}")
        path = self._stat_index_path
        return None if path is None else f"{os.path.splitext(path)[0]}.{name}.fold.json"

    def git_state(self) -> GitState | None:
        if self._refusal is not None:
            raise self._refusal
        return None if self._git is None else self._git.state()

    def commits_between(self, older: str, newer: str) -> int | None:
        if self._refusal is not None:
            raise self._refusal
        return None if self._git is None else self._git.commits_between(older, newer)

    def changed_since(self, commit: str) -> Sequence[str] | None:
        if self._refusal is not None:
            raise self._refusal
        return None if self._git is None else self._git.changed_since(commit)

    def _stats(self) -> StatIndex | None:
        """The stat index, loaded on first use: a warm gather of a clean work tree hashes nothing,
        so it neither imports nor reads it."""
        if self._stat_index_path is None:
            return None
        with self._lock:
            if self._stat_index is None:
                from codegenie_adapters.stat_index import StatIndex

                self._stat_index = StatIndex(
                    self._stat_index_path, object_format=self._object_format
                )
            return self._stat_index

    def _lines(self) -> LineIndex:
        """The line index, loaded on first use, beside the stat index (in memory only when there
        is none): a gather whose `languages` entry hits never reads it."""
        with self._lock:
            if self._line_index is None:
                from codegenie_adapters.line_index import LineIndex

                path = self._stat_index_path
                self._line_index = LineIndex(
                    None if path is None else os.path.splitext(path)[0] + ".lines.json",
                    object_format=self._object_format,
                )
            return self._line_index

    def _hash_from_disk(self, path: str) -> str:
        with self._lock:
            if path in self._memo:
                return self._memo[path]
        stats = self._stats()
        key = None
        full = os.path.join(self._root, path)
        try:
            before: os.stat_result | None = os.lstat(full)
        except (OSError, ValueError):  # ValueError: a NUL in the path
            before = None
        if stats is not None:
            from codegenie_adapters.stat_index import stat_key  # loaded by `_stats` already

            # Only a regular file is indexed: a symlink's own stat says nothing of its target.
            if before is not None and stat.S_ISREG(before.st_mode):
                key = stat_key(before)
        digest = None if key is None or stats is None else stats.lookup(path, key)
        if digest is None:
            # Read the file system's clock before the bytes, so a rewrite after them shows (Rule 2b
            # of stat_index).
            clock = None if stats is None else stats.clock_ns()
            counter = _counter_for(path)
            found = repo_fs.digest(
                self._root,
                path,
                object_format=self._object_format,
                large_bytes=self._large_file_bytes,
                counter=counter,
            )
            if isinstance(found, FileProblem):
                digest = problem_digest(found.reason)
            else:
                digest = found
                if key is not None and clock is not None and stats is not None:
                    stats.record(path, key, digest, hashed_after_ns=clock)
                language = None if counter is None else counter.language
                if counter is not None and language and not digest.startswith(STAT_DIGEST_PREFIX):
                    self._lines().record(language, digest, counter.result())  # Rule 5
            with self._lock:
                self.hashed.append(path)
        if before is not None and stat.S_ISLNK(before.st_mode):
            # a link's own text is a fact too (`languages.links.bytes`; ADR-0082)
            link = _link_text(full)
            if link is not None:
                digest = link_digest(link, digest)
        with self._lock:
            self._memo[path] = digest
        return digest


def _same(blob: str, expected: str | None) -> str:
    """`expected` itself when it is `blob`'s value, so one string is kept (Rule 6), else `blob`."""
    return expected if expected is not None and blob == expected else blob


def _ascending(paths: Sequence[str]) -> bool:
    """Whether `paths` is strictly ascending, so holds no path twice (checked in C, no copy)."""
    return all(map(operator.lt, paths, itertools.islice(paths, 1, None)))


def _link_text(full: str) -> str | None:
    """What the symlink at `full` points to, as written; None when it is gone meanwhile."""
    try:
        return os.readlink(full)
    except OSError:
        return None


def _counter_for(path: str) -> LineCounter | None:
    """A counter for the source file `path` as the language its name says, or, with no extension,
    its `#!` line says (in the same read; Rule 5); None for a file the probe counts no lines of."""
    if origin_of(path) != "source":
        return None
    language = language_of(path)
    if language is not None:
        return LineCounter(language)
    if has_no_extension(path):
        # imported here: a warm gather counts nothing and loads no parser (ADR-0077)
        from codegenie_core.parsers.shebang import language_of_head

        return LineCounter(None, choose=language_of_head, head_bytes=HEAD_BYTES)
    return None


_CONFORMS: type[RepoFiles] = LocalRepo
_DRAFTS: type[DraftedListing] = LocalRepo
