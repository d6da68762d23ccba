"""The base images a Dockerfile builds FROM, for the `image-digest:<resolved>` token.

Rule 1: a FROM naming an earlier stage is not a base image; `scratch` is one, with a fixed digest.
Rule 2: a reference holding a build argument (`$VERSION`) is kept as written: it cannot be
resolved without the build's arguments, so the resolver reports it unresolved.
"""

from __future__ import annotations

import re

SCRATCH = "scratch"

# from-line = "FROM" 1*WSP *( "--" flag 1*WSP ) image [ 1*WSP "AS" 1*WSP stage-name ]
# (case-insensitive keyword; backslash-newline continuations are joined first)
_FROM = re.compile(
    r"^\s*FROM\s+(?:--\S+\s+)*(?P<image>\S+)(?:\s+AS\s+(?P<stage>\S+))?\s*$",
    re.IGNORECASE | re.ASCII,
)
# continuation = "\" *WSP newline
_CONTINUATION = re.compile(r"\\[ \t]*\r?\n")


def base_image_refs(dockerfile_text: str) -> tuple[str, ...]:
    """The external images named by FROM, in order of first appearance, without duplicates."""
    stages: set[str] = set()
    refs: list[str] = []
    for line in _CONTINUATION.sub(" ", dockerfile_text).splitlines():
        match = _FROM.match(line)
        if match is None:
            continue
        image = match.group("image")
        if image.lower() not in stages and image not in refs:
            refs.append(image)
        if match.group("stage"):
            stages.add(match.group("stage").lower())
    return tuple(refs)
