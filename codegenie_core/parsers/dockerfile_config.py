"""A Dockerfile stage's runtime configuration, built instruction by instruction (pure).

Rule 1: the builder is mutable and frozen once (`StageBuilder.freeze`): an instruction costs what
its own text costs, never a copy or a re-sort of what earlier instructions set, so a stage of n
ENV or EXPOSE lines costs O(n log n) once (the final sort), not O(n^2).
Rule 2: WORKDIR is kept as path components and joined when frozen; it is normalised exactly as
`posixpath.normpath(posixpath.join(base, argument))`, and a value holding `$` is kept as written
until a later relative WORKDIR joins onto it.
Rule 3: problems do not depend on the configuration, so a stage outside the final stage's chain
can be built only for its problems.
Rule 4: no recorded command or option keeps a URL's credentials (see `dockerfile_secrets`).
"""

from __future__ import annotations

import json
import re
from typing import Literal, cast

import attrs

from codegenie_core.parsers.dockerfile import Instruction, SyntaxProblem
from codegenie_core.parsers.dockerfile_secrets import strip_url_credentials
from codegenie_core.parsers.dockerfile_words import split_words

CommandForm = Literal["exec", "shell"]
DEFAULT_SHELL: tuple[str, ...] = ("/bin/sh", "-c")
HEALTHCHECK_OPTIONS = frozenset(
    {"interval", "timeout", "start-period", "start-interval", "retries"}
)

# port = 1*DIGIT [ "-" 1*DIGIT ] [ "/" protocol ]
_PORT = re.compile(r"(\d+)(?:-(\d+))?(?:/([A-Za-z]+))?\Z")


@attrs.frozen(kw_only=True)
class Command:
    """A command the image runs: exec form as written, or shell form wrapped in the shell."""

    form: CommandForm
    argv: tuple[str, ...]
    line: int


@attrs.frozen(kw_only=True)
class Healthcheck:
    disabled: bool  # HEALTHCHECK NONE
    command: Command | None
    options: dict[str, str]  # option name without dashes -> value as written
    line: int


@attrs.frozen(kw_only=True)
class ExposedPort:
    start: int
    end: int  # equal to start unless a range was written
    protocol: str  # tcp unless written


@attrs.frozen(kw_only=True)
class RuntimeConfig:
    """What a stage's image is configured to do, as far as this Dockerfile says."""

    user: str | None = None
    workdir: str | None = None
    exposed: tuple[ExposedPort, ...] = ()
    env_names: tuple[str, ...] = ()
    entrypoint: Command | None = None
    cmd: Command | None = None
    healthcheck: Healthcheck | None = None
    shell: tuple[str, ...] = DEFAULT_SHELL
    inherits_from_image: bool = False


def problem(instruction: Instruction, message: str) -> SyntaxProblem:
    return SyntaxProblem(line=instruction.line, message=message)


class _Workdir:
    """A working directory as `posixpath.normpath` would write it, built component by component."""

    def __init__(self) -> None:
        self.set = False
        self.literal: str | None = None  # a value with `$`, kept as written (Rule 2)
        self.slashes = 1
        self.parts: list[str] = []

    def change(self, argument: str) -> None:
        if not argument:  # `WORKDIR` alone keeps the directory, or makes it "/"
            self.set = True
            return
        if "$" in argument:
            self.set, self.literal = True, argument
            return
        if argument.startswith("/"):
            self._reset(argument)
        else:
            if self.literal is not None:
                self._reset(self.literal)
            elif not self.set:
                self._reset("/")
            self._extend(argument)
        self.set, self.literal = True, None

    def text(self) -> str | None:
        if not self.set:
            return None
        if self.literal is not None:
            return self.literal
        return "/" * self.slashes + "/".join(self.parts) or "."

    def _reset(self, path: str) -> None:
        # normpath keeps exactly two leading slashes (POSIX leaves "//" implementation-defined)
        self.slashes = 2 if path.startswith("//") and not path.startswith("///") else 1
        if not path.startswith("/"):
            self.slashes = 0
        self.parts = []
        self._extend(path)

    def _extend(self, path: str) -> None:
        parts = self.parts
        for part in path.split("/"):
            if part in ("", "."):
                continue
            if part != ".." or (not self.slashes and not parts) or (parts and parts[-1] == ".."):
                parts.append(part)
            elif parts:
                parts.pop()


