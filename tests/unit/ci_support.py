"""Helpers for the `ci` probe's tests: a probe context over one `tests/fixtures/ci` repository."""

from __future__ import annotations

from pathlib import Path

from codegenie_core.probe import Envelope, ProbeContext
from codegenie_core.probes.layer_a.ci import CiProbe
from tests.unit.layer_a_support import context

CI_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ci"


def fixture_files(name: str) -> dict[str, str | bytes]:
    root = CI_FIXTURES / name
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def fixture_context(name: str) -> ProbeContext:
    return context(fixture_files(name))


def run_ci(files: dict[str, str | bytes]) -> Envelope:
    envelope = CiProbe().run(context(files))
    assert isinstance(envelope, Envelope)
    return envelope
