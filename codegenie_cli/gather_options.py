"""The options `gather` and `portfolio gather` share, written once: what the probes see, how the
cache is used, and the messages (`-v`/`-q`; the log sink they configure). The CPU budget `-j` is
not shared: in a portfolio it sizes the worker pool."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO, TypeVar, cast

import click

from codegenie_core.errors import ConfigError
from codegenie_core.probe_types import LAYERS, Layer

if TYPE_CHECKING:
    from codegenie_core.config import BuildNetwork
    from codegenie_core.request import GatherRequest

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS: tuple[Callable[[Callable[..., Any]], Callable[..., Any]], ...] = (
    click.option(
        "--probe",
        "probes",
        multiple=True,
        metavar="NAME",
        help="Run only this probe (and what it needs). Repeatable.",
    ),
    click.option(
        "--layer",
        "layers",
        default="a,b,c",
        show_default=True,
        help="Comma-separated layers to run: a (static), b (index), c (runtime).",
    ),
    click.option(
        "--cache-dir",
        type=click.Path(path_type=str),
        default=None,
        help="Cache directory [default: CODEGENIE_CACHE_DIR or the user cache dir].",
    ),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
    click.option("--refresh", is_flag=True, help="Recompute every probe and overwrite its entry."),
    click.option(
        "--cache-max-mb",
        type=click.IntRange(min=1),
        default=1024,
        show_default=True,
        help="Cache size bound; least recently used entries are evicted.",
    ),
    click.option(
        "--remote-cache",
        metavar="URL",
        default=None,
        help="A shared HTTP cache (GET/PUT of URL/<key>) behind the local one "
        "[default: CODEGENIE_REMOTE_CACHE].",
    ),
    click.option(
        "--index",
        "make_index",
        is_flag=True,
        help="Run the SCIP indexers when an index is missing or stale.",
    ),
    click.option(
        "--index-path",
        "index_paths",
        multiple=True,
        metavar="PATH",
        help="Another repo-relative SCIP index to judge. Repeatable.",
    ),
    click.option(
        "--engine",
        type=click.Choice(["docker", "podman"]),
        default="docker",
        show_default=True,
        help="Container engine CLI for the runtime trace.",
    ),
    click.option(
        "--trace-argv", is_flag=True, help="Keep full argv in runtime traces (may record secrets)."
    ),
    click.option(
        "--keep-images",
        is_flag=True,
        help="Keep each runtime-trace image after its trace "
        "[default: removed; the result is cached].",
    ),
    click.option(
        "--build-network",
        type=click.Choice(["default", "none"]),
        default="default",
        show_default=True,
        help="Network for the runtime trace's image build: the one place repository code can reach "
        "the network (scenarios never can).",
    ),
    click.option(
        "--pull",
        is_flag=True,
        help="Let the engine pull a missing base image before the runtime trace's build "
        "[default: off; the trace is then image-digest-unresolved].",
    ),
    click.option(
        "--seccomp-profile",
        is_flag=True,
        help="Profile every runtime-trace scenario's syscalls (one more pass each) and write a "
        "seccomp profile to DIR/seccomp/<dockerfile>.json with --output.",
    ),
    click.option("-v", "--verbose", count=True, help="More messages on stderr (-vv for debug)."),
    click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr."),
)


def gather_options(func: F) -> F:
    """Apply the shared options, in the order `--help` lists them."""
    decorated: Callable[..., Any] = func
    for option in reversed(_OPTIONS):
        decorated = option(decorated)
    return cast("F", decorated)


def parse_layers(value: str) -> frozenset[Layer]:
    chosen: set[Layer] = set()
    for part in (p.strip().lower() for p in value.split(",")):
        if part not in LAYERS:
            raise ConfigError(
                f"--layer takes a comma-separated list of a, b, c; got {value!r}",
                variable="--layer",
            )
        chosen.add(part)
    return frozenset(chosen)


def gather_request(
    *,
    probes: tuple[str, ...],
    layers: str,
    cache_dir: str | None,
    no_cache: bool,
    refresh: bool,
    cache_max_mb: int,
    make_index: bool,
    index_paths: tuple[str, ...],
    engine: str,
    trace_argv: bool,
    keep_images: bool,
    build_network: str,
    jobs: int | None,
    remote_cache: str | None,
    seccomp_profile: bool = False,
    pull: bool = False,
    dockerfiles: tuple[str, ...] = (),
) -> GatherRequest:
    """The gather request the shared options (and a CPU budget) say; `remote_cache` is the URL
    already chosen and checked (`chosen_remote_cache`)."""
    from codegenie_core.config import GatherConfig
    from codegenie_core.request import GatherRequest

    return GatherRequest(
        config=GatherConfig(
            layers=parse_layers(layers),
            probes=probes,
            make_index=make_index,
            index_paths=index_paths,
            engine=engine,
            trace_argv=trace_argv,
            keep_images=keep_images,
            build_network=cast("BuildNetwork", build_network),
            seccomp_profile=seccomp_profile,
            pull=pull,
            dockerfiles=dockerfiles,
        ),
        cache_dir=cache_dir,
        cache_mode="off" if no_cache else ("refresh" if refresh else "use"),
        cache_max_bytes=cache_max_mb * 2**20,
        jobs=jobs,
        remote_cache=remote_cache,
    )


def _log_format(record: Any) -> str:
    """One line per message, in the same shape as the CLI's own errors."""
    return f"codegenie-cli: {record['level'].name.lower()}: {{message}}\n{{exception}}"


def is_terminal(stream: TextIO | None) -> bool:
    """Whether `stream` is a terminal; None (the descriptor was closed when the process started)
    is none."""
    return stream is not None and stream.isatty()


def configure_logging(verbose: int, quiet: bool) -> None:
    from codegenie_cli.wiring import enable_logging

    level = "ERROR" if quiet else ("DEBUG" if verbose >= 2 else "INFO" if verbose else "WARNING")

    def add_stderr_sink(logger: Any) -> None:
        logger.remove()
        logger.add(sys.stderr, level=level, format=_log_format)

    enable_logging(level, configure=add_stderr_sink)
