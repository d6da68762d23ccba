"""An in-process HTTP cache on 127.0.0.1 for tests: GET/HEAD/PUT of paths into a dict, with
scripted misbehaviour (hang, 5xx, redirect, oversized bodies) and every request recorded."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import attrs


@attrs.define
class Request:
    method: str
    path: str
    headers: dict[str, str]
    client: tuple[str, int]  # the client's address: one per connection


@attrs.define
class CacheServer:
    """State the handler reads and writes. `behaviour` says how the next requests are answered:
    "store" (a plain cache), "silent-close" (a plain cache that drops each connection after its
    answer without saying so, as a keep-alive timeout does), "hang", "500", "redirect", "403",
    "huge-length" (a Content-Length past any bound, then a few bytes) or "stream" (an endless
    chunked body). `fail_first` answers that many requests with 500 before `behaviour` applies."""

    store: dict[str, bytes] = attrs.field(factory=dict[str, bytes])
    requests: list[Request] = attrs.field(factory=list[Request])
    behaviour: str = "store"
    fail_first: int = 0
    port: int = 0
    released: threading.Event = attrs.field(factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cache"


def _handler(state: CacheServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        body = b""

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self, status: int, body: bytes = b"", **headers: str) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _misbehaved(self) -> bool:
            state.requests.append(
                Request(self.command, self.path, dict(self.headers.items()), self.client_address)
            )
            self.body = b""
            if self.command == "PUT":
                self.body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if state.fail_first > 0:
                state.fail_first -= 1
                self._answer(500, b"boom")
                return True
            match state.behaviour:
                case "silent-close":
                    self.close_connection = True
                    return False
                case "hang":
                    state.released.wait(30)
                    self.close_connection = True
                case "500":
                    self._answer(503, b"unavailable")
                case "403":
                    self._answer(403, b"forbidden")
                case "redirect":
                    self._answer(301, Location=f"http://127.0.0.1:{state.port}/elsewhere")
                case "huge-length":
                    self.send_response(200)
                    self.send_header("Content-Length", str(10 * 2**30))
                    self.end_headers()
                    self.wfile.write(b"x" * 100)
                    self.close_connection = True
                case "stream":
                    self.send_response(200)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    chunk = b"y" * 4096
                    try:
                        for _ in range(10_000):
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    except OSError:
                        pass
                    self.close_connection = True
                case _:
                    return False
            return True

        def do_GET(self) -> None:
            if self._misbehaved():
                return
            data = state.store.get(self.path)
            if data is None:
                self._answer(404, b"not found")
            else:
                self._answer(200, data)

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_PUT(self) -> None:
            if self._misbehaved():
                return
            state.store[self.path] = self.body  # read by _misbehaved
            self._answer(201)

    return Handler


@contextmanager
def serving(state: CacheServer | None = None) -> Iterator[CacheServer]:
    """A running server for `state` (a fresh one by default) until the block ends."""
    state = state or CacheServer()
    handler = _handler(state)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.released.set()
        server.shutdown()
        server.server_close()
