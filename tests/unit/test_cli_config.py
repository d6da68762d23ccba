"""Options from `CODEGENIE_*` variables, the repository's and the user's config files, for every
option of every command, with CLI > environment > user > repository (ADR-0059, ADR-0081)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import attrs
import click
import pytest
from click.testing import CliRunner, Result

from codegenie_adapters.fakes import FakeRepo
from codegenie_cli import run
from codegenie_cli.config import ConfiguredGroup
from codegenie_cli.main import cli
from codegenie_core.ports import GitState
from codegenie_core.probe import Envelope, ProbeContext
from tests.support import CountSlice, registry_of, scripted
from tests.unit.test_cli import FakeAdapters


@pytest.fixture(autouse=True)
def test_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = registry_of(
        (scripted("count", declared_inputs=("**/*.py",)), "light"),
        (scripted("after", needs=("count",), declared_inputs=("README.md",)), "light"),
    )
    monkeypatch.setattr(run, "registry", lambda layers=None: registry)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    (path / ".codegenie").mkdir(parents=True)
    return path


@attrs.define
class Run:
    """Fakes to gather with, and the environment the command sees."""

    adapters: FakeAdapters
    env: dict[str, str]


def fakes(repo: Path, **env: str) -> Run:
    fake = FakeRepo(
        name="repo",
        files={"app/main.py": b"print('hi')\n", "README.md": b"# demo\n"},
        git=GitState(head="a" * 40, branch="main", dirty=False),
        history=["a" * 40],
    )
    return Run(
        adapters=FakeAdapters(repos={str(repo): fake}),
        env={"XDG_CONFIG_HOME": str(repo.parent / "xdg"), **env},
    )


def user_config(repo: Path, text: str) -> Path:
    path = repo.parent / "xdg" / "codegenie" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def invoke(run: Run, argv: list[str]) -> Result:
    return CliRunner().invoke(cli, argv, obj=run.adapters, env=run.env, catch_exceptions=False)


def gather(run: Run, repo: Path, *args: str) -> Result:
    return invoke(run, ["gather", str(repo), "--format", "json", *args])


def probes_run(result: Result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return sorted(json.loads(result.stdout)["probes"])


def test_the_repository_config_chooses_the_probes(repo: Path) -> None:
    (repo / ".codegenie" / "config.toml").write_text('probe = ["count"]\n')
    assert probes_run(gather(fakes(repo), repo)) == ["count"]


def test_pyproject_tool_codegenie_is_read_too(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.codegenie]\nprobe = "count"\n'
    )
    assert probes_run(gather(fakes(repo), repo)) == ["count"]


def test_precedence_is_cli_then_environment_then_user_then_repository(repo: Path) -> None:
    (repo / ".codegenie" / "config.toml").write_text('probe = ["count"]\n')
    assert probes_run(gather(fakes(repo), repo)) == ["count"]  # repository
    user_config(repo, 'probe = ["after"]\n')
    assert probes_run(gather(fakes(repo), repo)) == ["after", "count"]  # user over repository
    environment = fakes(repo, CODEGENIE_PROBE="count")
    assert probes_run(gather(environment, repo)) == ["count"]  # environment over user
    assert probes_run(gather(environment, repo, "--probe", "after")) == ["after", "count"]  # CLI


def shaky(ctx: ProbeContext) -> Envelope:
    return Envelope(
        probe="shaky", schema_version=1, confidence="low", slice=CountSlice(files=0),
        notes=("could not tell",),
    )  # fmt: skip


def test_a_repository_cannot_lift_the_operators_gate(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = registry_of((scripted("shaky", behaviour=shaky, declared_inputs=("**",)), "light"))
    monkeypatch.setattr(run, "registry", lambda layers=None: registry)
    user_config(repo, 'fail-on = ["low-confidence"]\n')
    (repo / ".codegenie" / "config.toml").write_text("fail-on = []\n")
    result = gather(fakes(repo), repo)
    assert result.exit_code == 3, result.stderr
    assert "fail-on low-confidence: probe shaky has low confidence" in result.stderr


def test_a_command_section_and_a_command_variable_win_over_the_generic_ones(repo: Path) -> None:
    user_config(repo, 'format = "md"\n[gather]\nformat = "json"\n')
    argv = ["gather", str(repo)]
    result = invoke(fakes(repo), argv)
    assert json.loads(result.stdout)["schema_version"] == 1
    env = fakes(repo, CODEGENIE_FORMAT="md", CODEGENIE_GATHER_FORMAT="json")
    result = invoke(env, argv)
    assert json.loads(result.stdout)["schema_version"] == 1


def test_flags_and_lists_come_from_the_environment_in_clicks_spelling(repo: Path) -> None:
    adapters = fakes(repo, CODEGENIE_PROBE="count after", CODEGENIE_NO_CACHE="1")
    gather(adapters, repo)
    second = gather(adapters, repo)
    assert {p["outcome"] for p in json.loads(second.stdout)["probes"].values()} == {"ran"}


def refused(result: Result) -> str:
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    return result.stderr.removeprefix("codegenie-cli: error: ").rstrip("\n")


def test_an_unknown_key_names_the_file_and_the_key(repo: Path) -> None:
    path = user_config(repo, "colour = true\n")
    message = refused(gather(fakes(repo), repo))
    assert message == f"{path}: unknown key 'colour': not an option of any command"
    user_config(repo, "[gather]\nstale = 1\n")
    assert refused(gather(fakes(repo), repo)).endswith(
        "unknown key 'gather.stale': not an option of gather"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('no-cache = "yes"\n', "no-cache: expected a boolean, got a string"),
        ("layer = 3\n", "layer: expected a string, got an integer"),
        ("cache-max-mb = 1.5\n", "cache-max-mb: expected an integer, got a float"),
        ("probe = [1]\n", "probe: expected a string or a list of them, got an array"),
        ("verbose = true\n", "verbose: expected an integer, got a boolean"),
    ],
)
def test_a_wrong_type_names_the_file_key_and_expected_type(
    repo: Path, text: str, expected: str
) -> None:
    path = user_config(repo, text)
    assert refused(gather(fakes(repo), repo)) == f"{path}: {expected}"


def test_a_value_click_refuses_names_where_it_came_from(repo: Path) -> None:
    message = refused(gather(fakes(repo, CODEGENIE_ENGINE="lxc"), repo))
    assert message.startswith(
        "environment variable CODEGENIE_ENGINE: Invalid value for '--engine': 'lxc' is not one of"
    )


@pytest.mark.parametrize(
    "key",
    ["cache-dir = '/tmp/elsewhere'", "output = 'x'", "engine = 'podman'", "trace-argv = true"],
)
def test_a_repository_may_not_set_where_things_go_or_what_runs(repo: Path, key: str) -> None:
    (repo / ".codegenie" / "config.toml").write_text(key + "\n")
    message = refused(gather(fakes(repo), repo))
    assert "may be set only by the user config or the environment" in message
    assert "see ADR-0059" in message


def test_invalid_toml_is_one_line_with_the_file_and_line(repo: Path) -> None:
    (repo / ".codegenie" / "config.toml").write_text('probe = ["count"]\nlayer = "a\n')
    message = refused(gather(fakes(repo), repo))
    assert message.startswith(f"{repo}/.codegenie/config.toml: invalid TOML: ")
    assert "(at line 2, column" in message


def test_a_pyproject_that_does_not_configure_codegenie_is_not_judged(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[project\nname = \n")  # the manifests probe says so
    assert probes_run(gather(fakes(repo), repo)) == ["after", "count"]


def test_a_huge_repository_config_is_refused_without_reading_it_whole(repo: Path) -> None:
    (repo / ".codegenie" / "config.toml").write_text("# x\n" * 300_000)
    assert refused(gather(fakes(repo), repo)).endswith("cannot be read: larger than 1 MiB")


def test_a_fifo_as_repository_config_does_not_hang(repo: Path) -> None:
    os.mkfifo(repo / ".codegenie" / "config.toml")
    started = time.monotonic()
    assert refused(gather(fakes(repo), repo)).endswith("cannot be read: not a regular file")
    assert time.monotonic() - started < 10


def test_a_repository_config_linking_outside_the_repository_is_refused(repo: Path) -> None:
    outside = user_config(repo, 'probe = ["count"]\n')
    (repo / ".codegenie").rmdir()
    (repo / ".codegenie").symlink_to(outside.parent)
    message = refused(gather(fakes(repo), repo))
    assert message.endswith("cannot be read: symlink leads outside the repository")


def test_an_option_added_to_any_command_is_configurable_without_touching_the_resolver(
    tmp_path: Path,
) -> None:
    @click.group(cls=ConfiguredGroup)
    def tool() -> None: ...

    @tool.group()
    def remote() -> None: ...

    @remote.command()
    @click.option("--remote-cache", default="none")
    @click.option("--retries", type=int, default=1)
    def push(remote_cache: str, retries: int) -> None:
        click.echo(f"{remote_cache} {retries}")

    config = tmp_path / "codegenie" / "config.toml"
    config.parent.mkdir()
    config.write_text('retries = 4\n[remote.push]\nremote-cache = "http://cache"\n')
    env = {"XDG_CONFIG_HOME": str(tmp_path), "CODEGENIE_RETRIES": ""}
    result = CliRunner().invoke(tool, ["remote", "push"], env=env, catch_exceptions=False)
    assert result.stdout == "http://cache 4\n"
    env["CODEGENIE_REMOTE_PUSH_RETRIES"] = "7"
    result = CliRunner().invoke(tool, ["remote", "push"], env=env, catch_exceptions=False)
    assert result.stdout == "http://cache 7\n"


def explained_key(repo: Path) -> str:
    result = CliRunner().invoke(
        cli, ["gather", str(repo), "--explain-key", "index_health", "--no-cache"],
        env={"XDG_CONFIG_HOME": str(repo.parent / "xdg")}, catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return next(line for line in result.stdout.splitlines() if line.startswith("key: "))


def test_a_config_file_value_that_shapes_facts_changes_the_cache_key(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.undo()  # the real registry: index_health declares `config:index_paths`
    (repo / "main.py").write_text("print(1)\n")
    plain = explained_key(repo)
    (repo / ".codegenie" / "config.toml").write_text('index-path = ["build/other.scip"]\n')
    assert explained_key(repo) != plain


def test_an_option_refusing_a_configured_value_says_where_it_was_set(repo: Path) -> None:
    path = user_config(repo, 'layer = "a,z"\n')
    assert refused(gather(fakes(repo), repo)) == (
        f"--layer takes a comma-separated list of a, b, c; got 'a,z' (set by {path}: layer)"
    )
    assert refused(gather(fakes(repo, CODEGENIE_LAYER="q"), repo)).endswith(
        "(set by environment variable CODEGENIE_LAYER)"
    )


def test_the_portfolio_group_loads_only_when_named_listed_or_a_config_is_validated() -> None:
    """A gather does not import the `portfolio` group (ADR-0091), yet a config file's
    `[portfolio.gather]` table is still checked against its options."""
    import subprocess
    import sys

    code = (
        "import sys, click\n"
        "from codegenie_cli.config import ConfigFile, validate\n"
        "from codegenie_cli.main import cli\n"
        "assert 'codegenie_cli.portfolio' not in sys.modules\n"
        "assert 'portfolio' in cli.list_commands(click.Context(cli))\n"
        "assert 'codegenie_cli.portfolio' not in sys.modules\n"
        "table = {'portfolio': {'gather': {'jobs': 2, 'store': 'x.db'}}}\n"
        "validate(ConfigFile(label='user.toml', kind='user', table=table), cli)\n"
        "assert 'codegenie_cli.portfolio' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
