"""Dockerfile facts carry no secrets: credential-named ARGs redacted, URL credentials stripped,
ARG defaults only where a FROM needs them, ENV values never (ADR-0027)."""

from __future__ import annotations

import json

import attrs
import pytest

from codegenie_core.parsers.dockerfile import SyntaxProblem
from codegenie_core.parsers.dockerfile_facts import MAX_SUBSTITUTED, describe_dockerfile
from codegenie_core.parsers.dockerfile_secrets import looks_like_credential, strip_url_credentials
from codegenie_core.probes.layer_c.base_images import base_image_refs


def everything(text: str) -> str:
    """All the facts of `text` as one JSON text, as a slice would be written."""
    return json.dumps(attrs.asdict(describe_dockerfile(text)), default=str)


@pytest.mark.parametrize(
    "name",
    [
        "DB_PASSWORD",
        "passwd",
        "MYSQL_PWD",
        "NPM_TOKEN",
        "client_secret",
        "API_KEY",
        "SSH_PRIVATE_KEY",
        "AWS_CREDENTIALS",
        "BASIC_AUTH",
        "private_registry",
    ],
)
def test_credential_looking_names(name: str) -> None:
    assert looks_like_credential(name)


@pytest.mark.parametrize("name", ["BASE", "PYTHON_VERSION", "REGISTRY", "DISTROLESS"])
def test_ordinary_names(name: str) -> None:
    assert not looks_like_credential(name)


def test_only_the_build_args_a_from_uses_are_recorded() -> None:
    facts = describe_dockerfile(
        "ARG VERSION=3.12 IMAGE=python:${VERSION} UNUSED=hello OTHER\nFROM ${IMAGE}\n"
    )

    assert facts.build_args == {"VERSION": "3.12", "IMAGE": "python:3.12"}
    assert "hello" not in everything("ARG UNUSED=hello\nFROM scratch\n")


def test_a_credential_named_build_arg_in_from_is_substituted_redacted_and_said_so() -> None:
    text = "ARG REGISTRY_TOKEN=s3cr3t-value\nFROM ${REGISTRY_TOKEN}/img:1\n"

    facts = describe_dockerfile(text)

    assert facts.build_args == {"REGISTRY_TOKEN": "***"}
    assert facts.stages[0].base.resolved == "***/img:1"
    assert facts.problems == (
        SyntaxProblem(
            line=2,
            message="FROM uses build arg 'REGISTRY_TOKEN', whose name looks like a credential:"
            " it is substituted as '***' (see ADR-0027)",
        ),
        SyntaxProblem(line=2, message="invalid image name '***/img' in '***/img:1'"),
    )
    assert "s3cr3t" not in everything(text)
    assert base_image_refs(text) == ("***/img:1",)


def test_a_secret_reaching_from_through_another_default_stays_redacted() -> None:
    text = "ARG NPM_TOKEN=s3cr3t\nARG IMG=reg.example/${NPM_TOKEN}/app\nFROM $IMG\n"

    facts = describe_dockerfile(text)

    assert facts.build_args == {"NPM_TOKEN": "***", "IMG": "reg.example/***/app"}
    assert "s3cr3t" not in everything(text)


def test_env_values_are_never_recorded() -> None:
    text = "FROM alpine\nENV DB_PASSWORD=hunter2 MODE=prod\nENV LEGACY value-in-legacy-form\n"

    assert describe_dockerfile(text).final is not None
    assert not {"hunter2", "prod", "value-in-legacy-form"} & set(everything(text).split('"'))


def test_a_malformed_env_word_is_reported_without_quoting_it() -> None:
    facts = describe_dockerfile("FROM alpine\nENV A=1 hunter2\n")

    assert [p.message for p in facts.problems] == [
        "ENV expects NAME=value; word 2 has no name or no '='"
    ]


def test_a_nameless_credential_arg_is_reported_without_its_value() -> None:
    assert "s3cr3t" not in everything("ARG =s3cr3t\nFROM scratch\n")


def test_url_credentials_are_stripped_from_every_recorded_text() -> None:
    text = (
        "# syntax=https://bot:pw1@frontend.example/dockerfile\n"
        "ARG MIRROR=https://ci:pw2@mirror.example/library\n"
        "FROM ${MIRROR}/alpine\n"
        'HEALTHCHECK --interval=5s CMD ["curl", "-f", "http://admin:pw3@localhost/health"]\n'
        "ENTRYPOINT wget -q ftp://u:pw4@files.example/x ssh://git:pw5@git.example/r\n"
    )

    recorded = everything(text)

    assert not {"pw1", "pw2", "pw3", "pw4", "pw5", "ci:", "admin"} & set(
        recorded.replace("@", " ").replace("/", " ").split()
    )
    assert "ssh://git.example/r" in recorded


def test_strip_url_credentials_keeps_text_without_userinfo() -> None:
    text = "see https://example.org/a@b and mail me@example.org"

    assert strip_url_credentials(text) == text


def test_an_expansion_bomb_is_cut_at_the_limit_and_reported() -> None:
    doubling = "".join(f"ARG A{i + 1}=$A{i}$A{i}\n" for i in range(64))
    text = "ARG A0=ab\n" + doubling + "FROM $A64\n"

    facts = describe_dockerfile(text)

    assert len(facts.stages[0].base.resolved) <= MAX_SUBSTITUTED
    messages = [p.message for p in facts.problems]
    assert f"ARG 'A12' expands past {MAX_SUBSTITUTED} characters; cut there" in messages
    # A12 to A64 are cut; FROM $A64 substitutes exactly the limit, which is allowed
    assert sum("expands past" in m for m in messages) == 64 - 11
