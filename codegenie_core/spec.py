"""A probe's spec: the one frozen value saying what a probe is, and everything derived from it.

Rule 1: a probe states its name, version, layer, heaviness, timeout, what it `reads` (globs and
special tokens, as the cache-key algebra reads them), which optional ports it uses, what it
`writes` outside its slice, what it `needs`, and its slice type and schema version once, in a
`ProbeSpec`. The cache key, the "does not apply" reason, the deadline, the ports built and the
order between probes are derived from that value here, and nowhere else (see ADR-0030).
Rule 2: the deadline is the probe's own timeout capped by `GatherConfig.probe_timeout_cap_s`;
the coordinator and the probes that budget their own work read it from `deadline_s`.
Rule 3: a probe runs after every probe it `needs` and after every probe that `writes` something
it `reads`. `writes` are declared as `reads` are: a special token (`made-index:<resolved>`), read
by a probe declaring the same token, or a repository path, read by a probe with a glob matching
it. `needs` also hands the upstream's slice over and pulls the upstream into the plan; a `writes`
order only orders probes that are both selected.
Rule 4: a probe class written in the older style (ten class attributes and no `spec`) is
converted by `spec_from_attributes`, which the registry calls once per probe and which warns
with a `DeprecationWarning` naming the probe; the shim gives such a probe every port.
Rule 5: a spec's `slice_type` is the class (or union of classes) itself, or a `SliceRef` naming
them without importing them, as the built-in catalog's specs do (see ADR-0077): a cache read
compares the recorded class name with `SliceRef.names`, and only structuring a slice resolves it
(`slice_type_of`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

from codegenie_core.config import GatherConfig
from codegenie_core.globs import compile_glob, globs_of, matching_paths, special_token_name
from codegenie_core.probe_types import Heaviness, Layer
from codegenie_core.values.slice_ref import SliceRef

__all__ = [
    "OPTIONAL_PORTS",
    "PORTS",
    "PortName",
    "ProbeSpec",
    "SliceRef",
    "ports_for",
    "run_after",
    "slice_type_of",
    "spec_from_attributes",
]

PortName = Literal["repo", "clock", "yaml", "containers", "index_reader", "indexer", "image_digest"]
PORTS: tuple[PortName, ...] = (
    "repo",
    "clock",
    "yaml",
    "containers",
    "index_reader",
    "indexer",
    "image_digest",
)
# The ports the CLI builds only when a probe in the plan names them; the others are cheap and
# always in the context (the repository view, the clock, the YAML reader).
OPTIONAL_PORTS: frozenset[PortName] = frozenset(
    {"containers", "index_reader", "indexer", "image_digest"}
)


def slice_type_of(spec: ProbeSpec) -> Any:
    """The slice class (or union) of `spec`, resolving a `SliceRef` (Rule 5)."""
    slice_type = spec.slice_type
    return slice_type.resolve() if isinstance(slice_type, SliceRef) else slice_type


@attrs.frozen(kw_only=True)
class ProbeSpec:
    """What one probe is (Rule 1). The registry validates it when the probe registers."""

    name: str
    version: int
    layer: Layer
    heaviness: Heaviness = "light"
    timeout_s: float
    reads: tuple[str, ...]
    ports: frozenset[PortName] = frozenset[PortName]({"repo"})
    writes: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    slice_type: type[Any] | SliceRef  # Rule 5
    schema_version: int

    @property
    def globs(self) -> tuple[str, ...]:
        """The globs among `reads`: the paths the probe may read, and whose digests key it."""
        return tuple(globs_of(self.reads))

    def deadline_s(self, config: GatherConfig) -> float:
        """Rule 2: how long the probe may run, in seconds."""
        cap = config.probe_timeout_cap_s
        return self.timeout_s if cap is None else min(self.timeout_s, cap)

    def not_applicable_reason(self, listing: Sequence[str]) -> str:
        """Why the probe was skipped when `applies` said no: which files it looks for, when none
        of them is in `listing`."""
        globs = self.globs
        if globs and not matching_paths(globs, listing):
            return f"none of the files {self.name} reads is here (it looks at {', '.join(globs)})"
        return f"{self.name} does not apply to this repository"

    def reads_what(self, written: str) -> bool:
        """Rule 3: whether something another probe writes is among what this one reads. A
        written special token (`made-index:<resolved>`) is read by a probe declaring that token;
        a written path, by a probe with a glob matching it."""
        if special_token_name(written) is not None:
            return written in self.reads
        return any(compile_glob(glob).match(written) for glob in self.globs)


def run_after(specs: Iterable[ProbeSpec]) -> Mapping[str, tuple[str, ...]]:
    """Rule 3: for each spec, the names of the specs among `specs` it must run after, needs first
    (in declared order), then writers (in the order given). A need outside `specs` is kept, so
    the plan check can name it."""
    listed = list(specs)
    order: dict[str, tuple[str, ...]] = {}
    for spec in listed:
        writers = [
            other.name
            for other in listed
            if other.name != spec.name and any(spec.reads_what(w) for w in other.writes)
        ]
        order[spec.name] = tuple(dict.fromkeys((*spec.needs, *writers)))
    return order


def ports_for(specs: Iterable[ProbeSpec]) -> frozenset[PortName]:
    """The ports any of `specs` uses: what the CLI builds for a plan."""
    return frozenset(port for spec in specs for port in spec.ports)


def spec_from_attributes(probe: object, *, heaviness: Heaviness) -> ProbeSpec:
    """Rule 4: the spec of a probe written in the class-attribute style, with a warning."""
    name = str(getattr(probe, "name", type(probe).__qualname__))
    warnings.warn(
        f"probe {name!r} declares itself through class attributes; declare "
        "`spec = ProbeSpec(...)` instead, the attribute style goes in the next release "
        "(see ADR-0030)",
        DeprecationWarning,
        stacklevel=3,
    )
    attribute = probe.__getattribute__
    return ProbeSpec(
        name=name,
        version=attribute("version"),
        layer=attribute("layer"),
        heaviness=heaviness,
        timeout_s=attribute("timeout_s"),
        reads=tuple(attribute("declared_inputs")),
        ports=frozenset(PORTS),
        needs=tuple(getattr(probe, "needs", ())),
        slice_type=attribute("slice_type"),
        schema_version=attribute("schema_version"),
    )
