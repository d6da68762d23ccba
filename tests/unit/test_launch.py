"""The entry point answers `--version` and the top-level `--help` as click does, without click."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest

from codegenie_cli.launch import GATHER_VALUE_OPTIONS, TOP_LEVEL_HELP, fast_answer, gather_repo
from tests.git_repos import committed_repo, isolate_git_config

# Runs the entry point as the console script does, then reports what it imported on stderr.
_PROBE = (
    "import json, sys\n"
    "from codegenie_cli.launch import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "finally:\n"
    "    sys.stdout.flush()\n"
    "    print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
)


def _run(code: str, *args: str, columns: str = "100") -> tuple[str, list[str], int]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": columns},
        check=False,
    )
    loaded = cast("list[str]", json.loads(done.stderr.splitlines()[-1]))
    return done.stdout, loaded, done.returncode


def _click(*args: str, columns: str = "100") -> tuple[str, int]:
    code = "import sys\nfrom codegenie_cli.main import main\nmain(sys.argv[1:])\n"
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": columns},
        check=False,
    )
    return done.stdout, done.returncode


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("-h",)])
def test_version_and_top_level_help_are_answered_before_click_is_imported(
    args: tuple[str, ...],
) -> None:
    stdout, loaded, code = _run(_PROBE, *args)
    assert code == 0
    assert stdout == _click(*args)[0]
    heavy = [
        m
        for m in loaded
        if m in ("click", "typing") or m.startswith(("codegenie_cli.main", "attr"))
    ]
    assert heavy == []


def test_the_fast_help_is_what_click_prints_at_its_widest() -> None:
    """Should a command be added or its help change, paste click's new text into
    `codegenie_cli.launch.TOP_LEVEL_HELP`."""
    assert _click("--help", columns="120") == (TOP_LEVEL_HELP, 0)


def test_a_narrow_terminal_gets_clicks_own_wrapping() -> None:
    assert fast_answer(["--help"], 79) is None
    stdout, loaded, code = _run(_PROBE, "--help", columns="60")
    assert (stdout, code) == _click("--help", columns="60")
    assert "click" in loaded


@pytest.mark.parametrize("args", [["--version", "x"], ["gather", "--help"], [], ["--verbose"]])
def test_anything_else_goes_to_click(args: list[str]) -> None:
    assert fast_answer(args, 100) is None


def test_the_gather_options_taking_a_value_are_clicks() -> None:
    """Should `gather` gain an option with a value, add its names to `GATHER_VALUE_OPTIONS`."""
    import click

    from codegenie_cli.main import gather

    taking = {
        name
        for param in gather.params
        if isinstance(param, click.Option) and not param.is_flag and not param.count
        for name in param.opts
    }
    assert taking == GATHER_VALUE_OPTIONS


@pytest.mark.parametrize(
    "args",
    [
        ["gather", "repo"],
        ["gather", "repo", "--format", "json", "-q"],
        ["gather", "--format", "json", "repo", "--layer", "a"],
        ["gather", "--format=json", "-qv", "repo"],
        ["gather", "-o", "out", "repo"],
        ["gather", "-oout", "repo"],
        ["gather", "-j2", "repo"],
        ["gather", "-vj", "2", "repo"],
        ["gather", "--cache-dir", "repo", "other"],
        ["gather", "--no-cache", "--", "-repo"],
        ["gather", "-v", "-"],
        ["gather", "--probe", "git", "--probe", "languages", "--refresh", "r"],
    ],
)
def test_the_head_start_finds_repo_where_click_does(args: list[str]) -> None:
    from codegenie_cli.main import gather

    context = gather.make_context("gather", args[1:])
    assert gather_repo(args) == context.params["repo"]


@pytest.mark.parametrize(
    "args",
    [
        ["gather"],
        ["gather", "a", "b"],
        ["gather", "repo", "--help"],
        ["gather", "-qh", "repo"],
        ["probes"],
        ["portfolio", "gather", "repo"],
        [],
    ],
)
def test_no_head_start_where_click_would_run_no_gather(args: list[str]) -> None:
    assert gather_repo(args) is None


def test_a_gather_from_the_entry_point_collects_git_started_before_click(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-vv` logs each git command, and says which ran ahead of its call (ADR-0091)."""
    isolate_git_config(monkeypatch)
    root = committed_repo(tmp_path / "repo", {"a.py": "print(1)\n"})
    code = "import sys\nfrom codegenie_cli.launch import main\nmain(sys.argv[1:])\n"
    argv = ["gather", str(root), "--cache-dir", str(tmp_path / "c"), "--layer", "a", "-vv"]
    done = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    ahead = [line for line in done.stderr.splitlines() if "started ahead" in line]
    assert len(ahead) == 3, done.stderr  # status, rev-parse, ls-files
    assert any("'status', '--porcelain=v1'" in line for line in ahead)
    # config: asked by the head start before status (ADR-0097), then by the adapter again
    assert any("'config', '-z'" in line for line in done.stderr.splitlines()), done.stderr


