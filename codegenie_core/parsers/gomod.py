"""go.mod: text in, a `GoModule` out, by the line grammar of the Go modules reference.

go.mod is neither TOML nor JSON; its grammar (go.dev/ref/mod#go-mod-file-grammar) is:

    GoMod     = { Directive } .
    Directive = verb ( Spec | "(" newline { Spec } ")" ) newline .
    verb      = "module" | "go" | "toolchain" | "godebug" | "require" | "exclude" | "replace"
              | "retract" | "tool" | "ignore" .
    require   : ModulePath Version                       ; "// indirect" comment marks indirect
    replace   : ModulePath [ Version ] "=>" ( FilePath | ModulePath Version )
    exclude   : ModulePath Version
    tokens    : identifiers, interpreted "strings" or raw `strings`; "//" starts a comment.

Rule 1: pure and total: an unknown verb or malformed line is a problem with its line number, and
parsing goes on with the next line. An unclosed block runs to the end of the file and is reported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from codegenie_core.parsers.manifest_model import (
    Dependency,
    GoModule,
    GoReplace,
    ManifestProblem,
    Parsed,
    sorted_dependencies,
)

KNOWN_VERBS = frozenset(
    {
        "module",
        "go",
        "toolchain",
        "godebug",
        "require",
        "exclude",
        "replace",
        "retract",
        "tool",
        "ignore",
    }
)
# token = raw-string / interpreted-string / "(" / ")" / 1*( any char but blank, quote, "(", ")" )
#         ("=>" is a token of the last kind: go.mod separates it with blanks)
_TOKEN = re.compile(r'`[^`]*`|"(?:[^"\\]|\\.)*"|[()]|[^\s"`()]+')
# indirect = "//" *WSP "indirect" [ ";" *CHAR ]
_INDIRECT = re.compile(r"^//\s*indirect(?:\s*;.*)?\s*$")


def parse_go_mod(text: str) -> Parsed[GoModule]:
    problems: list[ManifestProblem] = []
    module = go = toolchain = None
    dependencies: list[Dependency] = []
    replaces: list[GoReplace] = []
    excludes: list[str] = []
    for number, verb, args, comment, raw in directives(text, KNOWN_VERBS, problems):
        match verb:
            case "module" if len(args) == 1:
                module = args[0]
            case "go" if len(args) == 1:
                go = args[0]
            case "toolchain" if len(args) == 1:
                toolchain = args[0]
            case "require" if len(args) == 2:
                indirect = _INDIRECT.match(comment) is not None
                dependencies.append(
                    Dependency(
                        name=args[0],
                        spec=args[1],
                        scope="indirect" if indirect else "require",
                        indirect=indirect,
                    )
                )
            case "exclude" if len(args) == 2:
                excludes.append(f"{args[0]} {args[1]}")
            case "replace" if "=>" in args and len(args) in (3, 4, 5):
                replace = parse_replace(args)
                if replace is not None:
                    replaces.append(replace)
                else:
                    problems.append(ManifestProblem(message="malformed replace", line=number))
            case "godebug" | "retract" | "tool" | "ignore":
                pass  # known, and not facts this probe reports
            case _:
                problems.append(
                    ManifestProblem(
                        message=f"malformed {verb} directive: {raw.strip()!r}", line=number
                    )
                )
    value = GoModule(
        module=module,
        go=go,
        toolchain=toolchain,
        dependencies=sorted_dependencies(dependencies),
        replaces=tuple(sorted(replaces, key=lambda r: (r.old, r.new))),
        excludes=tuple(sorted(excludes)),
    )
    if module is None:
        problems.append(ManifestProblem(message="no module directive"))
    return Parsed(value=value, problems=tuple(problems))


class Directive(NamedTuple):
    line: int
    verb: str
    args: list[str]
    comment: str
    raw: str


def directives(
    text: str, known: frozenset[str], problems: list[ManifestProblem]
) -> Iterator[Directive]:
    """Each directive of a go.mod or go.work text, a block's lines carrying the block's verb;
    an unknown verb and a block never closed are problems (Rule 1). Shared with go.work."""
    block: str | None = None
    block_line = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        code, comment = _split_comment(raw)
        words = _tokens(code)
        if not words:
            continue
        if block is not None:
            if words == [")"]:
                block = None
                continue
            yield Directive(number, block, words, comment, raw)
            continue
        verb, args = words[0], words[1:]
        if verb not in known:
            problems.append(ManifestProblem(message=f"unknown directive {verb!r}", line=number))
        elif args == ["("]:
            block, block_line = verb, number
        else:
            yield Directive(number, verb, args, comment, raw)
    if block is not None:
        problems.append(
            ManifestProblem(message=f"{block} block is not closed with ')'", line=block_line)
        )


def parse_replace(args: Sequence[str]) -> GoReplace | None:
    """`old [version] => new [version]`, or None when the words are not that shape."""
    if "=>" not in args:
        return None
    arrow = list(args).index("=>")
    old, new = args[:arrow], args[arrow + 1 :]
    if len(old) not in (1, 2) or len(new) not in (1, 2):
        return None
    return GoReplace(old=" ".join(old), new=" ".join(new))


def _split_comment(line: str) -> tuple[str, str]:
    """The code before a `//` comment (outside strings) and the comment itself."""
    i = 0
    quote: str | None = None
    while i < len(line):
        char = line[i]
        if quote is not None:
            if char == "\\" and quote == '"':
                i += 2
                continue
            if char == quote:
                quote = None
        elif char in '"`':
            quote = char
        elif line.startswith("//", i):
            return line[:i], line[i:]
        i += 1
    return line, ""


def _tokens(code: str) -> list[str]:
    out: list[str] = []
    for token in _TOKEN.findall(code):
        if token.startswith("`"):
            out.append(token[1:-1])
        elif token.startswith('"'):
            try:
                out.append(json.loads(token))  # Go's interpreted strings share JSON's escapes
            except ValueError:
                out.append(token[1:-1])
        else:
            out.append(token)
    return out
