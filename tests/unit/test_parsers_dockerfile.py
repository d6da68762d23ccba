"""Dockerfile syntax: directives, comments, continuations, heredocs, unknown instructions."""

from __future__ import annotations

from codegenie_core.parsers.dockerfile import (
    Heredoc,
    Instruction,
    SyntaxProblem,
    parse_dockerfile,
    render_dockerfile,
)


def keywords_and_arguments(text: str) -> list[tuple[str, str]]:
    return [(i.keyword, i.arguments) for i in parse_dockerfile(text).instructions]


def test_syntax_and_escape_directives_at_the_top_are_read() -> None:
    parsed = parse_dockerfile("# syntax=docker/dockerfile:1.7\n# escape=`\nFROM alpine\n")

    assert (parsed.directives, parsed.escape) == (
        (("syntax", "docker/dockerfile:1.7"), ("escape", "`")),
        "`",
    )


def test_a_directive_after_a_comment_is_only_a_comment() -> None:
    parsed = parse_dockerfile("# hello\n# escape=`\nFROM alpine\n")

    assert (parsed.directives, parsed.escape) == ((), "\\")


def test_the_escape_directive_changes_the_continuation_character() -> None:
    text = "# escape=`\nFROM windows\nRUN dir C:\\ `\n  && echo done\n"

    assert keywords_and_arguments(text) == [
        ("FROM", "windows"),
        ("RUN", "dir C:\\   && echo done"),
    ]


def test_comment_lines_inside_a_continuation_are_dropped() -> None:
    text = "FROM alpine\nRUN apk add \\\n# the next line is curl\n    curl \\\n\n    git\n"

    assert keywords_and_arguments(text) == [("FROM", "alpine"), ("RUN", "apk add     curl     git")]


def test_instructions_keep_the_line_of_their_keyword() -> None:
    parsed = parse_dockerfile("# c\n\nFROM alpine \\\n  AS base\nUSER app\n")

    assert [(i.line, i.keyword) for i in parsed.instructions] == [(3, "FROM"), (5, "USER")]


def test_keywords_are_case_insensitive() -> None:
    assert keywords_and_arguments("from alpine\nrun echo hi\n") == [
        ("FROM", "alpine"),
        ("RUN", "echo hi"),
    ]


def test_a_heredoc_body_is_not_read_as_instructions() -> None:
    text = "FROM alpine\nRUN <<EOF\nUSER root\nEXPOSE 1\nEOF\nUSER app\n"

    parsed = parse_dockerfile(text)

    assert parsed.instructions[1:] == (
        Instruction(
            line=2,
            keyword="RUN",
            arguments="<<EOF",
            heredocs=(Heredoc(delimiter="EOF", body="USER root\nEXPOSE 1\n"),),
        ),
        Instruction(line=6, keyword="USER", arguments="app"),
    )


def test_dash_heredocs_strip_leading_tabs_and_several_heredocs_follow_in_order() -> None:
    text = "FROM alpine\nCOPY <<-A <<'B' /dst/\n\tone\n\tA\n$two\nB\nCMD x\n"

    parsed = parse_dockerfile(text)

    assert parsed.instructions[1].heredocs == (
        Heredoc(delimiter="A", body="one\n", strip_tabs=True),
        Heredoc(delimiter="B", body="$two\n", quoted=True),
    )
    assert parsed.instructions[2].keyword == "CMD"


def test_an_unterminated_heredoc_is_a_problem_with_its_line() -> None:
    parsed = parse_dockerfile("FROM alpine\nRUN <<EOF\necho\n")

    assert parsed.problems == (
        SyntaxProblem(line=2, message="heredoc 'EOF' is not terminated before end of file"),
    )


def test_here_strings_are_not_heredocs() -> None:
    parsed = parse_dockerfile("FROM alpine\nRUN cat <<<word\nUSER app\n")

    assert [i.heredocs for i in parsed.instructions] == [(), (), ()]


def test_an_unknown_instruction_is_a_problem_and_parsing_goes_on() -> None:
    parsed = parse_dockerfile("FROM alpine\nFETCH http://x\nUSER app\n")

    assert parsed.problems == (SyntaxProblem(line=2, message="unknown instruction 'FETCH'"),)
    assert [i.keyword for i in parsed.instructions] == ["FROM", "FETCH", "USER"]


def test_a_repeated_directive_is_a_problem() -> None:
    parsed = parse_dockerfile("# escape=`\n# escape=\\\nFROM a\n")

    assert (parsed.escape, parsed.problems) == (
        "`",
        (SyntaxProblem(line=2, message="directive 'escape' repeated"),),
    )


def test_crlf_line_endings_and_a_bom_read_like_lf() -> None:
    assert keywords_and_arguments("\ufeffFROM a\r\nRUN b \\\r\n c\r\n") == [
        ("FROM", "a"),
        ("RUN", "b  c"),
    ]


def test_render_writes_directives_then_one_line_per_instruction() -> None:
    text = "# syntax=x\nFROM a \\\n  AS b\nRUN <<EOF\nhi\nEOF\n"

    assert render_dockerfile(parse_dockerfile(text)) == (
        "# syntax=x\nFROM a   AS b\nRUN <<EOF\nhi\nEOF\n"
    )
