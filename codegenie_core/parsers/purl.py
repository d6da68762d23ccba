"""Package URLs (purl) for inventory entries, built with `packageurl-python`, never by hand.

Rule 1: the purl type is the inventory's `ecosystem`: npm, pypi, cargo, golang, maven, gem,
composer, nuget (the types the purl spec defines for those registries).
Rule 2: names are split into namespace and name the way the purl spec's type definitions say:
an npm scope (`@babel/core`) is the namespace; a Maven `group:artifact` is namespace and name; a
Go module path's last segment is the name and the rest the namespace; a Composer `vendor/name`
likewise. Normalisation the spec requires (pypi: lower case, `_` to `-`) is done here; the
percent-encoding of `@` and the rest is packageurl's.
"""

from __future__ import annotations

from packageurl import PackageURL

__all__ = ["ECOSYSTEMS", "purl"]

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


def purl(ecosystem: str, name: str, version: str | None) -> str:
    """The purl of one package at `version` (without a version when none is known)."""
    namespace, short = _split(ecosystem, name)
    return PackageURL(
        type=ecosystem, namespace=namespace, name=short, version=version or None
    ).to_string()