class StageBuilder:
    """One stage's runtime configuration while its instructions are read (Rule 1)."""

    def __init__(self, *, inherits_from_image: bool) -> None:
        self.user: str | None = None
        self.workdir = _Workdir()
        self.exposed: set[ExposedPort] = set()
        self.env_names: set[str] = set()
        self.entrypoint: Command | None = None
        self.cmd: Command | None = None
        self.healthcheck: Healthcheck | None = None
        self.shell: tuple[str, ...] = DEFAULT_SHELL
        self.inherits_from_image = inherits_from_image

    def freeze(self) -> RuntimeConfig:
        return RuntimeConfig(
            user=self.user,
            workdir=self.workdir.text(),
            exposed=tuple(sorted(self.exposed, key=lambda p: (p.start, p.end, p.protocol))),
            env_names=tuple(sorted(self.env_names)),
            entrypoint=self.entrypoint,
            cmd=self.cmd,
            healthcheck=self.healthcheck,
            shell=self.shell,
            inherits_from_image=self.inherits_from_image,
        )

    def apply(self, instruction: Instruction, escape: str, problems: list[SyntaxProblem]) -> None:
        """Apply one instruction of the stage."""
        arguments = instruction.arguments
        match instruction.keyword:
            case "USER":
                self.user = arguments or None
            case "WORKDIR":
                self.workdir.change(arguments)
            case "EXPOSE":
                for word in split_words(arguments, escape=escape).words:
                    port = _port(word)
                    if port is None:
                        message = f"EXPOSE value {word!r} is not a port"
                        problems.append(problem(instruction, message))
                    else:
                        self.exposed.add(port)
            case "ENV":
                self.env_names.update(_env_names(instruction, escape, problems))
            case "SHELL":
                shell = _json_array(arguments)
                if shell is None or not shell:
                    problems.append(problem(instruction, "SHELL requires a JSON array of strings"))
                else:
                    self.shell = tuple(shell)
            case "ENTRYPOINT":
                self.entrypoint = _command_from(arguments, instruction, self.shell, problems)
                self.cmd = None
            case "CMD":
                self.cmd = _command_from(arguments, instruction, self.shell, problems)
            case "HEALTHCHECK":
                self.healthcheck = _healthcheck(instruction, escape, problems)
            case _:
                pass


def _port(word: str) -> ExposedPort | None:
    match = _PORT.match(word)
    if match is None:
        return None
    start = int(match.group(1))
    end = int(match.group(2)) if match.group(2) else start
    protocol = (match.group(3) or "tcp").lower()
    if not 0 < start <= end <= 65535 or protocol not in ("tcp", "udp", "sctp"):
        return None
    return ExposedPort(start=start, end=end, protocol=protocol)


def _env_names(instruction: Instruction, escape: str, problems: list[SyntaxProblem]) -> list[str]:
    # env = 1*( name "=" value )  /  name 1*WSP value   ; the second is the legacy form
    words = split_words(instruction.arguments, escape=escape).words
    if not words:
        problems.append(problem(instruction, "ENV without a name"))
        return []
    if "=" not in words[0]:
        return [words[0]]  # legacy `ENV NAME value with spaces`
    names: list[str] = []
    for number, word in enumerate(words, start=1):
        name, equals, _ = word.partition("=")
        if not equals or not name:
            # the word is not quoted back: it may be a value, and values may be secrets
            message = f"ENV expects NAME=value; word {number} has no name or no '='"
            problems.append(problem(instruction, message))
            continue
        names.append(name)
    return names


def _json_array(arguments: str) -> list[str] | None:
    """The strings of a JSON array, or None when `arguments` is not one."""
    try:
        value: object = json.loads(arguments)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    items = cast("list[object]", value)  # json gives a list of unknown values
    strings = [item for item in items if isinstance(item, str)]
    return strings if len(strings) == len(items) else None


def _command_from(
    text: str, instruction: Instruction, shell: tuple[str, ...], problems: list[SyntaxProblem]
) -> Command | None:
    if not text:
        problems.append(problem(instruction, f"{instruction.keyword} without a command"))
        return None
    if text.startswith("["):
        argv = _json_array(text)
        if argv is not None:
            stripped = tuple(strip_url_credentials(word) for word in argv)
            return Command(form="exec", argv=stripped, line=instruction.line)
        # docker runs a malformed array as a shell command; say so, and do the same.
        problems.append(
            problem(
                instruction,
                f"{instruction.keyword} looks like exec form but is not a JSON array of strings;"
                " docker runs it through the shell",
            )
        )
    return Command(form="shell", argv=(*shell, strip_url_credentials(text)), line=instruction.line)


def _healthcheck(
    instruction: Instruction, escape: str, problems: list[SyntaxProblem]
) -> Healthcheck | None:
    # healthcheck = "NONE" / *( "--" option "=" value WSP ) "CMD" WSP command
    rest = instruction.arguments
    if rest.upper() == "NONE":
        return Healthcheck(disabled=True, command=None, options={}, line=instruction.line)
    options: dict[str, str] = {}
    position = 0  # rest[position:] is still to read: no slice of the rest per option
    while rest.startswith("--", position):
        blank = rest.find(" ", position)
        flag = rest[position:] if blank == -1 else rest[position:blank]
        position = len(rest) if blank == -1 else blank + 1
        while position < len(rest) and rest[position] in " \t":
            position += 1
        name, equals, value = flag[2:].partition("=")
        if not equals or name not in HEALTHCHECK_OPTIONS:
            problems.append(problem(instruction, f"unknown HEALTHCHECK option {flag!r}"))
            continue
        options[name] = strip_url_credentials("".join(split_words(value, escape=escape).words))
    keyword, _, command_text = rest[position:].partition(" ")
    if keyword.upper() != "CMD":
        problems.append(problem(instruction, "HEALTHCHECK expects NONE or CMD <command>"))
        return None
    command = _command_from(command_text.strip(" \t"), instruction, DEFAULT_SHELL, problems)
    return Healthcheck(
        disabled=False,
        command=command,
        options=dict(sorted(options.items())),
        line=instruction.line,
    )
