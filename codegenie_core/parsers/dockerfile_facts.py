"""Dockerfile facts: stages, base images and what the final stage runs, from parsed instructions.

Rule 1: pure and total, like the syntax parser: problems are `SyntaxProblem` values with lines.
Rule 2: ARGs declared before the first FROM are substituted into FROM with their defaults; an ARG
without a default expands to nothing and is reported, since the image then depends on a
`--build-arg` this text cannot see. A substitution stops at `MAX_SUBSTITUTED` characters and says
so, so `ARG B=$A$A`, `ARG C=$B$B`, ... cannot grow without bound.
Rule 3: `FROM <name>` where `<name>` is an earlier stage (case-insensitive) is a stage reference,
not an image; `scratch` is the empty image. A stage built on a stage inherits its runtime
configuration (USER, WORKDIR, ENV, EXPOSE, ENTRYPOINT, CMD, HEALTHCHECK, SHELL); a stage built on an
image inherits what that image sets, which this text cannot know (`inherits_from_image`).
Rule 4: setting ENTRYPOINT clears an inherited CMD, as docker does.
Rule 5: secrets stay out (ADR-0027). ENV values are never recorded; `build_args` holds only the
ARGs some FROM's substitution used (directly or through another ARG's default); an ARG whose name
looks like a credential is recorded, and substituted, as `***`; no recorded text keeps a URL's
credentials.
Rule 6 (ADR-0038): ARGs declared after a FROM belong to that stage: their names are recorded in
the stage's facts (`Stage.args`, values never: they only serve substitution), and USER, WORKDIR
and EXPOSE are substituted from them and from ENV as `dockerfile_config` Rule 5 says.
Rule 7: linear in the instructions: stages are found by name in a dict, ARG defaults are kept in
one environment updated in place, and only the final stage's chain of stages is built into its
configuration, each stage once.
"""

from __future__ import annotations

from typing import Literal

import attrs

from codegenie_core.parsers.dockerfile import (
    KNOWN_INSTRUCTIONS,
    DockerfileSyntax,
    Instruction,
    SyntaxProblem,
    parse_dockerfile,
)
from codegenie_core.parsers.dockerfile_config import (
    DEFAULT_SHELL,
    HEALTHCHECK_OPTIONS,
    Command,
    CommandForm,
    ExposedPort,
    Healthcheck,
    RuntimeConfig,
    StageBuilder,
    Unresolved,
    problem,
)
from codegenie_core.parsers.dockerfile_secrets import (
    REDACTED,
    looks_like_credential,
    strip_url_credentials,
)
from codegenie_core.parsers.dockerfile_words import expand_bounded, split_raw
from codegenie_core.parsers.image_reference import parse_image_reference

__all__ = [
    "DEFAULT_SHELL",
    "HEALTHCHECK_OPTIONS",
    "MAX_SUBSTITUTED",
    "BaseImage",
    "BaseKind",
    "Command",
    "CommandForm",
    "DockerfileFacts",
    "ExposedPort",
    "Healthcheck",
    "RuntimeConfig",
    "Stage",
    "Unresolved",
    "describe_dockerfile",
    "interpret",
]

BaseKind = Literal["image", "stage", "scratch"]
# No image reference is this long (docker caps a name at 255 characters and a tag at 128).
MAX_SUBSTITUTED = 4096


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
    args: tuple[str, ...] = ()  # ARG names declared in the stage, in order (Rule 6)


@attrs.frozen(kw_only=True)
class DockerfileFacts:
    directives: dict[str, str]
    # ARGs before the first FROM that a FROM's substitution used, and their defaults (Rule 5)
    build_args: dict[str, str | None]
    stages: tuple[Stage, ...]
    final: RuntimeConfig | None  # None when there is no FROM at all
    problems: tuple[SyntaxProblem, ...]


