"""Reading codegenie's TOML configuration files: bounded, no FIFO or device, one-line errors.

Rule 1: a file is read through `repo_fs.read` (a regular file, never a symlink leaving its
directory, at most `MAX_CONFIG_BYTES`), so a hostile repository's config cannot hang or exhaust
the gather (see ADR-0059).
Rule 2: an unreadable file or invalid TOML is a `ConfigError` naming the file, and for TOML the
line and column tomllib reports.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from typing import Any

from codegenie_adapters import repo_fs
from codegenie_core.errors import ConfigError
from codegenie_core.ports import FileProblem

MAX_CONFIG_BYTES = 1 << 20


def read_toml(root: str, path: str, *, label: str) -> Mapping[str, Any] | None:
    """The TOML table in `root`/`path`, None when there is no such file (Rules 1 and 2)."""
    real_root = os.path.realpath(root)
    data = repo_fs.read(real_root, path, max_bytes=MAX_CONFIG_BYTES)
    if isinstance(data, FileProblem):
        if data.reason == repo_fs.NO_SUCH_FILE:
            return None
        raise ConfigError(f"{label}: cannot be read: {data.reason}", variable=label)
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(f"{label}: not UTF-8 (byte {error.start})", variable=label) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{label}: invalid TOML: {error}", variable=label) from None


def mentions(root: str, path: str, needle: bytes) -> bool:
    """Whether `root`/`path` holds `needle` (read as `read_toml` reads it; False if unreadable)."""
    data = repo_fs.read(os.path.realpath(root), path, max_bytes=MAX_CONFIG_BYTES)
    return not isinstance(data, FileProblem) and needle in data
