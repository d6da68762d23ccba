"""The shared cache's HTTP client: `GET` and `PUT` of `PREFIX/<key>`, the plain HTTP cache protocol
Bazel's HTTP cache, bazel-remote and nginx WebDAV serve (see ADR-0051).

Rule 1: every request has a connect timeout, a read timeout (per socket read) and a deadline for
the whole request. GET and PUT of an entry are idempotent, so a connection error or a 5xx is tried
again on a fresh connection, at most `RETRIES` times; a timeout is not (the budget is the point).
Rule 2: a body is read only up to `max_bytes`: a larger Content-Length, or more bytes than that
while reading, is refused without reading the rest.
Rule 3: redirects are not followed: a 3xx is a failure naming its status (point the URL at where
the cache is). A 404 is a plain miss.
Rule 4: the header (auth) is sent and never shown. A failure's text is built from fixed words, a
status code, an OSError's `strerror` and an exception's class name only: never a response body,
never an exception's own message (http.client repeats a header's value in some).
"""

from __future__ import annotations

import http.client
import re
import ssl
import threading
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

import attrs

from codegenie_core.errors import ConfigError

HEADER_VARIABLE = "CODEGENIE_REMOTE_CACHE_HEADER"
CONNECT_TIMEOUT_S = 2.0
READ_TIMEOUT_S = 10.0
DEADLINE_S = 60.0
RETRIES = 2
_BACKOFF_S = 0.1
_CHUNK = 1 << 16
_IDLE_MAX = 8
_STORED = (200, 201, 204)
# RFC 9110 §5.1 field-name = token; token = 1*tchar
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
# RFC 9110 §5.5 field-value = *field-content: visible characters, spaces and tabs between them
_FIELD_VALUE = re.compile(r"[\x21-\x7e\x80-\xff]([\t \x21-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?\Z")


@attrs.frozen(kw_only=True)
class Fetched:
    data: bytes


@attrs.frozen(kw_only=True)
class Absent:
    """404: the remote has no entry under this key."""


@attrs.frozen(kw_only=True)
class TooBig:
    """The entry is larger than the bound (Rule 2); `size` is its Content-Length when it said."""

    size: int | None


@attrs.frozen(kw_only=True)
class Stored:
    pass


@attrs.frozen(kw_only=True)
class Unavailable:
    """The remote did not answer as a cache does; `reason` holds no secret (Rule 4)."""

    reason: str


GetResult = Fetched | Absent | TooBig | Unavailable
PutResult = Stored | Unavailable


def remote_header(environ: Mapping[str, str]) -> tuple[str, str] | None:
    """The header `CODEGENIE_REMOTE_CACHE_HEADER` asks every request to carry, as `Name: value`
    (`Authorization: Bearer ...`), or None when unset or empty. A malformed one is a
    `ConfigError` that does not repeat the value."""
    text = environ.get(HEADER_VARIABLE, "")
    if not text:
        return None
    name, colon, value = text.partition(":")
    value = value.strip(" \t")
    if not colon or _TOKEN.match(name) is None or _FIELD_VALUE.match(value) is None:
        raise ConfigError(
            f"{HEADER_VARIABLE} must be one header, 'Name: value' (a token, a colon, a value "
            "without line breaks or control characters); its value is not shown (see ADR-0051)",
            variable=HEADER_VARIABLE,
        )
    return name, value


