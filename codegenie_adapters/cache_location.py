"""Where the cache lives by default. Kept apart from `fs_cache` (and its cattrs import) so the
CLI can name the cache directory, and open the repository, before importing anything heavy."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping


def default_cache_dir(
    environ: Mapping[str, str], home: str, *, platform: str = sys.platform
) -> str:
    """`CODEGENIE_CACHE_DIR`, else `$XDG_CACHE_HOME/codegenie`, else the platform cache dir."""
    if explicit := environ.get("CODEGENIE_CACHE_DIR"):
        return explicit
    xdg = environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):  # the XDG spec says a relative value is invalid and ignored
        return os.path.join(xdg, "codegenie")
    if platform == "darwin":
        return os.path.join(home, "Library", "Caches", "codegenie")
    return os.path.join(home, ".cache", "codegenie")
