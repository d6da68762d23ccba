"""Helpers for the layer A probe tests: a probe context over a fake repository."""

from __future__ import annotations

from pathlib import Path

from codegenie_adapters.config_yaml import RuamelYamlReader
from codegenie_adapters.fakes import FakeClock, FakeRepo
from codegenie_core.config import GatherConfig
from codegenie_core.probe import ProbeContext

PORTFOLIO = Path(__file__).resolve().parents[1] / "fixtures" / "portfolio"


def context(
    files: dict[str, str | bytes], unreadable: dict[str, str] | None = None
) -> ProbeContext:
    """A context over a fake repository; text is stored as UTF-8, bytes as they are."""
    repo = FakeRepo(
        files={
            path: data.encode("utf-8") if isinstance(data, str) else data
            for path, data in files.items()
        },
        unreadable=dict(unreadable or {}),
    )
    return ProbeContext(
        repo=repo, config=GatherConfig(), clock=FakeClock(), yaml=RuamelYamlReader()
    )


def portfolio_context(name: str) -> ProbeContext:
    """A context over one portfolio fixture repository, read into a fake repository."""
    root = PORTFOLIO / name
    files = {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
    return ProbeContext(
        repo=FakeRepo(name=name, files=files),
        config=GatherConfig(),
        clock=FakeClock(),
        yaml=RuamelYamlReader(),
    )
