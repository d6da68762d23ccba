"""How the local repository adapter runs git and reads its answers: one environment, parsers.

Rule 1: every git process goes through `run_external_cli` with a timeout, in an environment that
cannot write the index (`GIT_OPTIONAL_LOCKS=0`), page, prompt or translate (`LC_ALL=C`), and that
drops the location variables a calling git may have set (`GIT_DIR` and friends), so the repository
studied is the one at `root` (`head_start.git_environment`, which the entry point's head start
uses too, ADR-0091).
Rule 2: a repository's own configuration cannot make these reads start a program: fsmonitor is off,
and every filter driver (clean, smudge, process) that configuration defines is blanked in the
environment of each command that may read a file's content, and a submodule's work tree is not
looked into (`head_start`'s Rule 4, ADR-0097, amending this rule).
Rule 3: git's `-z` output is split on NUL and decoded with `os.fsdecode`, so a file name that is not
UTF-8 round-trips to the same bytes (see ADR-0015).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import NamedTuple

import attrs

from codegenie_adapters.exec import ExecResult, run_external_cli
from codegenie_adapters.head_start import git_argv, parse_config
from codegenie_core.errors import GitDubiousOwnership, GitError, GitIndexCorrupt
from codegenie_core.ports import Remote

GITLINK_MODE = "160000"  # a submodule: a directory, not a file

# A listing of a million files is about 100 MB; past this bound the repository is refused rather
# than listed in part (a partial listing would give keys that miss inputs).
GIT_MAX_OUTPUT_BYTES = 512 * 2**20


def run_git(
    root: str, args: tuple[str, ...], *, env: Mapping[str, str], timeout_s: float
) -> ExecResult:
    """Run `git <args>` in `root` (Rules 1 and 2)."""
    return run_external_cli(
        git_argv(args),
        timeout_s=timeout_s,
        cwd=root,
        env=env,
        max_output_bytes=GIT_MAX_OUTPUT_BYTES,
    )


# What git 2.2x-2.4x prints (LC_ALL=C) when it cannot read `.git/index`: empty or truncated ("index
# file smaller than expected"), a bad header ("bad signature", "bad index version"), a checksum
# that does not match ("bad index file sha1 signature"), or a damaged entry ("index file corrupt").
_INDEX_CORRUPT = ("index file smaller than expected", "index file corrupt", "bad signature",
                  "bad index file", "bad index version")  # fmt: skip
_DUBIOUS_OWNERSHIP = "detected dubious ownership in repository"


def git_refusal(root: str, stderr: str) -> GitError | None:
    """The typed refusal git's `stderr` reports for the repository at `root`, if it is one."""
    if _DUBIOUS_OWNERSHIP in stderr:
        return GitDubiousOwnership(
            f"git refuses the repository at {root}: detected dubious ownership (it belongs to "
            "another user; see git's safe.directory)",
            path=root,
        )
    if any(marker in stderr for marker in _INDEX_CORRUPT):
        detail = stderr.strip().splitlines()[-1].removeprefix("fatal: ") if stderr.strip() else ""
        return GitIndexCorrupt(f"git index is corrupt: {detail}", path=root)
    return None


class IndexEntry(NamedTuple):
    """One line of `git ls-files --stage` that is not a merged regular file (a symlink, a
    submodule, an unmerged stage): few in any repository, so one tuple each is cheap."""

    mode: str
    oid: str
    stage: int


@attrs.frozen
class IndexTable:
    """`git ls-files --stage -z` as flat columns: every path, and for the merged regular files (all
    but a handful) only a path -> object id table, so 200,000 files cost two strings each and no
    object per entry (see ADR-0054)."""

    paths: Sequence[str]  # every record's path, in git's order (an unmerged path once per stage)
    content: Mapping[str, str]  # stage-0 files of mode 100644 or 100755: path -> object id
    others: Mapping[str, IndexEntry]  # every other path; for an unmerged one its lowest stage

    def oid_of(self, path: str) -> str | None:
        """The object id the index holds for `path` (its lowest stage), None when not in it."""
        oid = self.content.get(path)
        if oid is None and (other := self.others.get(path)) is not None:
            return other.oid
        return oid


# record = mode SP object-id SP stage TAB path NUL; a record starts the output or follows a NUL.
# A merged regular file: mode 100644 or 100755, stage 0; the one group is its object id, so a
# match makes one string and no tuple (ADR-0093).
_CONTENT_OID = re.compile(r"(?<![^\0])100(?:644|755) ([0-9a-f]+) 0\t[^\0]*\0")
# The same records, as (object id, path) pairs: only where other records are among them.
_CONTENT_RECORD = re.compile(r"(?<![^\0])100(?:644|755) ([0-9a-f]+) 0\t([^\0]*)\0")
# Any other record (the negative look-ahead skips the content ones).
_OTHER_RECORD = re.compile(
    r"(?<![^\0])(?!100(?:644|755) [0-9a-f]+ 0\t)([0-7]+) ([0-9a-f]+) ([0-9]+)\t([^\0]*)\0"
)
# The path of every record: what follows its first TAB (mode, id and stage hold none).
_RECORD_PATH = re.compile(r"\t([^\0]*)\0")