class _BuildArgs:
    """The ARGs before the first FROM: their defaults, and the names each default looked up."""

    def __init__(self) -> None:
        self.defaults: dict[str, str | None] = {}  # in order of first declaration
        self.env: dict[str, str] = {}  # what substitution sees: set defaults, secrets redacted
        self.uses: dict[str, tuple[str, ...]] = {}
        self.used_by_from: dict[str, None] = {}  # ordered set

    def read(self, instruction: Instruction, escape: str, problems: list[SyntaxProblem]) -> None:
        # arg = name [ "=" default ], several per instruction; defaults may use earlier ARGs.
        declared: list[str] = []
        for word in split_raw(instruction.arguments, escape=escape):
            name, equals, default = word.partition("=")
            if not name:
                # the word is not quoted back: what follows its "=" may be a secret
                problems.append(problem(instruction, "ARG without a name before its '='"))
                continue
            declared.append(name)
            if not equals:
                self.defaults[name] = None
                self.uses[name] = ()
                continue
            expanded = expand_bounded(default, escape=escape, env=self.env, limit=MAX_SUBSTITUTED)
            if expanded.over_limit:
                message = f"ARG {name!r} expands past {MAX_SUBSTITUTED} characters; cut there"
                problems.append(problem(instruction, message))
            value = REDACTED if looks_like_credential(name) else expanded.text
            self.defaults[name] = value
            self.uses[name] = expanded.referenced
            self.env[name] = value
        # Within one instruction a name stays as it was until redeclared with a default; after
        # it, substitution sees exactly the ARGs that have one.
        for name in declared:
            if self.defaults[name] is None:
                self.env.pop(name, None)

    def recorded(self) -> dict[str, str | None]:
        """The ARGs a FROM used, directly or through other defaults, in declaration order."""
        needed: set[str] = set()
        pending = list(self.used_by_from)
        while pending:
            name = pending.pop()
            if name in needed or name not in self.defaults:
                continue
            needed.add(name)
            pending.extend(self.uses.get(name, ()))
        return {
            name: None if value is None else strip_url_credentials(value)
            for name, value in self.defaults.items()
            if name in needed
        }


def describe_dockerfile(text: str) -> DockerfileFacts:
    """Parse `text` and interpret it: stages, base images, the final stage's runtime config."""
    return interpret(parse_dockerfile(text))


def interpret(syntax: DockerfileSyntax) -> DockerfileFacts:
    problems = list(syntax.problems)
    escape = syntax.escape
    build_args = _BuildArgs()
    stages: list[Stage] = []
    by_name: dict[str, int] = {}  # a stage name -> the first stage so named
    parents: list[int | None] = []  # the stage each stage is built on, if any
    bodies: list[list[Instruction]] = []
    stage_args: list[dict[str, None]] = []  # ordered sets of ARG names, per stage
    for instruction in syntax.instructions:
        keyword = instruction.keyword
        if not stages and keyword == "ARG":
            build_args.read(instruction, escape, problems)
            continue
        if keyword == "FROM":
            stage = _read_from(instruction, escape, build_args, by_name, len(stages), problems)
            stages.append(stage)
            parents.append(by_name[stage.base.stage] if stage.base.stage is not None else None)
            if stage.name is not None:
                by_name.setdefault(stage.name, stage.index)
            bodies.append([])
            stage_args.append({})
            continue
        if not stages:
            if keyword in KNOWN_INSTRUCTIONS:  # unknown ones are already syntax problems
                problems.append(problem(instruction, f"{keyword} before the first FROM"))
            continue
        bodies[-1].append(instruction)
        if keyword == "ARG":
            stage_args[-1].update(dict.fromkeys(_arg_names(instruction, escape, problems)))
    stages = [
        attrs.evolve(stage, args=tuple(names)) if names else stage
        for stage, names in zip(stages, stage_args, strict=True)
    ]
    return DockerfileFacts(
        directives={name: strip_url_credentials(value) for name, value in syntax.directives},
        build_args=build_args.recorded(),
        stages=tuple(stages),
        final=_final_config(stages, parents, bodies, escape, build_args.env, problems),
        problems=tuple(sorted(problems, key=lambda p: (p.line, p.message))),
    )


