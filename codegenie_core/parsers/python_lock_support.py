"""What the Python lockfile readers (poetry, uv, Pipfile, pdm) share: typed access to a decoded
TOML/JSON document, and package ids that stay unique when a name is locked more than once.

Rule 1: a value of the wrong type is a problem naming its key, never an exception.
Rule 2: a package's id is "name version" (PEP 503 name); a second package with the same name and
version (another source, another marker fork) gets " #2", " #3", ... so ids stay unique (lock_model
Rule 2) and no package is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from codegenie_core.parsers.manifest_model import ManifestProblem

__all__ = ["Ids", "items", "string", "strings", "table", "tables"]


def table(
    container: Mapping[str, object], key: str, problems: list[ManifestProblem], where: str = ""
) -> Mapping[str, object]:
    value = container.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):  # decoded TOML and JSON tables are dicts (a cheaper check)
        problems.append(ManifestProblem(message=f"{where}{key!r} is not a table"))
        return {}
    return cast("Mapping[str, object]", value)


def items(
    container: Mapping[str, object], key: str, problems: list[ManifestProblem], where: str = ""
) -> list[object]:
    value = container.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(ManifestProblem(message=f"{where}{key!r} is not a list"))
        return []
    return cast("list[object]", value)


def tables(
    container: Mapping[str, object], key: str, problems: list[ManifestProblem], where: str = ""
) -> list[Mapping[str, object]]:
    out: list[Mapping[str, object]] = []
    for item in items(container, key, problems, where):
        if isinstance(item, dict):
            out.append(cast("Mapping[str, object]", item))
        else:
            problems.append(ManifestProblem(message=f"{where}an entry of {key!r} is not a table"))
    return out


def string(
    container: Mapping[str, object], key: str, problems: list[ManifestProblem], where: str = ""
) -> str | None:
    value = container.get(key)
    if value is None or isinstance(value, str):
        return value
    problems.append(ManifestProblem(message=f"{where}{key!r} is not a string"))
    return None


def strings(
    container: Mapping[str, object], key: str, problems: list[ManifestProblem], where: str = ""
) -> tuple[str, ...]:
    out: list[str] = []
    for item in items(container, key, problems, where):
        if isinstance(item, str):
            out.append(item)
        else:
            problems.append(ManifestProblem(message=f"{where}an entry of {key!r} is not a string"))
    return tuple(out)


class Ids:
    """Rule 2: unique ids, handed out in document order."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def next(self, name: str, version: str) -> str:
        base = f"{name} {version}"
        count = self._seen.get(base, 0) + 1
        self._seen[base] = count
        return base if count == 1 else f"{base} #{count}"
