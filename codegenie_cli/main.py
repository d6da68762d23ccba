"""`codegenie-cli`: parse options, build adapters, call the core, print. The only place that
prints, configures log sinks, or exits.

Exit codes: 0 the gather completed (failed probes are recorded in the report); 2 bad usage or bad
input (one line on stderr naming it); 130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 129 hung
up (SIGHUP): nothing written, containers and temp dirs removed (see ADR-0003, ADR-0023).
Messages: `-q` leaves only errors on stderr; `-v` adds one line per probe (name, outcome, ms, the
cache key's prefix); the REPO argument is checked by the adapter, not by click, so an unreadable
one is the same one `codegenie-cli: error:` line as a missing one (see ADR-0029).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

import click

from codegenie_cli.signals import Terminated, terminating_signals
from codegenie_core import __version__
from codegenie_core.errors import EXIT_INTERRUPTED, CodegenieError, ConfigError
from codegenie_core.probe_types import LAYERS, Layer

if TYPE_CHECKING:
    from codegenie_cli.wiring import Adapters
    from codegenie_core.config import BuildNetwork
    from codegenie_core.key_changes import KeyChange
    from codegenie_core.outcomes import ProbeOutcome

OutputFormat = Literal["yaml", "json", "md"]


class _Cli(click.Group):
    """Maps every `CodegenieError` to one line on stderr and its exit code, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with terminating_signals():  # SIGTERM and SIGHUP unwind as Ctrl-C does
                return super().invoke(ctx)
        except CodegenieError as error:
            click.echo(f"codegenie-cli: error: {error.message}", err=True)
            ctx.exit(error.exit_code)
        except Terminated as stopped:
            interrupted = stopped.signum == signal.SIGINT
            why = "interrupted" if interrupted else f"terminated by {stopped.signal_name}"
            click.echo(f"codegenie-cli: {why}; no output was written", err=True)
            ctx.exit(stopped.exit_code)
        except KeyboardInterrupt:
            click.echo("codegenie-cli: interrupted; no output was written", err=True)
            ctx.exit(EXIT_INTERRUPTED)


def _adapters(ctx: click.Context) -> Adapters:
    if ctx.obj is None:
        from codegenie_cli.wiring import real_adapters

        ctx.obj = real_adapters()
    return cast("Adapters", ctx.obj)


def _log_format(record: Any) -> str:
    """One line per message, in the same shape as the CLI's own errors."""
    return f"codegenie-cli: {record['level'].name.lower()}: {{message}}\n{{exception}}"


def _configure_logging(verbose: int, quiet: bool) -> None:
    from codegenie_cli.wiring import enable_logging

    level = "ERROR" if quiet else ("DEBUG" if verbose >= 2 else "INFO" if verbose else "WARNING")

    def add_stderr_sink(logger: Any) -> None:
        logger.remove()
        logger.add(sys.stderr, level=level, format=_log_format)

    enable_logging(level, configure=add_stderr_sink)


def _parse_layers(value: str) -> frozenset[Layer]:
    chosen: set[Layer] = set()
    for part in (p.strip().lower() for p in value.split(",")):
        if part not in LAYERS:
            raise ConfigError(
                f"--layer takes a comma-separated list of a, b, c; got {value!r}",
                variable="--layer",
            )
        chosen.add(part)
    return frozenset(chosen)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="codegenie-cli")
def cli() -> None:
    """Gather trustworthy, cached, confidence-graded facts about a repository."""


@cli.command()
@click.argument(
    "repo", type=click.Path(file_okay=True, dir_okay=True, readable=False, path_type=str)
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=str),
    default=None,
    help="Write context.yaml, context.json and report.md into DIR (atomically).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json", "md"]),
    default="yaml",
    show_default=True,
    help="What to print on stdout when --output is not given.",
)
@click.option(
    "--probe",
    "probes",
    multiple=True,
    metavar="NAME",
    help="Run only this probe (and what it needs). Repeatable.",
)
@click.option(
    "--layer",
    "layers",
    default="a,b,c",
    show_default=True,
    help="Comma-separated layers to run: a (static), b (index), c (runtime).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="CPU budget for light probes [default: CODEGENIE_FORCE_CPU_COUNT or CPUs].",
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=str),
    default=None,
    help="Cache directory [default: CODEGENIE_CACHE_DIR or the user cache dir].",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--refresh", is_flag=True, help="Recompute every probe and overwrite its entry.")