# Run as the program does (`main()`, no argv); an object whose teardown is visible, and an exit
# handler, both made before the command runs.
_AS_PROGRAM = (
    "import atexit, sys\n"
    "class Torn:\n"
    "    def __del__(self):\n"
    "        print('torn down', file=sys.__stderr__, flush=True)\n"
    "kept = Torn()\n"
    "atexit.register(lambda: print('exit handler ran', file=sys.stderr))\n"
    "sys.argv = ['codegenie-cli', *sys.argv[1:]]\n"
    "from codegenie_cli.launch import main\n"
    "main()\n"
)


@pytest.mark.parametrize(
    ("args", "code"), [(["probes", "--format", "json"], 0), (["gather", "/nonexistent"], 2)]
)
def test_a_finished_command_ends_after_its_exit_handlers_without_the_teardown(
    args: list[str], code: int
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _AS_PROGRAM, *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == code
    assert "exit handler ran" in done.stderr
    assert "torn down" not in done.stderr
    if code == 0:
        assert json.loads(done.stdout)  # the output is whole: flushed before the end
    else:
        assert "codegenie-cli: error: repository path does not exist" in done.stderr


def test_a_command_started_with_stdout_closed_ends_as_before() -> None:
    """With fd 1 closed at start `sys.stdout` is None: the end flushes only the streams there
    are, runs the exit handlers and keeps the command's code (it raised AttributeError, exit 1)."""
    shell = ["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-c", _AS_PROGRAM]
    done = subprocess.run(
        [*shell, "probes", "--format", "json"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "exit handler ran" in done.stderr


@pytest.mark.parametrize("closed", ["1", "2"])
def test_a_gather_started_with_stdout_or_stderr_closed_still_gathers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, closed: str
) -> None:
    """No stream to ask `isatty` of is no terminal: the gather runs, writes its documents and
    exits 0 (it raised AttributeError on `sys.stderr.isatty()`, or `sys.stdout`'s with no
    --format, and exited 1 with nothing written)."""
    isolate_git_config(monkeypatch)
    root = committed_repo(tmp_path / "repo", {"a.py": "print(1)\n"})
    out = tmp_path / "out"
    shell = ["sh", "-c", f'exec "$@" {closed}>&-', "sh", sys.executable, "-c", _AS_PROGRAM]
    args = ["gather", str(root), "--layer", "a", "--cache-dir", str(tmp_path / "c"), "-o", str(out)]
    done = subprocess.run([*shell, *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "context.json").read_text())["probes"]["languages"]


def test_a_portfolio_gather_started_with_stderr_closed_still_gathers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its progress bar asks the same question of a stream that may be None (it raised
    AttributeError on `sys.stderr.isatty()` and exited 1 with no repository gathered)."""
    isolate_git_config(monkeypatch)
    root = committed_repo(tmp_path / "repo", {"a.py": "print(1)\n"})
    store = tmp_path / "store.sqlite"
    shell = ["sh", "-c", 'exec "$@" 2>&-', "sh", sys.executable, "-c", _AS_PROGRAM]
    args = ["portfolio", "gather", str(root), "--store", str(store), "-j", "1", "--layer", "a",
            "--cache-dir", str(tmp_path / "c")]  # fmt: skip
    done = subprocess.run([*shell, *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
    with sqlite3.connect(store) as db:
        statuses = db.execute("SELECT status FROM repositories").fetchall()
    assert statuses == [("gathered",)]


def test_an_exit_that_is_not_a_code_or_a_caller_with_argv_gets_the_usual_exit() -> None:
    code = (
        "import sys\n"
        "class Torn:\n"
        "    def __del__(self):\n"
        "        print('torn down', file=sys.__stderr__, flush=True)\n"
        "kept = Torn()\n"
        "from codegenie_cli.launch import _end_process, main\n"
        "if sys.argv[1] == 'message':\n"
        "    _end_process(SystemExit('a message'))\n"
        "main(['probes', '--format', 'json'])\n"
    )
    for how, status, said in (("message", 1, "a message"), ("argv", 0, "")):
        done = subprocess.run(
            [sys.executable, "-c", code, how], capture_output=True, text=True, check=False
        )
        assert done.returncode == status
        assert said in done.stderr
        assert "torn down" in done.stderr


def test_no_head_start_outlives_the_command_that_started_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gather that stops on a usage error leaves no git process waiting for a later gather in
    the same process, which would otherwise collect an old answer (ADR-0091)."""
    from codegenie_adapters import head_start
    from codegenie_cli.launch import main

    isolate_git_config(monkeypatch)
    root = committed_repo(tmp_path / "repo", {"a.py": "print(1)\n"})
    with pytest.raises(SystemExit) as stopped:
        main(["gather", str(root), "--format", "nope"])
    assert stopped.value.code == 2
    assert head_start.waiting() == []
