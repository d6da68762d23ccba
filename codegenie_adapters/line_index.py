"""A persistent line-count index: each file's code, comment and blank lines, remembered by the
content's blob id and the language it was counted as, so a gather after one edit counts one file.

Rule 1: an entry is keyed by content identity (the blob id of the very bytes counted, hashed in
the same read) and by language: the same bytes counted as the same language give the same
counts, so an entry needs no stat check and is never stale. Entries of another counter version
(`COUNTER_VERSION`) or object format are ignored.
Rule 2: the index is written atomically, dropping the blob ids no longer listed once they are
more than half of it; a damaged,
foreign or oversized index (over `MAX_INDEX_BYTES`, or not a regular file) is ignored and rebuilt,
never a crash; a write that fails is logged and skipped, as the stat index does (ADR-0015).
Rule 3: counts are packed in one int per entry (`pack`), so 200,000 files cost a few MB; equal
packed counts and equal sizes recorded are one int object each (ADR-0093).
Rule 4: beside the counts, the size of the bytes counted, by the same blob id: a clean tracked
file whose index blob id has a remembered size needs no `lstat` (bytes of one id have one size;
a file git converts on checkout has a work-tree blob id other than the index's, so it is never
found and is stat'ed as before). An index written before sizes were kept has none (ADR-0089).
Rule 5: each table is written as two columns, its blob ids joined by spaces in one string and
its ints in one list (`codegenie-line-index/2`): a gather after an edit loads the whole index,
and one string and one list of ints parse and encode far faster than a JSON object per file. An
id that is empty or holds a space (none of ours: they are hex) is not written. An index in the
format before (`/1`, an object per table) is read as it was (ADR-0090).
Rule 6: the index is written only once the records new since it was loaded are at least
1/`WRITE_FRACTION` of it: a gather after a small edit leaves it as it was, and the next gather
that needs the few counts not written reads those few files again, which costs less than
rewriting the whole index each time (at 100,000 files the write is about 100 ms, reading 1/64
of the files once again about as much). Skipping a write loses only remembered work, never
makes a fact stale: every entry is keyed by content (Rule 1) (ADR-0090).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, cast

from codegenie_adapters import log
from codegenie_adapters.atomic import NotKept, read_kept_file, write_atomically
from codegenie_core.line_counts import BINARY, COUNTER_VERSION, LineCounts

FORMAT = "codegenie-line-index/2"  # Rule 5
FORMAT_OBJECTS = "codegenie-line-index/1"  # an object per table; still read (Rule 5)
_SEPARATOR = " "
WRITE_FRACTION = 64  # Rule 6: written once the new records are 1/64 of it or more
MAX_INDEX_BYTES = 128 * 2**20
_BITS = 25  # a field holds up to 2**25 - 1 lines; a counted file (<= 16 MiB) has at most 2**24
_BINARY_PACKED = -1
_PACKED_BOUND = 1 << 3 * _BITS  # every packed count is below it, or is `_BINARY_PACKED`


def pack(counts: LineCounts | str) -> int:
    """One int for `counts` (Rule 3): `BINARY` is -1."""
    if isinstance(counts, str):
        return _BINARY_PACKED
    return counts.code + (counts.comment << _BITS) + (counts.blank << 2 * _BITS)


def unpack(packed: int) -> LineCounts | str:
    if packed < 0:
        return BINARY
    mask = (1 << _BITS) - 1
    return LineCounts(
        code=packed & mask, comment=(packed >> _BITS) & mask, blank=packed >> 2 * _BITS
    )


class LineIndex:
    """Packed counts by language and blob id, loaded from `path` (if sound), saved when changed."""

    def __init__(self, path: str | None, *, object_format: str) -> None:
        self._path = path
        self._object_format = object_format
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, int]] = {}
        self._sizes: dict[str, int] = {}  # Rule 4: blob id -> size of its bytes
        if path is not None:
            self._entries, self._sizes = self._load(path)
        self._same: dict[int, int] = {}  # the one object of each packed count or size recorded
        self._new = 0  # records that changed a table since the load or the last write (Rule 6)

    def sizes(self) -> Mapping[str, int]:
        """Rule 4: the remembered size of each blob id's bytes (read-only; `record` adds)."""
        return self._sizes

    def lookups(self, language: str) -> Callable[[str], LineCounts | str | None]:
        """`lookup` for one language, as a function over blob ids: the table is found once, and
        equal counts are unpacked once, so 100,000 files cost a dict look-up each."""
        with self._lock:
            table = self._entries.setdefault(language, {})
        unpacked: dict[int, LineCounts | str] = {}

        def lookup(blob: str) -> LineCounts | str | None:
            packed = table.get(blob)  # a dict read is atomic; `record` only adds entries
            if packed is None:
                return None
            found = unpacked.get(packed)
            if found is None:
                found = unpacked[packed] = unpack(packed)
            return found

        return lookup

    def counts_of(
        self, language: str, blobs: Sequence[str | None]
    ) -> list[LineCounts | str | None]:
        """`lookups(language)` of each of `blobs` (None for a blob id of None), in C-level passes:
        a gather after one edit looks up every file, so it runs no frame per file."""
        with self._lock:
            table = self._entries.setdefault(language, {})
        packed_of = cast("Callable[[str | None], int | None]", table.get)  # get(None) is None
        packed = list(map(packed_of, blobs))  # a dict read is atomic; `record` only adds entries
        unpacked: dict[int | None, LineCounts | str | None] = {
            n: None if n is None else unpack(n) for n in set(packed)
        }
        return list(map(unpacked.__getitem__, packed))

    def record(
        self, language: str, blob: str, counts: LineCounts | str, size: int | None = None
    ) -> None:
        """Remember `counts` of the bytes with id `blob`, and their `size` when it is known."""
        self.record_many(language, ((blob, counts, size),))

    def record_many(
        self, language: str, records: Iterable[tuple[str, LineCounts | str, int | None]]
    ) -> None:
        """`record` of each `(blob, counts, size)`, under one hold of the lock (a cold gather
        records every file it counts); a size of None is not known, and not recorded."""
        same = self._same
        with self._lock:
            table = self._entries.setdefault(language, {})
            sizes = self._sizes
            for blob, counts, size in records:
                packed = pack(counts)
                packed = same.setdefault(packed, packed)  # Rule 3: one int per distinct value
                if table.get(blob) != packed:
                    table[blob] = packed
                    self._new += 1
                if size is not None and sizes.get(blob) != size:
                    sizes[blob] = same.setdefault(size, size)
                    self._new += 1

    def save(self, keep: Collection[str]) -> None:
        """Write the index if enough of it changed (Rule 6), keeping only the blob ids in `keep`
        (Rule 2): any collection (a mapping's values among them), made a set only when the index
        is pruned."""
        with self._lock:
            kept = sum(len(table) for table in self._entries.values())
            if self._path is None or self._new == 0 or self._new * WRITE_FRACTION < kept:
                return
            prune = kept > 2 * len(keep)  # only once it has grown past twice what is listed
            if prune and not isinstance(keep, set | frozenset):
                keep = frozenset(keep)
            entries = (
                {
                    language: {blob: n for blob, n in table.items() if blob in keep}
                    for language, table in self._entries.items()
                }
                if prune
                else self._entries
            )
            sizes = {b: n for b, n in self._sizes.items() if b in keep} if prune else self._sizes
            document = {
                "format": FORMAT,
                "counter": COUNTER_VERSION,
                "object_format": self._object_format,
                "entries": {language: _columns(table) for language, table in entries.items()},
                "sizes": _columns(sizes),
            }
            try:
                write_atomically(self._path, json.dumps(document).encode("utf-8"))
            except OSError as error:
                log.warning("line index {} not written: {}", self._path, error)
                return
            self._new = 0

    def _load(self, path: str) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
        try:
            read = read_kept_file(path, max_bytes=MAX_INDEX_BYTES)
        except OSError:
            return {}, {}
        if isinstance(read, NotKept):
            log.debug("line index {} is {}; ignored and rebuilt", path, read.reason)
            return {}, {}
        try:
            return _sound_entries(json.loads(read[0]), self._object_format)
        except ValueError as error:  # JSON errors and UnicodeDecodeError are ValueErrors
            log.info("line index {} ignored and rebuilt: {}", path, error)
            return {}, {}