@click.option(
    "--cache-max-mb",
    type=click.IntRange(min=1),
    default=1024,
    show_default=True,
    help="Cache size bound; least recently used entries are evicted.",
)
@click.option(
    "--explain-key",
    "explain",
    metavar="PROBE",
    default=None,
    help="Print what goes into PROBE's cache key, and run nothing.",
)
@click.option(
    "--explain-miss",
    "explain_miss",
    metavar="PROBE",
    default=None,
    help="If PROBE misses the cache, say on stderr what changed since its last entry.",
)
@click.option(
    "--index",
    "make_index",
    is_flag=True,
    help="Run the SCIP indexers when an index is missing or stale.",
)
@click.option(
    "--index-path",
    "index_paths",
    multiple=True,
    metavar="PATH",
    help="Another repo-relative SCIP index to judge. Repeatable.",
)
@click.option(
    "--engine",
    type=click.Choice(["docker", "podman"]),
    default="docker",
    show_default=True,
    help="Container engine CLI for the runtime trace.",
)
@click.option(
    "--trace-argv", is_flag=True, help="Keep full argv in runtime traces (may record secrets)."
)
@click.option(
    "--keep-images",
    is_flag=True,
    help="Keep each runtime-trace image after its trace [default: removed; the result is cached].",
)
@click.option(
    "--build-network",
    type=click.Choice(["default", "none"]),
    default="default",
    show_default=True,
    help="Network for the runtime trace's image build: the one place repository code can reach "
    "the network (scenarios never can).",
)
@click.option(
    "--pull",
    is_flag=True,
    help="Let the engine pull a missing base image before the runtime trace's build "
    "[default: off; the trace is then image-digest-unresolved].",
)
@click.option(
    "--dockerfile",
    "dockerfiles",
    multiple=True,
    metavar="PATH",
    help="A repo-relative Dockerfile the runtime trace builds (its directory is the build "
    "context). Repeatable [default: the root Dockerfile, else compose builds, else the only one].",
)
@click.option("-v", "--verbose", count=True, help="More messages on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.pass_context
def gather(
    ctx: click.Context,
    repo: str,
    output: str | None,
    fmt: str,
    probes: tuple[str, ...],
    layers: str,
    jobs: int | None,
    cache_dir: str | None,
    no_cache: bool,
    refresh: bool,
    cache_max_mb: int,
    explain: str | None,
    explain_miss: str | None,
    make_index: bool,
    index_paths: tuple[str, ...],
    engine: str,
    trace_argv: bool,
    keep_images: bool,
    build_network: str,
    dockerfiles: tuple[str, ...],
    pull: bool,
    verbose: int,
    quiet: bool,
) -> None:
    """Run the probes over REPO and print (or write) the context document."""
    _configure_logging(verbose, quiet)
    if output == "-":
        raise ConfigError("--output -: use --format to print to stdout", variable="--output")
    adapters = _adapters(ctx)
    from codegenie_cli.wiring import open_repository
    from codegenie_core.config import GatherConfig
    from codegenie_core.request import GatherRequest

    request = GatherRequest(
        config=GatherConfig(
            layers=_parse_layers(layers),
            probes=probes,
            make_index=make_index,
            index_paths=index_paths,
            engine=engine,
            trace_argv=trace_argv,
            keep_images=keep_images,
            build_network=cast("BuildNetwork", build_network),
            dockerfiles=dockerfiles,
            pull=pull,
        ),
        cache_dir=cache_dir,
        cache_mode="off" if no_cache else ("refresh" if refresh else "use"),
        cache_max_bytes=cache_max_mb * 2**20,
        jobs=jobs,
    )
    # Before the gather machinery imports, so git's listing runs meanwhile (ADR-0007).
    opened = open_repository(adapters, repo, request)
    if dockerfiles:  # a path outside the repository or not in it: a usage error, exit 2
        import attrs

        from codegenie_core.probes.layer_c.dockerfiles import check_dockerfile_option

        chosen = check_dockerfile_option(dockerfiles, opened.repo.list_files())
        request = attrs.evolve(request, config=attrs.evolve(request.config, dockerfiles=chosen))
    from codegenie_cli import run

    options = run.GatherOptions(
        repo=repo,
        output=output,
        fmt=cast("OutputFormat", fmt),
        request=request,
        progress=not quiet and sys.stderr.isatty(),
    )
    try:
        if explain is not None:
            click.echo(
                run.explain(adapters, options, explain, opened, as_json=fmt == "json"), nl=False
            )
            return
        progress = _progress_printer(options.progress)
        per_probe = _probe_line if verbose and not quiet else None
        result = run.gather(
            adapters,
            options,
            progress=progress,
            opened=opened,
            on_outcome=per_probe,
            on_miss=_miss_printer(explain_miss, verbose=bool(verbose) and not quiet),
        )
    finally:
        adapters.cleanup()
    if output is None:
        click.echo(result.rendered[fmt], nl=False)
    elif not quiet:
        click.echo(f"codegenie-cli: wrote {', '.join(result.written)}", err=True)


KEY_PREFIX = 12  # as the document shows a cached probe's key


def _miss_printer(probe: str | None, *, verbose: bool) -> Callable[[KeyChange], None] | None:
    """`--explain-miss PROBE`: every line of PROBE's change; `-v`: one line per missed probe."""
    if probe is None and not verbose:
        return None

    def heard(change: KeyChange) -> None:
        if change.probe == probe:
            for line in change.lines():
                click.echo(f"codegenie-cli: {line}", err=True)
        elif verbose:
            click.echo(f"codegenie-cli: {change.summary()}", err=True)

    return heard


def probe_line(outcome: ProbeOutcome) -> str:
    """`-v`'s line for one probe: name, outcome, milliseconds, the key's prefix ("-" if none)."""
    from codegenie_core.outcomes import Cached, Failed, Ran, Skipped

    match outcome:
        case Ran(cache_key=key) | Cached(cache_key=key):
            prefix = key[:KEY_PREFIX]
        case Skipped() | Failed():
            prefix = "-"
    kind = type(outcome).__name__.lower()
    return f"codegenie-cli: {outcome.probe} {kind} {outcome.duration_ms} ms {prefix}"


def _probe_line(outcome: ProbeOutcome) -> None:
    click.echo(probe_line(outcome), err=True)


def _progress_printer(enabled: bool) -> Callable[[str], None] | None:
    if not enabled:
        return None

    def show(line: str) -> None:
        click.echo(f"\r\033[K{line}", err=True, nl=False)

    return show


@cli.command("probes")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def list_probes(fmt: str) -> None:
    """List the registered probes: name, layer, heaviness, declared inputs."""
    from codegenie_cli import run

    click.echo(run.probes_listing(fmt == "json"), nl=False)


@cli.group()
def cache() -> None:
    """Inspect and maintain the cache."""


def _cache_dir_option(func: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--cache-dir",
        type=click.Path(path_type=str),
        default=None,
        help="Cache directory [default: CODEGENIE_CACHE_DIR or user cache].",
    )(func)


@cache.command("stats")
@_cache_dir_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_context
def cache_stats(ctx: click.Context, cache_dir: str | None, fmt: str) -> None:
    """Entries and bytes in the cache."""
    from codegenie_cli import run

    click.echo(run.cache_admin(_adapters(ctx), cache_dir, "stats", as_json=fmt == "json"), nl=False)


def _engine_option(func: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--engine",
        type=click.Choice(["docker", "podman"]),
        default="docker",
        show_default=True,
        help="Container engine whose codegenie-labelled leftovers to remove (skipped if absent).",
    )(func)


@cache.command("clear")
@_cache_dir_option
@_engine_option
@click.pass_context
def cache_clear(ctx: click.Context, cache_dir: str | None, engine: str) -> None:
    """Remove every entry, and every runtime-trace container, volume and image."""
    from codegenie_cli import run

    click.echo(run.cache_admin(_adapters(ctx), cache_dir, "clear", engine=engine), nl=False)


@cache.command("gc")
@_cache_dir_option
@click.option("--cache-max-mb", type=click.IntRange(min=1), default=1024, show_default=True)
@_engine_option
@click.pass_context
def cache_gc(ctx: click.Context, cache_dir: str | None, cache_max_mb: int, engine: str) -> None:
    """Evict least recently used entries down to the size bound; drop stale temp files; remove
    stopped runtime-trace containers and unused runtime-trace volumes and images."""
    from codegenie_cli import run

    text = run.cache_admin(
        _adapters(ctx), cache_dir, "gc", max_bytes=cache_max_mb * 2**20, engine=engine
    )
    click.echo(text, nl=False)


def main(argv: Sequence[str] | None = None) -> None:
    """The console-script entry point."""
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    cli.main(args=list(argv) if argv is not None else None, prog_name="codegenie-cli")
