"""Content digests: git's blob object id, so a digest read from git's index and one computed from
the bytes agree for the same content (see ADR-0004); and, for a file too large to read, a digest of
its identity (see ADR-0026)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

STAT_DIGEST_PREFIX = "stat:"


_HASHERS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}  # cheaper than `hashlib.new` by name


def blob_digest(data: bytes, *, object_format: str = "sha1") -> str:
    """The git blob object id of `data` (`sha1` or `sha256` object format), as lowercase hex."""
    make = _HASHERS.get(object_format)
    hasher = hashlib.new(object_format) if make is None else make()
    hasher.update(b"blob %d\x00" % len(data))
    hasher.update(data)
    return hasher.hexdigest()


def problem_digest(reason: str) -> str:
    """The digest given to a file that cannot be read: stable for the same reason, never equal to
    a blob id (it has a prefix), so the key changes when the file heals."""
    return "unreadable:" + hashlib.sha256(reason.encode("utf-8", "surrogateescape")).hexdigest()


def link_digest(link_text: str, resolved: str) -> str:
    """A symlink's digest from the work tree: its link text with the digest of what it resolves to
    (or of why it cannot be read), so re-pointing a link changes the key even when neither target
    can be read, or both hold the same bytes (ADR-0082); never equal to a blob id (a prefix)."""
    hasher = hashlib.sha256()
    for part in (link_text, resolved):
        data = part.encode("utf-8", "surrogateescape")
        hasher.update(len(data).to_bytes(8, "big") + data)
    return "link:" + hasher.hexdigest()


def streamed_blob_digest(
    size: int, chunks: Iterable[bytes], *, object_format: str = "sha1"
) -> str | None:
    """`blob_digest` of the bytes `chunks` yields, which should come to `size` bytes (git's blob
    header needs the length first); None when they do not (the file changed while read)."""
    hasher = hashlib.new(object_format)
    hasher.update(b"blob %d\x00" % size)
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > size:
            return None
        hasher.update(chunk)
    return hasher.hexdigest() if seen == size else None


def stat_digest(identity: Iterable[int]) -> str:
    """The digest of a file by its identity (size, mtime_ns, ctime_ns, inode) rather than its
    bytes: any write moves ctime, so it changes when the content may have; it has a prefix, so it
    is never equal to a blob id or a problem digest (see ADR-0026)."""
    text = ",".join(str(part) for part in identity)
    return STAT_DIGEST_PREFIX + hashlib.sha256(text.encode("ascii")).hexdigest()
