"""Content digests: git's blob object id, so a digest read from git's index and one computed from
the bytes agree for the same content (see ADR-0004)."""

from __future__ import annotations

import hashlib


def blob_digest(data: bytes, *, object_format: str = "sha1") -> str:
    """The git blob object id of `data` (`sha1` or `sha256` object format), as lowercase hex."""
    hasher = hashlib.new(object_format)
    hasher.update(b"blob %d\x00" % len(data))
    hasher.update(data)
    return hasher.hexdigest()


def problem_digest(reason: str) -> str:
    """The digest given to a file that cannot be read: stable for the same reason, never equal to
    a blob id (it has a prefix), so the key changes when the file heals."""
    return "unreadable:" + hashlib.sha256(reason.encode("utf-8", "surrogateescape")).hexdigest()
