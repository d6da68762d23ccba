"""The base images a Dockerfile names in FROM."""

from __future__ import annotations

from codegenie_core.probes.layer_c.base_images import base_image_refs


def test_stage_names_are_not_base_images_and_duplicates_are_dropped() -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"
        "from build as test\n"
        "FROM scratch\n"
        "FROM golang:1.22\n"
        "COPY --from=build /app /app\n"
    )
    assert base_image_refs(text) == ("golang:1.22", "scratch")


def test_a_continued_from_line_is_joined() -> None:
    assert base_image_refs("FROM \\\n  alpine:3.20 \\\n  AS base\n") == ("alpine:3.20",)


def test_a_build_argument_default_is_substituted_into_the_reference() -> None:
    assert base_image_refs("ARG V=1\nFROM node:${V}\n") == ("node:1",)


def test_a_build_argument_without_default_is_empty_as_docker_makes_it() -> None:
    assert base_image_refs("FROM node:${V}\n") == ("node:",)
