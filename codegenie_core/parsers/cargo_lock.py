"""Cargo.lock: TOML text in (`load_lock_toml`: rtoml, else tomllib), a `Lock` out.

Cargo documents its lockfile encoding in `src/cargo/core/resolver/encode.rs` and the versions in
`ResolveVersion` (src/cargo/core/resolver/resolve.rs):
- V1 (no `version` key): every dependency string is `"name version (source)"` (the source part
  only for non-path packages) and checksums live in a `[metadata]` table,
  `"checksum name version (source)" = "<sha256>"`.
- V2 (no `version` key, Rust 1.41): checksums are a `checksum` key on each `[[package]]`, and a
  dependency string is only as long as it must be to be unambiguous in the lock: `"name"` when
  one package has that name, `"name version"` when several do, `"name version (source)"` when
  several share a name and version.
- V3 (`version = 3`, Rust 1.53) and V4 (`version = 4`, Rust 1.78) keep V2's encoding (V4 changes
  how git sources' URLs are escaped, not the shape).
Cargo itself tells V1 from V2 by the `[metadata]` checksums: a lock without `version` and with
them is V1.

Rule 1: a package's `id` is `"name version"`, with ` (source)` when it has a source: V1's own
dependency string, unique in the lock. Each dependency string is resolved to the one package it
names (by name, then version, then source; without a source written, the one that has none);
one that names none or several is a problem.
Rule 2: the crates.io registry (`registry+https://github.com/rust-lang/crates.io-index`, or the
sparse `sparse+https://index.crates.io/`) is the default registry: `source=None`. A package with
no `source` is a workspace member or a path dependency; which one, and where, is decided by the
Cargo workspace reader (it knows the manifests), which also adds the lock's importers.
Rule 3: a `version` the reader was not written for is read best-effort, `known_version=False`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from codegenie_core.parsers.lock_model import Lock, LockedPackage, LockedRef
from codegenie_core.parsers.lock_toml import load_lock_toml
from codegenie_core.parsers.manifest_model import ManifestProblem, Parsed

__all__ = ["CRATES_IO", "package_id", "read_cargo_lock"]

CRATES_IO = frozenset(
    {
        "registry+https://github.com/rust-lang/crates.io-index",
        "sparse+https://index.crates.io/",
    }
)
KNOWN_VERSIONS = frozenset({3, 4})


def package_id(name: str, version: str, source: str | None) -> str:
    """Rule 1: the V1 dependency string of a package, its id in the `Lock`."""
    return f"{name} {version}" + (f" ({source})" if source else "")


def read_cargo_lock(_path: str, document: object) -> Parsed[Lock]:
    text = document if isinstance(document, str) else ""
    loaded = load_lock_toml(text)
    if isinstance(loaded, ManifestProblem):
        return Parsed(value=None, problems=(loaded,))
    problems: list[ManifestProblem] = []
    version = loaded.get("version")
    metadata = loaded.get("metadata")
    known = True
    if version is None:
        v1 = isinstance(metadata, Mapping) and any(
            isinstance(k, str) and k.startswith("checksum ")
            for k in cast("Mapping[object, object]", metadata)
        )
        format_version = "1" if v1 else "2"
    elif isinstance(version, int) and not isinstance(version, bool):
        format_version = str(version)
        known = version in KNOWN_VERSIONS
    else:
        problems.append(ManifestProblem(message="`version` is not an integer"))
        format_version, known = str(version), False
    raw_packages = loaded.get("package", [])
    if not isinstance(raw_packages, list):
        problems.append(ManifestProblem(message="`package` is not an array of tables"))
        raw_packages = []
    entries: list[tuple[str, str, str | None, list[str]]] = []
    for index, raw in enumerate(cast("list[object]", raw_packages)):
        entry = _entry(raw)
        if entry is None:
            problems.append(
                ManifestProblem(message=f"[[package]] #{index + 1} has no string name/version")
            )
            continue
        entries.append(entry)
    by_name: dict[str, list[tuple[str, str | None]]] = {}
    for name, pkg_version, source, _ in entries:
        by_name.setdefault(name, []).append((pkg_version, source))
    packages: list[LockedPackage] = []
    seen: set[str] = set()
    for name, pkg_version, source, dependencies in entries:
        identifier = package_id(name, pkg_version, source)
        if identifier in seen:
            problems.append(ManifestProblem(message=f"package {identifier!r} is listed twice"))
            continue
        seen.add(identifier)
        refs: list[LockedRef] = []
        for written in dependencies:
            ref = _resolve(written, by_name)
            if ref.target is None:
                problems.append(
                    ManifestProblem(
                        message=f"{identifier}: dependency {written!r} names no single package"
                    )
                )
            refs.append(ref)
        packages.append(
            LockedPackage(
                id=identifier,
                name=name,
                version=pkg_version,
                dependencies=tuple(sorted(refs, key=lambda r: (r.name, r.spec, r.target or ""))),
                source=None if source is None or source in CRATES_IO else source,
            )
        )
    return Parsed(
        value=Lock(
            ecosystem="cargo",
            format="cargo",
            format_version=format_version,
            known_version=known,
            packages=tuple(sorted(packages, key=lambda p: p.id)),
        ),
        problems=tuple(problems),
    )


def _entry(raw: object) -> tuple[str, str, str | None, list[str]] | None:
    if not isinstance(raw, Mapping):
        return None
    table = cast("Mapping[str, object]", raw)
    name, version, source = table.get("name"), table.get("version"), table.get("source")
    if not isinstance(name, str) or not isinstance(version, str):
        return None
    dependencies = table.get("dependencies", [])
    written = (
        [d for d in cast("list[object]", dependencies) if isinstance(d, str)]
        if isinstance(dependencies, list)
        else []
    )
    return name, version, source if isinstance(source, str) else None, written


def _resolve(written: str, by_name: Mapping[str, list[tuple[str, str | None]]]) -> LockedRef:
    """Rule 1: `"name"`, `"name version"` or `"name version (source)"` -> the package it names."""
    name, _, rest = written.partition(" ")
    version, _, source_part = rest.partition(" ")
    source = (
        source_part[1:-1] if source_part.startswith("(") and source_part.endswith(")") else None
    )
    candidates = [
        (v, s)
        for v, s in by_name.get(name, [])
        if (not version or v == version) and (source is None or s == source)
    ]
    if len(candidates) > 1 and source is None:
        # a string without `(source)` where the source would be needed names the package that
        # has none (a path or workspace crate): Cargo writes the source only when there is one
        candidates = [(v, s) for v, s in candidates if s is None]
    if len(candidates) != 1:
        return LockedRef(name=name, spec=version)
    found_version, found_source = candidates[0]
    return LockedRef(
        name=name, spec=found_version, target=package_id(name, found_version, found_source)
    )
