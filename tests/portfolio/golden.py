"""Gather a portfolio fixture as the goldens record it: layers A and B, real adapters."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from codegenie_cli.main import cli
from codegenie_core.report.context import without_timings

ROOT = Path(__file__).resolve().parents[2]
PORTFOLIO = ROOT / "tests" / "fixtures" / "portfolio"
GOLDENS = Path(__file__).resolve().parent / "goldens"
FIXTURES = ("minimal-ts", "python-service", "go-cli", "polyglot-monorepo", "no-docker-lib")
GOLDEN_ARGS = ("--layer", "a,b", "--format", "json", "-j", "2")


def gather_fixture(name: str, *extra: str) -> dict[str, object]:
    """The fixture's context document without timings."""
    result = CliRunner().invoke(
        cli, ["gather", str(PORTFOLIO / name), *GOLDEN_ARGS, *extra], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    return without_timings(json.loads(result.stdout))


def golden_path(name: str) -> Path:
    return GOLDENS / f"{name}.json"
