"""`ScipReader`: streams a SCIP index document by document into an `IndexSummary` (see ADR-0009).

Rule 1: the top level of `Index` is decoded by `_scip_wire` (varint tags, length-delimited fields)
from chunks of the file; each metadata, document and external symbol is parsed on its own by
`_scip_summary`, so memory is bounded by the largest single document, never by the file.
Rule 2: every problem with the file (missing, a directory, unreadable, empty, truncated, bytes that
are not an Index, a wrong wire type, no metadata) is an `IndexReadError` with the byte offset where
reading stopped; nothing raises out of `read`.
Rule 3: no protobuf module is used: `_scip_summary` decodes exactly the fields it reads with
codegenie's own bounded wire decoder (see ADR-0032), imported only when there is a file to read.
Rule 4: the indexes codegenie made live outside the work tree (`_made_index`, ADR-0028); they are
read by indexer name and reported under their label, `made_index_label(indexer)`.
"""

from __future__ import annotations

import os
import stat

from codegenie_adapters import log
from codegenie_adapters._made_index import MadeIndexes
from codegenie_adapters._scip_wire import WireFailure
from codegenie_core.ports import IndexReader
from codegenie_core.probes.layer_b.model import IndexReadError, IndexReadErrorKind, IndexReadResult
from codegenie_core.probes.layer_b.sidecar import made_index_label


class ScipReader:
    """Reads SCIP indexes under one repository root, and the indexes codegenie made for it in
    `made_dir` (none when it is None)."""

    def __init__(self, root: str, *, made_dir: str | None = None) -> None:
        self._root = os.path.realpath(root)
        self._made = None if made_dir is None else MadeIndexes(made_dir)

    def read(self, path: str) -> IndexReadResult:
        full = os.path.normpath(os.path.join(self._root, path))
        if os.path.isabs(path) or not full.startswith(self._root + os.sep):
            return _error(path, "missing", "the path is not inside the repository")
        if os.path.lexists(full) and not os.path.realpath(full).startswith(self._root + os.sep):
            return _error(path, "unreadable", "a symlink leading out of the repository")
        return _read_file(full, path)

    def read_made(self, indexer: str) -> IndexReadResult:
        label = made_index_label(indexer)
        if self._made is None:
            return _error(label, "missing", "no directory for made indexes is configured")
        return _read_file(self._made.index_file(indexer), label)

    def made_sidecar(self, indexer: str) -> bytes | None:
        return None if self._made is None else self._made.sidecar(indexer)

    def made_state(self) -> str:
        return "" if self._made is None else self._made.state()


def _error(
    path: str, kind: IndexReadErrorKind, message: str, offset: int | None = None
) -> IndexReadError:
    return IndexReadError(path=path, kind=kind, message=message, offset=offset)


def _read_file(full: str, path: str) -> IndexReadResult:
    """The index in the file `full`, reported as `path`."""

    def error(kind: IndexReadErrorKind, message: str, offset: int | None = None) -> IndexReadError:
        return _error(path, kind, message, offset)

    try:
        status = os.stat(full)
        if not stat.S_ISREG(status.st_mode):
            return error(
                "not-a-file", "a directory or special file stands where the index should be"
            )
        if status.st_size == 0:
            return error("empty", "the index file has zero bytes", 0)
        from codegenie_adapters._scip_summary import summarise

        with open(full, "rb", buffering=0) as file:
            try:
                return summarise(file, status.st_size, path)
            except WireFailure as failure:
                return error(failure.kind, failure.message, failure.offset)
    except FileNotFoundError:
        return error("missing", "no file at this path")
    except OSError as os_error:
        log.debug("cannot read SCIP index {}: {}", path, os_error)
        return error("unreadable", f"{type(os_error).__name__}: {os_error.strerror or os_error}")


_CONFORMS: type[IndexReader] = ScipReader
