"""yarn lockfiles: `yarn.lock` v1 and Berry (v2+) text in, a `Lock` out (ADR-0042).

Rule 1: both are indentation-nested mappings, read by one small line grammar (`parse_tree`):

    line    = indent key-list ( ":" [ " " value ] | " " value )
    key-list= key *( ", " key )            ; v1 entry headers: `"a@^1", a@^1.1:`
    key     = json-string / bare           ; bare stops at ":" or " "
    value   = json-string / rest-of-line   ; v1 `version "1.0.0"`, Berry `version: 1.0.0`

with `#` comment lines and blank lines ignored, two spaces per level. v1 is not YAML; Berry is
YAML, but only this mapping subset of it (yarn's own `stringifySyml`), so one reader serves both
and tells them apart by `__metadata.version` (Berry) after the parse, as yarn itself does.
Rule 2: an entry's id is its key as written; its descriptors (`a@^1`, Berry `a@npm:^1`, and for
Berry the same without the default `npm:` protocol, as a manifest writes it) are kept on the
package so the join can tell which of two versions a manifest's `name@spec` gets; each package
dependency is resolved to its entry through the same descriptors.
Rule 3: v1 records no importers; Berry records each workspace as an entry
`name@workspace:<dir>` (`linkType: soft`), which becomes the importer of `<dir>`.
"""

from __future__ import annotations

import json
import re

from codegenie_core.parsers.lock_model import Importer, Lock, LockedPackage, LockedRef, member_dir
from codegenie_core.parsers.manifest_model import ManifestProblem, Parsed

__all__ = ["KNOWN_BERRY_VERSIONS", "MAX_LEVEL", "Tree", "parse_tree", "parse_yarn_lock"]

Tree = dict[str, "str | Tree"]
KNOWN_BERRY_VERSIONS = frozenset({"4", "5", "6", "7", "8"})  # yarn 2.0 wrote 4, yarn 4 writes 8
MAX_LEVEL = 16  # real lockfiles nest three levels (entry, dependencies, dependenciesMeta)
_V1_HEADER = "# yarn lockfile v1"
# v1 `resolved` values that are not a registry tarball: the source is worth keeping.
_V1_NOT_REGISTRY = ("git", "file:", "github:", "ssh:")
# A Berry workspace entry lists its devDependencies with its dependencies; written apart too.
_DEPENDENCY_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


# one decoder for every quoted key and value (`raw_decode` keeps no state between calls)
_DECODER = json.JSONDecoder()
# bare = 1*( any character but ":" / " " / "," )
_BARE = re.compile(r"[^: ,]+")


def _scalar(text: str, at: int) -> tuple[str, int] | None:
    """One key at `text[at:]`: a JSON string or a bare word; the text and where it ends."""
    if text.startswith('"', at):
        try:
            value, end = _DECODER.raw_decode(text, at)
        except json.JSONDecodeError:
            return None
        return (value, end) if isinstance(value, str) else None
    found = _BARE.match(text, at)
    return (found.group(), found.end()) if found is not None else None


def _value(rest: str) -> str:
    rest = rest.strip()
    if rest.startswith('"'):
        found = _scalar(rest, 0)
        if found is not None and found[1] == len(rest):
            return found[0]
    return rest


def _line(content: str) -> tuple[list[str], str | None] | str:
    """Rule 1 for one line without its indent: the keys and the value (None opens a block), or
    what is wrong with it."""
    keys: list[str] = []
    at = 0
    while True:
        found = _scalar(content, at)
        if found is None:
            return "expected a key"
        keys.append(found[0])
        at = found[1]
        if content.startswith(", ", at):
            at += 2
            continue
        break
    if content.startswith(":", at):
        rest = content[at + 1 :]
        if not rest.strip():
            return keys, None
        if not rest.startswith(" "):
            return "expected a space after ':'"
        return keys, _value(rest)
    if content.startswith(" ", at) and content[at:].strip() and len(keys) == 1:
        return keys, _value(content[at:])
    return "expected ':' or a value after the key"


