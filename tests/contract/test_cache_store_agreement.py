"""`InMemoryCache` (the fake), `FsCache` (the real adapter) and `TieredCache` (FsCache with an
HTTP remote behind it, read on the same machine and on another) agree on the `CacheStore` port."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codegenie_adapters.fakes import InMemoryCache
from codegenie_adapters.fs_cache import FsCache
from codegenie_adapters.http_remote import HttpRemote
from codegenie_adapters.tiered_cache import TieredCache
from codegenie_core.cache_keys import CacheKey
from codegenie_core.ports import CacheStore
from codegenie_core.probe import CachedEnvelope, Envelope
from tests.http_cache_server import CacheServer, serving
from tests.support import typed


@attrs.frozen(kw_only=True)
class Up:
    commit: str


@attrs.frozen(kw_only=True)
class Down:
    reason: str


@attrs.frozen(kw_only=True)
class Unrelated:
    commit: str


Status = Up | Down

StoreFactory = Callable[[Path], CacheStore]
# One in-process HTTP cache for the module, started on first use; the context manager is kept, or
# collecting it would stop the server. Its thread is a daemon, gone with the process.
_SERVING: list[tuple[AbstractContextManager[CacheServer], CacheServer]] = []


def _remote() -> HttpRemote:
    if not _SERVING:
        running = serving()
        _SERVING.append((running, running.__enter__()))
    return HttpRemote(_SERVING[0][1].url, header=None, max_bytes=2**20)


@attrs.define
class TwoMachines:
    """Puts on one machine's tiered cache, gets on another's (a fresh local tier each): every
    hit then comes through the remote, as on a second machine (ADR-0051)."""

    writer: TieredCache
    root: Path
    readers: int = 0

    def put(self, key: CacheKey, envelope: Envelope) -> None:
        self.writer.put(key, envelope)

    def get(self, key: CacheKey, slice_type: type[object]) -> CachedEnvelope | None:
        self.readers += 1
        local = FsCache.open(str(self.root / f"reader-{self.readers}"))
        return TieredCache(local, self.writer.remote).get(key, slice_type)


STORES: dict[str, StoreFactory] = {
    "fake": lambda _: InMemoryCache(),
    "fs": lambda root: FsCache.open(str(root / "cache")),
    "tiered": lambda root: TieredCache(FsCache.open(str(root / "cache")), _remote()),
    "remote": lambda root: TwoMachines(
        writer=TieredCache(FsCache.open(str(root / "writer")), _remote()), root=root
    ),
}


@pytest.fixture(params=sorted(STORES))
def make_store(request: pytest.FixtureRequest) -> StoreFactory:
    return STORES[request.param]


def key(label: str) -> CacheKey:
    return CacheKey(hashlib.sha256(label.encode()).hexdigest())


def envelope(value: object, *, notes: tuple[str, ...] = ()) -> Envelope:
    return Envelope(probe="status", schema_version=2, confidence="low", slice=value, notes=notes)


def test_a_put_envelope_comes_back_equal(make_store: StoreFactory, tmp_path: Path) -> None:
    store = make_store(tmp_path)
    store.put(key("k"), envelope(Up(commit="abc"), notes=("n",)))
    assert typed(store.get(key("k"), Up)) == envelope(Up(commit="abc"), notes=("n",))


def test_an_unknown_key_is_a_miss(make_store: StoreFactory, tmp_path: Path) -> None:
    store = make_store(tmp_path)
    store.put(key("k"), envelope(Up(commit="abc")))
    assert store.get(key("other"), Up) is None


def test_another_slice_type_is_a_miss(make_store: StoreFactory, tmp_path: Path) -> None:
    store = make_store(tmp_path)
    store.put(key("k"), envelope(Up(commit="abc")))
    assert (store.get(key("k"), Unrelated), store.get(key("k"), Down)) == (None, None)


def test_a_sum_type_slice_is_read_back_as_the_union(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    store = make_store(tmp_path)
    store.put(key("k"), envelope(Down(reason="r")))
    assert typed(store.get(key("k"), Status)) == envelope(Down(reason="r"))  # pyright: ignore[reportArgumentType] - a union is a slice type


def test_a_second_put_overwrites_the_first(make_store: StoreFactory, tmp_path: Path) -> None:
    store = make_store(tmp_path)
    store.put(key("k"), envelope(Up(commit="old")))
    store.put(key("k"), envelope(Up(commit="new")))
    assert typed(store.get(key("k"), Up)) == envelope(Up(commit="new"))


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    operations=st.lists(
        st.tuples(st.sampled_from("abc"), st.none() | st.text(max_size=5)), max_size=12
    )
)
def test_fake_and_real_answer_every_sequence_alike(
    tmp_path_factory: pytest.TempPathFactory, operations: list[tuple[str, str | None]]
) -> None:
    fake, real = InMemoryCache(), FsCache.open(str(tmp_path_factory.mktemp("agree")))
    for label, commit in operations:
        if commit is None:
            assert fake.get(key(label), Up) == real.get(key(label), Up)
        else:
            fake.put(key(label), envelope(Up(commit=commit)))
            real.put(key(label), envelope(Up(commit=commit)))
    for label in "abc":
        assert fake.get(key(label), Up) == real.get(key(label), Up)
