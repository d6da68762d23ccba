"""Simple reference implementations that the linear parsers must agree with on small inputs.

These are the straightforward (quadratic) algorithms the parsers used before they were made
linear: a configuration copied per stage and rebuilt per instruction, stages found by scanning,
ARG environments rebuilt per instruction, `/proc/self/exe` chains walked afresh per exec.
"""

from __future__ import annotations

import posixpath

import attrs

from codegenie_core.parsers.dockerfile import (
    KNOWN_INSTRUCTIONS,
    DockerfileSyntax,
    Instruction,
    SyntaxProblem,
)
from codegenie_core.parsers.dockerfile_config import (
    RuntimeConfig,
    Unresolved,
    _command_from,  # pyright: ignore[reportPrivateUsage] -- the reference shares the helpers
    _env_names,  # pyright: ignore[reportPrivateUsage] -- the reference shares the helpers
    _healthcheck,  # pyright: ignore[reportPrivateUsage] -- the reference shares the helpers
    _json_array,  # pyright: ignore[reportPrivateUsage] -- the reference shares the helpers
    _port,  # pyright: ignore[reportPrivateUsage] -- the reference shares the helpers
    env_assignments,
    held,
    read_stage_args,
    substitute,
)
from codegenie_core.parsers.dockerfile_facts import BaseImage, DockerfileFacts, Stage
from codegenie_core.parsers.dockerfile_secrets import REDACTED, looks_like_credential
from codegenie_core.parsers.dockerfile_words import expand, split_raw, split_words
from codegenie_core.parsers.image_reference import parse_image_reference
from codegenie_core.parsers.strace import SELF_EXE


def reference_interpret(syntax: DockerfileSyntax) -> DockerfileFacts:
    problems = list(syntax.problems)
    escape = syntax.escape
    build_args: dict[str, str | None] = {}
    stages: list[Stage] = []
    configs: list[RuntimeConfig] = []
    envs: list[dict[str, str]] = []  # each stage's ENV values, copied from its parent stage
    args: dict[str, str] = {}  # the current stage's ARG values
    stage_args: list[list[str]] = []
    for instruction in syntax.instructions:
        keyword = instruction.keyword
        if not stages and keyword == "ARG":
            _read_meta_args(instruction, escape, build_args, problems)
            continue
        if keyword == "FROM":
            stage = _read_from(instruction, escape, build_args, stages, problems)
            stages.append(stage)
            args = {}
            stage_args.append([])
            if stage.base.kind == "stage":
                parent = next(s.index for s in stages if s.name == stage.base.stage)
                configs.append(configs[parent])
                envs.append(dict(envs[parent]))
            else:
                configs.append(RuntimeConfig(inherits_from_image=stage.base.kind == "image"))
                envs.append({})
            continue
        if not stages:
            if keyword in KNOWN_INSTRUCTIONS:
                problems.append(_problem(instruction, f"{keyword} before the first FROM"))
            continue
        globals_ = {
            k: REDACTED if looks_like_credential(k) else v
            for k, v in build_args.items()
            if v is not None
        }
        scope = {**args, **envs[-1]}
        if keyword == "ARG":
            for word in split_raw(instruction.arguments, escape=escape):
                name = word.partition("=")[0]
                if not name:
                    problems.append(_problem(instruction, "ARG without a name before its '='"))
                elif name not in stage_args[-1]:
                    stage_args[-1].append(name)
            for name, value in read_stage_args(instruction, escape, scope, globals_, problems):
                if value is None:
                    args.pop(name, None)
                else:
                    args[name] = value
        if keyword == "ENV":
            for name, raw in env_assignments(instruction, escape):
                envs[-1][name] = held(
                    name, substitute(raw, instruction, escape, scope, problems)[0]
                )
        configs[-1] = _apply(configs[-1], instruction, escape, scope, problems)
    return DockerfileFacts(
        directives=dict(syntax.directives),
        build_args=build_args,
        stages=tuple(
            attrs.evolve(stage, args=tuple(names))
            for stage, names in zip(stages, stage_args, strict=True)
        ),
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
    known = {k: v for k, v in build_args.items() if v is not None}
    for word in split_raw(instruction.arguments, escape=escape):
        name, equals, default = word.partition("=")
        if not name:
            problems.append(_problem(instruction, "ARG without a name before its '='"))
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


def _resolve(
    config: RuntimeConfig,
    word: str,
    instruction: Instruction,
    escape: str,
    scope: dict[str, str],
    problems: list[SyntaxProblem],
) -> tuple[RuntimeConfig, str | None]:
    text, missing = substitute(word, instruction, escape, scope, problems)
    if not missing:
        return config, text
    note = Unresolved(
        line=instruction.line, instruction=instruction.keyword, written=word, names=missing
    )
    return attrs.evolve(config, unresolved=(*config.unresolved, note)), None


def _apply(
    config: RuntimeConfig,
    instruction: Instruction,
    escape: str,
    scope: dict[str, str],
    problems: list[SyntaxProblem],
) -> RuntimeConfig:
    arguments = instruction.arguments
    match instruction.keyword:
        case "USER":
            if not arguments:
                return attrs.evolve(config, user=None)
            config, user = _resolve(config, arguments, instruction, escape, scope, problems)
            return attrs.evolve(config, user=(arguments if user is None else user) or None)
        case "WORKDIR":
            base = config.workdir or "/"
            if not arguments:
                return attrs.evolve(config, workdir=base)
            if "$" in arguments:
                config, value = _resolve(config, arguments, instruction, escape, scope, problems)
                if value is None or "$" in value:
                    return attrs.evolve(config, workdir=arguments if value is None else value)
                arguments = value
                if not arguments:
                    return attrs.evolve(config, workdir=base)
            return attrs.evolve(config, workdir=posixpath.normpath(posixpath.join(base, arguments)))
        case "EXPOSE":
            ports = set(config.exposed)
            for word in split_raw(arguments, escape=escape):
                if "$" in word:
                    config, text = _resolve(config, word, instruction, escape, scope, problems)
                    if text is None:
                        continue
                    candidates, shown = text.split(), word
                else:
                    candidates = list(split_words(word, escape=escape).words)
                    shown = " ".join(candidates)
                for candidate in candidates:
                    port = _port(candidate)
                    if port is None:
                        message = f"EXPOSE value {shown!r} is not a port"
                        problems.append(_problem(instruction, message))
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
            entrypoint = _command_from(arguments, instruction, config.shell, problems)
            return attrs.evolve(config, entrypoint=entrypoint, cmd=None)
        case "CMD":
            return attrs.evolve(
                config, cmd=_command_from(arguments, instruction, config.shell, problems)
            )
        case "HEALTHCHECK":
            return attrs.evolve(config, healthcheck=_healthcheck(instruction, escape, problems))
        case _:
            return config


Exec = tuple[str, str, int, tuple[str, ...] | None]


def reference_binary_before(
    execs: dict[int, list[Exec]], parent: dict[int, tuple[int, int]], pid: int, count: int
) -> str | None:
    """The binary `pid` ran after its first `count` execs, walking up afresh (stops at a pid met
    twice)."""
    seen: set[int] = set()
    while pid not in seen:
        seen.add(pid)
        own = execs.get(pid, [])
        for index in range(min(count, len(own)) - 1, -1, -1):
            if own[index][0] != SELF_EXE:
                return own[index][0]
        link = parent.get(pid)
        if link is None:
            return None
        pid, count = link
    return None
