"""`strip_credentials` keeps scheme, host, port and path of every remote form git accepts, never
a secret (user-info, query, fragment, an `ext::` command's arguments), and is idempotent."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from codegenie_core.redact import strip_credentials
from tests.strategies import RemoteUrl, remote_urls


@given(remote_urls())
def test_no_secret_of_any_remote_form_reaches_the_output(remote: RemoteUrl) -> None:
    stripped = strip_credentials(remote.url)
    assert [s for s in remote.secrets if s in stripped] == []


@given(remote_urls())
def test_scheme_host_port_and_path_survive_exactly(remote: RemoteUrl) -> None:
    assert strip_credentials(remote.url) == remote.expected


@given(remote_urls())
def test_stripping_a_remote_is_idempotent(remote: RemoteUrl) -> None:
    once = strip_credentials(remote.url)
    assert strip_credentials(once) == once


@given(st.text(max_size=60) | st.text(alphabet=":@/?#[]a", max_size=30))
@example("@[@]:")  # `user@[host]:path`, its user gone, read as `[user@host]:path` on a 2nd pass
@example("u@[a]x:y/@z]:w")
def test_stripping_any_text_is_idempotent(text: str) -> None:
    once = strip_credentials(text)
    assert strip_credentials(once) == once


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789/._-~", max_size=40))
def test_a_plain_path_is_left_alone(path: str) -> None:
    assert strip_credentials(path) == path
