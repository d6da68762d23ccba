"""The byte format of one filesystem cache entry: a fixed header, then the JSON payload.

Rule 1: the header holds a magic, the format version, the key the entry was written for, the
payload length and the payload's sha256; `decode_entry` checks every one of them and returns the
reason it refuses, so a truncated, garbled, misplaced or foreign entry is a miss (see ADR-0008).
Rule 2: all integers are big-endian and fixed width, so the header is exactly `HEADER_SIZE` bytes.
"""

from __future__ import annotations

import hashlib
import re
import struct

FORMAT_VERSION = 2  # 2: the slice keeps field order, and is rendered as stored (ADR-0020)
MAGIC = b"CGNCACHE"
# magic (8 bytes) | format version (u16) | key (32 raw bytes) | payload length (u64) | sha256 (32)
_HEADER = struct.Struct(">8sH32sQ32s")
HEADER_SIZE = _HEADER.size
_KEY_HEX = re.compile(r"[0-9a-f]{64}\Z")


def is_key_hex(text: str) -> bool:
    """True for the 64 lowercase hex digits of a sha256 cache key."""
    return _KEY_HEX.match(text) is not None


def encode_entry(key_hex: str, payload: bytes) -> bytes:
    """The entry for `payload` stored under `key_hex`."""
    assert is_key_hex(key_hex), f"a cache key is 64 lowercase hex digits, not {key_hex!r}"
    digest = hashlib.sha256(payload).digest()
    header = _HEADER.pack(MAGIC, FORMAT_VERSION, bytes.fromhex(key_hex), len(payload), digest)
    return header + payload


def decode_entry(key_hex: str, data: bytes) -> bytes | str:
    """The payload of an entry read for `key_hex`, or the reason it cannot be trusted."""
    if len(data) < HEADER_SIZE:
        return f"truncated header ({len(data)} of {HEADER_SIZE} bytes)"
    magic, version, key, length, digest = _HEADER.unpack_from(data)
    if magic != MAGIC:
        return "not a codegenie cache entry (bad magic)"
    if version != FORMAT_VERSION:
        return f"entry format version {version}, expected {FORMAT_VERSION}"
    if key.hex() != key_hex:
        return f"entry was written for key {key.hex()[:12]}, not {key_hex[:12]}"
    payload = data[HEADER_SIZE:]
    if len(payload) != length:
        return f"payload is {len(payload)} bytes, header says {length}"
    if hashlib.sha256(payload).digest() != digest:
        return "payload checksum mismatch"
    return payload
