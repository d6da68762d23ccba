"""`gather_task`: one portfolio task gathered where a worker runs it (a pool process, a Ray task).

Rule 1: a repository's failure is a `RepoFailed` value, never an exception: a `CodegenieError`
of the gather ("error"), a clone or fetch that fails ("clone"), and also an unexpected exception
(recorded as an internal error, so one repository cannot stop a portfolio of thousands).
Rule 2: a URL task is cloned once into `<cache_dir>/portfolio/clones/<digest of the URL>` and the
clone is reused; a reused clone is fetched and reset to the remote's HEAD first, so a document
always describes the remote as it is now (a failed fetch is a "clone" failure, never a stale
document). Clones go through `run_external_cli`, bounded by the task's timeout, with no prompt,
no hooks or templates, and only the https, ssh, git and file transports (see ADR-0062).
Rule 3: a clone appears at its final path whole or not at all (cloned beside it, then renamed).
Rule 4: each use of a clone touches its `<digest>` directory, so its mtime is its last use;
`remove_clones` removes every clone (`cache clear`) or those unused since a time (`cache gc`:
30 days; see ADR-0078).
Rule 5: resetting a reused clone runs none of the filter drivers its own configuration defines
(`head_start.neutral_environment`, ADR-0097); a fresh clone's configuration is git's own, and the
gather of a clone blanks them as any gather does.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import stat
import time

from codegenie_adapters.exec import run_external_cli
from codegenie_adapters.head_start import CONFIG, config_answer, neutral_environment
from codegenie_core.errors import CodegenieError
from codegenie_core.portfolio import RepoFailed, RepoGathered, RepoResult, RepoTask, TaskSpec

CLONES_DIR = ("portfolio", "clones")
_PARTIAL = ".partial-"
# Every git call of a clone: no hooks (a template could bring one; a fetch's ref updates would run
# the reference-transaction hook), no fsmonitor daemon.
_GIT = ("git", "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false")
MESSAGE_LIMIT = 300


def gather_task(task: RepoTask, spec: TaskSpec) -> RepoResult:
    """Gather one repository (cloning a URL first) and return its result as a value (Rule 1)."""
    from codegenie_adapters.api import gather_repository
    from codegenie_core.cache_keys import git_state_token

    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        root = task.key
        if task.kind == "url":
            root, problem = clone_or_update(task.key, _cache_dir(spec), timeout_s=spec.timeout_s)
            if problem is not None:
                return RepoFailed(task=task, reason="clone", message=problem, duration_ms=elapsed())
        gathered = gather_repository(
            root,
            config=spec.config,
            cache_dir=spec.cache_dir,
            cache_mode=spec.cache_mode,
            cache_max_bytes=spec.cache_max_bytes,
            jobs=spec.jobs_per_repo,
            remote_cache=spec.remote_cache,
        )
        document = gathered.to_document()
    except CodegenieError as error:
        return RepoFailed(
            task=task, reason="error", message=_one_line(error.message), duration_ms=elapsed()
        )
    except Exception as error:  # Rule 1: a bug in one repository's gather is recorded, not raised
        message = f"internal error, please report: {type(error).__name__}: {error}"
        return RepoFailed(
            task=task, reason="error", message=_one_line(message), duration_ms=elapsed()
        )
    state = gathered.repo.git
    return RepoGathered(
        task=task,
        head=None if state is None else state.head,
        state_token=git_state_token(state),
        document=document,
        duration_ms=elapsed(),
    )


def clone_path(cache_dir: str, url: str) -> str:
    """Where `url`'s clone lives: `<digest of the URL>/<name>`. The digest tells URLs apart; the
    name, the URL's last path word cut to safe characters, is the repository's name in its
    document (the directory's name, as for a local repository)."""
    digest = hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return os.path.join(cache_dir, *CLONES_DIR, digest, _repo_name(url))


def _repo_name(url: str) -> str:
    last = re.split(r"[/:]", url.rstrip("/"))[-1].removesuffix(".git")
    name = re.sub(r"[^A-Za-z0-9._-]", "_", last).lstrip(".")[:64]
    return name or "repo"


def _cache_dir(spec: TaskSpec) -> str:
    if spec.cache_dir:
        return spec.cache_dir
    from codegenie_adapters.cache_location import default_cache_dir

    return default_cache_dir(os.environ, os.path.expanduser("~"))


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_TERMINAL_PROMPT"] = "0"  # never ask for a user name or password
    env["GIT_ALLOW_PROTOCOL"] = "https:ssh:git:file"  # submodules and redirects included
    if "GIT_SSH_COMMAND" not in env and "GIT_SSH" not in env:
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"  # no password or host-key prompt
    return env


def clone_or_update(url: str, cache_dir: str, *, timeout_s: float) -> tuple[str, str | None]:
    """`url`'s clone under `cache_dir`, made or fetched (Rules 2, 3), and None; or where it would
    be and a one-line reason it could not be made or fetched."""
    final = clone_path(cache_dir, url)
    deadline = time.monotonic() + timeout_s
    parent, name = os.path.split(final)
    if os.path.isdir(os.path.join(final, ".git")):
        _mark_used(parent)
        return final, _update(final, deadline)
    try:
        os.makedirs(parent, exist_ok=True)
    except OSError as error:
        return final, _one_line(f"cannot make the clone directory {parent}: {error.strerror}")
    _mark_used(parent)
    _remove_stale_partials(parent, name)
    partial = os.path.join(parent, f"{_PARTIAL}{name}-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    argv = (*_GIT, "clone", "--quiet", "--template=", "--no-recurse-submodules", "--", url, partial)
    done = run_external_cli(argv, timeout_s=_left(deadline), env=_git_env())
    if not done.ok:
        shutil.rmtree(partial, ignore_errors=True)
        return final, _git_problem("git clone", done.exit_code, done.timed_out, done.stderr_tail())
    try:
        os.rename(partial, final)
    except OSError:  # another run made it meanwhile: theirs is as good as ours
        shutil.rmtree(partial, ignore_errors=True)
        if not os.path.isdir(os.path.join(final, ".git")):
            return final, _one_line(f"cannot move the clone into {final}")
    return final, None


def _update(clone: str, deadline: float) -> str | None:
    """Fetch the remote's HEAD into a reused clone and reset the work tree to it (Rule 2), none
    of the clone's own filter drivers running (Rule 5)."""
    argv = (*_GIT, "-C", clone, *CONFIG)
    asked = run_external_cli(argv, timeout_s=_left(deadline), env=_git_env())
    config = None if asked.truncated else config_answer(asked.exit_code, asked.stdout)
    if config is None:
        return _git_problem("git config", asked.exit_code, asked.timed_out, asked.stderr_tail())
    env = neutral_environment(_git_env(), config)
    steps = (
        ("git fetch", ("fetch", "--quiet", "--no-tags", "origin", "HEAD")),
        ("git reset", ("reset", "--quiet", "--hard", "FETCH_HEAD")),
        ("git clean", ("clean", "-q", "-ffdx")),
    )
    for what, args in steps:
        done = run_external_cli((*_GIT, "-C", clone, *args), timeout_s=_left(deadline), env=env)
        if not done.ok:
            return _git_problem(what, done.exit_code, done.timed_out, done.stderr_tail())
    return None


def _left(deadline: float) -> float:
    return max(1.0, deadline - time.monotonic())


def _git_problem(what: str, exit_code: int | None, timed_out: bool, stderr: str) -> str:
    if timed_out:
        return f"{what} timed out"
    if exit_code is None:
        return f"{what} could not start: {_one_line(stderr)}"
    lines = [line for line in stderr.splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    said = (fatal or lines or ["no message"])[0]
    return _one_line(f"{what} failed (exit {exit_code}): {said}")


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MESSAGE_LIMIT else line[: MESSAGE_LIMIT - 1] + "…"


def _remove_stale_partials(parent: str, name: str) -> None:
    """Drop half-made clones of this URL whose cloning process is gone (a killed worker's)."""
    with contextlib.suppress(OSError):
        for entry in os.listdir(parent):
            if not entry.startswith(f"{_PARTIAL}{name}-"):
                continue
            pid = entry.rsplit("-", 1)[-1]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(os.path.join(parent, entry), ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _mark_used(directory: str) -> None:
    """Rule 4: the clone's directory's mtime is now."""
    with contextlib.suppress(OSError):
        os.utime(directory)


def remove_clones(cache_dir: str, *, unused_since: float | None) -> int:
    """Remove the portfolio clones under `cache_dir` (Rule 4): every one when `unused_since` is
    None, else those last used before it (a time.time() value); how many were removed. A
    symlink or a file in their place is left alone."""
    top = os.path.join(cache_dir, *CLONES_DIR)
    try:
        names = os.listdir(top)
    except OSError:
        return 0
    removed = 0
    for name in names:
        path = os.path.join(top, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode):
            continue
        if unused_since is not None and st.st_mtime >= unused_since:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed += not os.path.lexists(path)
    return removed
