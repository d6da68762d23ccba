"""Running a piece of codegenie as an unprivileged user, for the states only non-root sees.

Tests run as root here, and root reads a mode-000 directory. The child starts as root (the
interpreter lives under a root-only directory), imports what it needs, then drops to `nobody`
with `os.setgid`/`os.setuid` before touching the repository.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

NOBODY = 65534

needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="drops privileges to nobody, which needs root (CI runs as root)"
)


def run_as_nobody(prelude: str, body: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `prelude` (imports) as root, then `body` as nobody, in a child interpreter."""
    code = (
        f"{prelude}\nimport os\nos.setgroups([])\nos.setgid({NOBODY})\nos.setuid({NOBODY})\n{body}"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


@contextlib.contextmanager
def shared_dir() -> Iterator[Path]:
    """A directory nobody can reach (pytest's own tmp_path is root-only)."""
    path = Path(tempfile.mkdtemp(prefix="codegenie-nobody-", dir="/tmp"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for directory, subdirs, _ in os.walk(path):
            for name in subdirs:
                os.chmod(os.path.join(directory, name), 0o755)
        shutil.rmtree(path)
