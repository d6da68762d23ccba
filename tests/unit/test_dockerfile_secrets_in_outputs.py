"""A gather over a Dockerfile holding secrets writes none of them (ADR-0027): not in the
context (YAML, JSON) nor in the Markdown report."""

from __future__ import annotations

import pytest

from codegenie_adapters.fakes import FakeRepo
from codegenie_core.ports import GitState
from tests.unit.test_cli import FakeAdapters, invoke

DOCKERFILE = b"""\
ARG REGISTRY_TOKEN=tok-s3cr3t
ARG MIRROR=https://ci:pw-s3cr3t@mirror.example
ARG UNUSED_VALUE=unused-s3cr3t
FROM ${REGISTRY_TOKEN}/base:1 AS build
FROM ${MIRROR}/library/alpine:3.20
ENV DB_PASSWORD=env-s3cr3t MODE=prod
HEALTHCHECK CMD curl -f http://admin:hc-s3cr3t@localhost/health
CMD ["serve"]
"""


@pytest.mark.parametrize("output_format", ["yaml", "json", "md"])
def test_no_secret_of_the_dockerfile_reaches_an_output(output_format: str) -> None:
    repo = FakeRepo(
        name="leaky",
        files={"Dockerfile": DOCKERFILE},
        git=GitState(head="b" * 40, branch="main", dirty=False),
        history=["b" * 40],
    )
    fakes = FakeAdapters(repos={"leaky": repo})

    result = invoke(fakes, "gather", "leaky", "--probe", "dockerfile", "--format", output_format)

    assert result.exit_code == 0
    assert "dockerfile" in result.stdout
    assert "s3cr3t" not in result.stdout
