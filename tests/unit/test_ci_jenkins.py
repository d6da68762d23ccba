"""The Jenkinsfile scanner: a declarative pipeline's agents and stages, scripted ones graded low."""

from __future__ import annotations

import pytest

from codegenie_core.probes.layer_a.ci_jenkins import (
    MAX_CHARS,
    MAX_NESTING,
    JenkinsPipeline,
    JenkinsStage,
    scan_jenkinsfile,
    tokens,
)
from tests.unit.ci_support import fixture_files, run_ci
from tests.unit.test_parser_linearity import MAX_RATIO, work


def test_the_declarative_fixture_gives_its_agent_and_stages_in_order() -> None:
    text = fixture_files("many-systems")["Jenkinsfile"]
    assert isinstance(text, bytes)

    read = scan_jenkinsfile(text.decode())

    assert (read.messages, read.scripted) == ((), False)
    assert read.pipeline == JenkinsPipeline(
        declarative=True,
        agent="maven:3.9-eclipse-temurin-21",
        stages=(
            JenkinsStage(name="Build", agent=None),
            JenkinsStage(name="Test", agent=None),
            JenkinsStage(name="Unit", agent=None),
            JenkinsStage(name="Integration", agent="postgres:16"),
            JenkinsStage(name="Deploy", agent="label:deployer"),
        ),
    )


def test_agent_forms_any_none_docker_string_and_dockerfile() -> None:
    read = scan_jenkinsfile(
        "pipeline {\n agent none\n stages {\n"
        "  stage('a') { agent any\n steps {} }\n"
        '  stage("b") { agent { docker "node:20" } }\n'
        "  stage('c') { agent { dockerfile true } }\n"
        " }\n}\n"
    )

    assert read.pipeline == JenkinsPipeline(
        declarative=True,
        agent="none",
        stages=(
            JenkinsStage(name="a", agent="any"),
            JenkinsStage(name="b", agent="node:20"),
            JenkinsStage(name="c", agent="dockerfile"),
        ),
    )


def test_braces_and_keywords_in_comments_and_strings_are_not_code() -> None:
    read = scan_jenkinsfile(
        "// pipeline { stage('fake') {} }\n"
        "pipeline { agent any /* stage('no') { */\n"
        "  stages { stage('real') { steps { sh \"echo '}' \\\" stage('x') {\" } } }\n}\n"
    )

    assert read.messages == ()
    assert [s.name for s in read.pipeline.stages] == ["real"]


def test_a_scripted_pipeline_is_low_with_its_reason() -> None:
    envelope = run_ci({"Jenkinsfile": "node('linux') {\n  stage('Build') { sh 'make' }\n}\n"})

    grade = envelope.slice.systems["jenkins"]
    assert grade.confidence == "low"
    assert grade.reasons == (
        "Jenkinsfile: a scripted pipeline (no `pipeline {` block); its stages and agents are "
        "code this probe does not run",
    )
    assert envelope.slice.jenkins == JenkinsPipeline(declarative=False, agent=None, stages=())


def test_an_unterminated_string_or_comment_and_unbalanced_brackets_are_problems() -> None:
    assert scan_jenkinsfile("pipeline { sh 'oops }").messages == ("an unterminated ' string",)
    assert scan_jenkinsfile("pipeline { /* never").messages == ("an unterminated /* comment",)
    assert scan_jenkinsfile("pipeline { stages {").messages == ("2 unclosed brackets",)
    assert scan_jenkinsfile("pipeline { } }").messages == ("an unmatched '}'",)


def test_nesting_and_length_are_bounded() -> None:
    deep = scan_jenkinsfile("pipeline " + "{" * (MAX_NESTING * 10))
    assert deep.messages == (f"nested deeper than {MAX_NESTING}; scanning stopped",)

    long = scan_jenkinsfile("pipeline {}" + " " * MAX_CHARS)
    assert long.messages == (f"longer than {MAX_CHARS:,} characters; not scanned",)


def test_triple_quoted_strings_and_escapes_are_one_token() -> None:
    messages: list[str] = []

    found = list(tokens("sh '''a ' } b''' x \"q\\\"r\"", messages))

    assert (found, messages) == (
        [("word", "sh"), ("string", "a ' } b"), ("word", "x"), ("string", 'q"r')],
        [],
    )


def jenkinsfile_of(stages: int) -> str:
    body = "".join(
        f"    stage('s{i}') {{ agent {{ docker {{ image 'img:{i}' }} }} "
        f"steps {{ sh '''echo }} {i}''' /* c {{ */ }} }}\n"
        for i in range(stages)
    )
    return f"pipeline {{\n  agent any\n  stages {{\n{body}  }}\n}}\n"


def test_ten_times_the_stages_is_about_ten_times_the_work(monkeypatch: pytest.MonkeyPatch) -> None:
    small = work(monkeypatch, scan_jenkinsfile, jenkinsfile_of(60))
    large = work(monkeypatch, scan_jenkinsfile, jenkinsfile_of(600))

    assert large / small <= MAX_RATIO, f"{small} -> {large} units of work"
    assert len(scan_jenkinsfile(jenkinsfile_of(600)).pipeline.stages) == 600
