"""What the CLI commands do, once options are parsed: build the context, call the core, render.

Kept apart from `main.py` so the click layer stays declarative and `--help` imports nothing heavy.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal, assert_never

import attrs

from codegenie_cli import plugins
from codegenie_cli.wiring import Adapters, OpenedRepo, open_repository
from codegenie_core import __version__
from codegenie_core.cache_keys import CONFIG_TOKEN_PREFIX, UNRESOLVED, CacheKey
from codegenie_core.config import BuildNetwork, GatherConfig
from codegenie_core.coordinator import CacheMode, probe_key, select_probes
from codegenie_core.coordinator import gather as run_gather
from codegenie_core.cpu_budget import FORCE_CPU_COUNT_VARIABLE, effective_cpu_count
from codegenie_core.errors import ConfigError, GitError, RepoError
from codegenie_core.outcomes import Cached, Failed, ProbeOutcome, Ran, Skipped
from codegenie_core.ports import GitState, RepoFiles
from codegenie_core.probe import ProbeContext
from codegenie_core.probe_types import Layer
from codegenie_core.probes import load_builtin_probes
from codegenie_core.probes.layer_c.model import TRACE_LABEL
from codegenie_core.registry import (
    DEFAULT_REGISTRY,
    ENTRY_POINT_GROUP,
    ProbeRegistry,
    RegisteredProbe,
)
from codegenie_core.report.context import PlainData, RepoIdentity, build_context
from codegenie_core.report.markdown import render_markdown

if TYPE_CHECKING:
    from codegenie_adapters.engine_sweep import SweepResult

_LOADED: list[bool] = []  # non-empty once built-in and entry-point probes are loaded


@attrs.frozen(kw_only=True)
class GatherOptions:
    repo: str
    output: str | None
    fmt: Literal["yaml", "json", "md"]
    probes: tuple[str, ...]
    layers: frozenset[Layer]
    jobs: int | None
    cache_dir: str | None
    cache_mode: CacheMode
    cache_max_bytes: int
    make_index: bool
    index_paths: tuple[str, ...]
    engine: str
    trace_argv: bool
    keep_images: bool = False
    build_network: BuildNetwork = "default"
    progress: bool = False


@attrs.frozen(kw_only=True)
class GatherRun:
    rendered: Mapping[str, str]  # "yaml", "json", "md" -> text
    written: tuple[str, ...]
    outcomes: tuple[ProbeOutcome, ...]


def registry(layers: frozenset[Layer] | None = None) -> ProbeRegistry:
    """The default registry with the built-in probes of `layers` (all when None) and the
    entry-point probes loaded; each loads once per process."""
    load_builtin_probes(layers)
    if not _LOADED:
        DEFAULT_REGISTRY.discover(plugins.entry_points(ENTRY_POINT_GROUP))
        _LOADED.append(True)
    if layers is not None and _needs_unloaded(DEFAULT_REGISTRY):
        # An entry-point probe of a selected layer may need a built-in of another layer: load
        # them all, so the plan pulls it in as `--probe` would, instead of calling it unknown.
        load_builtin_probes(None)
    return DEFAULT_REGISTRY


def _needs_unloaded(registry: ProbeRegistry) -> bool:
    return any(registry.get(need) is None for r in registry for need in r.probe.needs)


def _registry_for(options: GatherOptions) -> ProbeRegistry:
    """Probes named with --probe may sit in any layer, and may need probes of any layer."""
    return registry(None if options.probes else options.layers)


def cpu_budget(adapters: Adapters, jobs: int | None) -> int:
    if jobs is not None:
        return jobs
    try:
        return effective_cpu_count(adapters.environ(), adapters.cpu_count())
    except ValueError as error:
        raise ConfigError(str(error), variable=FORCE_CPU_COUNT_VARIABLE) from None


def _open_repo(adapters: Adapters, options: GatherOptions) -> OpenedRepo:
    return open_repository(
        adapters, options.repo, cache_dir=options.cache_dir, cache_off=options.cache_mode == "off"
    )


# The `gather` options (click parameter names) that reach no `GatherConfig` field, one line each
# with why they shape no slice. An option named as a field reaches that field (`gather_config`), and
# the field's own decision applies: `config.NOT_IN_ANY_KEY` or the probes naming it (ADR-0028).
OPTIONS_NOT_IN_ANY_KEY: Mapping[str, str] = {
    "repo": "names the repository: its files, git state and made indexes enter keys, its path not",
    "output": "where the documents are written",
    "fmt": "how the context is printed",
    "jobs": "how many light probes run at once, not what any finds",
    "cache_dir": "where the cache and made indexes live; the made indexes enter keys (made-index)",
    "no_cache": "whether results are read from and written to the cache, not what a probe finds",
    "refresh": "whether cached results are recomputed, not what a probe finds",
    "cache_max_mb": "the cache's size bound",
    "explain": "prints one probe's key instead of gathering",
    "verbose": "how many messages reach stderr",
    "quiet": "how many messages reach stderr",
}


def gather_config(options: GatherOptions) -> GatherConfig:
    """The configuration the probes see: the gather options that reach a `GatherConfig` field."""
    return GatherConfig(
        layers=options.layers,
        probes=options.probes,
        make_index=options.make_index,
        index_paths=options.index_paths,
        engine=options.engine,
        trace_argv=options.trace_argv,
        keep_images=options.keep_images,
        build_network=options.build_network,
    )


def _context(
    adapters: Adapters,
    options: GatherOptions,
    plan: Sequence[RegisteredProbe],
    opened: OpenedRepo,
) -> tuple[ProbeContext, str, str]:
    repo, root, cache_dir = opened
    config = gather_config(options)
    plan_layers = {r.probe.layer for r in plan}
    containers = adapters.containers(root, config) if "c" in plan_layers else None
    ctx = ProbeContext(
        repo=repo,
        config=config,
        clock=adapters.clock(),
        yaml=adapters.yaml(),
        containers=containers,
        index_reader=adapters.index_reader(root, cache_dir) if "b" in plan_layers else None,
        indexer=adapters.indexer(root, config, cache_dir) if "b" in plan_layers else None,
        image_digest_resolver=adapters.image_digest_resolver(containers, repo, root),
    )
    return ctx, root, cache_dir


def gather(
    adapters: Adapters,
    options: GatherOptions,
    *,
    progress: Callable[[str], None] | None,
    opened: OpenedRepo | None = None,
    on_outcome: Callable[[ProbeOutcome], None] | None = None,
) -> GatherRun:
    """Run the gather and render the three documents; write them when `--output` is given.
    `on_outcome` hears each probe's outcome as it is known (for `-v`)."""
    budget = cpu_budget(adapters, options.jobs)
    # The repository first: its git answers run in the background while the probes import.
    opened = opened or _open_repo(adapters, options)
    plan = select_probes(_registry_for(options), names=options.probes, layers=options.layers)
    ctx, _root, cache_dir = _context(adapters, options, plan, opened)
    cache = (
        None
        if options.cache_mode == "off"
        else adapters.open_cache(cache_dir, max_bytes=options.cache_max_bytes)
    )
    done: list[ProbeOutcome] = []

    def heard(outcome: ProbeOutcome) -> None:
        done.append(outcome)
        if progress is not None:
            progress(f"[{len(done)}/{len(plan)}] {outcome.probe}")
        if on_outcome is not None:
            on_outcome(outcome)

    result = run_gather(
        plan,
        base_ctx=ctx,
        cache=cache,
        cache_mode=options.cache_mode,
        cpu_budget=budget,
        clock=ctx.clock,
        on_outcome=heard,
    )
    if progress is not None:
        progress("")
    from codegenie_adapters.documents import to_json, to_yaml, write_outputs

    outcomes = tuple(_renderable(outcome) for outcome in result.outcomes)
    identity = RepoIdentity(name=ctx.repo.name, git=_git_identity(ctx.repo))
    context = build_context(
        repo=identity,
        plan=plan,
        outcomes=outcomes,
        cpu_budget=result.cpu_budget,
        duration_ms=result.duration_ms,
        generator_version=__version__,
        to_plain=_plain_data,
    )
    renderers: dict[str, Callable[[], str]] = {
        "yaml": lambda: to_yaml(context),
        "json": lambda: to_json(context),
        "md": lambda: render_markdown(
            repo=identity,
            plan=plan,
            outcomes=outcomes,
            context=context,
        ),
    }
    # Render only what is shown or written: YAML alone costs more than the warm gather itself.
    wanted = [options.fmt] if options.output is None else ["yaml", "json", "md"]
    rendered = {fmt: renderers[fmt]() for fmt in wanted}
    written: list[str] = []
    if options.output is not None:
        files = {
            "context.yaml": rendered["yaml"],
            "context.json": rendered["json"],
            "report.md": rendered["md"],
        }
        try:
            written = write_outputs(options.output, files)
        except OSError as error:
            raise RepoError(
                f"--output {options.output!r} cannot be written: {error.strerror or error}",
                path=options.output,
            ) from None
    return GatherRun(rendered=rendered, written=tuple(written), outcomes=outcomes)


