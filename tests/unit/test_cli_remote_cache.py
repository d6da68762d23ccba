"""`--remote-cache` and `CODEGENIE_REMOTE_CACHE`: which one a gather uses, the URLs refused with
exit 2 in one line, and what `cache stats` and `cache clear` do with a configured remote."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from codegenie_adapters.local import LocalPorts
from codegenie_cli.main import cli
from codegenie_core.maintenance import EngineAbsent, SweepResult
from codegenie_core.request import GatherRequest, chosen_remote_cache, remote_cache_problem
from tests.http_cache_server import serving
from tests.unit.test_cli import adapters, invoke


def test_the_option_wins_over_the_environment_variable() -> None:
    fakes = adapters()
    fakes.env = {"CODEGENIE_REMOTE_CACHE": "http://from-env:8080/c"}
    assert invoke(fakes, "gather", "demo", "--remote-cache", "https://opt.example/c").exit_code == 0
    assert invoke(fakes, "gather", "demo").exit_code == 0
    assert invoke(fakes, "gather", "demo", "--no-cache").exit_code == 0
    assert fakes.remotes == ["https://opt.example/c", "http://from-env:8080/c"]


def test_without_either_no_remote_is_asked() -> None:
    fakes = adapters()
    fakes.env = {"CODEGENIE_REMOTE_CACHE": ""}
    assert invoke(fakes, "gather", "demo").exit_code == 0
    assert fakes.remotes == [None]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://cache.example/c", "must be an http:// or https:// URL"),
        ("file:///tmp/c", "must be an http:// or https:// URL"),
        (
            "http://bob:hunter2@cache.example/c",
            "must not hold user information (user:password@); send credentials in a header",
        ),
        ("http://cache.example:99999/c", "is not a well-formed URL"),
        ("http://cache.example:port/c", "is not a well-formed URL"),
        ("http:///c", "names no host"),
        ("http://cache.example/c?token=hunter2", "must not have a query or a fragment"),
        ("http://cache.example/c#x", "must not have a query or a fragment"),
        ("http://cache.example/a b", "holds whitespace or control characters"),
        ("cache.example/c", "must be an http:// or https:// URL"),
        ("http://caché.example/c", "is not ASCII (percent-encode the path, punycode the host)"),
    ],
)
def test_a_bad_url_is_exit_two_in_one_line_that_does_not_repeat_it(url: str, why: str) -> None:
    fakes = adapters()
    result = invoke(fakes, "gather", "demo", "--remote-cache", url)
    assert result.exit_code == 2
    assert result.stderr == (
        f"codegenie-cli: error: --remote-cache: the remote cache URL {why} (see ADR-0051)\n"
    )
    assert "hunter2" not in result.output
    assert fakes.remotes == []  # refused before any probe or cache is opened


def test_a_bad_url_in_the_environment_names_the_variable() -> None:
    fakes = adapters()
    fakes.env = {"CODEGENIE_REMOTE_CACHE": "gopher://x"}
    result = invoke(fakes, "gather", "demo")
    assert (result.exit_code, result.stderr) == (
        2,
        "codegenie-cli: error: CODEGENIE_REMOTE_CACHE: the remote cache URL must be an http:// "
        "or https:// URL (see ADR-0051)\n",
    )


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/cache", "https://cache.example", "HTTP://[::1]:9/a/b/"]
)
def test_good_urls_are_accepted(url: str) -> None:
    assert remote_cache_problem(url) is None
    assert chosen_remote_cache(None, {"CODEGENIE_REMOTE_CACHE": url}) == url
    assert GatherRequest(remote_cache=url).remote_cache == url


def test_the_request_value_refuses_a_bad_url_itself() -> None:
    from codegenie_core.errors import ConfigError

    with pytest.raises(ConfigError, match="remote_cache: the remote cache URL must not hold user"):
        GatherRequest(remote_cache="https://u:p@h/")


def test_cache_stats_names_a_configured_remote() -> None:
    fakes = adapters()
    fakes.env = {"CODEGENIE_REMOTE_CACHE": "http://cache.example/c"}
    lines = invoke(fakes, "cache", "stats").stdout.splitlines()
    assert (
        lines[-1]
        == "remote: http://cache.example/c (not counted here; `cache clear` leaves it alone)"
    )


class _NoEngine(LocalPorts):
    def sweep_engine(self, engine: str, *, everything: bool) -> SweepResult:
        return EngineAbsent(engine=engine, reason="not swept in this test")


def test_cache_clear_never_contacts_the_remote(tmp_path: Path) -> None:
    with serving() as server:
        result = CliRunner().invoke(
            cli,
            ["cache", "clear", "--cache-dir", str(tmp_path)],
            obj=_NoEngine(),
            env={"CODEGENIE_REMOTE_CACHE": server.url},
            catch_exceptions=False,
        )
        assert result.exit_code == 0
        assert server.requests == []


def test_a_malformed_header_variable_is_exit_two_and_never_shows_its_value(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("x = 1\n")
    with serving() as server:
        result = CliRunner().invoke(
            cli,
            ["gather", str(repo), "--layer", "a", "--cache-dir", str(tmp_path / "c")],
            obj=_NoEngine(),
            env={
                "CODEGENIE_REMOTE_CACHE": server.url,
                "CODEGENIE_REMOTE_CACHE_HEADER": "Authorization Bearer hunter2",
            },
            catch_exceptions=False,
        )
        assert result.exit_code == 2
        assert result.stderr.startswith(
            "codegenie-cli: error: CODEGENIE_REMOTE_CACHE_HEADER must be one header"
        )
        assert result.stderr.count("\n") == 1
        assert "hunter2" not in result.output
        assert server.requests == []
