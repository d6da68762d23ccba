"""What is planted in the cache directory is never followed or opened blocking (ADR-0026): a FIFO
or a symlink where a cache entry or the stat index should be is a miss, and the gather finishes.

Each gather runs in its own process with a 30 s timeout, so a regression (a read blocking on a
FIFO forever) fails the test instead of hanging the suite."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codegenie_adapters.local_repo import stat_index_path_for

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 30


def small_repo(root: Path) -> Path:
    """A directory that is not a git work tree, so every digest goes through the stat index."""
    root.mkdir(parents=True)
    (root / "package.json").write_text('{"name": "demo", "dependencies": {"left-pad": "1.0.0"}}')
    (root / "app.py").write_text("print('hi')\n")
    return root


def gather(repo: Path, cache: Path) -> dict[str, dict[str, object]]:
    argv = [
        sys.executable, "-m", "codegenie_cli", "gather", str(repo),
        "--layer", "a", "--cache-dir", str(cache), "--format", "json",
    ]  # fmt: skip
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, timeout=TIMEOUT_S, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    probes: dict[str, dict[str, object]] = json.loads(done.stdout)["probes"]
    return probes


def facts(probes: dict[str, dict[str, object]]) -> dict[str, object]:
    return {name: fields.get("slice") for name, fields in probes.items()}


def entries(cache: Path) -> list[Path]:
    found = sorted(cache.rglob("*.entry"))
    assert found, "the first gather left no cache entries"
    return found


def plant(kind: str, path: Path, elsewhere: Path) -> None:
    """Put a FIFO at `path`, or a symlink to a sound copy of what was there."""
    if kind == "fifo":
        path.unlink()
        os.mkfifo(path)
    else:
        shutil.copy2(path, elsewhere)
        path.unlink()
        path.symlink_to(elsewhere)


@pytest.mark.parametrize("kind", ["fifo", "symlink"])
def test_a_planted_entry_or_stat_index_is_a_miss_and_never_a_hang(
    tmp_path: Path, kind: str
) -> None:
    repo = small_repo(tmp_path / "repo")
    cache = tmp_path / "cache"
    first = gather(repo, cache)
    index = Path(stat_index_path_for(str(cache), str(repo)))
    assert index.is_file()
    decoys = tmp_path / "decoys"
    decoys.mkdir()
    for number, planted in enumerate([*entries(cache), index]):
        plant(kind, planted, decoys / str(number))

    again = gather(repo, cache)

    ran = {name for name, fields in first.items() if fields["outcome"] == "ran"}
    assert ran  # the cold gather computed and cached something
    # Not one planted entry was followed to its sound copy: every probe that ran ran again.
    assert {name for name in ran if again[name]["outcome"] == "ran"} == ran
    assert facts(again) == facts(first)