def _final_config(
    stages: list[Stage],
    parents: list[int | None],
    bodies: list[list[Instruction]],
    escape: str,
    global_args: dict[str, str],
    problems: list[SyntaxProblem],
) -> RuntimeConfig | None:
    """The final stage's configuration: its chain of stages built in order, root first, each
    once; every other stage is built only for its problems (Rules 3 and 6)."""
    if not stages:
        return None
    chain: list[int] = []
    index: int | None = len(stages) - 1
    while index is not None:  # a parent always comes before its child: no cycle
        chain.append(index)
        index = parents[index]
    chain.reverse()
    on_chain = set(chain)
    for index, body in enumerate(bodies):
        if index not in on_chain:
            scratch = StageBuilder(inherits_from_image=False, global_args=global_args)
            for instruction in body:
                scratch.apply(instruction, escape, problems)
    builder = StageBuilder(
        inherits_from_image=stages[chain[0]].base.kind == "image", global_args=global_args
    )
    for index in chain:
        builder.begin_stage()
        for instruction in bodies[index]:
            builder.apply(instruction, escape, problems)
    return builder.freeze()


def _arg_names(instruction: Instruction, escape: str, problems: list[SyntaxProblem]) -> list[str]:
    # arg = name [ "=" default ], several per instruction
    names: list[str] = []
    for word in split_raw(instruction.arguments, escape=escape):
        name, _equals, _default = word.partition("=")
        if not name:
            # the word is not quoted back: what follows its "=" may be a secret
            problems.append(problem(instruction, "ARG without a name before its '='"))
            continue
        names.append(name)
    return names


def _read_from(
    instruction: Instruction,
    escape: str,
    build_args: _BuildArgs,
    by_name: dict[str, int],
    index: int,
    problems: list[SyntaxProblem],
) -> Stage:
    # from = "FROM" [ "--platform=" platform ] image [ "AS" name ]
    words = split_raw(instruction.arguments, escape=escape)
    platform: str | None = None
    first = 0
    while first < len(words) and words[first].startswith("--"):
        flag = words[first]
        first += 1
        if flag.startswith("--platform="):
            platform = flag.removeprefix("--platform=")
        else:
            problems.append(problem(instruction, f"unknown FROM flag {flag!r}"))
    rest = words[first:]
    name: str | None = None
    if len(rest) == 3 and rest[1].lower() == "as":
        name = rest[2].lower()
        rest = rest[:1]
    if len(rest) != 1:
        problems.append(problem(instruction, f"FROM expects an image: {instruction.arguments!r}"))
    written = strip_url_credentials(rest[0]) if rest else ""
    expanded = expand_bounded(written, escape=escape, env=build_args.env, limit=MAX_SUBSTITUTED)
    build_args.used_by_from.update(dict.fromkeys(expanded.referenced))
    resolved = strip_url_credentials(expanded.text)
    for unresolved in dict.fromkeys(expanded.unresolved):
        problems.append(
            problem(
                instruction,
                f"FROM uses build arg {unresolved!r}, which has no default before the first FROM",
            )
        )
    for form in dict.fromkeys(expanded.unsupported):
        problems.append(problem(instruction, f"FROM uses {form}, which is not evaluated here"))
    for secret in dict.fromkeys(n for n in expanded.referenced if looks_like_credential(n)):
        if build_args.env.get(secret) == REDACTED:
            message = (
                f"FROM uses build arg {secret!r}, whose name looks like a credential:"
                f" it is substituted as {REDACTED!r} (see ADR-0027)"
            )
            problems.append(problem(instruction, message))
    if expanded.over_limit:
        message = f"FROM expands past {MAX_SUBSTITUTED} characters; cut there"
        problems.append(problem(instruction, message))
    if resolved.lower() in by_name:
        base = BaseImage(kind="stage", written=written, resolved=resolved, stage=resolved.lower())
    elif resolved == "scratch":
        base = BaseImage(kind="scratch", written=written, resolved=resolved)
    else:
        image, image_problem = parse_image_reference(resolved)
        base = BaseImage(
            kind="image",
            written=written,
            resolved=resolved,
            registry=image.registry,
            name=image.name,
            tag=image.tag,
            digest=image.digest,
        )
        if image_problem is not None and not (expanded.unresolved or expanded.unsupported):
            problems.append(problem(instruction, image_problem))
    base = attrs.evolve(base, platform=platform)
    if name is not None and name in by_name:
        problems.append(problem(instruction, f"stage name {name!r} is used twice"))
    return Stage(index=index, name=name, line=instruction.line, base=base)
