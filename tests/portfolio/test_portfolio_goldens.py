"""Each portfolio fixture gathers to its golden context (timings excluded), cold and warm."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.portfolio.golden import FIXTURES, gather_fixture, golden_path


@pytest.mark.parametrize("name", FIXTURES)
def test_a_cold_gather_matches_the_golden_context(name: str) -> None:
    expected = json.loads(golden_path(name).read_text())
    assert gather_fixture(name, "--no-cache") == expected


@pytest.mark.parametrize("name", FIXTURES)
def test_a_warm_gather_serves_the_same_facts_from_the_cache(name: str, tmp_path: Path) -> None:
    cache = ("--cache-dir", str(tmp_path / "cache"))
    cold = gather_fixture(name, *cache)
    warm = gather_fixture(name, *cache)
    for probe, entry in cold["probes"].items():
        again = warm["probes"][probe]
        if entry["outcome"] == "ran":
            assert again["outcome"] == "cached"
            assert again["cache_key"] == entry["cache_key"]
            # Rendered as stored, byte for byte: same values and the same key order.
            assert json.dumps(again["slice"]) == json.dumps(entry["slice"])
        else:
            assert again["outcome"] == entry["outcome"]
