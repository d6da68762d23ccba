"""The console-script entry point: `--version` and the top-level `--help` answered before click
(or anything else but the standard library's `os` and `sys`) is imported, everything else handed
to `codegenie_cli.main` (see ADR-0055); a `gather` of a git work tree gets git's first answers
started before anything else is imported (see ADR-0091).

Rule 1: the fast answers are byte for byte what click prints for the same argv; the top-level help
only where click would render it at its widest (a terminal of 80 columns or more, or no terminal),
so a narrower terminal still gets click's wrapping. `tests/unit/test_launch.py` holds both to
click's own output.
Rule 2: the head start for `gather` decides nothing: it guesses REPO from the command line as click
would parse it (`gather_repo`), and starts there the git commands the gather's repository adapter
runs first (`codegenie_adapters.head_start`, standard library only); the adapter collects each only
when it runs that same command in the same real path and environment, so a wrong guess costs
processes, never an answer.
Rule 3: run as the program (`main()` without argv: the console script, `python -m`), a command that
has finished ends its process once its output is flushed and its exit handlers have run
(`os._exit`), without the interpreter's teardown of what the gather built (tens of milliseconds
at 20,000 files, for nobody); where anything could still need the teardown (a thread other than
a daemon alive, an exit message that is not a code, a stream that cannot be flushed) it exits as
before (see ADR-0091). A caller passing argv (a test, an embedding) gets the usual `SystemExit`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

# Not `typing.TYPE_CHECKING`: `--version` imports nothing but `os` and `sys` (ADR-0055).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

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
# The options of `gather` that take a value (the next word, or after "=" or a short one's letter);
# `tests/unit/test_launch.py` holds this to click's command.
GATHER_VALUE_OPTIONS = frozenset(
    {
        *("-o", "--output", "--format", "-j", "--jobs", "--explain-key", "--explain-miss"),
        *("--fail-on", "--dockerfile", "--probe", "--layer", "--cache-dir", "--cache-max-mb"),
        *("--remote-cache", "--index-path", "--engine", "--build-network"),
    }
)
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
    answer = fast_answer(args, terminal_columns())
    if answer is not None:
        sys.stdout.write(answer)
        sys.stdout.flush()
        return
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")  # as `codegenie_cli.main` sets it
    repo = gather_repo(args)
    ahead = repo is not None and _start_git(repo)
    from codegenie_cli.main import main as click_main

    if argv is not None:
        try:
            click_main(args)
        finally:
            if ahead:  # none outlives the command that started it (ADR-0091)
                from codegenie_adapters.head_start import kill_waiting

                kill_waiting()
        return
    try:
        click_main(args)
    except SystemExit as done:
        _end_process(done)


def _end_process(done: SystemExit) -> NoReturn:
    """Rule 3: the process ends with `done`'s code, without the interpreter's teardown."""
    import atexit
    import threading

    code = 0 if done.code is None else done.code
    main_thread = threading.main_thread()
    others = [t for t in threading.enumerate() if t is not main_thread and not t.daemon]
    if not isinstance(code, int) or any(t.is_alive() for t in others):
        raise done
    if not _flushed():  # a closed or broken stream: the interpreter's exit reports it
        raise done from None
    atexit._run_exitfuncs()  # pyright: ignore[reportPrivateUsage]  # what the interpreter's exit runs first
    if not _flushed():
        raise done from None
    os._exit(code)


def _flushed() -> bool:
    """Whether stdout and stderr, where there are such streams (None when the process started
    with that descriptor closed), were flushed."""
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return False
    return True


def gather_repo(args: Sequence[str]) -> str | None:
    """REPO of `codegenie-cli gather [OPTIONS] REPO` as click parses `args`, or None when they are
    no such gather (another command, a help, not exactly one argument)."""
    if not args or args[0] != "gather":
        return None
    found: list[str] = []
    words = iter(args[1:])
    for word in words:
        if word == "--":
            found.extend(words)
            break
        if word in ("--help", "-h"):
            return None
        if word.startswith("--"):
            if word in GATHER_VALUE_OPTIONS:
                next(words, None)  # its value
        elif word.startswith("-") and word != "-":
            flags = word[1:]
            for index, letter in enumerate(flags):
                if letter == "h":
                    return None
                if f"-{letter}" in GATHER_VALUE_OPTIONS:
                    if index == len(flags) - 1:
                        next(words, None)  # its value is the next word
                    break  # else the rest of the word is its value
        else:
            found.append(word)
    return found[0] if len(found) == 1 else None


def _start_git(repo: str) -> bool:
    """Rule 2: git's first answers for the work tree at `repo`, started now; whether any was."""
    root = os.path.realpath(repo)
    if not os.path.isdir(root):
        return False  # the adapter says what is wrong with it
    from codegenie_adapters.head_start import start_git

    return start_git(root, os.environ) > 0


def terminal_columns(fallback: int = 80) -> int:
    """The terminal's width as `shutil.get_terminal_size((fallback, 24)).columns` gives it (what
    click formats for, with 80): `COLUMNS`, else the terminal's, else `fallback`; without
    importing shutil."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    stdout = sys.__stdout__
    if stdout is None:
        return fallback
    try:
        return os.get_terminal_size(stdout.fileno()).columns or fallback
    except (ValueError, OSError):  # closed, detached, or not a terminal
        return fallback
