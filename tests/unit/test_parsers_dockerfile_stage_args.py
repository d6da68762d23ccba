"""Stage ARGs and the substitution of USER, WORKDIR and EXPOSE from ARG and ENV (ADR-0038)."""

from __future__ import annotations

import pytest

from codegenie_core.parsers.dockerfile import SyntaxProblem
from codegenie_core.parsers.dockerfile_facts import (
    ExposedPort,
    RuntimeConfig,
    Unresolved,
    describe_dockerfile,
)


def final(text: str) -> RuntimeConfig:
    config = describe_dockerfile(text).final
    assert config is not None
    return config


def port(number: int, protocol: str = "tcp") -> ExposedPort:
    return ExposedPort(start=number, end=number, protocol=protocol)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("ARG PORT=8080\nEXPOSE ${PORT}", (port(8080),)),
        ("ARG PORT=8080\nEXPOSE $PORT/udp", (port(8080, "udp"),)),
        ("EXPOSE ${PORT:-3000}", (port(3000),)),
        ("ARG PORT=1\nEXPOSE ${PORT:-3000}", (port(1),)),
        ("EXPOSE ${PORT:+9}${TLS:-443}", (port(443),)),
        ("ARG TLS=1\nEXPOSE 8${TLS:+443}", (port(8443),)),
        ("ENV PORT=5000\nEXPOSE $PORT", (port(5000),)),
        ('ARG PORTS="80 443"\nEXPOSE $PORTS', (port(80), port(443))),
    ],
)
def test_expose_is_substituted_from_stage_args_and_env(
    lines: str, expected: tuple[ExposedPort, ...]
) -> None:
    config = final(f"FROM a\n{lines}\n")

    assert (config.exposed, config.unresolved) == (expected, ())


def test_env_overrides_an_arg_of_the_same_name() -> None:
    config = final("FROM a\nENV PORT=1\nARG PORT=2\nEXPOSE $PORT\n")

    assert config.exposed == (port(1),)


def test_env_values_see_the_variables_as_they_were_before_the_instruction() -> None:
    # The Dockerfile reference's own example: `ENV abc=bye def=$abc` gives def=hello.
    config = final("FROM a\nENV abc=8000\nENV abc=9000 def=$abc\nEXPOSE $def $abc\n")

    assert config.exposed == (port(8000), port(9000))


def test_a_global_arg_reaches_a_stage_only_when_redeclared_there() -> None:
    text = "ARG PORT=7000\nFROM a\nEXPOSE $PORT\nFROM b\nARG PORT\nEXPOSE $PORT\n"
    config = final(text)

    assert config.exposed == (port(7000),)
    first_stage = describe_dockerfile(text.split("FROM b", maxsplit=1)[0]).final
    assert first_stage is not None
    assert first_stage.unresolved == (
        Unresolved(line=3, instruction="EXPOSE", written="$PORT", names=("PORT",)),
    )


def test_args_stay_in_their_stage_and_env_carries_to_a_stage_built_on_it() -> None:
    config = final(
        "FROM a AS base\nARG PORT=1\nENV HOME_DIR=/srv\n"
        "FROM base\nEXPOSE $PORT\nWORKDIR $HOME_DIR/app\n"
    )

    assert config.exposed == ()
    assert config.workdir == "/srv/app"
    assert config.unresolved == (
        Unresolved(line=5, instruction="EXPOSE", written="$PORT", names=("PORT",)),
    )


def test_user_and_workdir_are_substituted_and_unresolved_ones_kept_as_written() -> None:
    config = final(
        "FROM a\nARG APP_USER=app\nUSER ${APP_USER}:${GROUP}\nUSER $APP_USER\n"
        "WORKDIR /home/$APP_USER\nWORKDIR ${UNSET}/x\n"
    )

    assert config.user == "app"
    assert config.workdir == "${UNSET}/x"
    assert config.unresolved == (
        Unresolved(line=3, instruction="USER", written="${APP_USER}:${GROUP}", names=("GROUP",)),
        Unresolved(line=6, instruction="WORKDIR", written="${UNSET}/x", names=("UNSET",)),
    )


def test_an_unsupported_form_is_kept_as_written() -> None:
    config = final("FROM a\nARG P=80\nEXPOSE ${P#8}\n")

    assert config.exposed == ()
    assert config.unresolved == (
        Unresolved(line=3, instruction="EXPOSE", written="${P#8}", names=("${P#8}",)),
    )


def test_stage_args_are_recorded_per_stage_by_name() -> None:
    facts = describe_dockerfile(
        "ARG BASE=alpine\nFROM $BASE AS build\nARG VERSION=1 TARGETOS\nARG VERSION\n"
        "FROM build\nARG PORT=80\n"
    )

    assert [stage.args for stage in facts.stages] == [("VERSION", "TARGETOS"), ("PORT",)]
    assert facts.build_args == {"BASE": "alpine"}


def test_a_stage_arg_without_a_name_is_a_problem_that_does_not_quote_the_value() -> None:
    facts = describe_dockerfile("FROM a\nARG =hunter2\n")

    assert facts.problems == (SyntaxProblem(line=2, message="ARG without a name before its '='"),)


def test_a_substituted_non_port_is_quoted_as_written() -> None:
    facts = describe_dockerfile("FROM a\nARG PORT=not-a-port\nEXPOSE $PORT\n")

    assert facts.problems == (SyntaxProblem(line=3, message="EXPOSE value '$PORT' is not a port"),)


@pytest.mark.parametrize(
    "text",
    [
        "ARG DB_PASSWORD=hunter2\nFROM a\nARG DB_PASSWORD\nEXPOSE $DB_PASSWORD\nUSER $DB_PASSWORD",
        "FROM a\nARG API_TOKEN=hunter2\nEXPOSE ${API_TOKEN}\nWORKDIR /${API_TOKEN}\n",
        "FROM a\nENV SECRET_KEY=hunter2\nENV PORT=$SECRET_KEY\nEXPOSE $PORT\nUSER $PORT\n",
        "ARG NPM_TOKEN=hunter2\nFROM registry/${NPM_TOKEN}:1\nARG NPM_TOKEN\nEXPOSE $NPM_TOKEN\n",
        "FROM a\nARG AUTH=hunter2\nEXPOSE ${AUTH:+80}${AUTH}\n",
    ],
)
def test_a_secret_arg_or_env_default_never_appears_in_a_resolved_fact(text: str) -> None:
    facts = describe_dockerfile(text)

    assert "hunter2" not in repr(facts)
    assert facts.final is not None


def test_a_secret_stage_arg_is_substituted_as_redacted() -> None:
    config = final("FROM a\nARG API_TOKEN=hunter2\nWORKDIR /${API_TOKEN}\nUSER $API_TOKEN\n")

    assert (config.workdir, config.user) == ("/***", "***")


def test_substitution_in_a_stage_is_bounded() -> None:
    lines = ["FROM a", "ARG A0=xxxxxxxxxxxxxxxx"]
    lines += [f"ARG A{i}=$A{i - 1}$A{i - 1}" for i in range(1, 40)]
    lines += ["ENV E=$A39$A39", "USER $E"]
    facts = describe_dockerfile("\n".join(lines) + "\n")

    assert facts.final is not None
    assert facts.final.user is not None and len(facts.final.user) <= 4096
    assert any("expands past 4096" in p.message for p in facts.problems)
