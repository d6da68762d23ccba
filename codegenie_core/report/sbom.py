"""What an SBOM says, read from a context document: the repository, its packages, who needs whom,
and the base images its Dockerfiles start from. Renderers (CycloneDX, SPDX) live in adapters.

Rule 1: the input is the context document (plain data, as a warm gather renders it without
structuring a slice), so a cached gather gives the same SBOM as a cold one.
Rule 2: one component per purl: an inventory lists a package once per manifest or lockfile that
reaches it; the SBOM keeps the widest scope (`runtime` > `peer` > `optional` > `build` > `dev`)
and the first entry's other fields, with packages sorted by purl; its groups are the union of
the entries' groups (`group:<g>` / `extra:<x>`, ADR-0084), sorted.
Rule 3: a workspace member (an inventory `member` other than ".") is a component of its own, the
root depends on it and it on its direct dependencies; the root depends on the direct
dependencies of ".". Edges whose ends are not both components are left out.
Rule 4: a Dockerfile stage that starts from an image (not a stage, not scratch) gives a container
component, one per image reference, with the Dockerfiles that use it (see ADR-0057).
"""

from __future__ import annotations

import hashlib
import json
import typing
from collections.abc import Mapping
from typing import Any

import attrs
from packageurl import PackageURL

from codegenie_core.parsers.lock_model import Scope

__all__ = [
    "MEMBER_REF_PREFIX",
    "ROOT_REF",
    "BaseImageRef",
    "Member",
    "Package",
    "SbomModel",
    "sbom_model",
]

ROOT_REF = "repository"
MEMBER_REF_PREFIX = "member:"
# Rule 2: wider first
_SCOPE_WIDTH: tuple[Scope, ...] = ("runtime", "peer", "optional", "build", "dev")


@attrs.frozen(kw_only=True)
class Package:
    purl: str
    ecosystem: str
    name: str
    version: str | None  # the resolved version; None when no lockfile or pin says it
    scope: Scope
    direct: bool
    groups: tuple[str, ...] = ()  # Rule 2


@attrs.frozen(kw_only=True)
class Member:
    """A workspace member: its directory and the purls it declares directly."""

    directory: str
    ref: str
    depends: tuple[str, ...]


@attrs.frozen(kw_only=True)
class BaseImageRef:
    reference: str  # as resolved after ARG substitution
    registry: str | None
    name: str
    tag: str | None
    digest: str | None
    purl: str
    dockerfiles: tuple[str, ...]


@attrs.frozen(kw_only=True)
class SbomModel:
    repo_name: str
    head: str | None
    branch: str | None
    tool_version: str
    packages: tuple[Package, ...]
    root_depends: tuple[str, ...]  # purls and member refs
    members: tuple[Member, ...]
    edges: tuple[tuple[str, str], ...]  # (from purl, to purl)
    base_images: tuple[BaseImageRef, ...]
    digest: str  # sha256 of the model's content: a stable seed for serial numbers and namespaces


def _slice(document: Mapping[str, Any], probe: str) -> Mapping[str, Any]:
    """A probe's slice, or {} when the probe did not run or was not cached (skipped, failed)."""
    probes = typing.cast("Mapping[str, Mapping[str, Any]]", document.get("probes", {}))
    entry = probes.get(probe, {})
    plain = entry.get("slice")
    return typing.cast("Mapping[str, Any]", plain) if isinstance(plain, dict) else {}


def _packages(inventory: list[Mapping[str, Any]]) -> dict[str, Package]:
    chosen: dict[str, Package] = {}
    for entry in inventory:
        purl = str(entry["purl"])
        scope = typing.cast("Scope", entry["scope"])
        groups = tuple(str(g) for g in typing.cast("list[object]", entry.get("groups") or []))
        known = chosen.get(purl)
        if known is not None:
            wider = min(known.scope, scope, key=_SCOPE_WIDTH.index)
            direct = known.direct or bool(entry["direct"])
            union = tuple(sorted({*known.groups, *groups}))
            chosen[purl] = attrs.evolve(known, scope=wider, direct=direct, groups=union)
            continue
        chosen[purl] = Package(
            purl=purl,
            ecosystem=str(entry["ecosystem"]),
            name=str(entry["name"]),
            version=entry.get("resolved"),
            scope=scope,
            direct=bool(entry["direct"]),
            groups=tuple(sorted(set(groups))),
        )
    return dict(sorted(chosen.items()))


