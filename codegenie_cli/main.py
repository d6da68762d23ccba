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

from codegenie_cli.config import ConfiguredGroup, origin_of
from codegenie_cli.gather_options import (
    configure_logging,
    gather_options,
    gather_request,
    is_terminal,
    parse_layers,
)
from codegenie_cli.launch import terminal_columns
from codegenie_cli.signals import Terminated, terminating_signals
from codegenie_core import __version__
from codegenie_core.errors import EXIT_GATE_FAILED, EXIT_INTERRUPTED, CodegenieError, ConfigError

if TYPE_CHECKING:
    from codegenie_cli.wiring import Adapters
    from codegenie_core.key_changes import KeyChange
    from codegenie_core.outcomes import ProbeOutcome
    from codegenie_core.policy.gates import Condition

OutputFormat = Literal["yaml", "json", "md", "cyclonedx", "spdx", "table"]


class _Cli(ConfiguredGroup):
    """Maps every `CodegenieError` to one line on stderr and its exit code, in one place."""

    lazy_commands = (("portfolio", "codegenie_cli.portfolio:portfolio"),)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with terminating_signals():  # SIGTERM and SIGHUP unwind as Ctrl-C does
                return super().invoke(ctx)
        except CodegenieError as error:
            origin = origin_of(ctx, error.variable) if isinstance(error, ConfigError) else None
            where = f" (set by {origin})" if origin else ""
            click.echo(f"codegenie-cli: error: {error.message}{where}", err=True)
            ctx.exit(error.exit_code)
        except Terminated as stopped:
            interrupted = stopped.signum == signal.SIGINT
            why = "interrupted" if interrupted else f"terminated by {stopped.signal_name}"
            click.echo(f"codegenie-cli: {why}; no output was written", err=True)
            ctx.exit(stopped.exit_code)
        except KeyboardInterrupt:
            click.echo("codegenie-cli: interrupted; no output was written", err=True)
            ctx.exit(EXIT_INTERRUPTED)


def _now() -> str:
    """The wall clock for the report's header, to the second, in UTC (see ADR-0071)."""
    import datetime

    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    return now.isoformat().replace("+00:00", "Z")


def _no_bar() -> None:
    """What stopping the progress bar does when none was started."""


def _adapters(ctx: click.Context) -> Adapters:
    if ctx.obj is None:
        from codegenie_cli.wiring import real_adapters

        ctx.obj = real_adapters()
    return cast("Adapters", ctx.obj)


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
    type=click.Choice(["table", "yaml", "json", "md", "cyclonedx", "spdx"]),
    default=None,
    help="What to print on stdout when --output is not given [default: table on a terminal, "
    "yaml when piped]; cyclonedx (CycloneDX 1.6) and spdx (SPDX 2.3) are SBOMs, also written "
    "into --output DIR as sbom.cdx.json / sbom.spdx.json (the `sbom` extra; SOURCE_DATE_EPOCH "
    "fixes their timestamp).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="CPU budget for light probes [default: CODEGENIE_FORCE_CPU_COUNT or CPUs].",
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
    "--fail-on",
    "fail_on",
    multiple=True,
    metavar="CONDITION[,...]",
    help="Exit 3 when a condition holds (the documents are still written): failed-probe, "
    "low-confidence, stale-index, missing-index, trace-unavailable, dependency:NAME<VERSION, "
    "base-image:GLOB. Repeatable.",
)
@click.option(
    "--dockerfile",
    "dockerfiles",
    multiple=True,
    metavar="PATH",
    help="A repo-relative Dockerfile the runtime trace builds (its directory is the build "
    "context). Repeatable [default: the root Dockerfile, else compose builds, else the only one].",
)
@gather_options
@click.pass_context
def gather(
    ctx: click.Context,
    repo: str,
    output: str | None,
    fmt: str | None,
    probes: tuple[str, ...],
    layers: str,
    jobs: int | None,
    cache_dir: str | None,
    no_cache: bool,
    refresh: bool,
    cache_max_mb: int,
    remote_cache: str | None,
    explain: str | None,
    explain_miss: str | None,
    make_index: bool,
    index_paths: tuple[str, ...],
    engine: str,
    trace_argv: bool,
    keep_images: bool,
    build_network: str,
    fail_on: tuple[str, ...],
    seccomp_profile: bool,
    dockerfiles: tuple[str, ...],
    pull: bool,
    verbose: int,
    quiet: bool,
) -> None:
    """Run the probes over REPO and print (or write) the context document."""
    configure_logging(verbose, quiet)
    gates = _fail_on(fail_on)  # a malformed condition exits 2 before anything runs
    if output == "-":
        raise ConfigError("--output -: use --format to print to stdout", variable="--output")
    adapters = _adapters(ctx)
    from codegenie_cli.wiring import open_repository
    from codegenie_core.request import chosen_remote_cache

    request = gather_request(
        probes=probes,
        layers=layers,
        cache_dir=cache_dir,
        no_cache=no_cache,
        refresh=refresh,
        cache_max_mb=cache_max_mb,
        make_index=make_index,
        index_paths=index_paths,
        engine=engine,
        trace_argv=trace_argv,
        keep_images=keep_images,
        build_network=build_network,
        seccomp_profile=seccomp_profile,
        dockerfiles=dockerfiles,
        pull=pull,
        jobs=jobs,
        remote_cache=chosen_remote_cache(remote_cache, adapters.environ()),
    )
    # Before the gather machinery imports, so git's listing runs meanwhile (ADR-0007).
    opened = open_repository(adapters, repo, request)
    if dockerfiles:  # a path outside the repository or not in it: a usage error, exit 2
        import attrs

        from codegenie_core.probes.layer_c.dockerfiles import check_dockerfile_option

        chosen = check_dockerfile_option(dockerfiles, opened.repo.list_files())
        request = attrs.evolve(request, config=attrs.evolve(request.config, dockerfiles=chosen))
    from codegenie_cli import run

    fmt = fmt or ("table" if is_terminal(sys.stdout) else "yaml")
    options = run.GatherOptions(
        repo=repo,
        output=output,
        fmt=cast("OutputFormat", fmt),
        request=request,
        progress=not quiet and not verbose and is_terminal(sys.stderr),
        table_width=min(terminal_columns(100), 160),
        generated_at=_now(),
    )
    stop: Callable[[], None] = _no_bar
    try:
        if explain is not None:
            click.echo(
                run.explain(adapters, options, explain, opened, as_json=fmt == "json"), nl=False
            )
            return
        progress = None
        if options.progress:
            from codegenie_cli.table import progress_bar  # rich loads only on a terminal

            progress, stop = progress_bar()
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
        stop()
        adapters.cleanup()
    if output is None:
        click.echo(result.rendered[fmt], nl=False)
    elif not quiet:
        click.echo(f"codegenie-cli: wrote {', '.join(result.written)}", err=True)
    _judge(ctx, gates, result.document)


