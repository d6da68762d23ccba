"""Where codegenie keeps the SCIP indexes it makes: outside the work tree, under the cache dir.

Rule 1: a work tree's made indexes live in `<cache dir>/index/<work tree id>/<indexer>/`
(`index.scip` and its sidecar `index.json`); the id is a hash of the work tree's real path, so no
absolute path is written, and two clones (or two git worktrees) never share an index (ADR-0028).
Rule 2: `state()` is cheap (a directory listing, a stat and a sidecar read per indexer): it feeds
the `made-index` key token on every gather, warm ones included, and never reads an index.
"""

from __future__ import annotations

import hashlib
import json
import os

INDEX_FILE = "index.scip"
SIDECAR_FILE = "index.json"


def made_index_dir(cache_dir: str, root: str) -> str:
    """The directory of the work tree at `root`'s made indexes under `cache_dir` (Rule 1)."""
    name = hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:32]
    return os.path.join(cache_dir, "index", name)


class MadeIndexes:
    """The made indexes of one work tree, in the directory `made_index_dir` names."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def index_file(self, indexer: str) -> str:
        return os.path.join(self.directory, indexer, INDEX_FILE)

    def sidecar_file(self, indexer: str) -> str:
        return os.path.join(self.directory, indexer, SIDECAR_FILE)

    def sidecar(self, indexer: str) -> bytes | None:
        try:
            with open(self.sidecar_file(indexer), "rb") as file:
                return file.read()
        except (OSError, ValueError):
            return None

    def state(self) -> str:
        """What the made indexes are now, hashed: each indexer's sidecar bytes and its index's size
        and modification time, so a new run, a replaced or a truncated index changes it ("" when
        nothing was made)."""
        try:
            indexers = sorted(os.listdir(self.directory))
        except OSError:
            return ""
        seen: list[list[object]] = []
        for indexer in indexers:
            sidecar = self.sidecar(indexer)
            try:
                status = os.stat(self.index_file(indexer))
                index: list[int] | None = [status.st_size, status.st_mtime_ns]
            except OSError:
                index = None
            if sidecar is None and index is None:
                continue
            digest = None if sidecar is None else hashlib.sha256(sidecar).hexdigest()
            seen.append([indexer, digest, index])
        if not seen:
            return ""
        encoded = json.dumps(seen, separators=(",", ":"), ensure_ascii=True)
        return "sha256:" + hashlib.sha256(encoded.encode("ascii")).hexdigest()
