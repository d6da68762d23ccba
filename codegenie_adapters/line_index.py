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
Rule 5: the index is written as a stream of slices of its tables, never as one JSON text: at
200,000 files `json.dumps` of the whole made about 70 MB of pieces and copies (ADR-0093).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any, cast

from codegenie_adapters import log
from codegenie_adapters.atomic import NotKept, atomic_output, read_kept_file
from codegenie_core.line_counts import BINARY, COUNTER_VERSION, LineCounts

FORMAT = "codegenie-line-index/1"
MAX_INDEX_BYTES = 128 * 2**20
_BITS = 25  # a field holds up to 2**25 - 1 lines; a counted file (<= 16 MiB) has at most 2**24
_BINARY_PACKED = -1
_SAVE_SLICE = 4096  # entries encoded at once when the index is written (Rule 5)


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
        self._same: dict[int, int] = {}  # the one object of each packed count or size recorded
        if path is not None:
            self._entries, self._sizes = self._load(path)
        self._dirty = False

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

    def record(
        self, language: str, blob: str, counts: LineCounts | str, size: int | None = None
    ) -> None:
        """Remember `counts` of the bytes with id `blob`, and their `size` when it is known."""
        packed = pack(counts)
        with self._lock:
            packed = self._same.setdefault(packed, packed)  # Rule 3: one int per distinct value
            if size is not None:
                size = self._same.setdefault(size, size)
            table = self._entries.setdefault(language, {})
            if table.get(blob) != packed:
                table[blob] = packed
                self._dirty = True
            if size is not None and self._sizes.get(blob) != size:
                self._sizes[blob] = size
                self._dirty = True

    def save(self, keep: Collection[str]) -> None:
        """Write the index if it changed, keeping only the blob ids in `keep` (Rule 2): any
        collection (a mapping's values among them), made a set only when the index is pruned."""
        with self._lock:
            if not self._dirty or self._path is None:
                return
            kept = sum(len(table) for table in self._entries.values())
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
            head = {
                "format": FORMAT,
                "counter": COUNTER_VERSION,
                "object_format": self._object_format,
            }
            try:
                with atomic_output(self._path) as handle:
                    for piece in _document_pieces(head, entries, sizes):
                        handle.write(piece.encode("utf-8"))
            except OSError as error:
                log.warning("line index {} not written: {}", self._path, error)
                return
            self._dirty = False

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


def _document_pieces(
    head: Mapping[str, object], entries: Mapping[str, Mapping[str, int]], sizes: Mapping[str, int]
) -> Iterator[str]:
    """The index's JSON text, `head`'s fields then `entries` and `sizes`, in pieces (Rule 5): each
    a slice of `_SAVE_SLICE` entries of one table, as `json.dumps` writes them."""
    yield json.dumps(head)[:-1] + ', "entries": {'
    for index, (language, table) in enumerate(entries.items()):
        yield f"{', ' if index else ''}{json.dumps(language)}: "
        yield from _table_pieces(table)
    yield '}, "sizes": '
    yield from _table_pieces(sizes)
    yield "}"


def _table_pieces(table: Mapping[str, int]) -> Iterator[str]:
    """One table as a JSON object, a slice of `_SAVE_SLICE` entries at a time."""
    yield "{"
    items = iter(table.items())
    first = True
    while piece := json.dumps(dict(itertools.islice(items, _SAVE_SLICE)))[1:-1]:
        yield piece if first else ", " + piece
        first = False
    yield "}"


def _sound_entries(
    document: Any, object_format: str
) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """The entries and sizes of a parsed index; `ValueError` when it is not one of ours (Rule
    2); no sizes when it has none (written before Rule 4)."""
    if not isinstance(document, dict):
        raise ValueError("not a codegenie line index")
    fields = cast("dict[str, Any]", document)
    if fields.get("format") != FORMAT:
        raise ValueError("not a codegenie line index")
    if fields.get("counter") != COUNTER_VERSION or fields.get("object_format") != object_format:
        return {}, {}
    raw: Any = fields.get("entries")
    if not isinstance(raw, dict):
        raise ValueError("entries is not a mapping")
    entries: dict[str, dict[str, int]] = {}
    for language, table in cast("dict[Any, Any]", raw).items():
        if not isinstance(language, str) or not isinstance(table, dict):
            raise ValueError("malformed language table")
        typed = cast("dict[Any, Any]", table)
        if not all(type(n) is int for n in typed.values()):
            raise ValueError(f"malformed counts for {language!r}")
        entries[language] = cast("dict[str, int]", typed)
    sizes: Any = fields.get("sizes", {})
    if not isinstance(sizes, dict):
        raise ValueError("sizes is not a mapping")
    if not all(type(n) is int and n >= 0 for n in cast("dict[Any, Any]", sizes).values()):
        raise ValueError("malformed sizes")
    return entries, cast("dict[str, int]", sizes)