def parse_ls_files_stage(out: bytes | str) -> IndexTable:
    """Parse `git ls-files --stage -z` (its bytes, or its text as `os.fsdecode` gives it, so a
    caller can let the bytes go first) into flat columns: regular expressions scan the output
    whole, in C; no Python frame runs per regular file.

    record = mode SP object-id SP stage TAB path NUL
    The output is decoded once (`os.fsdecode` of the whole is the same as of each record: a NUL
    byte is never inside a UTF-8 sequence). In the usual case, every record a merged regular file,
    the object ids and the paths are two scans of one group each, which line up record for record
    when both find every record: no tuple per file is made (ADR-0093). An unmerged path has one
    record per stage; the lowest stage seen wins (any stage but 0 makes the caller hash the
    work-tree file anyway). A record that is not of this form is a `ValueError`.
    """
    text = out if isinstance(out, str) else os.fsdecode(out)
    records = text.count("\0")
    whole = not text or text.endswith("\0")
    if whole and (usual := _content_only(text, records)) is not None:
        return usual
    pairs = _CONTENT_RECORD.findall(text)  # each match is one whole record, from its start
    content = dict(zip(map(itemgetter(1), pairs), map(itemgetter(0), pairs), strict=True))
    others: dict[str, IndexEntry] = {}
    found = 0
    for mode, oid, stage_text, path in _OTHER_RECORD.findall(text):
        found += 1
        stage = int(stage_text)
        known = others.get(path)
        if known is None or stage < known.stage:
            others[path] = IndexEntry(mode, oid, stage)
    paths = _RECORD_PATH.findall(text)
    if not (len(paths) == records == len(pairs) + found) or not whole:
        raise ValueError("git ls-files --stage printed a record that is not mode, id, stage, path")
    return IndexTable(paths=paths, content=content, others=others)


def _content_only(text: str, records: int) -> IndexTable | None:
    """The table when every one of the `records` is a merged regular file and no path comes twice
    (the usual case), from one scan for the object ids and one for the paths; else None."""
    # A record starts the text or follows a NUL, and no path holds one: counting the starts of
    # mode 100644 and 100755 rules out a symlink or submodule before any scan by a pattern.
    regular = text.startswith(("100644 ", "100755 ")) + sum(
        map(text.count, ("\x00100644 ", "\x00100755 "))
    )
    if regular != records:
        return None
    oids: list[str] = _CONTENT_OID.findall(text)
    if len(oids) != records:
        return None
    paths: list[str] = _RECORD_PATH.findall(text)
    if len(paths) != records:
        return None
    content = dict(zip(paths, oids, strict=True))
    return IndexTable(paths=paths, content=content, others={}) if len(content) == records else None


@attrs.frozen(kw_only=True)
class StatusEntry:
    """One entry of `git status --porcelain=v1 -z`; `orig` is a rename's or copy's source."""

    xy: str
    path: str
    orig: str | None = None

    @property
    def untracked(self) -> bool:
        return self.xy == "??"

    @property
    def unmerged(self) -> bool:
        return "U" in self.xy or self.xy in ("AA", "DD")


def split_nul(out: bytes) -> list[str]:
    """NUL-terminated records, decoded so names round-trip (Rule 3)."""
    return [os.fsdecode(record) for record in out.split(b"\0") if record]


def parse_status_z(out: bytes) -> list[StatusEntry]:
    """Parse `git status --porcelain=v1 -z`.

    record = X Y SP path NUL [ orig-path NUL ]   ; orig-path follows when X or Y is R or C
    """
    records = split_nul(out)
    entries: list[StatusEntry] = []
    index = 0
    while index < len(records):
        record = records[index]
        xy, path = record[:2], record[3:]
        index += 1
        orig = None
        if "R" in xy or "C" in xy:
            orig = records[index]
            index += 1
        entries.append(StatusEntry(xy=xy, path=path, orig=orig))
    return entries


def parse_remote_urls(out: bytes) -> tuple[Remote, ...]:
    """The remotes' URLs in `head_start.CONFIG`'s answer, sorted by name (stable).

    record = scope NUL "remote." name ".url" LF url NUL (beside the filter drivers' records)
    """
    remotes: list[Remote] = []
    for _, key, url in parse_config(out):
        if key.startswith("remote.") and key.endswith(".url") and len(key) >= len("remote..url"):
            name = key.removeprefix("remote.").removesuffix(".url")
            remotes.append(Remote(name=name, url=url))
    return tuple(sorted(remotes, key=lambda r: r.name))
