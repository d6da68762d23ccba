"""The top level of a SCIP `Index` on the wire, walked field by field from chunks of a file.

Shared by the reader and the indexer runner (which counts documents for its sidecar), so neither
adapter imports the other. Wire format: each field is a varint tag `(number << 3) | wire_type`;
wire type 0 is a varint, 1 eight bytes, 2 a varint length and that many bytes, 5 four bytes; 3 and
4 (groups) and 6, 7 do not occur in SCIP and are malformed here.

Rule 1: memory is bounded by the largest single field, never by the file.
Rule 2: a declared length is checked against the file size before anything is read, so a corrupt
length never asks for a huge buffer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from codegenie_core.probes.layer_b.model import IndexReadErrorKind

CHUNK_BYTES = 1 << 16  # read-ahead for tags and small fields
LENGTH_DELIMITED = 2
INDEX_FIELDS = {1: "metadata", 2: "documents", 3: "external_symbols"}
_FIXED_WIDTH = {1: 8, 5: 4}


class WireFailure(Exception):
    """Internal control flow only: `read` turns it into an `IndexReadError` value."""

    def __init__(self, kind: IndexReadErrorKind, message: str, offset: int) -> None:
        super().__init__(message)
        self.kind: IndexReadErrorKind = kind
        self.message = message
        self.offset = offset


class _Stream:
    """A forward-only view of a file, counting the absolute byte offset.

    Tags and lengths come from a small read-ahead buffer; a field's payload is read straight from
    the file into its own bytes object, so most bytes are copied once."""

    def __init__(self, file: BinaryIO, size: int) -> None:
        self._file = file
        self._size = size
        self._buffer = b""
        self._position = 0
        self.offset = 0  # absolute offset of the next unread byte

    def _read(self, count: int) -> bytes:
        """Up to `count` bytes; fewer only at the end of the file (raw reads may come short)."""
        data = self._file.read(count)
        while 0 < len(data) < count:
            more = self._file.read(count - len(data))
            if not more:
                break
            data += more
        return data

    def at_end(self) -> bool:
        if self._position < len(self._buffer):
            return False
        self._buffer, self._position = self._read(CHUNK_BYTES), 0
        return not self._buffer

    def varint(self, what: str) -> int:
        start, result, shift = self.offset, 0, 0
        while True:
            if self._position >= len(self._buffer):
                self._buffer, self._position = self._read(CHUNK_BYTES), 0
                if not self._buffer:
                    raise WireFailure(
                        "truncated", f"the file ends inside the varint of {what}", start
                    )
            byte = self._buffer[self._position]
            self._position += 1
            self.offset += 1
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7
            if shift >= 64:
                raise WireFailure(
                    "malformed", f"the varint of {what} is longer than 10 bytes", start
                )

    def take(self, length: int, what: str) -> bytes:
        start = self.offset
        # Checked against the file size first, so a corrupt length never asks for a huge buffer.
        have = len(self._buffer) - self._position
        data = b""
        if length <= self._size - start:
            if have >= length:
                data = self._buffer[self._position : self._position + length]
                self._position += length
            else:
                head = self._buffer[self._position :]
                data = head + self._read(length - have) if head else self._read(length)
                self._buffer, self._position = b"", 0
        if len(data) < length:
            raise WireFailure(
                "truncated",
                f"{what} declares {length} bytes but the file ends "
                f"{max(0, self._size - start)} bytes later",
                start,
            )
        self.offset += length
        return data


def iter_index_fields(file: BinaryIO, size: int) -> Iterator[tuple[int, bytes, int]]:
    """Yield `(field number, payload, payload offset)` for each Index field 1, 2 or 3; skip
    unknown fields; raise `WireFailure` where the bytes stop being an Index."""
    stream = _Stream(file, size)
    while not stream.at_end():
        tag_offset = stream.offset
        tag = stream.varint("a field tag")
        field, wire_type = tag >> 3, tag & 7
        if field == 0:
            raise WireFailure("malformed", "field number 0 is not valid protobuf", tag_offset)
        if field in INDEX_FIELDS:
            name = INDEX_FIELDS[field]
            if wire_type != LENGTH_DELIMITED:
                raise WireFailure(
                    "wrong-wire-type",
                    f"Index.{name} (field {field}) has wire type {wire_type}, "
                    "not 2 (length-delimited)",
                    tag_offset,
                )
            length = stream.varint(f"the length of Index.{name}")
            payload_offset = stream.offset
            yield field, stream.take(length, f"Index.{name}"), payload_offset
        elif wire_type == LENGTH_DELIMITED:
            stream.take(stream.varint(f"the length of field {field}"), f"field {field}")
        elif wire_type == 0:
            stream.varint(f"field {field}")
        elif wire_type in _FIXED_WIDTH:
            stream.take(_FIXED_WIDTH[wire_type], f"field {field}")
        else:
            raise WireFailure(
                "malformed",
                f"field {field} has wire type {wire_type} (groups or invalid)",
                tag_offset,
            )


# ---- inside one payload ------------------------------------------------------------------------
# The messages below the top level are decoded from a payload's bytes, by index, without copying.
# `base` is the absolute file offset of `data[0]`, so a failure names the byte where it happened.
# The decoder follows SCIP's fixed schema (Index > Document > Occurrence > typed range) and never
# recurses into a field it skips, so its depth is bounded by the schema, not by the input.

_INT32_WRAP = 1 << 32
_INT32_HIGH = 1 << 31


def int32(value: int) -> int:
    """An `int32` as protobuf reads one from a varint: the low 32 bits, two's complement."""
    value &= _INT32_WRAP - 1
    return value - _INT32_WRAP if value >= _INT32_HIGH else value


