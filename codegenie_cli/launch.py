"""The console-script entry point: `--version` and the top-level `--help` answered before click
(or anything else but the standard library's `os` and `sys`) is imported, everything else handed
to `codegenie_cli.main` (see ADR-0055).

Rule 1: the fast answers are byte for byte what click prints for the same argv; the top-level help
only where click would render it at its widest (a terminal of 80 columns or more, or no terminal),
so a narrower terminal still gets click's wrapping. `tests/unit/test_launch.py` holds both to
click's own output.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

# What `codegenie-cli --help` prints at click's widest (78 columns of text).
TOP_LEVEL_HELP = """\
Usage: codegenie-cli [OPTIONS] COMMAND [ARGS]...

  Gather trustworthy, cached, confidence-graded facts about a repository.

Options:
  --version   Show the version and exit.
  -h, --help  Show this message and exit.

Commands:
  cache         Inspect and maintain the cache.
  diff          Compare two context documents (JSON or YAML files), or...
  example-path  Print the path of the tiny example repository shipped in...
  gather        Run the probes over REPO and print (or write) the context...
  portfolio     Many repositories: gather them into a store, then query it.
  probes        List the registered probes: name, layer, heaviness,...
  schema        Print the JSON Schema (2020-12) of the context document...
"""
_HELP_FLAGS = (["--help"], ["-h"])
# click formats help to min(terminal columns, 80) - 2 columns, never fewer than 50.
_WIDEST_COLUMNS = 80


def fast_answer(argv: Sequence[str], columns: int) -> str | None:
    """What to print for `argv` without click, or None when click must answer."""
    args = list(argv)
    if args == ["--version"]:
        from codegenie_core import __version__  # the package's __init__ loads nothing else

        return f"codegenie-cli, version {__version__}\n"
    if args in _HELP_FLAGS and columns >= _WIDEST_COLUMNS:
        return TOP_LEVEL_HELP
    return None


def main(argv: Sequence[str] | None = None) -> None:
    """`codegenie-cli`: a fast answer when there is one, else the click application."""
    args = sys.argv[1:] if argv is None else list(argv)
    answer = fast_answer(args, _columns())
    if answer is not None:
        sys.stdout.write(answer)
        sys.stdout.flush()
        return
    from codegenie_cli.main import main as click_main

    click_main(args)


def _columns() -> int:
    """The width click would format for: `COLUMNS`, else the terminal's, else 80 (as
    `shutil.get_terminal_size`, without importing shutil)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    stdout = sys.__stdout__
    if stdout is None:
        return 80
    try:
        return os.get_terminal_size(stdout.fileno()).columns or 80
    except (ValueError, OSError):  # closed, detached, or not a terminal
        return 80
