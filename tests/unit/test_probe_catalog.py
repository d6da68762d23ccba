"""The built-in catalog (ADR-0077) cannot drift from the probes: it is the generator's output from
their own specs, each entry's spec equals its probe's (the slice type named, not imported), its
`applies_when` globs are a necessary condition of the probe's `applies`, and its
`declines_unless` answer is the one its `run` gives."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
from hypothesis import given

from codegenie_adapters.fakes import FakeRepo
from codegenie_core.config import GatherConfig
from codegenie_core.globs import matching_paths
from codegenie_core.probe import NotApplicable
from codegenie_core.probes import BUILTIN_PROBE_MODULES, load_builtin_probes
from codegenie_core.probes.catalog import CATALOG
from codegenie_core.registry import CatalogEntry, LazyProbe, ProbeRegistry, validate_spec
from codegenie_core.spec import SliceRef
from tests.strategies import catalog_listings, catalog_paths
from tests.support import context

ROOT = Path(__file__).resolve().parents[2]


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "regen_probe_catalog", ROOT / "scripts" / "regen_probe_catalog.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def probe_class(entry: CatalogEntry) -> Any:
    module, _, name = entry.probe.partition(":")
    return getattr(importlib.import_module(module), name)


def test_the_catalog_is_what_the_generator_makes_from_the_probes() -> None:
    committed = (ROOT / "codegenie_core" / "probes" / "catalog.py").read_text(encoding="utf-8")
    assert generator().catalog_source() == committed, (
        "a probe's spec changed: run python scripts/regen_probe_catalog.py"
    )


def test_the_catalog_holds_every_builtin_probe_module_once() -> None:
    assert [entry.module for entry in CATALOG] == list(BUILTIN_PROBE_MODULES)


def test_each_catalogued_spec_is_its_probe_spec_with_the_slice_type_named() -> None:
    load_builtin_probes()
    for entry in CATALOG:
        own = probe_class(entry).spec
        named = entry.spec.slice_type
        assert isinstance(named, SliceRef)
        assert attrs.evolve(entry.spec, slice_type=own.slice_type) == own
        assert named.resolve() is own.slice_type
        assert named.names == generator().slice_names(own)
        validate_spec(entry.spec)


def test_a_catalogued_probe_registers_lazily_and_its_class_replaces_it() -> None:
    registry = ProbeRegistry()
    entry = CATALOG[0]
    lazy = registry.add_catalogued(entry)
    assert isinstance(lazy.probe, LazyProbe) and lazy.keyed_applies
    own = probe_class(entry)()
    real = registry.add(own, source=f"builtin:{entry.module}")
    assert registry.get(entry.spec.name) is real
    assert real.probe is own and real.spec == own.spec and real.keyed_applies


def test_applies_when_globs_are_among_the_probe_reads() -> None:
    # So the coordinator may match them against the files the key matched, not the listing.
    for entry in CATALOG:
        if entry.applies_when is not None:
            assert set(entry.applies_when) <= set(entry.spec.globs), entry.spec.name


def test_the_pool_of_paths_reaches_every_probe_with_applies_when() -> None:
    # Not vacuous: with every path of the pool listed, each such probe applies.
    repo = FakeRepo(files=dict.fromkeys(catalog_paths(), b""))
    for entry in CATALOG:
        if entry.applies_when is not None:
            assert probe_class(entry)().applies(context(repo)), entry.spec.name


@given(catalog_listings)
def test_a_probe_applies_only_where_a_file_matches_its_applies_when(listing: list[str]) -> None:
    repo = FakeRepo(files=dict.fromkeys(listing, b""))
    for entry in CATALOG:
        if entry.applies_when is None or matching_paths(entry.applies_when, listing):
            continue
        assert not probe_class(entry)().applies(context(repo)), (entry.spec.name, listing)


def test_a_probe_declining_without_its_option_says_so_in_its_run() -> None:
    declining = [entry for entry in CATALOG if entry.declines_unless is not None]
    assert declining, "scip_index declines without --index"
    for entry in declining:
        assert entry.declines_unless is not None
        field, reason = entry.declines_unless
        assert f"config:{field}" in entry.spec.reads  # the option is in the key
        config = attrs.evolve(GatherConfig(), **{field: False})
        outcome = probe_class(entry)().run(context(config=config))
        assert outcome == NotApplicable(reason=reason)
