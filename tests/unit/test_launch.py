"""The entry point answers `--version` and the top-level `--help` as click does, without click."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import cast

import pytest

from codegenie_cli.launch import TOP_LEVEL_HELP, fast_answer

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
