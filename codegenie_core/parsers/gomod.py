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
    block: str | None = None
    block_line = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        code, comment = split_comment(raw)
        words = tokens(code)
        if not words:
            continue
        if block is not None:
            if words == [")"]:
                block = None
                continue
            verb, args = block, words
        else:
            verb, args = words[0], words[1:]
            if verb not in KNOWN_VERBS:
                problems.append(ManifestProblem(message=f"unknown directive {verb!r}", line=number))
                continue
            if args == ["("]:
                block, block_line = verb, number
                continue
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
                arrow = args.index("=>")
                old, new = args[:arrow], args[arrow + 1 :]
                if len(old) in (1, 2) and len(new) in (1, 2):
                    replaces.append(GoReplace(old=" ".join(old), new=" ".join(new)))
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
    if block is not None:
        problems.append(
            ManifestProblem(message=f"{block} block is not closed with ')'", line=block_line)
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


def split_comment(line: str) -> tuple[str, str]:  # shared with go.work (parsers.go_inventory)
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


def tokens(code: str) -> list[str]:
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
