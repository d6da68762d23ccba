"""What the CLI commands do, once options are parsed: build the context, call the core, render.

Kept apart from `main.py` so the click layer stays declarative and `--help` imports nothing heavy.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, assert_never, cast

import attrs

from codegenie_cli import plugins, sbom
from codegenie_cli.wiring import Adapters, OpenedRepo, collections_held_back, open_repository
from codegenie_core.cache_keys import CacheKey, explanation_data
from codegenie_core.coordinator import probe_key, select_probes
from codegenie_core.errors import ConfigError, RepoError
from codegenie_core.key_changes import KeyChange
from codegenie_core.outcomes import ProbeOutcome
from codegenie_core.probe_types import Layer
from codegenie_core.probes import register_catalog
from codegenie_core.registry import (
    DEFAULT_REGISTRY,
    ENTRY_POINT_GROUP,
    ProbeRegistry,
)
from codegenie_core.report.context import PlainData
from codegenie_core.request import GatherRequest, chosen_remote_cache
from codegenie_core.session import gather_with, probe_context

if TYPE_CHECKING:
    from codegenie_core.maintenance import SweepResult

_LOADED: list[bool] = []  # non-empty once built-in and entry-point probes are loaded


@attrs.frozen(kw_only=True)
class GatherOptions:
    """What `gather` was asked: the repository, where the documents go, and the one
    `GatherRequest` the core runs (its `config` is what the probes see)."""

    repo: str
    output: str | None
    fmt: Literal["yaml", "json", "md", "cyclonedx", "spdx", "table"]
    request: GatherRequest
    progress: bool = False
    table_width: int = 100
    generated_at: str | None = None  # the report's "gathered at", from the CLI's wall clock


@attrs.frozen(kw_only=True)
class GatherRun:
    rendered: Mapping[str, str]  # "yaml", "json", "md" (and an SBOM format or "table" when asked)
    written: tuple[str, ...]
    outcomes: tuple[ProbeOutcome, ...]
    # the context document as plain data (for `--fail-on`)
    document: Mapping[str, object] = attrs.field(factory=dict[str, object])


def registry(layers: frozenset[Layer] | None = None) -> ProbeRegistry:
    """The default registry with the built-in probes of `layers` (all when None), from their
    catalogued specs (each module imported only when its probe must run, ADR-0077), and the
    entry-point probes loaded; each loads once per process."""
    register_catalog(layers)
    if not _LOADED:
        DEFAULT_REGISTRY.discover(plugins.entry_points(ENTRY_POINT_GROUP))
        _LOADED.append(True)
    if layers is not None and _needs_unloaded(DEFAULT_REGISTRY):
        # An entry-point probe of a selected layer may need a built-in of another layer: load
        # them all, so the plan pulls it in as `--probe` would, instead of calling it unknown.
        register_catalog(None)
    return DEFAULT_REGISTRY


def _needs_unloaded(registry: ProbeRegistry) -> bool:
    return any(registry.get(need) is None for r in registry for need in r.spec.needs)


def _registry_for(options: GatherOptions) -> ProbeRegistry:
    """Probes named with --probe may sit in any layer, and may need probes of any layer."""
    config = options.request.config
    return registry(None if config.probes else config.layers)


STRICT_READS_VARIABLE = "CODEGENIE_STRICT_READS"


def strict_reads(adapters: Adapters) -> bool:
    """Whether a probe reading outside its declared reads fails (`CODEGENIE_STRICT_READS=1`, as
    the test suite runs) rather than going uncached with a note (see ADR-0030)."""
    value = adapters.environ().get(STRICT_READS_VARIABLE, "")
    if value in ("", "0"):
        return False
    if value == "1":
        return True
    raise ConfigError(
        f"{STRICT_READS_VARIABLE} must be 1 or 0 (or unset), got {value!r}",
        variable=STRICT_READS_VARIABLE,
    )


def _open_repo(adapters: Adapters, options: GatherOptions) -> OpenedRepo:
    return open_repository(adapters, options.repo, options.request)


# The `gather` options (click parameter names) that reach no `GatherConfig` field, one line each
# with why they shape no slice. An option named as a field reaches that field (`gather_config`), and
# the field's own decision applies: `config.NOT_IN_ANY_KEY` or the probes naming it (ADR-0028).
# main.py builds the `GatherConfig` from those options directly, once.
OPTIONS_NOT_IN_ANY_KEY: Mapping[str, str] = {
    "repo": "names the repository: its files, git state and made indexes enter keys, its path not",
    "output": "where the documents are written",
    "fmt": "how the context is printed, or which SBOM is made from it",
    "jobs": "how many light probes run at once, not what any finds",
    "cache_dir": "where the cache and made indexes live; the made indexes enter keys (made-index)",
    "no_cache": "whether results are read from and written to the cache, not what a probe finds",
    "refresh": "whether cached results are recomputed, not what a probe finds",
    "cache_max_mb": "the cache's size bound",
    "remote_cache": "where a second tier of the same entries lives; keys hold no machine paths",
    "explain": "prints one probe's key instead of gathering",
    "explain_miss": "prints why one probe missed the cache, on stderr",
    "fail_on": "judges the finished document for the exit code, not what a probe finds",
    "verbose": "how many messages reach stderr",
    "quiet": "how many messages reach stderr",
}


def gather(
    adapters: Adapters,
    options: GatherOptions,
    *,
    progress: Callable[[int, int, str], None] | None,
    opened: OpenedRepo | None = None,
    on_outcome: Callable[[ProbeOutcome], None] | None = None,
    on_miss: Callable[[KeyChange], None] | None = None,
) -> GatherRun:
    """Run the gather and render the three documents; write them when `--output` is given.
    `on_outcome` hears each probe's outcome as it is known (for `-v`); `on_miss` hears why each
    probe missed the cache (`--explain-miss`, `-v`), on the probe's thread; `progress` hears how
    many of how many probes are done, and the last one's name."""
    with collections_held_back():  # ADR-0086: a gather makes no cycles of size
        return _gather(
            adapters,
            options,
            progress=progress,
            opened=opened,
            on_outcome=on_outcome,
            on_miss=on_miss,
        )


