"""`InMemoryCache` (the fake) and `FsCache` (the real adapter) agree on the `CacheAdmin` port:
what `cache stats|clear|gc` report, and what is left after them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from codegenie_adapters.fakes import InMemoryCache
from codegenie_adapters.fs_cache import FsCache
from codegenie_core.cache_keys import CacheKey
from codegenie_core.probe import Envelope


@attrs.frozen(kw_only=True)
class Note:
    text: str


@attrs.define
class Both:
    """A store as the gather sees it and as `cache stats|clear|gc` see it."""

    store: InMemoryCache | FsCache
    admin: InMemoryCache | FsCache


Factory = Callable[[Path], Both]


def _fs(root: Path) -> Both:
    return Both(store=FsCache.open(str(root / "c")), admin=FsCache.for_admin(str(root / "c")))


def _fake(_: Path) -> Both:
    cache = InMemoryCache()
    return Both(store=cache, admin=cache)


FACTORIES: dict[str, Factory] = {"fake": _fake, "fs": _fs}


@pytest.fixture(params=sorted(FACTORIES))
def make(request: pytest.FixtureRequest) -> Factory:
    return FACTORIES[request.param]


def key(label: str) -> CacheKey:
    return CacheKey(hashlib.sha256(label.encode()).hexdigest())


def put(both: Both, label: str) -> None:
    envelope = Envelope(probe="p", schema_version=1, confidence="high", slice=Note(text=label))
    both.store.put(key(label), envelope)


def test_stats_count_what_was_put_and_an_empty_cache_holds_no_bytes(
    make: Factory, tmp_path: Path
) -> None:
    both = make(tmp_path)
    assert (both.admin.stats().entries, both.admin.stats().bytes) == (0, 0)
    for label in ("a", "b", "c"):
        put(both, label)
    stats = both.admin.stats()
    assert (stats.entries, stats.bytes > 0) == (3, True)


def test_clear_removes_every_entry_and_says_how_many(make: Factory, tmp_path: Path) -> None:
    both = make(tmp_path)
    put(both, "a")
    put(both, "b")
    assert both.admin.clear() == 2
    assert (both.admin.stats().entries, both.store.get(key("a"), Note)) == (0, None)


def test_gc_under_the_bound_evicts_nothing_and_to_zero_evicts_everything(
    make: Factory, tmp_path: Path
) -> None:
    both = make(tmp_path)
    put(both, "a")
    put(both, "b")
    held = both.admin.stats().bytes
    kept = both.admin.gc(held)
    assert (kept.entries, kept.bytes, both.admin.stats().entries) == (0, 0, 2)
    gone = both.admin.gc(1)
    assert (gone.entries, gone.bytes, both.admin.stats().entries) == (2, held, 0)
