"""`redact_argv` never shows an environment value or a hidden argument, and is idempotent."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.redact import redact_argv
from tests.strategies import url_names, url_passwords

_plain_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-/.=", max_size=8)
_env_words = st.tuples(
    st.sampled_from(["--env=", "-e", "--build-arg="]), url_names, url_passwords
).map(lambda w: (f"{w[0]}{w[1]}={w[2]}",))
_split_env_words = st.tuples(
    st.sampled_from(["--env", "-e", "--build-arg"]), url_names, url_passwords
).map(lambda w: (w[0], f"{w[1]}={w[2]}"))
_engine_words = st.lists(
    st.one_of(_plain_words.map(lambda w: (w,)), _env_words, _split_env_words), max_size=8
)


@given(_engine_words, st.lists(url_passwords, max_size=4), _plain_words)
def test_no_env_value_or_hidden_argument_is_shown(
    engine: list[tuple[str, ...]], program_args: list[str], program: str
) -> None:
    argv = [word for group in engine for word in group]
    shown = redact_argv([*argv, program, *program_args], program_tail=1 + len(program_args))
    assert [w for w in shown if "QP" in w] == []


@given(_engine_words, st.integers(min_value=0, max_value=4))
def test_redacting_twice_is_redacting_once(engine: list[tuple[str, ...]], tail: int) -> None:
    once = redact_argv([word for group in engine for word in group], program_tail=tail)
    assert redact_argv(once) == once