def varint_at(data: bytes, at: int, end: int, base: int, what: str) -> tuple[int, int]:
    """The varint starting at `data[at]`, which must end before `end`, and the index after it."""
    start, result, shift = at, 0, 0
    while True:
        if at >= end:
            raise WireFailure("malformed", f"{what} ends inside a varint", base + start)
        byte = data[at]
        at += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, at
        shift += 7
        if shift >= 64:
            raise WireFailure(
                "malformed", f"a varint in {what} is longer than 10 bytes", base + start
            )


def scan(
    data: bytes, start: int, end: int, base: int, what: str
) -> Iterator[tuple[int, int, int, int]]:
    """Each field of the message in `data[start:end]` as `(number, wire type, a, b)`: a varint's
    value and the index after it (wire type 0), or the payload's `[a, b)` (wire types 1, 2, 5).
    A length past the message's end, a group, an invalid wire type or field number 0 is a
    `WireFailure` ("malformed") at the field's absolute offset."""
    at = start
    while at < end:
        tag_at = at
        tag = data[at]  # one-byte tags and one- or two-byte lengths are read inline (speed)
        if tag < 0x80:
            at += 1
        else:
            tag, at = varint_at(data, at, end, base, what)
        field, wire_type = tag >> 3, tag & 7
        if field == 0:
            raise WireFailure("malformed", f"{what} has a field number 0", base + tag_at)
        if wire_type == 0:
            value, at = varint_at(data, at, end, base, what)
            yield field, 0, value, at
            continue
        if wire_type == LENGTH_DELIMITED:
            if at < end and data[at] < 0x80:
                length = data[at]
                at += 1
            elif at + 1 < end and data[at + 1] < 0x80:
                length = (data[at] & 0x7F) | data[at + 1] << 7
                at += 2
            else:
                length, at = varint_at(data, at, end, base, what)
        elif wire_type in _FIXED_WIDTH:
            length = _FIXED_WIDTH[wire_type]
        else:
            raise WireFailure(
                "malformed",
                f"field {field} of {what} has wire type {wire_type} (groups or invalid)",
                base + tag_at,
            )
        if length > end - at:
            raise WireFailure(
                "malformed",
                f"field {field} of {what} declares {length} bytes but {end - at} remain",
                base + tag_at,
            )
        yield field, wire_type, at, at + length
        at += length


def text(data: bytes, start: int, end: int, base: int, what: str) -> str:
    """A `string` field's payload; protobuf refuses one that is not UTF-8, and so does this."""
    try:
        return data[start:end].decode("utf-8")
    except UnicodeDecodeError as error:
        raise WireFailure(
            "malformed", f"{what} is not UTF-8 ({error.reason})", base + start + error.start
        ) from None


def packed_int32(data: bytes, start: int, end: int, base: int, what: str) -> list[int]:
    """The values of a packed `repeated int32` payload."""
    values: list[int] = []
    at = start
    while at < end:
        value, at = varint_at(data, at, end, base, what)
        values.append(int32(value))
    return values


def count_definitions(data: bytes, spans: list[tuple[int, int]], base: int) -> int:
    """How many of the occurrences in `spans` have the Definition bit (0x1) in `symbol_roles`
    (field 3, a varint; the last one on the wire wins, as for any singular field). Every field of
    every occurrence is checked as `scan` checks it; this is `scan` unrolled for speed, with the
    one-byte tag and length read inline, since a document can hold millions of occurrences."""
    definitions = 0
    for start, end in spans:
        at, roles = start, 0
        while at < end:
            tag_at = at
            tag = data[at]
            at += 1
            if tag >= 0x80:
                tag, at = varint_at(data, tag_at, end, base, "an occurrence")
            wire_type = tag & 7
            if wire_type == 0:
                if at < end and data[at] < 0x80:
                    value = data[at]
                    at += 1
                else:
                    value, at = varint_at(data, at, end, base, "an occurrence")
                if tag == 0x18:  # field 3, varint
                    roles = value
            elif wire_type == LENGTH_DELIMITED:
                if at < end and data[at] < 0x80:
                    at += data[at] + 1
                else:
                    length, at = varint_at(data, at, end, base, "an occurrence")
                    at += length
            elif wire_type in _FIXED_WIDTH:
                at += _FIXED_WIDTH[wire_type]
            else:
                at = end + 1  # reported by `scan` below
            if tag < 8 or at > end:
                # Something is wrong with this field: `scan` names it, with its offset.
                for _ in scan(data, tag_at, end, base, "an occurrence"):
                    pass
                raise AssertionError("unreachable: scan accepts what the fast path refused")
        definitions += roles & 1
    return definitions
