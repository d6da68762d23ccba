"""Jenkinsfile for the `ci` probe: a declarative pipeline's agents and stages, found by a small
scanner that knows Groovy's comments, strings and brackets, and never evaluates anything.

Rule 1 (tokens): the scanner reads, left to right, once:
    comment = "//" *(not newline) / "/*" *char "*/"
    string  = "'''" *char "'''" / '\"\"\"' *char '\"\"\"' / "'" *char "'" / '"' *char '"'
              (a backslash escapes the next character in any string)
    word    = 1*( ALPHA / DIGIT / "_" / "." / "$" )
    punct   = "{" / "}" / "(" / ")"    (anything else is skipped)
Rule 2 (declarative): a top-level `pipeline {` block makes the file declarative. Inside it:
    agent-line   = "agent" ( "any" / "none" / "{" agent-body "}" )
    agent-body   = "docker" string / "docker" "{" *( "image" string / other ) "}"
                   / "label" string / "dockerfile" ... / "kubernetes" ... / other
    stage        = "stage" "(" string ")" "{" ... "}"
An agent inside a stage is that stage's; the pipeline's otherwise. Stages keep their written
order (nested and parallel stages included).
Rule 3 (confidence): a file without `pipeline {` is a scripted pipeline, code the scanner cannot
follow: "low", with the reason. Unbalanced brackets, an unterminated string or comment, or
nesting past `MAX_NESTING` are problems; text past `MAX_CHARS` is not scanned.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import attrs

MAX_CHARS = 1_000_000
MAX_NESTING = 200
MAX_STAGES = 1_000

TokenKind = Literal["word", "string", "punct"]


@attrs.frozen(kw_only=True)
class JenkinsStage:
    name: str
    agent: str | None  # a docker image, `label:NAME`, `any`, `none`, or the agent kind


@attrs.frozen(kw_only=True)
class JenkinsPipeline:
    declarative: bool
    agent: str | None  # the pipeline's agent, as `JenkinsStage.agent`
    stages: tuple[JenkinsStage, ...]  # in written order


@attrs.frozen(kw_only=True)
class JenkinsRead:
    pipeline: JenkinsPipeline
    messages: tuple[str, ...]
    scripted: bool


def tokens(source: str, messages: list[str]) -> Iterator[tuple[TokenKind, str]]:
    """Rule 1's tokens; a problem (unterminated string or comment) is appended to `messages`."""
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c in "{}()":
            yield "punct", c
            i += 1
        elif source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end < 0 else end + 1
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            if end < 0:
                messages.append("an unterminated /* comment")
                return
            i = end + 2
        elif c in "'\"":
            quote = source[i : i + 3] if source.startswith(c * 3, i) else c
            value, i = _string(source, i + len(quote), quote)
            if i < 0:
                messages.append(f"an unterminated {quote} string")
                return
            yield "string", value
        elif c.isalnum() or c in "_.$":
            start = i
            while i < n and (source[i].isalnum() or source[i] in "_.$"):
                i += 1
            yield "word", source[start:i]
        else:
            i += 1


def _string(source: str, start: int, quote: str) -> tuple[str, int]:
    """The string's text and the index after its closing quote (-1 when unterminated)."""
    out: list[str] = []
    i, n = start, len(source)
    while i < n:
        if source[i] == "\\":
            out.append(source[i + 1 : i + 2])
            i += 2
        elif source.startswith(quote, i):
            return "".join(out), i + len(quote)
        else:
            out.append(source[i])
            i += 1
    return "".join(out), -1


def scan_jenkinsfile(source: str) -> JenkinsRead:
    """The pipeline Rule 2 finds in the text, and what kept it from being complete."""
    messages: list[str] = []
    if len(source) > MAX_CHARS:
        messages.append(f"longer than {MAX_CHARS:,} characters; not scanned")
        return JenkinsRead(
            pipeline=JenkinsPipeline(declarative=False, agent=None, stages=()),
            messages=tuple(messages), scripted=False,
        )  # fmt: skip
    # The block stack: each entry names the block a "{" opened ("pipeline", "agent", "docker",
    # "stage:NAME", or "" for any other block or bracket).
    stack: list[str] = []
    declarative = False
    agent: str | None = None
    stages: list[list[str | None]] = []  # [name, agent]
    recent: list[tuple[TokenKind, str]] = []  # the last few tokens, to read a `stage('x') {`
    for kind, value in tokens(source, messages):
        recent = [*recent[-4:], (kind, value)]
        if kind == "punct" and value in "{(":
            if len(stack) >= MAX_NESTING:
                messages.append(f"nested deeper than {MAX_NESTING}; scanning stopped")
                break
            stack.append(_opened(value, recent, stack, stages))
            if stack[-1] == "pipeline":
                declarative = True
            continue
        if kind == "punct":
            if not stack:
                messages.append(f"an unmatched {value!r}")
                break
            stack.pop()
            continue
        inside = stack[-1] if stack else None
        before = recent[-2] if len(recent) > 1 else ("punct", "")
        found = _agent_fact(inside, before, kind, value)
        if found is not None and _in_pipeline(stack):
            owner = _stage_of(stack)
            if owner is None:
                agent = found
            else:
                stages[owner][1] = found
    if stack and not messages:
        messages.append(f"{len(stack)} unclosed brackets")
    if len(stages) > MAX_STAGES:
        messages.append(f"more than {MAX_STAGES} stages; the rest not listed")
    return JenkinsRead(
        pipeline=JenkinsPipeline(
            declarative=declarative,
            agent=agent,
            stages=tuple(
                JenkinsStage(name=str(name), agent=stage_agent)
                for name, stage_agent in stages[:MAX_STAGES]
            ),
        ),
        messages=tuple(messages),
        scripted=not declarative,
    )


def _opened(
    bracket: str,
    recent: list[tuple[TokenKind, str]],
    stack: list[str],
    stages: list[list[str | None]],
) -> str:
    if bracket == "(":
        return "("
    before = recent[-2] if len(recent) > 1 else None
    if before == ("word", "pipeline") and not stack:
        return "pipeline"
    if before == ("word", "agent") and _in_pipeline(stack):
        return "agent"
    if before == ("word", "docker") and stack and stack[-1] == "agent":
        return "docker"
    # stage ( string ) {
    if (
        len(recent) >= 5
        and recent[-5] == ("word", "stage")
        and recent[-4] == ("punct", "(")
        and recent[-3][0] == "string"
        and recent[-2] == ("punct", ")")
        and _in_pipeline(stack)
    ):
        stages.append([recent[-3][1], None])
        return f"stage:{len(stages) - 1}"
    return ""


def _agent_fact(
    inside: str | None, before: tuple[TokenKind, str], kind: TokenKind, value: str
) -> str | None:
    """What one token says about an agent (Rule 2), given the block it is in and the token
    before it."""
    if kind == "word":
        if before == ("word", "agent") and value in ("any", "none"):
            return value
        return value if inside == "agent" and value in ("dockerfile", "kubernetes") else None
    if kind != "string" or before[0] != "word":
        return None
    keyed = {
        ("agent", "docker"): value,
        ("agent", "label"): f"label:{value}",
        ("docker", "image"): value,
    }
    return keyed.get((inside or "", before[1]))


def _in_pipeline(stack: list[str]) -> bool:
    return bool(stack) and stack[0] == "pipeline"


def _stage_of(stack: list[str]) -> int | None:
    for entry in reversed(stack):
        if entry.startswith("stage:"):
            return int(entry.removeprefix("stage:"))
    return None
