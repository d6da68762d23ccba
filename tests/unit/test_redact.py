"""Redaction of remote URLs and logged command lines."""

from __future__ import annotations

import pytest

from codegenie_core.redact import hidden_arguments, redact_argv, strip_credentials


@pytest.mark.parametrize(
    ("url", "stripped"),
    [
        ("https://user:token@github.com/o/r.git", "https://github.com/o/r.git"),
        ("https://ghp_abc123@github.com/o/r.git", "https://github.com/o/r.git"),
        ("http://u:p@ss@host:8080/r", "http://host:8080/r"),
        ("https://u:p?ss#w@host/r", "https://host/r"),
        ("https://us%40er:p%3Ass@host/r", "https://host/r"),
        ("ssh://git:hunter2@host/r.git", "ssh://host/r.git"),
        ("ssh://git@host:2222/r.git", "ssh://host:2222/r.git"),
        ("ssh://git@[::1]:2222/r.git", "ssh://[::1]:2222/r.git"),
        ("git+ssh://:secret@host/r", "git+ssh://host/r"),
        ("ftps://u:p@host/r", "ftps://host/r"),
        ("https://host/o/r.git?access_token=ghp_x", "https://host/o/r.git"),
        ("https://host/o/r.git#frag", "https://host/o/r.git"),
        ("https://host?access_token=t/x", "https://host"),
        ("git@github.com:o/r.git", "github.com:o/r.git"),
        ("deploy:secret@host:o/r.git", "host:o/r.git"),
        ("git@host:o/r.git?access_token=t", "host:o/r.git"),
        ("git@[::1]:o/r.git", "[::1]:o/r.git"),
        ("[git@host:2222]:o/r.git", "[host:2222]:o/r.git"),
        ("host:o/@scope/r", "host:o/@scope/r"),
        ("https://github.com/o/@scope/r", "https://github.com/o/@scope/r"),
        ("/srv/git/r.git", "/srv/git/r.git"),
        ("../sibling", "../sibling"),
        ("file:///srv/git/r.git", "file:///srv/git/r.git"),
        ("file://u:p@/srv/r.git?x=1", "file:///srv/r.git"),
        ("hg::https://u:p@host/r?t=1", "hg::https://host/r"),
        ("codecommit::us-east-1://profile@repo", "codecommit::us-east-1://repo"),
        ("ext::ssh -i key -o Token=abc host %S 'r'", "ext::ssh ..."),
        ("ext::TOKEN=abc helper", "ext::..."),
        ("fd::3,4", "fd::3,4"),
    ],
)
def test_a_remote_keeps_scheme_host_port_and_path_only(url: str, stripped: str) -> None:
    assert strip_credentials(url) == stripped


def test_a_long_chain_of_transports_is_stripped_without_recursion() -> None:
    url = "a::" * 100_000 + "u:p@host:r"
    assert strip_credentials(url) == "a::" * 100_000 + "host:r"


def test_engine_environment_and_build_arg_values_are_masked() -> None:
    argv = (
        "docker", "run", "--env=TOKEN=s3cret", "-e", "KEY=v=1", "-eOTHER=x", "--env", "A=b",
        "--env=PASSTHROUGH", "--build-arg", "NPM_TOKEN=t", "--build-arg=B=c", "image",
    )  # fmt: skip
    assert redact_argv(argv) == (
        "docker", "run", "--env=TOKEN=***", "-e", "KEY=***", "-eOTHER=***", "--env", "A=***",
        "--env=PASSTHROUGH", "--build-arg", "NPM_TOKEN=***", "--build-arg=B=***", "image",
    )  # fmt: skip


def test_url_credentials_in_any_word_are_stripped() -> None:
    argv = ("git", "clone", "https://u:p@host/r?t=1", "--config=remote.x.url=ssh://a:b@h/r")
    assert redact_argv(argv) == (
        "git",
        "clone",
        "https://host/r",
        "--config=remote.x.url=ssh://h/r",
    )


def test_an_option_value_that_is_not_an_assignment_is_still_stripped() -> None:
    argv = ("run", "-e", "https://u:p@h/x", "--env=https://u:p@h/y=v", "prog", "a")
    assert redact_argv(argv, program_tail=2) == (
        "run", "-e", "https://h/x", "--env=https://h/y=***", "prog", hidden_arguments(1),
    )  # fmt: skip


def test_a_programs_arguments_beyond_its_first_are_a_count() -> None:
    argv = ("docker", "run", "--env=T=x", "image", "strace", "-f", "/app/server", "--token", "t")
    assert redact_argv(argv, program_tail=3) == (
        "docker", "run", "--env=T=***", "image", "strace", "-f", "/app/server", hidden_arguments(2),
    )  # fmt: skip
    assert redact_argv(argv, program_tail=1)[-1] == "t"
    assert redact_argv(("only",), program_tail=5) == ("only",)


def test_redacting_a_redacted_line_changes_nothing() -> None:
    argv = ("docker", "run", "-e", "A=b", "--env=C=d", "https://u:p@h/x", "prog", "a", "b")
    once = redact_argv(argv, program_tail=3)
    assert redact_argv(once) == once
