"""`codegenie-cli portfolio gather SOURCE... --store PATH`: gather many repositories into a store.

Exit codes: 0 the run finished, whatever its repositories' results (a failed, crashed or timed
out repository is recorded with its reason, as a failed probe is); 2 bad usage, a bad SOURCE, a
bad store, an executor that cannot run (one line on stderr naming it); 130 interrupted (Ctrl-C),
143 terminated (SIGTERM), 129 hung up: workers stopped, what was recorded kept, and the same
command resumes the run, doing only what is left (see ADR-0061, ADR-0062).
Messages: a progress line on stderr when it is a terminal (done/total, rate, ETA, failures), and
one summary line at the end unless `-q`.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import click

from codegenie_cli.config import ConfiguredCommand
from codegenie_cli.gather_options import (
    configure_logging,
    gather_options,
    gather_request,
    is_terminal,
)
from codegenie_cli.signals import Terminated
from codegenie_cli.wiring import PortfolioAdapters, real_portfolio_adapters
from codegenie_core.errors import ConfigError
from codegenie_core.portfolio import (
    FAILURE_REASONS,
    Executor,
    Progress,
    RunOutcome,
    TaskSpec,
)

RAY_MODULE = "codegenie_adapters.ray_executor"
_REDRAW_S = 0.1


@click.command("gather", cls=ConfiguredCommand)
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--store",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="The portfolio store file (SQLite); made if missing, resumed if a run was interrupted.",
)
@click.option(
    "--executor",
    "executor_name",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local: a pool of worker processes here; ray: Ray tasks (pip install 'codegenie[ray]').",
)
@click.option(
    "--ray-address",
    default=None,
    metavar="ADDR",
    help="The Ray cluster to join [default: a local Ray the run starts and stops].",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (local) or tasks in flight (ray) "
    "[default: CODEGENIE_FORCE_CPU_COUNT or CPUs].",
)
@click.option(
    "--repo-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=600.0,
    show_default=True,
    metavar="S",
    help="Seconds one repository may take (clone included); past it its worker is stopped.",
)
@click.option(
    "--recursive",
    is_flag=True,
    help="A directory SOURCE holds repositories: gather every git work tree below it.",
)
@gather_options
@click.pass_context
def portfolio_gather(
    ctx: click.Context,
    sources: tuple[str, ...],
    store: str,
    executor_name: str,
    ray_address: str | None,
    jobs: int | None,
    repo_timeout: float,
    recursive: bool,
    verbose: int,
    quiet: bool,
    **options: Any,
) -> None:
    """Gather every repository the SOURCEs name (directories, `--recursive` trees, list files of
    paths and URLs) into the store at --store; failed repositories are recorded, not fatal."""
    from codegenie_core.cpu_budget import FORCE_CPU_COUNT_VARIABLE, effective_cpu_count
    from codegenie_core.portfolio import run_portfolio

    configure_logging(verbose, quiet)
    if ray_address is not None and executor_name != "ray":
        raise ConfigError("--ray-address needs --executor ray", variable="--ray-address")
    adapters = ctx.obj if isinstance(ctx.obj, PortfolioAdapters) else real_portfolio_adapters()
    from codegenie_core.request import chosen_remote_cache

    remote_cache = chosen_remote_cache(options.pop("remote_cache"), os.environ)
    request = gather_request(jobs=1, remote_cache=remote_cache, **options)
    cache_dir = None if request.cache_dir is None else os.path.abspath(request.cache_dir)
    spec = TaskSpec(
        config=request.config,
        cache_dir=cache_dir,
        cache_mode=request.cache_mode,
        cache_max_bytes=request.cache_max_bytes,
        jobs_per_repo=1,
        timeout_s=repo_timeout,
        remote_cache=request.remote_cache,
    )
    if jobs is None:
        try:
            jobs = effective_cpu_count(os.environ, os.cpu_count())
        except ValueError as error:
            raise ConfigError(str(error), variable=FORCE_CPU_COUNT_VARIABLE) from None
    planned = adapters.expand_sources(sources, recursive)
    # The workers log as the driver does (-v, -q): each runs this before its first task.
    worker_setup = functools.partial(configure_logging, verbose, quiet)
    executor = _executor(adapters, executor_name, jobs, ray_address, worker_setup)
    opened = adapters.open_store(store)
    bar = _ProgressBar(enabled=not quiet and is_terminal(sys.stderr))
    try:
        outcome = run_portfolio(
            planned,
            spec=spec,
            needs_engine="c" in spec.config.layers,
            store=opened,
            executor=executor,
            on_progress=bar.update,
        )
    except Terminated as stopped:
        bar.clear()
        why = "interrupted" if stopped.exit_code == 130 else f"terminated by {stopped.signal_name}"
        click.echo(
            f"codegenie-cli: {why}; {bar.recorded} results recorded in {store}; "
            "run the same command again to resume",
            err=True,
        )
        ctx.exit(stopped.exit_code)
    finally:
        executor.close()
        opened.close()
    bar.clear()
    if not quiet:
        click.echo(summary_line(outcome, store, bar.elapsed()), err=True)


def _executor(
    adapters: PortfolioAdapters,
    name: str,
    jobs: int,
    ray_address: str | None,
    worker_setup: Callable[[], None],
) -> Executor:
    if name == "local":
        return adapters.local_executor(adapters.gather, jobs, worker_setup)
    try:
        module: Any = importlib.import_module(RAY_MODULE)
    except ImportError as error:  # the same line the ray adapter gives without Ray (ADR-0064)
        raise ConfigError(
            f"--executor ray needs Ray, which is not importable here ({error}): "
            "pip install 'codegenie[ray]' (see ADR-0064)",
            variable="--executor",
        ) from None
    ray_executor: Callable[..., Executor] = module.RayExecutor
    return ray_executor(adapters.gather, address=ray_address, max_in_flight=jobs)


def summary_line(outcome: RunOutcome, store: str, elapsed_s: float) -> str:
    """The one line a run ends with: counts, failures by reason, time and rate."""
    failed = sum(outcome.failed.values())
    reasons = ", ".join(f"{r} {outcome.failed[r]}" for r in FAILURE_REASONS if r in outcome.failed)
    done = outcome.gathered + failed
    rate = done / elapsed_s if elapsed_s > 0 else 0.0
    resumed = f", {outcome.resumed} recorded before" if outcome.resumed else ""
    return (
        f"codegenie-cli: portfolio run {outcome.run_id}: {outcome.repositories} repositories"
        f"{resumed}; {outcome.gathered} gathered, {failed} failed"
        f"{f' ({reasons})' if reasons else ''} in {elapsed_s:.1f} s ({rate:.1f}/s); "
        f"stored in {store}"
    )


def progress_line(progress: Progress, elapsed_s: float) -> str:
    """The progress bar's text: done/total, a bar, rate, ETA and failures."""
    width = 24
    filled = width * progress.done // progress.total if progress.total else width
    rate = progress.done / elapsed_s if elapsed_s > 0 else 0.0
    left = progress.total - progress.done
    eta = f"{left / rate:.0f} s" if rate > 0 else "?"
    return (
        f"portfolio [{'#' * filled}{'.' * (width - filled)}] {progress.done}/{progress.total} "
        f"{rate:.1f}/s ETA {eta} failed {progress.failed}"
    )


class _ProgressBar:
    """Redraws the progress line on stderr at most every `_REDRAW_S`, when enabled (a TTY)."""

    def __init__(self, *, enabled: bool) -> None:
        self._enabled = enabled
        self._started = time.monotonic()
        self._drawn = 0.0
        self._shown = False
        self.recorded = 0

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def update(self, progress: Progress) -> None:
        self.recorded = progress.done
        now = time.monotonic()
        if not self._enabled or (now - self._drawn < _REDRAW_S and progress.done < progress.total):
            return
        self._drawn, self._shown = now, True
        click.echo(f"\r\033[K{progress_line(progress, self.elapsed())}", err=True, nl=False)

    def clear(self) -> None:
        if self._shown:
            click.echo("\r\033[K", err=True, nl=False)
            self._shown = False