def parse_tree(text: str) -> tuple[Tree, list[ManifestProblem]]:
    """Rule 1: the nested mappings of a yarn lockfile; a line that does not fit is a problem and
    is skipped (with the block it would open)."""
    root: Tree = {}
    stack: list[Tree] = [root]
    problems: list[ManifestProblem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.lstrip(" ")
        if not stripped.strip() or stripped.startswith("#"):
            continue
        indent = len(raw) - len(stripped)
        level = indent // 2
        if indent % 2 or level >= len(stack):
            problems.append(ManifestProblem(message="unexpected indentation", line=number))
            continue
        if level >= MAX_LEVEL:
            problems.append(ManifestProblem(message="nested too deeply", line=number))
            continue
        parsed = _line(stripped.rstrip())
        if isinstance(parsed, str):
            problems.append(ManifestProblem(message=parsed, line=number, column=indent + 1))
            continue
        del stack[level + 1 :]
        keys, value = parsed
        parent = stack[level]
        key = ", ".join(keys)
        if value is None:
            child: Tree = {}
            parent[key] = child
            stack.append(child)
        else:
            parent[key] = value
    return root, problems


def _split_descriptor(descriptor: str) -> tuple[str, str]:
    """`@scope/name@range` -> (`@scope/name`, `range`): the name ends at the first `@` after
    its first character (a scope's own `@` comes first)."""
    at = descriptor.find("@", 1)
    if at < 0:
        return descriptor, ""
    return descriptor[:at], descriptor[at + 1 :]


def _sub(tree: Tree, key: str) -> Tree:
    value = tree.get(key)
    return value if isinstance(value, dict) else {}


def _text(tree: Tree, key: str) -> str:
    value = tree.get(key)
    return value if isinstance(value, str) else ""


def parse_yarn_lock(path: str, text: str) -> Parsed[Lock]:
    """Rules 1-3 for one `yarn.lock` at repository `path`."""
    tree, problems = parse_tree(text)
    metadata = _sub(tree, "__metadata")
    berry = "version" in metadata
    entries = {k: v for k, v in tree.items() if k != "__metadata" and isinstance(v, dict)}
    by_descriptor: dict[str, str] = {}
    descriptors_of = {key: _descriptors_of(key, berry) for key in entries}
    for key, descriptors in descriptors_of.items():
        for descriptor in descriptors:
            by_descriptor.setdefault(descriptor, key)
    packages: list[LockedPackage] = []
    importers: list[Importer] = []
    for key, entry in entries.items():
        descriptors = descriptors_of[key]
        refs: dict[str, LockedRef] = {}
        for field in _DEPENDENCY_FIELDS:
            for name, spec in _sub(entry, field).items():
                if isinstance(spec, str) and name not in refs:
                    refs[name] = LockedRef(
                        name=name, spec=spec, target=by_descriptor.get(f"{name}@{spec}")
                    )
        dependencies = tuple(sorted(refs.values(), key=lambda r: r.name))
        resolution = _text(entry, "resolution") or key.split(", ")[0]
        name, reference = _split_descriptor(resolution)
        source: str | None = None
        if reference.startswith("workspace:"):
            directory = member_dir(path, reference.removeprefix("workspace:"))
            if directory is None:
                problems.append(ManifestProblem(message=f"{key}: workspace leaves the repository"))
                continue
            source = f"workspace:{directory}"
            importers.append(Importer(path=directory, dependencies=dependencies))
        elif reference.startswith(("file:", "portal:", "link:")):
            source = "path:" + reference.partition(":")[2]
        elif berry and not reference.startswith("npm:"):
            source = reference
        elif not berry and _text(entry, "resolved").startswith(_V1_NOT_REGISTRY):
            source = _text(entry, "resolved")
        packages.append(
            LockedPackage(
                id=key,
                name=name,
                version=_text(entry, "version"),
                dependencies=dependencies,
                source=source,
                descriptors=descriptors,
            )
        )
    version = _text(metadata, "version") if berry else "1"
    return Parsed(
        value=Lock(
            ecosystem="npm",
            format="yarn-berry" if berry else "yarn-v1",
            format_version=version,
            known_version=version in KNOWN_BERRY_VERSIONS if berry else _V1_HEADER in text,
            packages=tuple(sorted(packages, key=lambda p: p.id)),
            importers=tuple(sorted(importers, key=lambda i: i.path)),
        ),
        problems=tuple(problems),
    )


def _descriptors_of(key: str, berry: bool) -> tuple[str, ...]:
    """Rule 2: the descriptors an entry key lists; for Berry also each `npm:` one without its
    protocol, since Berry writes a manifest's `^1.0.0` as `npm:^1.0.0` (the default protocol)."""
    out: list[str] = []
    for descriptor in key.split(", "):
        out.append(descriptor)
        name, spec = _split_descriptor(descriptor)
        if berry and spec.startswith("npm:"):
            out.append(f"{name}@{spec.removeprefix('npm:')}")
    return tuple(dict.fromkeys(out))