class HttpRemote:
    """GET and PUT of `<url>/<key hex>` over a few keep-alive connections the threads share."""

    def __init__(
        self,
        url: str,
        *,
        header: tuple[str, str] | None,
        max_bytes: int,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        read_timeout: float = READ_TIMEOUT_S,
        deadline: float = DEADLINE_S,
        retries: int = RETRIES,
    ) -> None:
        parts = urlsplit(url)  # already checked by `remote_cache_problem`
        self._https = parts.scheme.lower() == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self.origin = f"{parts.scheme.lower()}://{parts.netloc}{self._prefix}"
        self._headers = dict([header]) if header is not None else {}
        self._max_bytes = max_bytes
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._deadline = deadline
        self._retries = retries
        self._lock = threading.Lock()
        self._idle: list[http.client.HTTPConnection] = []  # shared by the probes' threads
        self._tls: ssl.SSLContext | None = None

    def get(self, key_hex: str) -> GetResult:
        answer = self._attempts("GET", key_hex, None)
        assert not isinstance(answer, Stored), "a GET never stores"
        return answer

    def put(self, key_hex: str, data: bytes) -> PutResult:
        answer = self._attempts("PUT", key_hex, data)
        assert isinstance(answer, Stored | Unavailable), "a PUT answers stored or unavailable"
        return answer

    def _attempts(self, method: str, key_hex: str, body: bytes | None) -> GetResult | PutResult:
        started = time.monotonic()
        answer: GetResult | PutResult = Unavailable(reason="not tried")
        for attempt in range(self._retries + 1):
            if attempt:
                time.sleep(_BACKOFF_S * attempt)
            answer, again = self._once(method, key_hex, body, started)
            if not again or time.monotonic() - started >= self._deadline:
                break
        return answer

    def _once(
        self, method: str, key_hex: str, body: bytes | None, started: float
    ) -> tuple[GetResult | PutResult, bool]:
        """One request: its answer, and whether trying again may help (Rule 1)."""
        connection: http.client.HTTPConnection | None = None
        try:
            connection = self._acquire()
            headers = dict(self._headers)
            if body is not None:
                headers["Content-Type"] = "application/octet-stream"
            connection.request(method, f"{self._prefix}/{key_hex}", body=body, headers=headers)
            response = connection.getresponse()
            answer = self._answer(method, response, started)
            if response.isclosed() and not response.will_close:  # the whole answer was read
                self._release(connection)
            else:
                connection.close()
            if answer is None:  # a 5xx
                return Unavailable(reason=f"HTTP {response.status}"), True
            return answer, False
        except TimeoutError:
            reason, again = "timed out", False
        except ssl.SSLError as error:
            reason, again = f"TLS: {error.reason or type(error).__name__}", False
        except OSError as error:
            reason, again = error.strerror or type(error).__name__, True
        except http.client.HTTPException as error:
            reason, again = f"bad HTTP answer ({type(error).__name__})", True
        except ValueError as error:  # http.client refusing what it was asked to send (Rule 4)
            reason, again = f"request refused by the HTTP client ({type(error).__name__})", False
        if connection is not None:
            connection.close()
        if again:  # the server may have closed every idle connection: start afresh
            self._close_idle()
        return Unavailable(reason=reason), again

    def _answer(
        self, method: str, response: http.client.HTTPResponse, started: float
    ) -> GetResult | PutResult | None:
        status = response.status
        if status >= 500:
            return None
        if 300 <= status < 400:
            return Unavailable(reason=f"HTTP {status}: redirects are not followed")
        if method == "PUT":
            if status in _STORED:
                self._drain(response, started)
                return Stored()
            return Unavailable(reason=f"HTTP {status} to a PUT")
        if status == 404:
            self._drain(response, started)
            return Absent()
        if status != 200:
            return Unavailable(reason=f"HTTP {status}")
        length = response.getheader("Content-Length")
        if length is not None and length.isdigit() and int(length) > self._max_bytes:
            return TooBig(size=int(length))
        data = self._read(response, self._max_bytes, started)
        return TooBig(size=None) if data is None else Fetched(data=data)

    def _read(self, response: http.client.HTTPResponse, bound: int, started: float) -> bytes | None:
        """The body, or None past `bound` bytes (Rule 2); past the deadline, `TimeoutError`."""
        chunks: list[bytes] = []
        total = 0
        while chunk := response.read(_CHUNK):
            total += len(chunk)
            if total > bound:
                return None
            if time.monotonic() - started > self._deadline:
                raise TimeoutError
            chunks.append(chunk)
        return b"".join(chunks)

    def _drain(self, response: http.client.HTTPResponse, started: float) -> None:
        """Read a small answer's body, so the connection can be reused; a big one is left unread
        and its connection closed."""
        self._read(response, _CHUNK, started)

    def _acquire(self) -> http.client.HTTPConnection:
        """An idle keep-alive connection, or a new one (connected within the connect timeout)."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        if self._https:
            if self._tls is None:
                self._tls = ssl.create_default_context()
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                self._host, self._port, timeout=self._connect_timeout, context=self._tls
            )
        else:
            connection = http.client.HTTPConnection(
                self._host, self._port, timeout=self._connect_timeout
            )
        try:
            connection.connect()
        except BaseException:
            connection.close()
            raise
        if connection.sock is not None:
            connection.sock.settimeout(self._read_timeout)
        return connection

    def _close_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _release(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < _IDLE_MAX:
                self._idle.append(connection)
                return
        connection.close()