def _sound_entries(
    document: Any, object_format: str
) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """The entries and sizes of a parsed index; `ValueError` when it is not one of ours (Rule
    2); no sizes when it has none (written before Rule 4)."""
    if not isinstance(document, dict):
        raise ValueError("not a codegenie line index")
    fields = cast("dict[str, Any]", document)
    if fields.get("format") not in (FORMAT, FORMAT_OBJECTS):
        raise ValueError("not a codegenie line index")
    if fields.get("counter") != COUNTER_VERSION or fields.get("object_format") != object_format:
        return {}, {}
    raw: Any = fields.get("entries")
    if not isinstance(raw, dict):
        raise ValueError("entries is not a mapping")
    if fields["format"] == FORMAT:
        return _sound_columns(cast("dict[Any, Any]", raw), fields.get("sizes", ["", []]))
    entries: dict[str, dict[str, int]] = {}
    for language, table in cast("dict[Any, Any]", raw).items():
        if not isinstance(language, str) or not isinstance(table, dict):
            raise ValueError("malformed language table")
        typed = cast("dict[Any, Any]", table)
        if not all(type(n) is int for n in typed.values()):
            raise ValueError(f"malformed counts for {language!r}")
        entries[language] = _packed(cast("dict[str, int]", typed), language)
    sizes: Any = fields.get("sizes", {})
    if not isinstance(sizes, dict):
        raise ValueError("sizes is not a mapping")
    if not all(type(n) is int and n >= 0 for n in cast("dict[Any, Any]", sizes).values()):
        raise ValueError("malformed sizes")
    return entries, cast("dict[str, int]", sizes)


