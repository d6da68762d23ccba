"""Dockerfile facts: stages, base images and what the final stage runs, from parsed instructions.

Rule 1: pure and total, like the syntax parser: problems are `SyntaxProblem` values with lines.
Rule 2: ARGs declared before the first FROM are substituted into FROM with their defaults; an ARG
without a default expands to nothing and is reported, since the image then depends on a
`--build-arg` this text cannot see.
Rule 3: `FROM <name>` where `<name>` is an earlier stage (case-insensitive) is a stage reference,
not an image; `scratch` is the empty image. A stage built on a stage inherits its runtime
configuration (USER, WORKDIR, ENV, EXPOSE, ENTRYPOINT, CMD, HEALTHCHECK, SHELL); a stage built on an
image inherits what that image sets, which this text cannot know (`inherits_from_image`).
Rule 4: setting ENTRYPOINT clears an inherited CMD, as docker does.
"""

from __future__ import annotations

import json
import posixpath
import re
from typing import Literal, cast

import attrs

from codegenie_core.parsers.dockerfile import (
    KNOWN_INSTRUCTIONS,
    DockerfileSyntax,
    Instruction,
    SyntaxProblem,
    parse_dockerfile,
)
from codegenie_core.parsers.dockerfile_words import expand, split_raw, split_words
from codegenie_core.parsers.image_reference import parse_image_reference

BaseKind = Literal["image", "stage", "scratch"]
CommandForm = Literal["exec", "shell"]
DEFAULT_SHELL: tuple[str, ...] = ("/bin/sh", "-c")
HEALTHCHECK_OPTIONS = frozenset(
    {"interval", "timeout", "start-period", "start-interval", "retries"}
)

# port = 1*DIGIT [ "-" 1*DIGIT ] [ "/" protocol ]
_PORT = re.compile(r"(\d+)(?:-(\d+))?(?:/([A-Za-z]+))?\Z")


@attrs.frozen(kw_only=True)
class BaseImage:
    """What a stage starts from. Image fields are None when `kind` is not "image"."""

    kind: BaseKind
    written: str  # as written after FROM, before ARG substitution
    resolved: str  # after ARG substitution
    registry: str | None = None  # None: the engine's default registry (Docker Hub)
    name: str | None = None
    tag: str | None = None  # None: not written (the engine assumes "latest" without a digest)
    digest: str | None = None
    stage: str | None = None  # the referenced stage's name, for kind "stage"
    platform: str | None = None


@attrs.frozen(kw_only=True)
class Stage:
    index: int
    name: str | None  # lower-cased, as docker compares them
    line: int
    base: BaseImage


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


@attrs.frozen(kw_only=True)
class DockerfileFacts:
    directives: dict[str, str]
    build_args: dict[str, str | None]  # ARGs before the first FROM and their defaults
    stages: tuple[Stage, ...]
    final: RuntimeConfig | None  # None when there is no FROM at all
    problems: tuple[SyntaxProblem, ...]


def describe_dockerfile(text: str) -> DockerfileFacts:
    """Parse `text` and interpret it: stages, base images, the final stage's runtime config."""
    return interpret(parse_dockerfile(text))


def interpret(syntax: DockerfileSyntax) -> DockerfileFacts:
    problems = list(syntax.problems)
    escape = syntax.escape
    build_args: dict[str, str | None] = {}
    stages: list[Stage] = []
    configs: list[RuntimeConfig] = []
    for instruction in syntax.instructions:
        keyword = instruction.keyword
        if not stages and keyword == "ARG":
            _read_meta_args(instruction, escape, build_args, problems)
            continue
        if keyword == "FROM":
            stage = _read_from(instruction, escape, build_args, stages, problems)
            stages.append(stage)
            if stage.base.kind == "stage":
                parent = next(s.index for s in stages if s.name == stage.base.stage)
                configs.append(configs[parent])
            else:
                configs.append(RuntimeConfig(inherits_from_image=stage.base.kind == "image"))
            continue
        if not stages:
            if keyword in KNOWN_INSTRUCTIONS:  # unknown ones are already syntax problems
                problems.append(_problem(instruction, f"{keyword} before the first FROM"))
            continue
        configs[-1] = _apply(configs[-1], instruction, escape, problems)
    return DockerfileFacts(
        directives=dict(syntax.directives),
        build_args=build_args,
        stages=tuple(stages),
        final=configs[-1] if configs else None,
        problems=tuple(sorted(problems, key=lambda p: (p.line, p.message))),
    )


