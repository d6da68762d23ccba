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
Rule 5: USER, WORKDIR and EXPOSE are substituted as the Dockerfile reference says ("Environment
replacement": ENV and ARG values are usable in ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL,
USER, VOLUME, WORKDIR and ONBUILD; "Using ARG variables": an ARG is in scope from its line to the
end of its stage, `ARG NAME` without a default inside a stage takes the default of a global ARG
declared before the first FROM, and "environment variables defined using the ENV instruction
always override an ARG instruction of the same name"; an ENV instruction's values see the
variables as they were before that instruction). ENV carries over to a stage built on a stage,
ARG does not. A reference with no value here (a `--build-arg`, or the base image's ENV) keeps the
word as written and records an `Unresolved` note; it is not a problem (see ADR-0038).
Rule 6: credential-named ARG and ENV values are substituted as `***` (ADR-0027); ENV values are
held only while the stage is read and never recorded; a word that is not a port is quoted as
written, never as substituted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Literal, cast

import attrs

from codegenie_core.parsers.dockerfile import Instruction, SyntaxProblem
from codegenie_core.parsers.dockerfile_secrets import (
    REDACTED,
    looks_like_credential,
    strip_url_credentials,
)
from codegenie_core.parsers.dockerfile_words import expand_bounded, split_raw, split_words

# What one substituted ARG, ENV, USER, WORKDIR or EXPOSE value may grow to (as FROM's, ADR-0027).
MAX_STAGE_SUBSTITUTED = 4096

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
class Unresolved:
    """A USER, WORKDIR or EXPOSE word whose variables this text cannot resolve (Rule 5)."""

    line: int
    instruction: str
    written: str  # the word as written, kept in place of a value
    names: tuple[str, ...]  # the variables with no value here (or `${...}` forms not evaluated)


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
    unresolved: tuple[Unresolved, ...] = ()  # in line order


class Scope(Mapping[str, str]):
    """What a stage's substitution sees: its ENV values over its ARG values (Rule 5)."""

    def __init__(self, env: Mapping[str, str], args: Mapping[str, str]) -> None:
        self.env = env
        self.args = args

    def __getitem__(self, name: str) -> str:
        if name in self.env:
            return self.env[name]
        return self.args[name]

    def __iter__(self) -> Iterator[str]:
        yield from self.env
        yield from (name for name in self.args if name not in self.env)

    def __len__(self) -> int:
        return len(self.env) + sum(1 for name in self.args if name not in self.env)


def held(name: str, value: str) -> str:
    """The value substitution holds for `name`: `***` for a credential name (Rule 6)."""
    return REDACTED if looks_like_credential(name) else value


def substitute(
    word: str,
    instruction: Instruction,
    escape: str,
    scope: Mapping[str, str],
    problems: list[SyntaxProblem],
) -> tuple[str, tuple[str, ...]]:
    """`word` substituted from `scope`, and what could not be resolved (empty when all was)."""
    expanded = expand_bounded(word, escape=escape, env=scope, limit=MAX_STAGE_SUBSTITUTED)
    if expanded.over_limit:
        message = (
            f"{instruction.keyword} expands past {MAX_STAGE_SUBSTITUTED} characters; cut there"
        )
        problems.append(problem(instruction, message))
    missing = tuple(dict.fromkeys((*expanded.unresolved, *expanded.unsupported)))
    return expanded.text, missing


def read_stage_args(
    instruction: Instruction,
    escape: str,
    scope: Mapping[str, str],
    global_args: Mapping[str, str],
    problems: list[SyntaxProblem],
) -> list[tuple[str, str | None]]:
    """The ARGs one stage instruction declares and the values they take (Rule 5): a default
    substituted from `scope`, else the global ARG's default, else None (unset)."""
    declared: list[tuple[str, str | None]] = []
    for word in split_raw(instruction.arguments, escape=escape):
        name, equals, default = word.partition("=")
        if not name:
            continue  # reported by the pass that records the stage's ARG names
        if equals:
            value, _missing = substitute(default, instruction, escape, scope, problems)
            declared.append((name, held(name, value)))
        else:
            inherited = global_args.get(name)
            declared.append((name, None if inherited is None else held(name, inherited)))
    return declared


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

    def __init__(
        self, *, inherits_from_image: bool, global_args: Mapping[str, str] | None = None
    ) -> None:
        self.global_args: Mapping[str, str] = global_args or {}
        self.env_values: dict[str, str] = {}  # ENV along the chain, credential names redacted
        self.arg_values: dict[str, str] = {}  # this stage's ARGs with a value
        self.scope = Scope(self.env_values, self.arg_values)
        self.unresolved: list[Unresolved] = []
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
            unresolved=tuple(self.unresolved),
        )

    def begin_stage(self) -> None:
        """A new stage of the chain starts: its ARGs start empty, its ENV is inherited."""
        self.arg_values.clear()

    def _resolved(
        self, word: str, instruction: Instruction, escape: str, problems: list[SyntaxProblem]
    ) -> str | None:
        """`word` substituted, or None (and a note) when a variable has no value here."""
        text, missing = substitute(word, instruction, escape, self.scope, problems)
        if missing:
            written = strip_url_credentials(word)
            note = Unresolved(
                line=instruction.line,
                instruction=instruction.keyword,
                written=written,
                names=missing,
            )
            self.unresolved.append(note)
            return None
        return text

    def apply(self, instruction: Instruction, escape: str, problems: list[SyntaxProblem]) -> None:
        """Apply one instruction of the stage."""
        arguments = instruction.arguments
        match instruction.keyword:
            case "USER":
                if not arguments:
                    self.user = None
                    return
                user = self._resolved(arguments, instruction, escape, problems)
                self.user = strip_url_credentials(arguments if user is None else user) or None
            case "WORKDIR":
                if "$" not in arguments:
                    self.workdir.change(arguments)
                    return
                workdir = self._resolved(arguments, instruction, escape, problems)
                self.workdir.change(arguments if workdir is None else workdir)
            case "EXPOSE":
                self._expose(instruction, escape, problems)
            case "ARG":
                for name, value in read_stage_args(
                    instruction, escape, self.scope, self.global_args, problems
                ):
                    if value is None:
                        self.arg_values.pop(name, None)
                    else:
                        self.arg_values[name] = value
            case "ENV":
                self.env_names.update(_env_names(instruction, escape, problems))
                # every value sees the variables as they were before this instruction (Rule 5)
                assigned = [
                    (name, self._env_value(raw, instruction, escape, problems))
                    for name, raw in env_assignments(instruction, escape)
                ]
                for name, value in assigned:
                    self.env_values[name] = held(name, value)
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

    def _env_value(
        self, raw: str, instruction: Instruction, escape: str, problems: list[SyntaxProblem]
    ) -> str:
        value, _missing = substitute(raw, instruction, escape, self.scope, problems)
        return value

    def _expose(self, instruction: Instruction, escape: str, problems: list[SyntaxProblem]) -> None:
        for word in split_raw(instruction.arguments, escape=escape):
            text = self._resolved(word, instruction, escape, problems) if "$" in word else None
            if "$" in word and text is None:
                continue  # kept as written in `unresolved`
            candidates = (
                text.split() if text is not None else split_words(word, escape=escape).words
            )
            for candidate in candidates:
                port = _port(candidate)
                if port is None:
                    # quoted as written: a substituted value is not repeated (Rule 6)
                    shown = split_words(word, escape=escape).words if text is None else (word,)
                    message = f"EXPOSE value {' '.join(shown)!r} is not a port"
                    problems.append(problem(instruction, message))
                else:
                    self.exposed.add(port)


def env_assignments(instruction: Instruction, escape: str) -> list[tuple[str, str]]:
    """The `(name, value as written)` pairs of one ENV instruction; malformed words are left to
    `_env_names`, which reports them."""
    # env = 1*( name "=" value )  /  name 1*WSP value   ; the second is the legacy form
    raw = split_raw(instruction.arguments, escape=escape)
    if not raw:
        return []
    first = split_words(raw[0], escape=escape).words
    if not first or "=" not in first[0]:
        legacy_value = instruction.arguments[len(raw[0]) :].lstrip(" \t")
        return [(first[0], legacy_value)] if first else []
    pairs: list[tuple[str, str]] = []
    for word in raw:
        name_raw, equals, value = word.partition("=")
        names = split_words(name_raw, escape=escape).words
        if equals and names:
            pairs.append(("".join(names), value))
    return pairs


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