def _columns(table: Mapping[str, int]) -> list[object]:
    """A table as Rule 5's two columns: its ids joined by spaces, and its ints."""
    ids = list(table)
    joined = _SEPARATOR.join(ids)
    if joined.count(_SEPARATOR) != max(0, len(ids) - 1) or "" in table:
        ids = [blob for blob in ids if _SEPARATOR not in blob and blob]  # not written: Rule 5
        joined = _SEPARATOR.join(ids)
    return [joined, list(map(table.__getitem__, ids))]


def _table(columns: Any, name: str) -> dict[str, int]:
    """Rule 5's two columns as a table; `ValueError` when they are not two matching columns of
    ids and ints (a bool is not an int)."""
    if not isinstance(columns, list) or len(cast("list[Any]", columns)) != 2:
        raise ValueError(f"{name} is not two columns")
    joined, values = cast("list[Any]", columns)
    if not isinstance(joined, str) or not isinstance(values, list):
        raise ValueError(f"{name} is not two columns")
    ids = joined.split(_SEPARATOR) if joined else []
    numbers = cast("list[Any]", values)
    if len(ids) != len(numbers) or not set(map(type, numbers)) <= {int}:
        raise ValueError(f"malformed {name}")
    return dict(zip(ids, cast("list[int]", numbers), strict=True))


def _packed(table: dict[str, int], language: str) -> dict[str, int]:
    """`table` when each of its ints is one `pack` gives; `ValueError` else (Rule 2: a damaged
    index is ignored, not read as counts)."""
    if table and (min(table.values()) < _BINARY_PACKED or max(table.values()) >= _PACKED_BOUND):
        raise ValueError(f"malformed counts for {language!r}")
    return table


def _sound_columns(
    raw: dict[Any, Any], sizes: Any
) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """The entries and sizes of a Rule 5 index; `ValueError` when any part is malformed."""
    entries: dict[str, dict[str, int]] = {}
    for language, columns in raw.items():
        if not isinstance(language, str):
            raise ValueError("malformed language table")
        entries[language] = _packed(_table(columns, f"counts for {language!r}"), language)
    table = _table(sizes, "sizes")
    if table and min(table.values()) < 0:
        raise ValueError("malformed sizes")
    return entries, table
