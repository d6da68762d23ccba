"""Finding third-party probes: the `codegenie.probes` entry points of installed distributions.

Rule 1: the answer is what `importlib.metadata.entry_points(group=...)` gives. Where every
`sys.path` entry is a plain directory, the `entry_points.txt` files of its `*.dist-info` and
`*.egg-info` directories are read directly (the first distribution of a name on the path wins, as
in importlib.metadata); any other path entry (a zip, a missing dir is fine) falls back to
importlib.metadata itself. Reading directly spares every gather ~40 ms of importing email, zipfile
and csv (see ADR-0007); a file that does not name the group is not parsed, so configparser loads
only when some distribution offers entry points of it (see ADR-0091).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

import attrs

from codegenie_core.registry import EntryPointLike

# name = value  where value = module [":" attr]   (the entry_points.txt format, INI-style)
_OBJECT_REFERENCE = re.compile(r"^(?P<module>[\w.]+)(?::(?P<attr>[\w.]+))?")


@attrs.frozen
class FileEntryPoint:
    """An entry point read from an `entry_points.txt`, loadable like importlib's."""

    name: str
    value: str

    def load(self) -> Any:
        match = _OBJECT_REFERENCE.match(self.value.strip())
        if match is None:
            raise ValueError(f"malformed entry point {self.name} = {self.value!r}")
        target: Any = importlib.import_module(match.group("module"))
        for part in (match.group("attr") or "").split("."):
            if part:
                target = getattr(target, part)
        return target


def entry_points(group: str, path: Sequence[str] | None = None) -> list[EntryPointLike]:
    """The entry points of `group` across the distributions on `path` (default `sys.path`)."""
    entries = list(sys.path if path is None else path)
    if not all(os.path.isdir(entry or ".") or not os.path.exists(entry) for entry in entries):
        from importlib import metadata

        return list(metadata.entry_points(group=group))
    found: list[EntryPointLike] = []
    seen: set[str] = set()
    for entry in entries:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            distribution = _normalize(name.rsplit(".", 1)[0].split("-")[0])
            if distribution in seen:
                continue
            seen.add(distribution)
            found.extend(_read(os.path.join(entry or ".", name, "entry_points.txt"), group))
    return found


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _read(path: str, group: str) -> list[EntryPointLike]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return []
    if group not in text:  # no section of that name: nothing to parse
        return []
    import configparser

    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep names' case, as importlib does
    try:
        parser.read_string(text, source=path)
    except configparser.Error:
        return []
    if not parser.has_section(group):
        return []
    return [FileEntryPoint(name, value) for name, value in parser.items(group)]
