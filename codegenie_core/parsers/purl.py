"""Package URLs (purl) for inventory entries, built with `packageurl-python`, never by hand.

Rule 1: the purl type is the inventory's `ecosystem`: npm, pypi, cargo, golang, maven, gem,
composer, nuget (the types the purl spec defines for those registries).
Rule 2: names are split into namespace and name the way the purl spec's type definitions say:
an npm scope (`@babel/core`) is the namespace; a Maven `group:artifact` is namespace and name; a
Go module path's last segment is the name and the rest the namespace; a Composer `vendor/name`
likewise. Normalisation the spec requires (pypi: lower case, `_` to `-`) is done here; the
percent-encoding of `@` and the rest is packageurl's.
Rule 3: packageurl-python costs tens of microseconds a purl, seconds for a monorepo's 60,000
locked packages, so the common case (every part made of characters percent-encoding leaves as
they are) is spelled here, with the type rules packageurl applies to our eight types; anything
else goes to packageurl. A Hypothesis property (`tests/property/test_purl_properties.py`) holds
the two equal on arbitrary names and versions, so the fast path can never disagree.
"""

from __future__ import annotations

import re

from packageurl import PackageURL

__all__ = ["ECOSYSTEMS", "purl", "purl_by_packageurl"]

ECOSYSTEMS: tuple[str, ...] = (
    "cargo",
    "composer",
    "gem",
    "golang",
    "maven",
    "npm",
    "nuget",
    "pypi",
)


def _split(ecosystem: str, name: str) -> tuple[str | None, str]:
    if ecosystem == "maven" and ":" in name:
        group, _, artifact = name.partition(":")
        return group, artifact
    if ecosystem == "npm" and name.startswith("@") and "/" in name:
        scope, _, rest = name.partition("/")
        return scope, rest
    if ecosystem in ("golang", "composer") and "/" in name:
        namespace, _, last = name.rpartition("/")
        return namespace, last
    if ecosystem == "pypi":
        return None, name.lower().replace("_", "-")
    return None, name


# Rule 3: characters `urllib.parse.quote` never encodes (and ":" in versions, which purl keeps).
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]+\Z")
_VERSION = re.compile(r"[A-Za-z0-9._~:-]+\Z")
_LOWER_NAME = frozenset({"npm", "pypi", "composer"})
_LOWER_NAMESPACE = frozenset({"pypi", "composer"})


def _fast(ecosystem: str, namespace: str | None, name: str, version: str) -> str | None:
    """Rule 3: the purl without packageurl, when every part needs no encoding; else None."""
    if not _UNRESERVED.match(name) or (version and not _VERSION.match(version)):
        return None
    segments: list[str] = []
    for segment in (namespace or "").split("/") if namespace else ():
        scope = ecosystem == "npm" and segment.startswith("@")
        bare = segment[1:] if scope else segment
        if not _UNRESERVED.match(bare):
            return None
        segments.append(("%40" if scope else "") + bare)
    if ecosystem in _LOWER_NAME:
        name = name.lower()
    if ecosystem == "pypi":
        name = name.replace("_", "-")
    path = "/".join(segments)
    if ecosystem in _LOWER_NAMESPACE:
        path = path.lower()
    head = f"pkg:{ecosystem}/{path}/{name}" if path else f"pkg:{ecosystem}/{name}"
    return f"{head}@{version}" if version else head


def purl(ecosystem: str, name: str, version: str | None) -> str:
    """The purl of one package at `version` (without a version when none is known)."""
    namespace, short = _split(ecosystem, name)
    fast = _fast(ecosystem, namespace, short, (version or "").strip())
    return fast if fast is not None else _by_packageurl(ecosystem, namespace, short, version)


def purl_by_packageurl(ecosystem: str, name: str, version: str | None) -> str:
    """Rule 3's oracle: the same purl, always through packageurl."""
    return _by_packageurl(ecosystem, *_split(ecosystem, name), version)


def _by_packageurl(ecosystem: str, namespace: str | None, name: str, version: str | None) -> str:
    return PackageURL(
        type=ecosystem, namespace=namespace, name=name, version=version or None
    ).to_string()