def _git_identity(repo: RepoFiles) -> GitState | None:
    """The git state for the document's head; where git refuses, the `git` probe has already
    failed with the reason, and the document names no commit (see ADR-0029)."""
    try:
        return repo.git_state()
    except GitError:
        return None


def _renderable(outcome: ProbeOutcome) -> ProbeOutcome:
    """A computed slice the context document cannot hold (a value JSON cannot write, such as a
    datetime) fails its probe, as any other probe bug does, instead of failing the gather."""
    match outcome:
        case Ran(envelope=envelope):
            try:
                _plain_data(envelope.slice)
            except (TypeError, ValueError) as error:
                return Failed(
                    probe=outcome.probe,
                    error_type=type(error).__name__,
                    message=f"its slice cannot be written to the context document: {error}",
                    duration_ms=outcome.duration_ms,
                )
            return outcome
        case Cached() | Skipped() | Failed():
            return outcome


def _plain_data(value: object) -> PlainData:
    """Only a probe that ran needs the converter: a cached slice is rendered as stored."""
    from codegenie_adapters.serde import plain_data

    return plain_data(value)


def explain(
    adapters: Adapters, options: GatherOptions, probe_name: str, opened: OpenedRepo | None = None
) -> str:
    """What goes into one probe's cache key, as text; nothing runs."""
    reg = registry()
    plan = select_probes(reg, names=(probe_name,), layers=frozenset(options.layers))
    ctx, _root, _cache_dir = _context(
        adapters, options, plan, opened or _open_repo(adapters, options)
    )
    keys: dict[str, CacheKey] = {}
    lines: list[str] = []
    for registered in plan:
        upstream = [(name, keys[name]) for name in registered.probe.needs if name in keys]
        explanation, keys[registered.name] = probe_key(registered, ctx, upstream)
        if registered.name != probe_name:
            continue
        lines.append(
            f"probe: {explanation.probe} (version {explanation.probe_version}, "
            f"slice schema {explanation.schema_version})"
        )
        lines.append(f"key: {keys[registered.name].hex}")
        lines.append(f"inputs: {len(explanation.inputs)} files")
        lines.extend(f"  {digest}  {path}" for path, digest in explanation.inputs)
        lines.append(f"tokens: {len(explanation.tokens)}")
        lines.extend(
            f"  {_declared_token(name)} = {value if value != UNRESOLVED else '(unresolved)'}"
            for name, value in explanation.tokens
        )
        if upstream:
            lines.append("upstream keys:")
            lines.extend(f"  {name} = {key.hex}" for name, key in upstream)
    return "\n".join(lines) + "\n"


