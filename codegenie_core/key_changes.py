"""Why a probe missed the cache: what changed between the key of its last entry and its key now.

Rule 1: each entry written leaves its key's explanation (`explanation_data`) in a `KeyLog`, per
repository and probe, in `recorded_form`: the files as two columns, `input_paths` and
`input_digests` (two lists of strings, not a mapping per file), content digests cut to their
first 16 hex digits (64 bits: a change hides behind an equal prefix with odds of 2^-64), and, for
a probe over more than `MAX_RECORDED_INPUTS` files, one digest of the whole listing instead, so a
miss of a `**` probe in a 200,000-file repository writes a few hundred bytes, not megabytes.
Rule 2: `key_change` compares the recorded explanation with the current one and says what differs:
the probe's or slice's version, files added, removed or changed, tokens and config fields, and
upstream keys. Where no entry was recorded it says so; where nothing differs, the entry was
evicted, unreadable, or recomputed on purpose (`--refresh`), and it says that.
Rule 3: pure: the adapters store and read the recorded form; this module only compares.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, cast

import attrs

DIGEST_PREFIX = 16
MAX_RECORDED_INPUTS = 20_000
MAX_LISTED = 20  # paths named per kind of change in a summary line


class KeyLog(Protocol):
    """The recorded explanation of the last entry written for each probe of one repository."""

    def last(self, probe: str) -> Mapping[str, Any] | None:
        """The recorded form, or None when none was recorded or it cannot be read."""
        ...

    def record(self, probe: str, recorded: Mapping[str, Any]) -> None:
        """Replace the probe's record (atomically; a failure is logged, never raised)."""
        ...


@attrs.frozen(kw_only=True)
class MissWatch:
    """What a gather does on each cache miss: compare with `log` and tell `heard` (`-v`,
    `--explain-miss`), then record the new explanation once the entry is written."""

    log: KeyLog
    heard: Callable[[KeyChange], None] | None = None


def recorded_form(explanation: Mapping[str, Any]) -> dict[str, Any]:
    """Rule 1: what a `KeyLog` keeps of an `explanation_data` (a recorded form is kept as is)."""
    if "inputs" not in explanation:  # already recorded: its files are columns, or a digest
        return dict(explanation)
    inputs = cast("list[dict[str, str]]", explanation["inputs"])
    recorded = {k: v for k, v in explanation.items() if k != "inputs"}
    recorded.update(recorded_inputs([(item["path"], item["digest"]) for item in inputs]))
    return recorded


