"""What cache maintenance reports, and the port it goes through: `cache stats|clear|gc`.

The CLI reaches the cache's administration and the engine sweep through ports built by the
composition root, so those commands run against fakes in tests as `gather` does (see ADR-0034).
Sweep results are values: a missing engine is `EngineAbsent`, an engine error a line in `problems`
(see ADR-0022).
"""

from __future__ import annotations

from typing import Protocol

import attrs


@attrs.frozen(kw_only=True)
class CacheStats:
    root: str
    entries: int
    bytes: int


@attrs.frozen(kw_only=True)
class GcReport:
    entries: int  # evicted to get under the bound
    bytes: int  # evicted to get under the bound
    temp_files: int  # abandoned temp files older than an hour
    other_versions: int  # files removed with the directories of other format versions


class CacheAdmin(Protocol):
    """A cache's maintenance: what it holds, emptying it, bounding it."""

    def stats(self) -> CacheStats: ...

    def clear(self) -> int:
        """Remove every entry; returns how many were removed."""
        ...

    def gc(self, max_bytes: int) -> GcReport:
        """Evict the least recently used entries until the cache holds at most `max_bytes`."""
        ...


@attrs.frozen(kw_only=True)
class EngineSwept:
    engine: str
    containers: int
    volumes: int
    images: int  # labelled images removed (their untagged build layers go with them)
    problems: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class EngineAbsent:
    engine: str
    reason: str


SweepResult = EngineSwept | EngineAbsent
