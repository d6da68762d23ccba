"""Dockerfile syntax: text in, parser directives and logical instructions out (pure).

Rule 1: the parser never raises on any text; what it cannot make sense of is a `SyntaxProblem`
with a 1-based line number, returned beside the instructions it could read.
Rule 2: it follows the Dockerfile reference's lexical rules: parser directives only before the first
comment, blank line or instruction; `# escape=` changes the line-continuation character; comment
lines and empty lines inside a continuation are dropped; heredocs (`<<EOF`) in RUN, COPY and ADD
consume their body lines, which are never read as instructions.
Rule 3: `render_dockerfile(parse_dockerfile(t))` is a canonical text whose parse has the same
directives and instructions (keyword, arguments, heredocs) as `t`'s, for every text whose logical
lines do not end in the escape character (possible only at end of file, where a trailing escape
is a continuation into nothing and cannot be written back).
The meaning of the instructions (stages, base images, the final stage's facts) is
`codegenie_core.parsers.dockerfile_facts`.
"""

from __future__ import annotations

import re

import attrs

KNOWN_INSTRUCTIONS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
DEFAULT_ESCAPE = "\\"
_BLANKS = " \t\r"  # a CR inside a line is a blank too, as docker trims it

# directive = "#" *WSP name *WSP "=" *WSP value *WSP      ; name = ALPHA *( ALPHA / DIGIT )
_DIRECTIVE = re.compile(r"^#[ \t]*([A-Za-z][A-Za-z0-9]*)[ \t]*=[ \t]*(.*?)[ \t]*$")

# heredoc = "<<" [ "-" ] ( word / DQUOTE word DQUOTE / "'" word "'" )
# word    = 1*( ALPHA / DIGIT / "_" / "-" / "." )   ; not preceded or followed by another "<"
_HEREDOC = re.compile(r"(?<!<)<<(?!<)(-?)([\"']?)([A-Za-z0-9_.\-]+)\2")


@attrs.frozen(kw_only=True)
class SyntaxProblem:
    """Something in the text the parser could not read as the reference describes."""

    line: int
    message: str


@attrs.frozen(kw_only=True)
class Heredoc:
    """One here-document attached to an instruction; `body` ends with a newline unless empty."""

    delimiter: str
    body: str
    strip_tabs: bool = False  # `<<-`: leading tabs were removed from the body and the delimiter
    quoted: bool = False  # `<<"EOF"`: the body is taken literally, without expansion


@attrs.frozen(kw_only=True)
class Instruction:
    """One logical instruction: continuation lines joined, comments inside it dropped."""

    line: int  # 1-based line of the keyword
    keyword: str  # upper-cased as written; unknown keywords are kept (and reported)
    arguments: str  # everything after the keyword, stripped
    heredocs: tuple[Heredoc, ...] = ()


@attrs.frozen(kw_only=True)
class DockerfileSyntax:
    """A parsed Dockerfile: its parser directives, instructions in order, and problems."""

    directives: tuple[tuple[str, str], ...]  # (lower-case name, value), in order of appearance
    escape: str
    instructions: tuple[Instruction, ...]
    problems: tuple[SyntaxProblem, ...] = ()


def parse_dockerfile(text: str) -> DockerfileSyntax:
    """Parse Dockerfile text into directives and logical instructions (see module rules)."""
    lines = _physical_lines(text)
    problems: list[SyntaxProblem] = []
    directives, escape, index = _read_directives(lines, problems)
    instructions: list[Instruction] = []
    # continued-line = *CHAR escape *BLANK EOL     ; escape = "\\" or "`", per the directive
    continuation = re.compile(re.escape(escape) + r"[ \t\r]*\Z")
    while index < len(lines):
        start = index
        physical = lines[index]
        index += 1
        if _blank_or_comment(physical):
            continue
        parts: list[str] = []
        current = physical
        # Join continuation lines: an escape character ending a line (before trailing blanks)
        # joins it to the next non-comment, non-empty line, as docker does.
        while (match := continuation.search(current)) is not None:
            parts.append(current[: match.start()])
            while index < len(lines) and _blank_or_comment(lines[index]):
                index += 1
            if index >= len(lines):
                current = ""
                break
            current = lines[index]
            index += 1
        parts.append(current)
        logical = "".join(parts).strip(_BLANKS)
        if not logical:
            continue
        keyword, arguments = _split_keyword(logical)
        upper = keyword.upper()
        if upper not in KNOWN_INSTRUCTIONS:
            problems.append(
                SyntaxProblem(line=start + 1, message=f"unknown instruction {keyword!r}")
            )
        heredocs: list[Heredoc] = []
        if upper in HEREDOC_INSTRUCTIONS or _onbuild_heredoc(upper, arguments):
            for marker in _HEREDOC.finditer(arguments):
                heredoc, index, terminated = _read_heredoc(marker, lines, index)
                heredocs.append(heredoc)
                if not terminated:
                    message = f"heredoc {heredoc.delimiter!r} is not terminated before end of file"
                    problems.append(SyntaxProblem(line=start + 1, message=message))
        instructions.append(
            Instruction(
                line=start + 1, keyword=upper, arguments=arguments, heredocs=tuple(heredocs)
            )
        )
    return DockerfileSyntax(
        directives=tuple(directives),
        escape=escape,
        instructions=tuple(instructions),
        problems=tuple(problems),
    )