def _image_purl(registry: str | None, name: str, tag: str | None, digest: str | None) -> str:
    namespace, _, short = name.rpartition("/")
    qualifiers: dict[str, str] = {}
    if registry is not None:
        qualifiers["repository_url"] = registry
    if digest is not None and tag is not None:
        qualifiers["tag"] = tag
    return PackageURL(
        type="docker",
        namespace=namespace or None,
        name=short,
        version=digest or tag,
        qualifiers=qualifiers or None,
    ).to_string()


def _base_images(dockerfiles: Mapping[str, Any]) -> tuple[BaseImageRef, ...]:
    found: dict[str, tuple[Mapping[str, Any], list[str]]] = {}
    for path, facts in sorted(dockerfiles.items()):
        for stage in typing.cast("list[Mapping[str, Any]]", facts.get("stages", [])):
            base = typing.cast("Mapping[str, Any]", stage["base"])
            if base["kind"] != "image" or not base.get("name"):
                continue
            reference = str(base["resolved"])
            users = found.setdefault(reference, (base, []))[1]
            if path not in users:
                users.append(path)
    images: list[BaseImageRef] = []
    for reference, (base, users) in sorted(found.items()):
        registry, name = base.get("registry"), str(base["name"])
        tag, digest = base.get("tag"), base.get("digest")
        images.append(
            BaseImageRef(
                reference=reference,
                registry=registry,
                name=name,
                tag=tag,
                digest=digest,
                purl=_image_purl(registry, name, tag, digest),
                dockerfiles=tuple(users),
            )
        )
    return tuple(images)


def sbom_model(document: Mapping[str, Any]) -> SbomModel:
    """The SBOM's content, from a context document (Rules 1-4)."""
    manifests = _slice(document, "manifests")
    inventory = typing.cast("list[Mapping[str, Any]]", manifests.get("inventory", []))
    packages = _packages(inventory)
    member_deps: dict[str, dict[str, None]] = {}
    for entry in inventory:
        if entry["direct"]:
            member = str(entry.get("member") or ".")
            member_deps.setdefault(member, {})[str(entry["purl"])] = None
    members = tuple(
        Member(directory=d, ref=MEMBER_REF_PREFIX + d, depends=tuple(sorted(deps)))
        for d, deps in sorted(member_deps.items())
        if d != "."
    )
    root_depends = (*sorted(member_deps.get(".", {})), *(m.ref for m in members))
    edges = tuple(
        sorted(
            {
                (str(edge["source"]), str(edge["target"])): None
                for edge in typing.cast("list[Mapping[str, Any]]", manifests.get("edges", []))
                if edge["source"] in packages and edge["target"] in packages
            }
        )
    )
    dockerfiles = typing.cast(
        "Mapping[str, Any]", _slice(document, "dockerfile").get("dockerfiles", {})
    )
    repo = typing.cast("Mapping[str, Any]", document.get("repo", {}))
    git = typing.cast("Mapping[str, Any] | None", repo.get("git"))
    fields: dict[str, Any] = {
        "repo_name": str(repo.get("name", "")),
        "head": None if git is None else git.get("head"),
        "branch": None if git is None else git.get("branch"),
        "tool_version": str(document.get("generator", {}).get("version", "")),
        "packages": tuple(packages.values()),
        "root_depends": root_depends,
        "members": members,
        "edges": edges,
        "base_images": _base_images(dockerfiles),
    }
    content = json.dumps(fields, default=attrs.asdict, sort_keys=True)
    return SbomModel(**fields, digest=hashlib.sha256(content.encode("utf-8")).hexdigest())
