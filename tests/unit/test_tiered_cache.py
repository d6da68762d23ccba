"""The shared cache behind the filesystem cache, against an in-process HTTP server: hit, miss,
corrupt and oversized remote entries, a hanging server, 5xx, redirects, the auth header."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from loguru import logger

from codegenie_adapters import log
from codegenie_adapters.fs_cache import FsCache
from codegenie_adapters.fs_cache_entry import FORMAT_VERSION, encode_entry
from codegenie_adapters.http_remote import HttpRemote
from codegenie_adapters.local import LocalPorts
from codegenie_adapters.serde import envelope_to_json
from codegenie_adapters.tiered_cache import TieredCache
from codegenie_core.cache_keys import CacheKey
from codegenie_core.probe import Envelope
from tests.http_cache_server import CacheServer, serving
from tests.support import silence_adapters_log, typed

SECRET = "Bearer s3cr3t-t0ken-never-shown"


@attrs.frozen(kw_only=True)
class Facts:
    names: tuple[str, ...]
    count: int


def key(label: str) -> CacheKey:
    return CacheKey(hashlib.sha256(label.encode()).hexdigest())


def envelope(count: int = 1) -> Envelope:
    return Envelope(
        probe="facts", schema_version=1, confidence="high", slice=Facts(names=("x",), count=count)
    )


def entry_bytes(k: CacheKey, count: int = 1) -> bytes:
    return encode_entry(k.hex, envelope_to_json(envelope(count)))


def local_entry(root: Path, k: CacheKey) -> Path:
    return root / f"v{FORMAT_VERSION}" / "entries" / k.hex[:2] / f"{k.hex}.entry"


@pytest.fixture
def logged() -> Iterator[list[str]]:
    messages: list[str] = []
    log.enable("DEBUG")
    sink = logger.add(lambda m: messages.append(m.record["message"]), level="DEBUG")
    yield messages
    logger.remove(sink)
    silence_adapters_log()


@pytest.fixture
def server() -> Iterator[CacheServer]:
    with serving() as state:
        yield state


def tiered(
    root: Path,
    server: CacheServer,
    *,
    header: tuple[str, str] | None = None,
    max_bytes: int = 2**20,
    connect_timeout: float = 2.0,
    read_timeout: float = 2.0,
) -> TieredCache:
    remote = HttpRemote(
        server.url,
        header=header,
        max_bytes=max_bytes,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )
    return TieredCache(FsCache.open(str(root)), remote)


def gets(server: CacheServer) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.requests]


def test_a_remote_hit_is_verified_written_locally_and_then_served_from_disk(
    tmp_path: Path, server: CacheServer
) -> None:
    server.store[f"/cache/{key('a').hex}"] = entry_bytes(key("a"), 7)
    cache = tiered(tmp_path, server)
    assert typed(cache.get(key("a"), Facts)) == envelope(7)
    assert local_entry(tmp_path, key("a")).read_bytes() == entry_bytes(key("a"), 7)
    assert typed(cache.get(key("a"), Facts)) == envelope(7)
    assert gets(server) == [f"GET /cache/{key('a').hex}"]


def test_a_404_is_a_plain_miss_and_a_put_writes_the_same_bytes_remote_and_local(
    tmp_path: Path, server: CacheServer, logged: list[str]
) -> None:
    cache = tiered(tmp_path, server)
    assert cache.get(key("b"), Facts) is None
    assert not local_entry(tmp_path, key("b")).exists()
    cache.put(key("b"), envelope(3))
    on_disk = local_entry(tmp_path, key("b")).read_bytes()
    assert server.store[f"/cache/{key('b').hex}"] == on_disk
    assert cache.remote_on
    assert logged == []


def test_a_put_offers_the_remote_first_so_a_worker_killed_midway_leaves_nothing_local_only(
    tmp_path: Path, server: CacheServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tiered(tmp_path, server)

    def killed(*_: object) -> None:
        raise SystemExit("killed at the local write")

    monkeypatch.setattr(cache.local, "adopt", killed)
    with pytest.raises(SystemExit):
        cache.put(key("k"), envelope(2))
    assert f"/cache/{key('k').hex}" in server.store


@pytest.mark.parametrize("damage", ["flipped", "other-key", "not-an-envelope", "garbage"])
def test_a_corrupt_remote_entry_is_a_miss_and_is_not_written_locally(
    tmp_path: Path, server: CacheServer, logged: list[str], damage: str
) -> None:
    good = entry_bytes(key("c"))
    planted = {
        "flipped": good[:-2] + bytes([good[-2] ^ 1]) + good[-1:],
        "other-key": entry_bytes(key("someone else")),
        "not-an-envelope": encode_entry(key("c").hex, b"[1, 2, 3]"),
        "garbage": b"<html>hello</html>",
    }[damage]
    server.store[f"/cache/{key('c').hex}"] = planted
    cache = tiered(tmp_path, server)
    assert cache.get(key("c"), Facts) is None
    assert not local_entry(tmp_path, key("c")).exists()
    assert any(
        m.startswith(f"remote cache entry {server.url}/{key('c').hex} is damaged") for m in logged
    ), logged
    assert not any(m.startswith("cache entry") for m in logged), logged  # never reached the disk
    assert cache.remote_on  # a bad entry is not a failing remote: the put repairs it
    cache.put(key("c"), envelope())
    assert server.store[f"/cache/{key('c').hex}"] == good


def test_requests_share_a_keep_alive_connection(tmp_path: Path, server: CacheServer) -> None:
    cache = tiered(tmp_path, server)
    for label in ("r1", "r2", "r3"):
        assert cache.get(key(label), Facts) is None
    cache.put(key("r1"), envelope())
    assert len(server.requests) == 4
    assert len({r.client for r in server.requests}) == 1


def test_a_connection_the_server_dropped_while_idle_is_replaced_not_a_failure(
    tmp_path: Path, server: CacheServer, logged: list[str]
) -> None:
    server.behaviour = "silent-close"
    cache = tiered(tmp_path, server)
    for label in ("s1", "s2", "s3"):
        cache.put(key(label), envelope())
    assert cache.remote_on, logged
    assert sorted(server.store) == sorted(f"/cache/{key(k).hex}" for k in ("s1", "s2", "s3"))


def test_a_hanging_server_times_out_is_logged_once_and_the_remote_is_off_after(
    tmp_path: Path, server: CacheServer, logged: list[str]
) -> None:
    server.behaviour = "hang"
    cache = tiered(tmp_path, server, connect_timeout=0.5, read_timeout=0.3)
    started = time.monotonic()
    assert cache.get(key("d"), Facts) is None
    assert time.monotonic() - started < 3
    assert not cache.remote_on
    cache.put(key("d"), envelope())  # local only now
    assert cache.get(key("e"), Facts) is None
    assert len(server.requests) == 1  # a timeout is not retried; nothing after it
    assert typed(cache.get(key("d"), Facts)) == envelope()
    turned_off = [m for m in logged if "turned off" in m]
    assert turned_off == [
        f"remote cache {server.url} is turned off for this gather: timed out; going on with the "
        "local cache (see ADR-0051)"
    ]


def test_5xx_is_retried_a_bounded_number_of_times_then_the_remote_is_off(
    tmp_path: Path, server: CacheServer, logged: list[str]
) -> None:
    server.behaviour = "500"
    cache = tiered(tmp_path, server)
    assert cache.get(key("f"), Facts) is None
    assert len(server.requests) == 3  # one try and two retries
    cache.put(key("f"), envelope())
    assert cache.get(key("g"), Facts) is None
    assert len(server.requests) == 3
    assert sum("turned off" in m for m in logged) == 1
    assert any("HTTP 503" in m for m in logged)


def test_a_transient_5xx_is_retried_into_a_hit(tmp_path: Path, server: CacheServer) -> None:
    server.store[f"/cache/{key('h').hex}"] = entry_bytes(key("h"), 5)
    server.fail_first = 2
    cache = tiered(tmp_path, server)
    assert typed(cache.get(key("h"), Facts)) == envelope(5)
    assert len(server.requests) == 3
    assert cache.remote_on


def test_a_failing_put_turns_the_remote_off_and_the_local_entry_stays(
    tmp_path: Path, server: CacheServer, logged: list[str]
) -> None:
    server.behaviour = "403"
    cache = tiered(tmp_path, server)
    cache.put(key("i"), envelope())
    assert local_entry(tmp_path, key("i")).exists()
    assert not cache.remote_on
    assert any("HTTP 403 to a PUT" in m for m in logged)


def test_a_redirect_is_not_followed(tmp_path: Path, server: CacheServer, logged: list[str]) -> None:
    server.behaviour = "redirect"
    cache = tiered(tmp_path, server)
    assert cache.get(key("j"), Facts) is None
    assert gets(server) == [f"GET /cache/{key('j').hex}"]
    assert any("HTTP 301: redirects are not followed" in m for m in logged)


@pytest.mark.parametrize("behaviour", ["huge-length", "stream"])
def test_a_body_past_the_entry_bound_is_refused_while_reading(
    tmp_path: Path, server: CacheServer, logged: list[str], behaviour: str
) -> None:
    server.behaviour = behaviour
    cache = tiered(tmp_path, server, max_bytes=64 * 1024)
    started = time.monotonic()
    assert cache.get(key("k"), Facts) is None
    assert time.monotonic() - started < 5
    assert not local_entry(tmp_path, key("k")).exists()
    assert any("larger than the entry bound" in m for m in logged), logged


def test_the_auth_header_is_sent_and_never_logged(
    tmp_path: Path, server: CacheServer, logged: list[str]
) -> None:
    cache = tiered(tmp_path, server, header=("Authorization", SECRET))
    cache.get(key("l"), Facts)
    cache.put(key("l"), envelope())
    assert [r.headers.get("Authorization") for r in server.requests] == [SECRET, SECRET]
    server.behaviour = "403"
    tiered(tmp_path / "other", server, header=("Authorization", SECRET)).get(key("n"), Facts)
    assert logged
    assert not any("s3cr3t" in m for m in logged)


def test_an_unreachable_remote_is_logged_once_and_the_gather_goes_on(
    tmp_path: Path, logged: list[str]
) -> None:
    with serving() as gone:
        url = gone.url
    remote = HttpRemote(url, header=None, max_bytes=2**20)
    cache = TieredCache(FsCache.open(str(tmp_path)), remote)
    assert cache.get(key("o"), Facts) is None
    cache.put(key("o"), envelope())
    assert typed(cache.get(key("o"), Facts)) == envelope()
    assert sum("turned off" in m for m in logged) == 1


def test_a_remote_hit_is_served_from_memory_when_the_local_tier_is_off(
    tmp_path: Path, server: CacheServer
) -> None:
    server.store[f"/cache/{key('p').hex}"] = entry_bytes(key("p"), 9)
    cache = tiered(tmp_path, server)
    assert isinstance(cache.local, FsCache)
    cache.local.enabled = False
    assert typed(cache.get(key("p"), Facts)) == envelope(9)
    assert not local_entry(tmp_path, key("p")).exists()


def test_local_ports_build_the_tiered_store_only_when_a_remote_is_asked(
    tmp_path: Path, server: CacheServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODEGENIE_REMOTE_CACHE_HEADER", f"Authorization: {SECRET}")
    ports = LocalPorts()
    assert isinstance(ports.open_cache(str(tmp_path / "a"), max_bytes=2**20), FsCache)
    store = ports.open_cache(str(tmp_path / "b"), max_bytes=2**20, remote_cache=server.url)
    assert isinstance(store, TieredCache)
    store.get(key("q"), Facts)
    assert server.requests[0].headers["Authorization"] == SECRET