def _gather(
    adapters: Adapters,
    options: GatherOptions,
    *,
    progress: Callable[[int, int, str], None] | None,
    opened: OpenedRepo | None,
    on_outcome: Callable[[ProbeOutcome], None] | None,
    on_miss: Callable[[KeyChange], None] | None,
) -> GatherRun:
    # The repository first: its git answers run in the background while the probes import.
    opened = opened or _open_repo(adapters, options)
    planned: list[int] = []
    done: list[ProbeOutcome] = []

    def heard(outcome: ProbeOutcome) -> None:
        done.append(outcome)
        if progress is not None:
            progress(len(done), planned[0], outcome.probe)
        if on_outcome is not None:
            on_outcome(outcome)

    gathered = gather_with(
        adapters,
        options.request,
        opened,
        registry=_registry_for(options),
        on_outcome=heard,
        on_plan=lambda plan: planned.append(len(plan)),
        strict_reads=strict_reads(adapters),
        on_miss=on_miss,
    )
    context = gathered.to_document()
    renderers: dict[str, Callable[[], str]] = {
        "yaml": lambda: adapters.dump(context, "yaml"),
        "json": lambda: adapters.dump(context, "json"),
        "md": lambda: gathered.to_markdown(
            context,
            generated_at=options.generated_at,
            document_file=None if options.output is None else "context.yaml",
        ),
        "cyclonedx": lambda: sbom.render(context, "cyclonedx", adapters.environ()),
        "spdx": lambda: sbom.render(context, "spdx", adapters.environ()),
        "table": lambda: _table(context, options.table_width),
    }
    # Render only what is shown or written: YAML alone costs more than the warm gather itself.
    wanted = [options.fmt] if options.output is None else ["yaml", "json", "md"]
    if options.output is not None and options.fmt in sbom.FILE_NAMES:
        wanted.append(options.fmt)
    rendered = {fmt: renderers[fmt]() for fmt in wanted}
    written: list[str] = []
    if options.output is not None:
        files = {
            "context.yaml": rendered["yaml"],
            "context.json": rendered["json"],
            "report.md": rendered["md"],
            **seccomp_files(gathered.outcomes),
        }
        if options.fmt in sbom.FILE_NAMES:
            files[sbom.FILE_NAMES[options.fmt]] = rendered[options.fmt]
        try:
            written = adapters.write_outputs(options.output, files)
        except OSError as error:
            raise RepoError(
                f"--output {options.output!r} cannot be written: {error.strerror or error}",
                path=options.output,
            ) from None
    return GatherRun(
        rendered=rendered, document=context, written=tuple(written), outcomes=gathered.outcomes
    )


def _table(context: Mapping[str, object], width: int) -> str:
    from codegenie_cli.table import render_table  # rich loads only for a table (its Rule 1)

    return render_table(cast("Mapping[str, PlainData]", context), width=width)


def seccomp_files(outcomes: tuple[ProbeOutcome, ...]) -> dict[str, str]:
    """`--seccomp-profile`'s profile files, from the runtime trace's slice (ADR-0067)."""
    from codegenie_core.outcomes import Cached, Ran
    from codegenie_core.probes.layer_c.model import PROBE_NAME
    from codegenie_core.probes.layer_c.runtime_trace import (
        RuntimeTraceSlice,
        seccomp_profile_files,
    )

    for outcome in outcomes:
        if isinstance(outcome, Ran | Cached) and outcome.probe == PROBE_NAME:
            slice_ = outcome.envelope.slice
            if isinstance(slice_, RuntimeTraceSlice):
                return seccomp_profile_files(slice_)
    return {}


