"""git's first answers started before the gather's code is imported: the warm gather's head start.

A warm gather waits on `git status` (the longest of its git processes) more than on anything the
interpreter does, so the entry point starts it, and the few other commands every gather of a work
tree runs, before it imports click, attrs or the gather machinery (see ADR-0091). This module is
what it imports for that: the standard library only.

Rule 1: a head start decides nothing. It runs exactly the command the repository adapter would
(`git_argv`, in the real path it would run it in, in `git_environment`'s environment), and
`codegenie_adapters.exec.run_external_cli` collects it only for a call of that same argv, cwd and
environment (`claim`), which then reads it as if it had started it; a command never asked for (a
guess that was no work tree's top) is killed with its group when the command that started it is
done, or at exit; a second head start of the same command replaces the first. So a wrong guess
costs processes, never an answer, and an answer is as fresh as before: the command still starts
during this gather.
Rule 2: a process started here follows `exec`'s Rules 1 and 3 (its own session, stdin /dev/null);
its output is bounded by the call that collects it. This is the one place besides `exec` that
starts a process (amending ADR-0001), and only the commands of `EARLY_QUESTIONS`.
Rule 3: only a directory with a `.git` git could take for its repository (a file, as a linked
work tree or a submodule has, or a directory holding `HEAD`) gets a head start: a work tree's top
has one, and a directory inside a repository (which is walked, not asked, ADR-0015) would
otherwise pay for a status of the whole repository around it (git looks past an empty `.git`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence

# Variables that would point git at another repository, index or object store than `root`'s.
_LOCATION_VARIABLES = frozenset(
    {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
        "GIT_CEILING_DIRECTORIES",
        "GIT_PREFIX",
    }
)


def git_environment(base: Mapping[str, str]) -> dict[str, str]:
    """The environment every git child gets (`git_index`'s Rule 1)."""
    env = {k: v for k, v in base.items() if k not in _LOCATION_VARIABLES}
    env.update(
        GIT_OPTIONAL_LOCKS="0",
        LC_ALL="C",
        GIT_PAGER="cat",
        PAGER="cat",
        GIT_TERMINAL_PROMPT="0",
    )
    return env


def git_argv(args: Sequence[str]) -> tuple[str, ...]:
    """The command line of `git <args>`: fsmonitor off (`git_index`'s Rule 2)."""
    return ("git", "-c", "core.fsmonitor=false", *args)


# rev-parse prints one line per argument, in order: the top, the object format, HEAD's commit, its
# full symbolic name ("HEAD" when detached) and its short name as `symbolic-ref --short` gives it
# ("loose": `shorten_unambiguous_ref` without strict), then the "--" that keeps HEAD a revision.
DETECT_WITH_HEAD = (
    *("rev-parse", "--show-toplevel", "--show-object-format", "HEAD"),
    *("--symbolic-full-name", "HEAD", "--abbrev-ref=loose", "HEAD", "--"),
)
LS_FILES = ("ls-files", "--stage", "-z")
STATUS = ("status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignore-submodules=none")
REMOTE_URLS = ("config", "-z", "--get-regexp", r"^remote\..*\.url$")
# What every gather of a work tree asks first (`GitWorkTree.detect` and `prefetch`), longest first.
EARLY_QUESTIONS = (STATUS, DETECT_WITH_HEAD, LS_FILES, REMOTE_URLS)


class Started:
    """A process started ahead of its call, and what it was started with (Rule 1)."""

    __slots__ = ("env", "process", "started")

    def __init__(self, process: subprocess.Popen[bytes], env: Mapping[str, str]) -> None:
        self.process = process
        self.env = dict(env)
        self.started = time.monotonic()


_WAITING: dict[tuple[tuple[str, ...], str], Started] = {}
_LOCK = threading.Lock()
_REGISTERED: list[bool] = []  # non-empty once `kill_waiting` is an exit handler


def start_git(root: str, environ: Mapping[str, str]) -> int:
    """Start `EARLY_QUESTIONS` in `root` (a real path, as the adapter will run them in) with
    `git_environment(environ)`, when `root` has a `.git` git may take (Rule 3); how many started."""
    dot_git = os.path.join(root, ".git")
    if not (os.path.isfile(dot_git) or os.path.lexists(os.path.join(dot_git, "HEAD"))):
        return 0
    env = git_environment(environ)
    return sum(start(git_argv(args), cwd=root, env=env) for args in EARLY_QUESTIONS)


def start(argv: tuple[str, ...], *, cwd: str, env: Mapping[str, str]) -> bool:
    """Start `argv` in `cwd` for the first call of the same to collect (Rule 1), replacing one
    of the same still waiting (so a collected answer is never older than the latest head start);
    False when it could not start (the call then starts it itself, and meets the same problem)."""
    with _LOCK:
        replaced = _WAITING.pop((argv, cwd), None)
        try:
            process = subprocess.Popen(
                argv,
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except (FileNotFoundError, PermissionError, NotADirectoryError):
            process = None
        if process is not None:
            if not _REGISTERED:
                atexit.register(kill_waiting)
                _REGISTERED.append(True)
            _WAITING[(argv, cwd)] = Started(process, env)
    if replaced is not None:
        _kill(replaced)
    return process is not None


def claim(argv: tuple[str, ...], cwd: str | None, env: Mapping[str, str] | None) -> Started | None:
    """The process started for exactly this call, taken so that no other call collects it."""
    if not _WAITING or cwd is None or env is None:
        return None
    with _LOCK:
        started = _WAITING.get((argv, cwd))
        if started is None or started.env != env:
            return None
        del _WAITING[(argv, cwd)]
    return started


def waiting() -> list[tuple[tuple[str, ...], str, int]]:
    """The argv, cwd and pid of each process started ahead and not yet collected."""
    with _LOCK:
        return [(argv, cwd, s.process.pid) for (argv, cwd), s in _WAITING.items()]


def kill_waiting() -> None:
    """Kill each process still waiting, with its group: at exit (a process nobody asked for
    leaves nothing behind, Rule 1), and when the command that started them is done."""
    with _LOCK:
        unclaimed = list(_WAITING.values())
        _WAITING.clear()
    for started in unclaimed:
        _kill(started)


def _kill(started: Started) -> None:
    with contextlib.suppress(ProcessLookupError):  # it has exited already; its group is gone
        os.killpg(started.process.pid, signal.SIGKILL)
    started.process.wait()
    for stream in (started.process.stdout, started.process.stderr):
        if stream is not None:
            stream.close()
