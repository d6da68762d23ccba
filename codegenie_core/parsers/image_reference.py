"""Container image references: `[registry/]name[:tag][@digest]` split into their parts (pure)."""

from __future__ import annotations

import re

import attrs

# reference = name [ ":" tag ] [ "@" digest ]
# name      = [ domain "/" ] component *( "/" component )
# domain    = the first of several components when it holds "." or ":" or is "localhost"
# component = lower-alnum *( separator lower-alnum ) ; separator = "." / "_" / "__" / 1*"-"
# tag       = ( ALNUM / "_" ) *127( ALNUM / "_" / "." / "-" )
# digest    = algorithm ":" 32*HEXDIG                 ; algorithm such as sha256
_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*\Z")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}\Z")
_DIGEST = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}\Z")


@attrs.frozen(kw_only=True)
class ImageReference:
    registry: str | None  # None: the engine's default registry (Docker Hub)
    name: str
    tag: str | None  # None: not written (the engine assumes "latest" without a digest)
    digest: str | None


def parse_image_reference(reference: str) -> tuple[ImageReference, str | None]:
    """Split an image reference into registry, name, tag and digest; the problem, if invalid.

    Total: any text gives parts; the second value says why the reference is not a valid one."""
    rest, _, digest = reference.partition("@")
    tag: str | None = None
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        rest, tag = rest[:colon], rest[colon + 1 :]
    components = rest.split("/")
    registry: str | None = None
    if len(components) > 1 and (
        "." in components[0] or ":" in components[0] or components[0] == "localhost"
    ):
        registry = components.pop(0)
    name = "/".join(components)
    image = ImageReference(registry=registry, name=name, tag=tag, digest=digest or None)
    problem: str | None = None
    if not all(_COMPONENT.match(c) for c in components):
        problem = f"invalid image name {name!r} in {reference!r}"
    elif tag is not None and not _TAG.match(tag):
        problem = f"invalid tag {tag!r} in {reference!r}"
    elif digest and not _DIGEST.match(digest):
        problem = f"invalid digest {digest!r} in {reference!r}"
    return image, problem
