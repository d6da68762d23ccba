"""Dockerfile facts: build args in FROM, stages, image references, the final stage's config."""

from __future__ import annotations

import posixpath

import pytest

from codegenie_core.parsers.dockerfile import SyntaxProblem
from codegenie_core.parsers.dockerfile_facts import (
    BaseImage,
    Command,
    ExposedPort,
    Healthcheck,
    RuntimeConfig,
    Unresolved,
    describe_dockerfile,
)


def final(text: str) -> RuntimeConfig:
    config = describe_dockerfile(text).final
    assert config is not None
    return config


@pytest.mark.parametrize(
    "from_line",
    ["FROM ${BASE}", "FROM $BASE", "FROM ${BASE:-ubuntu:24.04}", "FROM ${BASE-ubuntu:24.04}"],
)
def test_arg_defaults_before_from_are_substituted(from_line: str) -> None:
    facts = describe_dockerfile(f"ARG BASE=python:3.12-slim\n{from_line}\n")

    assert (facts.stages[0].base.resolved, facts.stages[0].base.tag, facts.problems) == (
        "python:3.12-slim",
        "3.12-slim",
        (),
    )


def test_a_default_in_the_reference_applies_when_the_arg_has_none() -> None:
    facts = describe_dockerfile("ARG BASE\nFROM ${BASE:-debian:12}\n")

    assert (facts.build_args, facts.stages[0].base.resolved) == ({"BASE": None}, "debian:12")


def test_an_arg_without_default_used_in_from_is_a_problem() -> None:
    facts = describe_dockerfile("ARG VERSION\nFROM node:${VERSION}-alpine\n")

    assert facts.problems == (
        SyntaxProblem(
            line=2,
            message="FROM uses build arg 'VERSION', which has no default before the first FROM",
        ),
    )


def test_arg_defaults_may_use_earlier_args_and_quotes() -> None:
    facts = describe_dockerfile('ARG V=3.12 IMG="python:${V}"\nFROM $IMG\n')

    assert facts.build_args == {"V": "3.12", "IMG": "python:3.12"}
    assert facts.stages[0].base.resolved == "python:3.12"


def test_arg_defaults_keep_single_quoted_and_escaped_dollars_literal() -> None:
    facts = describe_dockerfile("ARG B=x\nARG S='$B' E=\\$B D=\"$B\"\nFROM img${S}${E}${D}\n")

    assert facts.build_args == {"B": "x", "S": "$B", "E": "$B", "D": "x"}


def test_from_a_named_stage_is_a_stage_reference_not_an_image() -> None:
    facts = describe_dockerfile("FROM golang:1.22 AS Build\nFROM build\n")

    assert [s.name for s in facts.stages] == ["build", None]
    assert facts.stages[1].base == BaseImage(
        kind="stage", written="build", resolved="build", stage="build"
    )


def test_scratch_is_the_empty_image() -> None:
    facts = describe_dockerfile("FROM scratch\nCOPY app /app\n")

    assert facts.stages[0].base == BaseImage(kind="scratch", written="scratch", resolved="scratch")


def test_an_invalid_reference_is_a_problem() -> None:
    facts = describe_dockerfile("FROM Alpine:3\n")

    assert facts.problems == (
        SyntaxProblem(line=1, message="invalid image name 'Alpine' in 'Alpine:3'"),
    )


def test_platform_flag_is_kept() -> None:
    facts = describe_dockerfile("FROM --platform=$BUILDPLATFORM golang:1.22 AS b\n")

    assert (facts.stages[0].base.platform, facts.stages[0].name) == ("$BUILDPLATFORM", "b")


def test_user_and_workdir_of_the_final_stage() -> None:
    config = final("FROM a\nWORKDIR /srv\nWORKDIR app\nUSER 10001:10001\n")

    assert (config.user, config.workdir) == ("10001:10001", "/srv/app")


def test_a_workdir_with_a_variable_is_kept_as_written() -> None:
    assert final("FROM a\nWORKDIR /srv\nWORKDIR $HOME/app\n").workdir == "$HOME/app"


def test_expose_reads_protocols_and_ranges_sorted() -> None:
    config = final("FROM a\nEXPOSE 8080/udp 80 7000-7010/TCP\nEXPOSE 80/tcp\n")

    assert config.exposed == (
        ExposedPort(start=80, end=80, protocol="tcp"),
        ExposedPort(start=7000, end=7010, protocol="tcp"),
        ExposedPort(start=8080, end=8080, protocol="udp"),
    )


def test_expose_of_an_unset_variable_is_kept_as_written_with_a_note_not_a_problem() -> None:
    facts = describe_dockerfile("FROM a\nEXPOSE $PORT\n")

    assert facts.problems == ()
    assert facts.final is not None
    assert facts.final.exposed == ()
    assert facts.final.unresolved == (
        Unresolved(line=2, instruction="EXPOSE", written="$PORT", names=("PORT",)),
    )


def test_env_names_from_both_forms() -> None:
    config = final('FROM a\nENV B=2 A="one two"\nENV LEGACY value with spaces\n')

    assert config.env_names == ("A", "B", "LEGACY")


def test_exec_and_shell_forms_of_entrypoint_and_cmd() -> None:
    config = final('FROM a\nENTRYPOINT ["/bin/app", "--serve"]\nCMD echo "hi there"\n')

    assert (config.entrypoint, config.cmd) == (
        Command(form="exec", argv=("/bin/app", "--serve"), line=2),
        Command(form="shell", argv=("/bin/sh", "-c", 'echo "hi there"'), line=3),
    )


