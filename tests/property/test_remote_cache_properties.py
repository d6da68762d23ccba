"""The remote cache's URL and header checks, over arbitrary text: they never raise anything but
`ConfigError`, what they accept is what the HTTP client can use, and no refusal repeats the
input (it may hold a secret; ADR-0051)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters.http_remote import HEADER_VARIABLE, remote_header
from codegenie_core.errors import ConfigError
from codegenie_core.request import check_remote_cache, remote_cache_problem

SECRET = "Zq9sekrit"
_URL_PIECES = st.sampled_from(
    ["http://", "https://", "ftp://", "HTTP://", "h", "@", ":", "/", "?", "#", "[", "]", "::1",
     "127.0.0.1", "cache.example", ":8080", ":0", ":99999", " ", "\t", "\n", "%", "u:p@", "é",
     SECRET]
)  # fmt: skip
urls = st.one_of(st.text(max_size=60), st.lists(_URL_PIECES, max_size=8).map("".join))


@given(urls)
def test_an_accepted_url_is_http_with_a_host_and_no_credentials_query_or_fragment(
    url: str,
) -> None:
    if remote_cache_problem(url) is not None:
        return
    assert url.isascii()
    parts = urlsplit(url)
    assert parts.scheme.lower() in ("http", "https")
    assert parts.hostname
    assert "@" not in parts.netloc
    assert not parts.query
    assert not parts.fragment
    assert parts.port is None or 0 < parts.port < 65536


@given(urls)
def test_a_refused_url_is_a_config_error_that_never_repeats_it(url: str) -> None:
    try:
        assert check_remote_cache(url, source="--remote-cache") == url
    except ConfigError as error:
        assert SECRET not in error.message
        assert "\n" not in error.message


_HEADER_PIECES = st.sampled_from(
    ["Authorization", ":", " ", "Bearer ", SECRET, "\r\n", "\x00", "\t", "X-A", "é", "(", "="]
)
headers = st.one_of(st.text(max_size=40), st.lists(_HEADER_PIECES, max_size=6).map("".join))


@given(headers)
def test_a_header_is_accepted_only_as_a_token_and_a_clean_value_and_never_shown(
    text: str,
) -> None:
    try:
        parsed = remote_header({HEADER_VARIABLE: text})
    except ConfigError as error:
        assert SECRET not in error.message
        return
    if not text:
        assert parsed is None
        return
    assert parsed is not None
    name, value = parsed
    assert name and all(
        c.isascii() and c.isprintable() and c not in ' :"(),/;<=>?@[\\]{}' for c in name
    )
    assert value and not any(c in value for c in "\r\n\x00")
    assert value == value.strip(" \t")


@pytest.mark.parametrize("text", ["Authorization: Bearer x", "X-Token:abc", "A:  b c  "])
def test_well_formed_headers_parse(text: str) -> None:
    name, _, value = text.partition(":")
    assert remote_header({HEADER_VARIABLE: text}) == (name, value.strip())
