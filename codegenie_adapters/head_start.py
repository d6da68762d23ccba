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
starts a process (amending ADR-0001), and only the commands of `EARLY_QUESTIONS` and `CONFIG`.
Rule 3: only a directory with a `.git` git could take for its repository (a file, as a linked
work tree or a submodule has, or a directory holding `HEAD`) gets a head start: a work tree's top
has one, and a directory inside a repository (which is walked, not asked, ADR-0015) would
otherwise pay for a status of the whole repository around it (git looks past an empty `.git`).
Rule 4: no filter driver the repository's own configuration defines runs (`git_index`'s Rule 2,
ADR-0097): `CONFIG` is asked first, synchronously, and every command that may read a file's content
(`STATUS`, `LS_FILES`, a checkout) runs in `neutral_environment`, which blanks each such driver's
commands through `GIT_CONFIG_COUNT` (a driver's name may hold "=", so never as `-c`). `rev-parse`,
which reads no content, is started beside `CONFIG` in the plain environment.
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
# `dirty`: a submodule's own work tree is not looked inside (that would run git there, with the
# submodule's configuration and its filter drivers, Rule 4); a submodule at another commit than
# the one recorded is still an entry (ADR-0097).
STATUS = ("status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignore-submodules=dirty")
# The remotes' URLs and every filter driver's keys, each record after the scope it comes from:
# scope NUL key LF value NUL (`parse_config`).
CONFIG = ("config", "-z", "--show-scope", "--get-regexp", r"^remote\..*\.url$|^filter\.")
# What every gather of a work tree asks first (`GitWorkTree.detect` and `prefetch`), longest first;
# `CONFIG` before these (Rule 4).
EARLY_QUESTIONS = (STATUS, DETECT_WITH_HEAD, LS_FILES)
# Where a configuration entry comes from that the repository did not write: git's own, the
# user's, and the command's (`-c`, `GIT_CONFIG_COUNT`: the caller's). Every other scope (local,
# worktree, and what those include) is the repository's.
_TRUSTED_SCOPES = frozenset({"system", "global", "command"})
# The keys that blank a filter driver: no clean, smudge or long-running process, not required.
_NEUTRAL = (("clean", ""), ("smudge", ""), ("process", ""), ("required", "false"))
_CONFIG_TIMEOUT_S = 10.0


def parse_config(out: bytes) -> list[tuple[str, str, str]]:
    """`CONFIG`'s answer as (scope, key, value) records, decoded with `os.fsdecode`."""
    fields = out.split(b"\0")
    records: list[tuple[str, str, str]] = []
    for at in range(0, len(fields) - 1, 2):
        key, _, value = os.fsdecode(fields[at + 1]).partition("\n")
        records.append((os.fsdecode(fields[at]), key, value))
    return records


def repository_filter_drivers(out: bytes) -> list[str]:
    """The names of the filter drivers `CONFIG`'s answer shows the repository's own configuration
    defining (any key of `filter.<name>.*` outside `_TRUSTED_SCOPES`), sorted."""
    names: set[str] = set()
    for scope, key, _ in parse_config(out):
        if scope in _TRUSTED_SCOPES or not key.startswith("filter."):
            continue
        name, dot, _variable = key.removeprefix("filter.").rpartition(".")
        if dot:  # `filter.<variable>` has no name: no driver
            names.add(name)
    return sorted(names)


def neutral_environment(env: Mapping[str, str], config_out: bytes) -> dict[str, str]:
    """`env` with each filter driver of `repository_filter_drivers(config_out)` blanked (Rule 4):
    entries appended after any `GIT_CONFIG_COUNT` ones already there, so they win; key and value
    apart, so a name is taken whole whatever it holds. `env` itself when there is none."""
    names = repository_filter_drivers(config_out)
    if not names:
        return dict(env)
    count = env.get("GIT_CONFIG_COUNT", "")
    first = int(count) if count.isdigit() and count.isascii() else 0
    out = dict(env)
    at = first
    for name in names:
        for variable, value in _NEUTRAL:
            out[f"GIT_CONFIG_KEY_{at}"] = f"filter.{name}.{variable}"
            out[f"GIT_CONFIG_VALUE_{at}"] = value
            at += 1
    out["GIT_CONFIG_COUNT"] = str(at)
    return out


def config_answer(exit_code: int | None, stdout: bytes) -> bytes | None:
    """What `CONFIG` answered: its records (none when no key matched: git's exit 1), or None when
    it could not be read, and so which drivers to blank is not known."""
    if exit_code == 0:
        return stdout
    return b"" if exit_code == 1 else None


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
    `git_environment(environ)`, those that read content in its `neutral_environment` once
    `CONFIG` has answered (Rule 4), when `root` has a `.git` git may take (Rule 3); how many
    started."""
    dot_git = os.path.join(root, ".git")
    if not (os.path.isfile(dot_git) or os.path.lexists(os.path.join(dot_git, "HEAD"))):
        return 0
    env = git_environment(environ)
    started = int(start(git_argv(DETECT_WITH_HEAD), cwd=root, env=env))
    try:
        asked = subprocess.run(
            git_argv(CONFIG),
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            start_new_session=True,
            timeout=_CONFIG_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return started  # the adapter asks again, and meets the same problem
    config = config_answer(asked.returncode, asked.stdout)
    if config is None:
        return started  # not knowing which drivers to blank, start nothing that reads content
    neutral = neutral_environment(env, config)
    content = (STATUS, LS_FILES)
    return started + sum(start(git_argv(args), cwd=root, env=neutral) for args in content)


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
