"""The base images a Dockerfile builds FROM, for the `image-digest:<resolved>` token.

Rule 1: a FROM naming an earlier stage is not a base image; `scratch` is one, with a fixed digest.
Rule 2: build arguments are substituted by the Dockerfile parser (`ARG BASE=x` before `FROM
${BASE}` gives `x`); an argument without a default is empty, as docker makes it, so such a
reference names no image the engine has and the resolver reports it unresolved.
Rule 3: a build argument whose name looks like a credential is substituted as `***` (ADR-0027),
so its value never reaches an engine command line, a cache-key token or a report; such a
reference names no image either, and is reported unresolved the same way.
"""

from __future__ import annotations

from codegenie_core.parsers.dockerfile_facts import describe_dockerfile

SCRATCH = "scratch"


def base_image_refs(dockerfile_text: str) -> tuple[str, ...]:
    """The external images named by FROM, in order of first appearance, without duplicates."""
    refs: list[str] = []
    for stage in describe_dockerfile(dockerfile_text).stages:
        if stage.base.kind != "stage" and stage.base.resolved not in refs:
            refs.append(stage.base.resolved)
    return tuple(refs)