def render_dockerfile(syntax: DockerfileSyntax) -> str:
    """Canonical text for `syntax`: directives, then one line per instruction and its heredocs."""
    out = [f"# {name}={value}\n" for name, value in syntax.directives]
    for instruction in syntax.instructions:
        head = instruction.keyword
        if instruction.arguments:
            head += " " + instruction.arguments
        out.append(head + "\n")
        for heredoc in instruction.heredocs:
            out.append(heredoc.body)
            out.append(heredoc.delimiter + "\n")
    return "".join(out)


def _read_heredoc(marker: re.Match[str], lines: list[str], index: int) -> tuple[Heredoc, int, bool]:
    """The heredoc `marker` opens, whose body starts at `lines[index]`; the index after its
    delimiter line; whether that line was found before the end of the file."""
    strip_tabs = marker.group(1) == "-"
    delimiter = marker.group(3)
    body: list[str] = []
    terminated = False
    while index < len(lines):
        line = lines[index].lstrip("\t") if strip_tabs else lines[index]
        index += 1
        if line == delimiter:
            terminated = True
            break
        body.append(line + "\n")
    heredoc = Heredoc(
        delimiter=delimiter,
        body="".join(body),
        strip_tabs=strip_tabs,
        quoted=marker.group(2) != "",
    )
    return heredoc, index, terminated


def _read_directives(
    lines: list[str], problems: list[SyntaxProblem]
) -> tuple[list[tuple[str, str]], str, int]:
    """Directives at the very top; the first line that is not one ends them (and is kept)."""
    directives: list[tuple[str, str]] = []
    seen: set[str] = set()
    escape = DEFAULT_ESCAPE
    index = 0
    while index < len(lines):
        match = _DIRECTIVE.match(lines[index])
        if match is None:
            break
        name, value = match.group(1).lower(), match.group(2)
        if name not in KNOWN_DIRECTIVES:
            break  # an unknown directive is a comment, and ends directive parsing
        index += 1
        if name in seen:
            problems.append(SyntaxProblem(line=index, message=f"directive {name!r} repeated"))
            continue
        seen.add(name)
        if name == "escape":
            if value not in ("\\", "`"):
                problems.append(
                    SyntaxProblem(line=index, message=f"invalid escape character {value!r}")
                )
                continue
            escape = value
        directives.append((name, value))
    return directives, escape, index


def _physical_lines(text: str) -> list[str]:
    """Lines split on LF only, as docker does; CRs ending a line and a leading BOM are dropped."""
    lines = [line.rstrip("\r") for line in text.removeprefix("\ufeff").split("\n")]
    if lines and lines[-1] == "":
        lines.pop()  # the newline ending the last line does not start another line
    return lines


def _blank_or_comment(line: str) -> bool:
    stripped = line.strip(_BLANKS)
    return not stripped or stripped.startswith("#")


# instruction = *BLANK keyword [ 1*BLANK arguments ]   ; BLANK = SP / HTAB / CR
_KEYWORD = re.compile(r"([^ \t\r]*)[ \t\r]*(.*)\Z", re.DOTALL)


def _split_keyword(logical: str) -> tuple[str, str]:
    match = _KEYWORD.match(logical)
    assert match is not None  # the pattern matches every string
    return match.group(1), match.group(2).strip(_BLANKS)


def _onbuild_heredoc(keyword: str, arguments: str) -> bool:
    if keyword != "ONBUILD":
        return False
    inner, _ = _split_keyword(arguments) if arguments else ("", "")
    return inner.upper() in HEREDOC_INSTRUCTIONS
