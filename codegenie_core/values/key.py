"""The cache key as a value; `codegenie_core.cache_keys` computes it (and re-exports it)."""

from __future__ import annotations

import attrs


@attrs.frozen
class CacheKey:
    """A content-addressed key: the sha256 of a probe's encoded inputs, in hex."""

    hex: str