def recorded_inputs(inputs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Rule 1 for a key's (path, digest) pairs: the recorded form's `input_paths` and
    `input_digests`, or for more than `MAX_RECORDED_INPUTS` files its `inputs_count` and
    `inputs_digest`, made from the pairs themselves (no mapping per file on a miss)."""
    if len(inputs) > MAX_RECORDED_INPUTS:
        return {"inputs_count": len(inputs), "inputs_digest": _listing_digest(inputs)}
    return {
        "input_paths": [path for path, _ in inputs],
        "input_digests": [digest[:DIGEST_PREFIX] for _, digest in inputs],
    }


def _listing_digest(inputs: Sequence[tuple[str, str]]) -> str:
    hasher = hashlib.sha256()
    for path, digest in inputs:
        hasher.update(f"{path}\0{digest[:DIGEST_PREFIX]}\n".encode(errors="replace"))
    return hasher.hexdigest()


@attrs.frozen(kw_only=True)
class KeyChange:
    """What changed in one probe's key since its last entry (Rule 2). `previous_key` is None when
    no entry was recorded; `listing_changed` is set when the last entry kept only a digest of
    its file listing and the listing differs."""

    probe: str
    key: str
    previous_key: str | None
    versions: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    listing_changed: int | None = None  # how many files the probe reads now
    tokens: tuple[str, ...] = ()
    upstream: tuple[str, ...] = ()

    @property
    def unchanged(self) -> bool:
        return self.previous_key is not None and not (
            self.versions
            or self.added
            or self.removed
            or self.changed
            or self.listing_changed is not None
            or self.tokens
            or self.upstream
        )

    def lines(self) -> tuple[str, ...]:
        """Every difference, one per line (`--explain-miss`)."""
        if self.previous_key is None:
            return (f"{self.probe}: no earlier entry for this repository (a first gather)",)
        if self.unchanged:
            return (
                f"{self.probe}: its key is the last entry's ({self.key[:12]}): the entry was "
                "evicted or unreadable, or recomputed on purpose (--refresh)",
            )
        out = [f"{self.probe}: key {self.previous_key[:12]} -> {self.key[:12]}"]
        out.extend(f"  {line}" for line in self.versions)
        out.extend(f"  added    {path}" for path in self.added)
        out.extend(f"  removed  {path}" for path in self.removed)
        out.extend(f"  changed  {path}" for path in self.changed)
        if self.listing_changed is not None:
            out.append(
                f"  the {self.listing_changed} files it reads differ from the last entry's (more "
                f"than {MAX_RECORDED_INPUTS} files: only a digest of the listing was kept)"
            )
        out.extend(f"  token    {line}" for line in self.tokens)
        out.extend(f"  upstream {line}" for line in self.upstream)
        return tuple(out)

    def summary(self) -> str:
        """One line (`-v`)."""
        if self.previous_key is None or self.unchanged:
            return self.lines()[0]
        parts = [*self.versions]
        for label, paths in (
            ("changed", self.changed),
            ("added", self.added),
            ("removed", self.removed),
        ):
            if paths:
                shown = ", ".join(paths[:MAX_LISTED]) + (", ..." if len(paths) > MAX_LISTED else "")
                parts.append(f"{len(paths)} {label} ({shown})")
        if self.listing_changed is not None:
            parts.append("its file listing changed")
        parts.extend(self.tokens)
        parts.extend(f"upstream {line}" for line in self.upstream)
        return f"{self.probe} missed: " + "; ".join(parts)


def key_change(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> KeyChange:
    """Rule 2: `current` is an `explanation_data` or its recorded form, `previous` a recorded
    form (or None)."""
    probe, key = cast("str", current["probe"]), cast("str", current["key"])
    if previous is None:
        return KeyChange(probe=probe, key=key, previous_key=None)
    now = recorded_form(current)
    versions = tuple(
        f"{label} {previous.get(field)} -> {now[field]}"
        for field, label in (("probe_version", "probe version"), ("schema_version", "slice schema"))
        if previous.get(field) != now[field]
    )
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    listing_changed: int | None = None
    old, new = _listed(previous), _listed(now)
    if old is not None and new is not None:
        added = tuple(sorted(new.keys() - old.keys()))
        removed = tuple(sorted(old.keys() - new.keys()))
        changed = tuple(sorted(p for p in new.keys() & old.keys() if new[p] != old[p]))
    elif _listing_of(previous) != _listing_of(now):
        listing_changed = _count_of(now)
    return KeyChange(
        probe=probe,
        key=key,
        previous_key=str(previous.get("key")),
        versions=versions,
        added=added,
        removed=removed,
        changed=changed,
        listing_changed=listing_changed,
        tokens=_differences(previous.get("tokens"), now["tokens"], "declared", "value"),
        upstream=_differences(previous.get("upstream"), now["upstream"], "probe", "key"),
    )


def _listed(recorded: Mapping[str, Any]) -> dict[str, str] | None:
    """The recorded files, path -> digest prefix; None when only a digest of them was kept (or
    the columns are not two lists of one length: a damaged record names no file)."""
    paths, digests = recorded.get("input_paths"), recorded.get("input_digests")
    if not isinstance(paths, list) or not isinstance(digests, list):
        return None
    columns = cast("list[object]", paths), cast("list[object]", digests)
    if len(columns[0]) != len(columns[1]):
        return None
    return {str(path): str(digest) for path, digest in zip(*columns, strict=True)}


def _listing_of(recorded: Mapping[str, Any]) -> object:
    listed = _listed(recorded)
    if listed is not None:
        return _listing_digest(list(listed.items()))
    return recorded.get("inputs_digest")


def _count_of(recorded: Mapping[str, Any]) -> int:
    listed = _listed(recorded)
    if listed is not None:
        return len(listed)
    count = recorded.get("inputs_count", 0)
    return count if isinstance(count, int) else 0


def _differences(old: object, new: object, name: str, value: str) -> tuple[str, ...]:
    """`name: old -> new` for each entry (a mapping with `name` and `value`) that differs."""
    before = _by(old, name, value)
    after = _by(new, name, value)
    return tuple(
        f"{n}: {_shown(before.get(n, _ABSENT))} -> {_shown(after.get(n, _ABSENT))}"
        for n in sorted(before.keys() | after.keys())
        if before.get(n, _ABSENT) != after.get(n, _ABSENT)
    )


_ABSENT = object()


def _by(rows: object, name: str, value: str) -> dict[str, object]:
    if not isinstance(rows, list):
        return {}
    out: dict[str, object] = {}
    for row in cast("list[object]", rows):
        if isinstance(row, dict):
            entry = cast("dict[str, object]", row)
            out[str(entry.get(name))] = entry.get(value)
    return out


def _shown(value: object) -> str:
    if value is _ABSENT:
        return "(none)"
    if value is None:
        return "(unresolved)"
    text = str(value)
    return text[:12] if len(text) == 64 and all(c in "0123456789abcdef" for c in text) else text