def _declared_token(name: str) -> str:
    """A token as a probe declares it: `config:<field>` as is, any other as `name:<resolved>`."""
    return name if name.startswith(CONFIG_TOKEN_PREFIX) else f"{name}:<resolved>"


def probes_listing(as_json: bool) -> str:
    probes = list(registry())
    if as_json:
        rows = [
            {
                "name": r.name,
                "layer": r.probe.layer,
                "heaviness": r.heaviness,
                "version": r.probe.version,
                "needs": list(r.probe.needs),
                "declared_inputs": list(r.probe.declared_inputs),
            }
            for r in probes
        ]
        return json.dumps(rows, indent=2) + "\n"
    width = max((len(r.name) for r in probes), default=4)
    out = [f"{'NAME':<{width}}  LAYER  HEAVINESS  DECLARED INPUTS"]
    for r in probes:
        inputs = ", ".join(r.probe.declared_inputs)
        out.append(f"{r.name:<{width}}  {r.probe.layer.upper():<5}  {r.heaviness:<9}  {inputs}")
    return "\n".join(out) + "\n"


def cache_admin(
    adapters: Adapters,
    cache_dir: str | None,
    action: Literal["stats", "clear", "gc"],
    *,
    max_bytes: int = 1024 * 2**20,
    engine: str = "docker",
) -> str:
    """The cache command's report. `clear` and `gc` also remove the runtime trace's labelled
    containers, volumes and images from `engine` (clear: also running ones; see ADR-0022)."""
    from codegenie_adapters.fs_cache import FsCache

    root = cache_dir or adapters.default_cache_dir()
    store = FsCache.for_admin(root)
    match action:
        case "stats":
            stats = store.stats()
            return f"cache: {root}\nentries: {stats.entries}\nbytes: {stats.bytes}\n"
        case "clear":
            removed = f"removed {store.clear()} entries from {root}\n"
            return removed + _swept(adapters.sweep_engine(engine, everything=True))
        case "gc":
            report = store.gc(max_bytes)
            evicted = f"evicted {report.entries} entries ({report.bytes} bytes) from {root}\n"
            return evicted + _swept(adapters.sweep_engine(engine, everything=False))


def _swept(result: SweepResult) -> str:
    from codegenie_adapters.engine_sweep import EngineAbsent, EngineSwept

    match result:
        case EngineAbsent(engine=engine, reason=reason):
            return f"{engine}: skipped ({reason})\n"
        case EngineSwept(engine=engine, containers=containers, volumes=volumes, images=images):
            lines = [
                f"{engine}: removed {containers} containers, {volumes} volumes, {images} images "
                f"labelled {TRACE_LABEL}=1"
            ]
            lines.extend(f"{engine}: problem: {problem}" for problem in result.problems)
            return "\n".join(lines) + "\n"
        case _:
            assert_never(result)
