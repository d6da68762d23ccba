"""Image references split into registry, name, tag and digest."""

from __future__ import annotations

import pytest

from codegenie_core.parsers.image_reference import ImageReference, parse_image_reference

SHA = "sha256:" + "ab" * 32


def test_a_full_reference_splits_into_registry_name_tag_and_digest() -> None:
    image, problem = parse_image_reference(f"ghcr.io/a/b:1.2@{SHA}")

    assert (image.registry, image.name, image.tag, image.digest, problem) == (
        "ghcr.io",
        "a/b",
        "1.2",
        SHA,
        None,
    )


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("alpine", (None, "alpine", None, None)),
        ("library/alpine:3.20", (None, "library/alpine", "3.20", None)),
        ("localhost:5000/app:dev", ("localhost:5000", "app", "dev", None)),
        ("localhost/app", ("localhost", "app", None, None)),
        (f"alpine@{SHA}", (None, "alpine", None, SHA)),
    ],
)
def test_registry_is_the_first_component_only_when_it_looks_like_a_host(
    reference: str, expected: tuple[str | None, ...]
) -> None:
    image, problem = parse_image_reference(reference)

    assert ((image.registry, image.name, image.tag, image.digest), problem) == (expected, None)


@pytest.mark.parametrize(
    ("reference", "problem"),
    [
        ("Alpine", "invalid image name 'Alpine' in 'Alpine'"),
        ("alpine:-x", "invalid tag '-x' in 'alpine:-x'"),
        ("alpine@sha256:xyz", "invalid digest 'sha256:xyz' in 'alpine@sha256:xyz'"),
    ],
)
def test_invalid_parts_are_named(reference: str, problem: str) -> None:
    assert parse_image_reference(reference)[1] == problem


def test_parts_are_kept_even_when_invalid() -> None:
    assert parse_image_reference("Reg.io/A:t")[0] == ImageReference(
        registry="Reg.io", name="A", tag="t", digest=None
    )