def _problem(instruction: Instruction, message: str) -> SyntaxProblem:
    return SyntaxProblem(line=instruction.line, message=message)


def _read_meta_args(
    instruction: Instruction,
    escape: str,
    build_args: dict[str, str | None],
    problems: list[SyntaxProblem],
) -> None:
    # arg = name [ "=" default ], several per instruction; defaults may use earlier ARGs.
    known = {k: v for k, v in build_args.items() if v is not None}
    for word in split_raw(instruction.arguments, escape=escape):
        name, equals, default = word.partition("=")
        if not name:
            problems.append(_problem(instruction, f"ARG without a name: {word!r}"))
            continue
        if equals:
            expanded = expand(default, escape=escape, env=known)
            build_args[name] = "".join(expanded.words)
            known[name] = build_args[name] or ""
        else:
            build_args[name] = None


def _read_from(
    instruction: Instruction,
    escape: str,
    build_args: dict[str, str | None],
    stages: list[Stage],
    problems: list[SyntaxProblem],
) -> Stage:
    # from = "FROM" [ "--platform=" platform ] image [ "AS" name ]
    words = list(split_raw(instruction.arguments, escape=escape))
    platform: str | None = None
    while words and words[0].startswith("--"):
        flag = words.pop(0)
        if flag.startswith("--platform="):
            platform = flag.removeprefix("--platform=")
        else:
            problems.append(_problem(instruction, f"unknown FROM flag {flag!r}"))
    name: str | None = None
    if len(words) == 3 and words[1].lower() == "as":
        name = words[2].lower()
        words = words[:1]
    if len(words) != 1:
        problems.append(_problem(instruction, f"FROM expects an image: {instruction.arguments!r}"))
    written = words[0] if words else ""
    env = {k: v for k, v in build_args.items() if v is not None}
    expanded = expand(written, escape=escape, env=env)
    resolved = "".join(expanded.words)
    for unresolved in dict.fromkeys(expanded.unresolved):
        problems.append(
            _problem(
                instruction,
                f"FROM uses build arg {unresolved!r}, which has no default before the first FROM",
            )
        )
    for form in dict.fromkeys(expanded.unsupported):
        problems.append(_problem(instruction, f"FROM uses {form}, which is not evaluated here"))
    known_stages = {s.name for s in stages if s.name is not None}
    if resolved.lower() in known_stages:
        base = BaseImage(kind="stage", written=written, resolved=resolved, stage=resolved.lower())
    elif resolved == "scratch":
        base = BaseImage(kind="scratch", written=written, resolved=resolved)
    else:
        image, problem = parse_image_reference(resolved)
        base = BaseImage(
            kind="image",
            written=written,
            resolved=resolved,
            registry=image.registry,
            name=image.name,
            tag=image.tag,
            digest=image.digest,
        )
        if problem is not None and not (expanded.unresolved or expanded.unsupported):
            problems.append(_problem(instruction, problem))
    base = attrs.evolve(base, platform=platform)
    if name is not None and name in known_stages:
        problems.append(_problem(instruction, f"stage name {name!r} is used twice"))
    return Stage(index=len(stages), name=name, line=instruction.line, base=base)


