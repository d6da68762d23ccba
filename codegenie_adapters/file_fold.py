"""A probe's remembered fold over files (`FileFold`), kept beside the line index: one JSON file per
probe and repository, so a gather after an edit adds up only what changed (ADR-0094).

Rule 1: the file holds its format, the object format and the read bound of the repository it was
written for, and the fold in columns: its paths joined by NUL (no git path holds one) in one
string, its blob ids joined by spaces in another, and its ints in lists; 100,000 rows load as a
few strings and lists, not an object each. A fold with a path holding a NUL or a blob id
holding a space (none of ours) is not written.
Rule 2: the file is written atomically (`write_atomically`); a failed write is logged and skipped,
which loses only remembered work. A damaged, foreign or oversized file (over `MAX_FOLD_BYTES`,
or not a regular file), or one written for another object format or read bound, is ignored: the
probe folds from scratch and writes it again; never a crash.
Rule 3: what the fold means is the probe's business (its `key`, categories and totals); this
module checks only that the columns are whole: of one length, ints where ints are expected, every
category index in range.
"""

from __future__ import annotations

import json
from typing import Any, cast

from codegenie_adapters import log
from codegenie_adapters.atomic import NotKept, read_kept_file, write_atomically
from codegenie_core.ports import FileFold

FORMAT = "codegenie-file-fold/1"
MAX_FOLD_BYTES = 128 * 2**20
_PATHS_SEPARATOR = "\0"
_BLOBS_SEPARATOR = " "


def load(path: str, *, object_format: str, large_file_bytes: int) -> FileFold | None:
    """The fold kept at `path`, or None when there is none or it is not sound (Rule 2)."""
    try:
        read = read_kept_file(path, max_bytes=MAX_FOLD_BYTES)
    except OSError:
        return None
    if isinstance(read, NotKept):
        log.debug("fold {} is {}; ignored and rebuilt", path, read.reason)
        return None
    try:
        return _sound(json.loads(read[0]), object_format, large_file_bytes)
    except ValueError as error:  # JSON errors and UnicodeDecodeError are ValueErrors
        log.info("fold {} ignored and rebuilt: {}", path, error)
        return None


def save(path: str, fold: FileFold, *, object_format: str, large_file_bytes: int) -> None:
    """Write `fold` to `path` whole (Rule 2), unless a path or blob id cannot be joined (Rule 1)."""
    paths = _PATHS_SEPARATOR.join(fold.paths)
    blobs = _BLOBS_SEPARATOR.join(fold.blobs)
    rows = len(fold.paths)
    if paths.count(_PATHS_SEPARATOR) != max(0, rows - 1) or blobs.count(_BLOBS_SEPARATOR) != max(
        0, rows - 1
    ):
        log.debug("fold {} not written: a path or blob id holds its separator", path)
        return
    document = {
        "format": FORMAT,
        "object_format": object_format,
        "large_file_bytes": large_file_bytes,
        "key": fold.key,
        "categories": list(fold.categories),
        "totals": [list(row) for row in fold.totals],
        "paths": paths,
        "blobs": blobs,
        "category_of": list(fold.category_of),
        "sizes": list(fold.sizes),
        "lines": list(fold.lines),
    }
    try:
        write_atomically(path, json.dumps(document, separators=(",", ":")).encode("utf-8"))
    except OSError as error:
        log.warning("fold {} not written: {}", path, error)


def _ints(value: Any, name: str) -> list[int]:
    """`value` as a list of ints (a bool is not one); `ValueError` when it is not."""
    if not isinstance(value, list) or not set(map(type, cast("list[Any]", value))) <= {int}:
        raise ValueError(f"{name} is not a list of ints")
    return cast("list[int]", value)


def _sound(document: Any, object_format: str, large_file_bytes: int) -> FileFold | None:
    """The fold a parsed file holds; None when written for another repository's format or bound;
    `ValueError` when it is not one of ours or its columns are not whole (Rule 3)."""
    if not isinstance(document, dict):
        raise ValueError("not a codegenie fold")
    fields = cast("dict[str, Any]", document)
    if fields.get("format") != FORMAT:
        raise ValueError("not a codegenie fold")
    if (
        fields.get("object_format") != object_format
        or fields.get("large_file_bytes") != large_file_bytes
    ):
        return None
    key, categories, totals = fields.get("key"), fields.get("categories"), fields.get("totals")
    paths, blobs = fields.get("paths"), fields.get("blobs")
    if not isinstance(key, str) or not isinstance(paths, str) or not isinstance(blobs, str):
        raise ValueError("malformed key, paths or blob ids")
    if not isinstance(categories, list) or not all(
        isinstance(c, str) for c in cast("list[Any]", categories)
    ):
        raise ValueError("malformed categories")
    if not isinstance(totals, list):
        raise ValueError("malformed totals")
    rows_of_totals = [_ints(row, "a row of totals") for row in cast("list[Any]", totals)]
    category_of = _ints(fields.get("category_of"), "category_of")
    sizes = _ints(fields.get("sizes"), "sizes")
    lines = _ints(fields.get("lines"), "lines")
    path_list = paths.split(_PATHS_SEPARATOR) if paths else []
    blob_list = blobs.split(_BLOBS_SEPARATOR) if blobs else []
    named = cast("list[str]", categories)
    if len(rows_of_totals) != len(named):
        raise ValueError("totals and categories differ in length")
    if not len(path_list) == len(blob_list) == len(category_of) == len(sizes) == len(lines):
        raise ValueError("columns differ in length")
    if category_of and (min(category_of) < 0 or max(category_of) >= len(named)):
        raise ValueError("a category index out of range")
    return FileFold(
        key=key,
        categories=tuple(named),
        totals=tuple(rows_of_totals),
        paths=path_list,
        blobs=blob_list,
        category_of=category_of,
        sizes=sizes,
        lines=lines,
    )
