"""`strip_credentials` never lets a password through, keeps ssh logins, and is idempotent."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.probes.layer_a.git import strip_credentials
from tests.strategies import url_hosts, url_passwords, url_paths, url_schemes, url_users


@given(url_schemes, url_users, url_passwords, url_hosts, url_paths)
def test_a_url_password_never_reaches_the_output(
    scheme: str, user: str, password: str, host: str, path: str
) -> None:
    url = f"{scheme}://{user}:{password}@{host}/{path}"
    assert password not in strip_credentials(url)


@given(url_users, url_passwords, url_hosts, url_paths)
def test_an_scp_like_password_never_reaches_the_output_and_the_login_stays(
    user: str, password: str, host: str, path: str
) -> None:
    stripped = strip_credentials(f"{user}:{password}@{host}:{path}")
    assert (password in stripped, stripped) == (
        False,
        f"{user}@{host}:{path}" if user else f"{host}:{path}",
    )


@given(url_schemes, st.sampled_from(["", "u@", "u:P1@"]), url_hosts, url_paths)
def test_stripping_is_idempotent(scheme: str, userinfo: str, host: str, path: str) -> None:
    once = strip_credentials(f"{scheme}://{userinfo}{host}/{path}")
    assert strip_credentials(once) == once


@given(st.text(max_size=40))
def test_any_text_without_an_at_sign_is_left_alone(text: str) -> None:
    url = text.replace("@", "")
    assert strip_credentials(url) == url
