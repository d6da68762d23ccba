"""The cache of a gather with a shared cache: the filesystem cache first, the HTTP remote behind it.

Rule 1: both tiers hold the same self-verifying entry bytes (`fs_cache_entry`). A remote entry is
trusted only when its header verifies for the key asked (magic, version, key, length, sha256) and
its payload is an envelope; one that does not is a miss, logged once, and is not written locally.
Rule 2: a remote hit is written into the local tier atomically, then served from there; where the
local tier cannot take it (turned off), it is served from memory.
Rule 3: a put offers the remote the entry, then writes the local tier: a worker killed between the
two leaves nothing local only, so its retry, finding no local entry, asks the remote, and a later
gather with the local caches gone finds every entry (the portfolio cluster test found one that
the old order, local first, had kept from the remote).
Rule 4: the first remote failure (unreachable, timeout, 5xx after retries, 3xx, 401/403...) is
logged once, and the remote tier is off for the rest of this cache's life (one gather); the gather
goes on with the local tier. A 404 is a plain miss (see ADR-0051).
"""

from __future__ import annotations

import threading
from typing import Any, Protocol, assert_never

from codegenie_adapters import log
from codegenie_adapters.envelope_json import (
    EnvelopeDocument,
    admits,
    read_envelope_json,
)
from codegenie_adapters.fs_cache_entry import decode_entry
from codegenie_adapters.http_remote import (
    Absent,
    Fetched,
    GetResult,
    PutResult,
    Stored,
    TooBig,
    Unavailable,
)
from codegenie_core.cache_keys import CacheKey
from codegenie_core.ports import CacheStore
from codegenie_core.probe import CachedEnvelope, CacheEntryError, Envelope
from codegenie_core.spec import SliceRef


class LocalTier(Protocol):
    """What the tiered cache needs of the filesystem cache (`FsCache`)."""

    def get(self, key: CacheKey, slice_type: type[Any] | SliceRef) -> CachedEnvelope | None: ...
    def encode(self, key: CacheKey, envelope: Envelope) -> bytes | None: ...
    def adopt(self, key: CacheKey, data: bytes) -> bool: ...


class RemoteTier(Protocol):
    """What the tiered cache needs of the HTTP client (`HttpRemote`)."""

    @property
    def origin(self) -> str: ...
    def get(self, key_hex: str) -> GetResult: ...
    def put(self, key_hex: str, data: bytes) -> PutResult: ...


class TieredCache:
    """`CacheStore` over a local tier and a remote one."""

    def __init__(self, local: LocalTier, remote: RemoteTier) -> None:
        self.local = local
        self.remote = remote
        self.remote_on = True
        self._lock = threading.Lock()

    def get(self, key: CacheKey, slice_type: type[Any] | SliceRef) -> CachedEnvelope | None:
        hit = self.local.get(key, slice_type)
        if hit is not None or not self.remote_on:
            return hit
        answer = self.remote.get(key.hex)
        match answer:
            case Fetched(data=data):
                return self._adopted(key, data, slice_type)
            case Absent():
                return None
            case TooBig(size=size):
                told = "" if size is None else f" ({size} bytes)"
                self._damaged(key, f"larger than the entry bound{told}")
                return None
            case Unavailable(reason=reason):
                self._turn_off(reason)
                return None
            case _:
                assert_never(answer)

    def put(self, key: CacheKey, envelope: Envelope) -> None:
        data = self.local.encode(key, envelope)
        if data is None:
            return
        if self.remote_on:  # Rule 3: the remote first
            answer = self.remote.put(key.hex, data)
            match answer:
                case Stored():
                    pass
                case Unavailable(reason=reason):
                    self._turn_off(reason)
                case _:
                    assert_never(answer)
        self.local.adopt(key, data)

    def _adopted(
        self, key: CacheKey, data: bytes, slice_type: type[Any] | SliceRef
    ) -> CachedEnvelope | None:
        """Rules 1 and 2 for the bytes the remote sent."""
        payload = decode_entry(key.hex, data)
        if isinstance(payload, str):
            self._damaged(key, payload)
            return None
        try:
            document = read_envelope_json(payload)
        except (ValueError, TypeError):
            self._damaged(key, "payload is not an envelope")
            return None
        log.debug("remote cache hit {}", key.hex[:12])
        if self.local.adopt(key, data):
            return self.local.get(key, slice_type)
        if not admits(slice_type, document.slice_type):
            return None
        return CachedEnvelope(
            probe=document.probe,
            schema_version=document.schema_version,
            confidence=document.confidence,
            notes=document.notes,
            plain_slice=document.plain_slice,
            load=lambda: _structured(document, slice_type, key),
        )

    def _damaged(self, key: CacheKey, reason: str) -> None:
        log.warning(
            "remote cache entry {}/{} is damaged ({}); treating it as a miss",
            self.remote.origin,
            key.hex,
            reason,
        )

    def _turn_off(self, reason: str) -> None:
        with self._lock:
            if not self.remote_on:
                return
            self.remote_on = False
        log.warning(
            "remote cache {} is turned off for this gather: {}; going on with the local cache "
            "(see ADR-0051)",
            self.remote.origin,
            reason,
        )


def _structured(
    document: EnvelopeDocument, slice_type: type[Any] | SliceRef, key: CacheKey
) -> Envelope:
    from codegenie_adapters.serde import structured_or_problem

    structured = structured_or_problem(document, slice_type)
    if isinstance(structured, str):
        raise CacheEntryError(f"remote cache entry {key.hex} {structured}")
    return structured


_CONFORMS: type[CacheStore] = TieredCache
