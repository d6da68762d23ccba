"""The `#!` line at the head of an extension-less script: bytes in, the interpreter and language.

The line is the kernel's (execve(2)) with env(1)'s options on top:

    shebang     = "#!" *WSP program [ 1*WSP args ] ( LF / end of the head )
    program     = a path; its last segment names the interpreter, unless it is "env"
    env args    = *( option / NAME "=" VALUE ) interpreter *arg
    option      = "-S" / "-S" word / "--split-string" [ "=" word ] / "-i" / "-" / "-0" / "-v"
                / ( "-u" / "-C" / "--unset" / "--chdir" ) word     ; these take a word
    interpreter = name [ version ]      ; python3.12, perl5, ruby2.7: the version is dropped

Rule 1: pure and total: any bytes give an answer or None, never an exception; only the first line
of a bounded head is looked at, so the work is bounded by that head (`HEAD_BYTES`).
Rule 2: an interpreter no table names has no language (None), never a guess; `-S` (split the
rest into words) is what a kernel that passes one argument makes necessary, and is honoured.
"""

from __future__ import annotations

import re

# Interpreter names, versions dropped, to languages named as in `codegenie_core.languages`.
INTERPRETERS: dict[str, str] = {
    "python": "Python", "pypy": "Python",
    "node": "JavaScript", "nodejs": "JavaScript", "bun": "JavaScript", "deno": "TypeScript",
    "ts-node": "TypeScript", "tsx": "TypeScript",
    "sh": "Shell", "bash": "Shell", "dash": "Shell", "ash": "Shell", "zsh": "Shell", "ksh": "Shell",
    "mksh": "Shell", "busybox": "Shell", "fish": "fish",
    "perl": "Perl", "ruby": "Ruby", "jruby": "Ruby", "php": "PHP", "lua": "Lua", "luajit": "Lua",
    "rscript": "R", "pwsh": "PowerShell", "tclsh": "Tcl", "wish": "Tcl",
    "awk": "Awk", "gawk": "Awk", "mawk": "Awk", "nawk": "Awk", "make": "Makefile",
    "escript": "Erlang", "elixir": "Elixir", "runghc": "Haskell", "runhaskell": "Haskell",
    "stack": "Haskell", "groovy": "Groovy", "kotlin": "Kotlin", "scala": "Scala",
    "swift": "Swift", "julia": "Julia", "crystal": "Crystal", "dart": "Dart", "ocaml": "OCaml",
    "guile": "Scheme", "racket": "Racket", "sbcl": "Common Lisp", "osascript": "AppleScript",
}  # fmt: skip

_ENV_WITH_WORD = frozenset({"-u", "-C", "--unset", "--chdir"})
# version = 1*( DIGIT / "." ) at the end of the name: python3.12 -> python, perl5 -> perl
_VERSION = re.compile(r"[0-9.]+\Z")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def interpreter_of(head: bytes) -> str | None:
    """The interpreter the `#!` line of `head` names, lowercased and without its version, or None
    when `head` does not start with `#!` or names no program (Rule 1)."""
    if not head.startswith(b"#!"):
        return None
    line = head[2:].split(b"\n", 1)[0].decode("utf-8", "replace")
    words = line.split()
    if not words:
        return None
    program = words[0].rsplit("/", 1)[-1]
    if program == "env":
        program = _env_program(words[1:]) or ""
    return _bare_name(program) or None


def language_of_head(head: bytes) -> str | None:
    """The language of a script from its `#!` line, or None (Rule 2)."""
    interpreter = interpreter_of(head)
    return None if interpreter is None else INTERPRETERS.get(interpreter)


def _env_program(words: list[str]) -> str | None:
    """The program env(1) would run, given its arguments."""
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word in _ENV_WITH_WORD:
            index += 1
        elif word.startswith("--split-string="):
            return word.removeprefix("--split-string=").rsplit("/", 1)[-1] or None
        elif word.startswith("-S") and word != "-S":
            return word[2:].rsplit("/", 1)[-1]
        elif word.startswith("-") or _ASSIGNMENT.match(word):
            continue  # -S, --split-string, -i, -v, --, and NAME=VALUE assignments
        else:
            return word.rsplit("/", 1)[-1]
    return None


def _bare_name(program: str) -> str:
    name = program.lower()
    stripped = _VERSION.sub("", name)
    return name if name in INTERPRETERS or not stripped else stripped