def _apply(
    config: RuntimeConfig, instruction: Instruction, escape: str, problems: list[SyntaxProblem]
) -> RuntimeConfig:
    """The runtime config after one instruction of a stage."""
    arguments = instruction.arguments
    match instruction.keyword:
        case "USER":
            return attrs.evolve(config, user=arguments or None)
        case "WORKDIR":
            base = config.workdir or "/"
            if not arguments:
                return attrs.evolve(config, workdir=base)
            if "$" in arguments:  # a variable this text may not resolve: keep it as written
                return attrs.evolve(config, workdir=arguments)
            return attrs.evolve(config, workdir=posixpath.normpath(posixpath.join(base, arguments)))
        case "EXPOSE":
            ports = set(config.exposed)
            for word in split_words(arguments, escape=escape).words:
                port = _port(word)
                if port is None:
                    problems.append(_problem(instruction, f"EXPOSE value {word!r} is not a port"))
                else:
                    ports.add(port)
            return attrs.evolve(
                config, exposed=tuple(sorted(ports, key=lambda p: (p.start, p.end, p.protocol)))
            )
        case "ENV":
            names = set(config.env_names) | set(_env_names(instruction, escape, problems))
            return attrs.evolve(config, env_names=tuple(sorted(names)))
        case "SHELL":
            shell = _json_array(arguments)
            if shell is None or not shell:
                problems.append(_problem(instruction, "SHELL requires a JSON array of strings"))
                return config
            return attrs.evolve(config, shell=tuple(shell))
        case "ENTRYPOINT":
            entrypoint = _command(instruction, config.shell, problems)
            return attrs.evolve(config, entrypoint=entrypoint, cmd=None)
        case "CMD":
            return attrs.evolve(config, cmd=_command(instruction, config.shell, problems))
        case "HEALTHCHECK":
            return attrs.evolve(config, healthcheck=_healthcheck(instruction, escape, problems))
        case _:
            return config


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
        problems.append(_problem(instruction, "ENV without a name"))
        return []
    if "=" not in words[0]:
        return [words[0]]  # legacy `ENV NAME value with spaces`
    names: list[str] = []
    for word in words:
        name, equals, _ = word.partition("=")
        if not equals or not name:
            problems.append(_problem(instruction, f"ENV expects NAME=value, got {word!r}"))
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


def _command(
    instruction: Instruction, shell: tuple[str, ...], problems: list[SyntaxProblem]
) -> Command | None:
    return _command_from(instruction.arguments, instruction, shell, problems)


def _command_from(
    text: str, instruction: Instruction, shell: tuple[str, ...], problems: list[SyntaxProblem]
) -> Command | None:
    if not text:
        problems.append(_problem(instruction, f"{instruction.keyword} without a command"))
        return None
    if text.startswith("["):
        argv = _json_array(text)
        if argv is not None:
            return Command(form="exec", argv=tuple(argv), line=instruction.line)
        # docker runs a malformed array as a shell command; say so, and do the same.
        problems.append(
            _problem(
                instruction,
                f"{instruction.keyword} looks like exec form but is not a JSON array of strings;"
                " docker runs it through the shell",
            )
        )
    return Command(form="shell", argv=(*shell, text), line=instruction.line)


def _healthcheck(
    instruction: Instruction, escape: str, problems: list[SyntaxProblem]
) -> Healthcheck | None:
    # healthcheck = "NONE" / *( "--" option "=" value WSP ) "CMD" WSP command
    rest = instruction.arguments
    if rest.upper() == "NONE":
        return Healthcheck(disabled=True, command=None, options={}, line=instruction.line)
    options: dict[str, str] = {}
    while rest.startswith("--"):
        flag, _, rest = rest.partition(" ")
        rest = rest.lstrip(" \t")
        name, equals, value = flag[2:].partition("=")
        if not equals or name not in HEALTHCHECK_OPTIONS:
            problems.append(_problem(instruction, f"unknown HEALTHCHECK option {flag!r}"))
            continue
        options[name] = "".join(split_words(value, escape=escape).words)
    keyword, _, command_text = rest.partition(" ")
    if keyword.upper() != "CMD":
        problems.append(_problem(instruction, "HEALTHCHECK expects NONE or CMD <command>"))
        return None
    command = _command_from(command_text.strip(" \t"), instruction, DEFAULT_SHELL, problems)
    return Healthcheck(
        disabled=False,
        command=command,
        options=dict(sorted(options.items())),
        line=instruction.line,
    )