def test_shell_instruction_changes_the_shell_form_wrapper() -> None:
    config = final('FROM a\nSHELL ["/bin/bash", "-eo", "pipefail", "-c"]\nCMD run\n')

    assert config.cmd == Command(
        form="shell", argv=("/bin/bash", "-eo", "pipefail", "-c", "run"), line=3
    )


def test_a_malformed_json_array_runs_through_the_shell_and_is_a_problem() -> None:
    facts = describe_dockerfile("FROM a\nCMD ['single', 'quotes']\n")

    assert facts.final is not None
    assert facts.final.cmd == Command(
        form="shell", argv=("/bin/sh", "-c", "['single', 'quotes']"), line=2
    )
    assert facts.problems == (
        SyntaxProblem(
            line=2,
            message="CMD looks like exec form but is not a JSON array of strings;"
            " docker runs it through the shell",
        ),
    )


def test_healthcheck_with_options_and_exec_command() -> None:
    config = final(
        "FROM a\nHEALTHCHECK --interval=30s --retries=3 \\\n"
        '  CMD ["curl", "-f", "http://localhost/"]\n'
    )

    assert config.healthcheck == Healthcheck(
        disabled=False,
        command=Command(form="exec", argv=("curl", "-f", "http://localhost/"), line=2),
        options={"interval": "30s", "retries": "3"},
        line=2,
    )


def test_healthcheck_none_disables_an_inherited_check() -> None:
    config = final("FROM a AS base\nHEALTHCHECK CMD true\nFROM base\nHEALTHCHECK NONE\n")

    assert config.healthcheck == Healthcheck(disabled=True, command=None, options={}, line=4)


def test_healthcheck_unknown_option_is_a_problem() -> None:
    facts = describe_dockerfile("FROM a\nHEALTHCHECK --every=5s CMD true\n")

    assert facts.problems == (
        SyntaxProblem(line=2, message="unknown HEALTHCHECK option '--every=5s'"),
    )


def test_a_stage_built_on_a_stage_inherits_its_runtime_config() -> None:
    config = final("FROM a AS base\nUSER app\nENV X=1\nCMD run\nFROM base\nENV Y=2\n")

    assert (config.user, config.env_names, config.cmd, config.inherits_from_image) == (
        "app",
        ("X", "Y"),
        Command(form="shell", argv=("/bin/sh", "-c", "run"), line=4),
        True,
    )


def test_an_entrypoint_clears_the_inherited_cmd() -> None:
    config = final('FROM a AS base\nCMD run\nFROM base\nENTRYPOINT ["/x"]\n')

    assert (config.entrypoint, config.cmd) == (
        Command(form="exec", argv=("/x",), line=4),
        None,
    )


def test_the_final_stage_on_scratch_does_not_inherit_from_an_image() -> None:
    assert final("FROM golang AS b\nUSER x\nFROM scratch\n") == RuntimeConfig()


def test_instructions_before_the_first_from_other_than_arg_are_problems() -> None:
    facts = describe_dockerfile("RUN echo\nFROM a\n")

    assert facts.problems == (SyntaxProblem(line=1, message="RUN before the first FROM"),)


def test_no_from_at_all_gives_no_final_stage() -> None:
    facts = describe_dockerfile("ARG X=1\n")

    assert (facts.stages, facts.final) == ((), None)


def test_an_expansion_form_not_evaluated_is_kept_and_reported() -> None:
    facts = describe_dockerfile("ARG IMG=x/y:1\nFROM ${IMG%:*}\n")

    assert facts.stages[0].base.resolved == "${IMG%:*}"
    assert facts.problems == (
        SyntaxProblem(line=2, message="FROM uses ${IMG%:*}, which is not evaluated here"),
    )


@pytest.mark.parametrize(
    "workdirs",
    [
        ("/app", "sub", "..", "x/./y"),
        ("//srv", "a", "../.."),
        ("///opt", "a"),
        ("rel",),
        ("$HOME/./a", "b/../c"),
        ("/a", "$X", "..", "..", ".."),
        ("/", "", "a//b/"),
        ("..", "../x"),
    ],
)
def test_workdir_joins_are_normalised_as_posixpath_does(workdirs: tuple[str, ...]) -> None:
    expected: str | None = None
    for workdir in workdirs:  # the rule docker follows, applied one WORKDIR at a time
        base = expected or "/"
        if not workdir:
            expected = base
        elif "$" in workdir:
            expected = workdir
        else:
            expected = posixpath.normpath(posixpath.join(base, workdir))
    text = "FROM a\n" + "".join(f"WORKDIR {w}\n" for w in workdirs)

    assert final(text).workdir == expected


def test_stages_outside_the_final_chain_still_report_their_problems() -> None:
    facts = describe_dockerfile("FROM a AS side\nEXPOSE nope\nFROM b AS main\nFROM main\nUSER x\n")

    assert [p.message for p in facts.problems] == ["EXPOSE value 'nope' is not a port"]
    assert final("FROM a AS side\nEXPOSE 1\nFROM b AS main\nFROM main\n").exposed == ()


def test_a_stage_reference_resolves_to_the_first_stage_of_that_name() -> None:
    config = final("FROM a AS x\nUSER first\nFROM b AS x\nUSER second\nFROM x\n")

    assert config.user == "first"