def explain(
    adapters: Adapters,
    options: GatherOptions,
    probe_name: str,
    opened: OpenedRepo | None = None,
    *,
    as_json: bool = False,
) -> str:
    """What goes into one probe's cache key, as text or JSON; nothing runs."""
    config = options.request.config
    plan = select_probes(registry(), names=(probe_name,), layers=config.layers)
    ctx = probe_context(adapters, config, plan, opened or _open_repo(adapters, options))
    keys: dict[str, CacheKey] = {}
    for registered in plan:
        upstream = [(name, keys[name]) for name in registered.spec.needs if name in keys]
        explanation, keys[registered.name] = probe_key(registered, ctx, upstream)
        if registered.name == probe_name:
            data = explanation_data(explanation, keys[registered.name], upstream)
            return json.dumps(data, indent=2) + "\n" if as_json else _explanation_text(data)
    raise AssertionError(f"{probe_name} is in its own plan")  # select_probes names it or raises


def _explanation_text(data: Mapping[str, Any]) -> str:
    lines = [
        f"probe: {data['probe']} (version {data['probe_version']}, "
        f"slice schema {data['schema_version']})",
        f"key: {data['key']}",
        f"inputs: {len(data['inputs'])} files",
        *(f"  {i['digest']}  {i['path']}" for i in data["inputs"]),
        f"tokens: {len(data['tokens'])}",
        *(
            f"  {t['declared']} = {'(unresolved)' if t['value'] is None else t['value']}"
            for t in data["tokens"]
        ),
    ]
    if data["upstream"]:
        lines.append("upstream keys:")
        lines.extend(f"  {u['probe']} = {u['key']}" for u in data["upstream"])
    return "\n".join(lines) + "\n"


def probes_listing(as_json: bool) -> str:
    probes = list(registry())
    if as_json:
        rows = [
            {
                "name": r.name,
                "layer": r.spec.layer,
                "heaviness": r.heaviness,
                "version": r.spec.version,
                "needs": list(r.spec.needs),
                "declared_inputs": list(r.spec.reads),
            }
            for r in probes
        ]
        return json.dumps(rows, indent=2) + "\n"
    width = max((len(r.name) for r in probes), default=4)
    out = [f"{'NAME':<{width}}  LAYER  HEAVINESS  DECLARED INPUTS"]
    for r in probes:
        inputs = ", ".join(r.spec.reads)
        out.append(f"{r.name:<{width}}  {r.spec.layer.upper():<5}  {r.heaviness:<9}  {inputs}")
    return "\n".join(out) + "\n"


# `cache gc` removes the portfolio clones no run has used for this long; `cache clear` removes all.
CLONE_UNUSED_DAYS = 30


def cache_admin(
    adapters: Adapters,
    cache_dir: str | None,
    action: Literal["stats", "clear", "gc"],
    *,
    max_bytes: int = 1024 * 2**20,
    engine: str = "docker",
    as_json: bool = False,
) -> str:
    """The cache command's report. `clear` and `gc` also remove the runtime trace's labelled
    containers, volumes and images from `engine` (clear: also running ones; see ADR-0022), and
    the portfolio's clones (clear: every one; gc: those unused for `CLONE_UNUSED_DAYS`)."""
    root = cache_dir or adapters.default_cache_dir()
    store = adapters.cache_admin(root)
    match action:
        case "stats":
            stats = store.stats()
            remote, unusable = _remote_setting(adapters)
            if as_json:
                data = {
                    "cache_dir": root,
                    "entries": stats.entries,
                    "bytes": stats.bytes,
                    "remote": remote,
                    "remote_problem": unusable,
                }
                return json.dumps(data, indent=2) + "\n"
            text = f"cache: {root}\nentries: {stats.entries}\nbytes: {stats.bytes}\n"
            if unusable is not None:
                return text + f"remote: unusable ({unusable})\n"
            if remote is not None:
                return (
                    text + f"remote: {remote} (not counted here; `cache clear` leaves it alone)\n"
                )
            return text
        case "clear":
            removed = f"removed {store.clear()} entries from {root}\n"
            removed += _clones(adapters.remove_clones(root, unused_since=None), "")
            return removed + _swept(adapters.sweep_engine(engine, everything=True))
        case "gc":
            report = store.gc(max_bytes)
            evicted = f"evicted {report.entries} entries ({report.bytes} bytes) from {root}\n"
            unused_since = time.time() - CLONE_UNUSED_DAYS * 86400
            gone = adapters.remove_clones(root, unused_since=unused_since)
            evicted += _clones(gone, f" unused for {CLONE_UNUSED_DAYS} days")
            return evicted + _swept(adapters.sweep_engine(engine, everything=False))


def _clones(count: int, why: str) -> str:
    """The line saying how many portfolio clones went (none when none did)."""
    return f"removed {count} portfolio clones{why}\n" if count else ""


def _remote_setting(adapters: Adapters) -> tuple[str | None, str | None]:
    """The shared cache `gather` would use by default, or why it cannot (None, None when none
    is set); it is neither counted nor contacted (`cache clear` never touches it, ADR-0051)."""
    try:
        return chosen_remote_cache(None, adapters.environ()), None
    except ConfigError as error:
        return None, error.message


def _swept(result: SweepResult) -> str:
    from codegenie_core.maintenance import EngineAbsent, EngineSwept  # cache commands only
    from codegenie_core.probes.layer_c.model import TRACE_LABEL

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
