"""Scoped reads: the repository as one probe sees it, limited to what its spec `reads`.

Rule 1: the view lists only the files the spec's globs match, and answers `read_bytes`,
`read_head`, `file_sizes`, `file_stats`, `digests` and `line_counts` only for paths they match.
Git questions (state, commits, changes) are answered as asked: the probe's special tokens
(`git-head`, `git-state`) key them.
Rule 2: a read of a path the globs do not match is undeclared: in strict mode it raises
`UndeclaredRead`; otherwise it is answered and recorded, and the coordinator then neither writes
the probe's result to the cache nor keeps quiet about it (a note "read undeclared path P; not
cached"). So a sloppy probe costs speed, never correctness (see ADR-0030).
Rule 3: the core never reads the environment; whether reads are strict arrives as a bool.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence

import attrs

from codegenie_core.cache_keys import InputTables
from codegenie_core.errors import UndeclaredRead
from codegenie_core.globs import compile_glob, matching_paths
from codegenie_core.line_counts import LineCounts
from codegenie_core.ports import (
    HEAD_BYTES,
    MAX_READ_BYTES,
    FileFold,
    FileProblem,
    FileStat,
    GitState,
    RepoFiles,
)
from codegenie_core.probe import Envelope, ProbeContext
from codegenie_core.spec import ProbeSpec

__all__ = ["ScopedRepo", "context_for", "undeclared_note"]


def undeclared_note(path: str) -> str:
    """The note an outcome carries for each undeclared read (Rule 2)."""
    return f"read undeclared path {path}; not cached"


class ScopedRepo:
    """A `RepoFiles` over `repo` limited to `spec.reads` (Rule 1)."""

    def __init__(
        self,
        repo: RepoFiles,
        spec: ProbeSpec,
        *,
        strict: bool,
        tables: InputTables | None = None,
    ) -> None:
        self._repo = repo
        self._tables = tables  # the gather's shared glob matches, when there is one
        self._spec = spec
        self._strict = strict
        self._patterns = tuple(compile_glob(glob) for glob in spec.globs)
        self._everything = "**" in spec.globs  # no path to check: 20,000 sizes cost no loop
        self._listing: list[Sequence[str]] = []
        self._undeclared: dict[str, None] = {}
        self._lock = threading.Lock()  # a probe may read from threads of its own

    @property
    def undeclared(self) -> tuple[str, ...]:
        """The undeclared paths read so far, in the order first read (Rule 2)."""
        with self._lock:
            return tuple(self._undeclared)

    def _check(self, paths: Iterable[str]) -> list[str]:
        wanted = list(paths)
        if self._everything:
            return wanted
        for path in wanted:
            if any(pattern.match(path) for pattern in self._patterns):
                continue
            if self._strict:
                raise UndeclaredRead(
                    f"probe {self._spec.name!r} read {path!r}, which its spec's reads "
                    f"({', '.join(self._spec.reads) or 'nothing'}) do not match; declare it "
                    "(see ADR-0030)",
                    probe=self._spec.name,
                    path=path,
                )
            with self._lock:
                self._undeclared.setdefault(path, None)
        return wanted

    @property
    def name(self) -> str:
        return self._repo.name

    def list_files(self) -> Sequence[str]:
        if not self._listing:
            listed = (
                matching_paths(self._spec.globs, self._repo.list_files())
                if self._tables is None
                else self._tables.paths(self._spec.reads)
            )
            self._listing.append(listed)
        return self._listing[0]

    def listing_problems(self) -> Sequence[FileProblem]:
        return self._repo.listing_problems()

    def read_bytes(self, path: str, *, max_bytes: int = MAX_READ_BYTES) -> bytes | FileProblem:
        self._check((path,))
        return self._repo.read_bytes(path, max_bytes=max_bytes)

    def file_sizes(self, paths: Iterable[str]) -> Mapping[str, int]:
        return self._repo.file_sizes(self._check(paths))

    def file_stats(self, paths: Iterable[str]) -> Mapping[str, FileStat]:
        return self._repo.file_stats(self._check(paths))

    def read_head(self, path: str, *, max_bytes: int = HEAD_BYTES) -> bytes | FileProblem:
        self._check((path,))
        return self._repo.read_head(path, max_bytes=max_bytes)

    def digests(self, paths: Iterable[str]) -> Mapping[str, str]:
        return self._repo.digests(self._check(paths))

    def line_counts(self, languages: Mapping[str, str]) -> Mapping[str, LineCounts | FileProblem]:
        self._check(languages)
        return self._repo.line_counts(languages)

    def clean_blobs(self) -> Mapping[str, str]:
        # A probe reading every file may learn which of them git vouches for; a narrower one
        # gets nothing, so it learns no path outside its reads (and folds from scratch).
        return self._repo.clean_blobs() if self._spec.reads == ("**",) else {}

    def recall_fold(self, name: str) -> FileFold | None:
        return self._repo.recall_fold(f"{self._spec.name}.{name}")

    def remember_fold(self, name: str, fold: FileFold) -> None:
        self._repo.remember_fold(f"{self._spec.name}.{name}", fold)

    def git_state(self) -> GitState | None:
        return self._repo.git_state()

    def commits_between(self, older: str, newer: str) -> int | None:
        return self._repo.commits_between(older, newer)

    def changed_since(self, commit: str) -> Sequence[str] | None:
        return self._repo.changed_since(commit)


_CONFORMS: type[RepoFiles] = ScopedRepo


def context_for(
    base: ProbeContext,
    spec: ProbeSpec,
    *,
    upstream: Mapping[str, Envelope],
    strict: bool,
    tables: InputTables | None = None,
) -> tuple[ProbeContext, ScopedRepo]:
    """The context one probe is handed: its upstream slices, the repository scoped to its reads,
    and only the optional ports its spec names (the others are None)."""
    view = ScopedRepo(base.repo, spec, strict=strict, tables=tables)
    ports = spec.ports
    ctx = attrs.evolve(
        base,
        repo=view,
        upstream=upstream,
        containers=base.containers if "containers" in ports else None,
        index_reader=base.index_reader if "index_reader" in ports else None,
        indexer=base.indexer if "indexer" in ports else None,
        image_digest_resolver=base.image_digest_resolver if "image_digest" in ports else None,
    )
    return ctx, view