def _fail_on(values: tuple[str, ...]) -> tuple[Condition, ...]:
    if not values:
        return ()
    from codegenie_core.policy.gates import parse_conditions

    return parse_conditions(values)


def _judge(ctx: click.Context, gates: tuple[Condition, ...], document: Any) -> None:
    """`--fail-on`: one stderr line per condition that held and the fact naming it, then exit 3
    (ADR-0058)."""
    if not gates:
        return
    from codegenie_core.policy.gates import breaches

    held = breaches(gates, document)
    for breach in held:
        click.echo(f"codegenie-cli: fail-on {breach.condition}: {breach.fact}", err=True)
    if held:
        ctx.exit(EXIT_GATE_FAILED)


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


@cli.command("probes")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def list_probes(fmt: str) -> None:
    """List the registered probes: name, layer, heaviness, declared inputs."""
    from codegenie_cli import run

    click.echo(run.probes_listing(fmt == "json"), nl=False)


@cli.command("diff")
@click.argument("inputs", nargs=-1, metavar="OLD NEW | --rev A --rev B REPO")
@click.option(
    "--rev", "revs", multiple=True, metavar="REV", help="A git revision of REPO (give two)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "md"]),
    default="table",
    show_default=True,
)
@click.option(
    "--layer", "layers", default="a,b,c", show_default=True, help="With --rev: layers to gather."
)
@click.option("--probe", "probes", multiple=True, metavar="NAME", help="With --rev: only these.")
@click.option("--cache-dir", type=click.Path(path_type=str), default=None, help="With --rev.")
@click.pass_context
def diff(
    ctx: click.Context,
    inputs: tuple[str, ...],
    revs: tuple[str, ...],
    fmt: str,
    layers: str,
    probes: tuple[str, ...],
    cache_dir: str | None,
) -> None:
    """Compare two context documents (JSON or YAML files), or REPO gathered at two revisions:
    dependencies, base images, index health, confidence, runtime behaviour."""
    from codegenie_cli import diffing

    chosen = diffing.arguments(inputs, revs)
    if isinstance(chosen, str):
        from codegenie_core.config import GatherConfig
        from codegenie_core.request import GatherRequest

        request = GatherRequest(
            config=GatherConfig(layers=parse_layers(layers), probes=probes), cache_dir=cache_dir
        )
        adapters = _adapters(ctx)
        try:
            result = diffing.from_revisions(adapters, chosen, revs, request)
        finally:
            adapters.cleanup()
    else:
        result = diffing.from_files(*chosen)
    click.echo(diffing.RENDERERS[cast("diffing.DiffFormat", fmt)](result), nl=False)


@cli.command("schema")
def schema() -> None:
    """Print the JSON Schema (2020-12) of the context document (see ADR-0056)."""
    from importlib import resources

    from codegenie_core.report.schema import SCHEMA_FILE

    shipped = resources.files("codegenie_core.report").joinpath(SCHEMA_FILE)
    click.echo(shipped.read_text(encoding="utf-8"), nl=False)


@cli.command("example-path")
def example_path() -> None:
    """Print the path of the tiny example repository shipped in the package (see ADR-0071)."""
    from pathlib import Path

    click.echo(str(Path(__file__).resolve().parent / "example"))


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
