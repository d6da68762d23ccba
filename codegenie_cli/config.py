"""Options from the environment and configuration files, for every option of every command.

Rule 1: generic over click: each `click.Option` with a long name is a key (`--fail-on` is
`fail-on` in a file, `CODEGENIE_FAIL_ON` or `CODEGENIE_GATHER_FAIL_ON` in the environment), so an
option added to any command is configurable without touching this module (see ADR-0059).
Rule 2: precedence, first found wins: the command line, the environment (the command-specific
variable before the generic one), the user (`$XDG_CONFIG_HOME/codegenie/config.toml`), the
repository (`.codegenie/config.toml` before `[tool.codegenie]` in `pyproject.toml`). The operator's
word beats the repository's, so a repository cannot lift a gate or widen a choice the operator's
config made (ADR-0081).
Rule 3: a file's top-level keys apply to every command having that option; a table named after a
command (`[gather]`, `[cache.gc]`) applies to it and overrides. A key that is no option of any
command below it is an error naming the file and key; a value of the wrong type names the file,
key and expected type; both exit 2 before the command runs.
Rule 4: a repository is untrusted input: its config may set only `REPOSITORY_KEYS`, the options
that choose which facts are gathered and judged, never where the cache or outputs go, which
engine runs, or what is kept (ADR-0059).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

import attrs
import click
from click.core import ParameterSource

from codegenie_core.errors import ConfigError

if TYPE_CHECKING:
    from codegenie_cli.wiring import ConfigReader

ENV_PREFIX = "CODEGENIE_"
ORIGINS = "codegenie.config_origins"  # ctx.meta: option long name -> where its value came from
REPOSITORY_KEYS = frozenset({"probe", "layer", "index-path", "scenarios-file", "fail-on"})
REPOSITORY_FILES = ((".codegenie/config.toml", ()), ("pyproject.toml", ("tool", "codegenie")))
USER_FILE = "codegenie/config.toml"
_EXPLICIT = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT, ParameterSource.PROMPT)

SourceKind = Literal["environment", "repository", "user"]


@attrs.frozen(kw_only=True)
class ConfigFile:
    """A configuration file's codegenie table, as read."""

    label: str  # the file, as messages name it
    kind: Literal["repository", "user"]
    table: Mapping[str, Any]


def long_name(option: click.Option) -> str | None:
    longs = [o for o in option.opts if o.startswith("--")]
    return longs[0][2:] if longs and option.expose_value and option.name else None


def options_of(command: click.Command) -> dict[str, click.Option]:
    found: dict[str, click.Option] = {}
    for param in command.params:
        if isinstance(param, click.Option) and (name := long_name(param)) is not None:
            found[name] = param
    return found


def _subcommands(command: click.Command) -> Mapping[str, click.Command]:
    if isinstance(command, ConfiguredGroup):
        return command.every_command()  # a key may name an option of a command not yet loaded
    return command.commands if isinstance(command, click.Group) else {}


def _all_options(command: click.Command) -> set[str]:
    names = set(options_of(command))
    for sub in _subcommands(command).values():
        names |= _all_options(sub)
    return names


def validate(file: ConfigFile, root: click.Command) -> None:
    """Every key of `file` names an option below its table's command, and a repository's only
    `REPOSITORY_KEYS` (Rules 3 and 4)."""

    def walk(table: Mapping[str, Any], command: click.Command, where: str) -> None:
        known = _all_options(command)
        for key, value in table.items():
            sub = _subcommands(command).get(key)
            if sub is not None and isinstance(value, Mapping):
                walk(value, sub, f"{where}{key}.")  # pyright: ignore[reportUnknownArgumentType]  # TOML table
                continue
            if key not in known:
                raise ConfigError(
                    f"{file.label}: unknown key {where + key!r}: not an option of "
                    f"{'any command' if not where else where.rstrip('.')}",
                    variable=f"{file.label}:{key}",
                )
            if file.kind == "repository" and key not in REPOSITORY_KEYS:
                allowed = ", ".join(sorted(REPOSITORY_KEYS))
                raise ConfigError(
                    f"{file.label}: {where}{key} may be set only by the user config or the "
                    f"environment; a repository's config may set {allowed} (see ADR-0059)",
                    variable=f"{file.label}:{key}",
                )

    walk(file.table, root, "")


def _command_path(ctx: click.Context) -> list[click.Context]:
    chain: list[click.Context] = []
    current: click.Context | None = ctx
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain[::-1]


def _table_for(file: ConfigFile, path: Sequence[str]) -> dict[str, Any]:
    """The keys that apply to the command at `path`: the top level, then each section down."""
    merged: dict[str, Any] = {}
    table: Mapping[str, Any] | None = file.table
    for depth in range(len(path) + 1):
        if table is None:
            break
        merged.update({k: v for k, v in table.items() if not isinstance(v, Mapping)})
        nxt = table.get(path[depth]) if depth < len(path) else None
        table = nxt if isinstance(nxt, Mapping) else None  # pyright: ignore[reportUnknownVariableType]  # TOML table
    return merged


def env_names(path: Sequence[str], key: str) -> tuple[str, str]:
    """The command-specific and the generic variable of option `key` (Rule 1)."""

    def upper(text: str) -> str:
        return text.upper().replace("-", "_").replace(" ", "_")

    specific = ENV_PREFIX + "_".join(upper(part) for part in (*path, key))
    return specific, ENV_PREFIX + upper(key)


def _expected(option: click.Option) -> tuple[tuple[type, ...], str]:
    if option.is_flag and not option.count:
        return (bool,), "a boolean"
    kind = option.type
    if isinstance(kind, click.types.IntParamType) or option.count:
        return (int,), "an integer"
    if isinstance(kind, click.types.FloatParamType):
        return (int, float), "a number"
    return (str,), "a string"


def _from_file(option: click.Option, value: object, label: str, key: str) -> object:
    types, described = _expected(option)
    is_list = isinstance(value, list)
    items = cast("list[object]", value) if is_list else [value]
    ok = all(
        isinstance(i, types) and not (bool not in types and isinstance(i, bool)) for i in items
    )
    if option.multiple and ok:
        return tuple(items)
    if not ok or (not option.multiple and is_list):
        want = f"{described} or a list of them" if option.multiple else described
        got = _toml_type(cast("object", value))
        raise ConfigError(
            f"{label}: {key}: expected {want}, got {got}",
            variable=f"{label}:{key}",
        )
    return value


def _toml_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    return "a table" if isinstance(value, Mapping) else "an array"


def _from_env(option: click.Option, value: str) -> Any:
    if option.multiple:
        return tuple(option.type.split_envvar_value(value))
    return value


def _candidates(
    path: Sequence[str],
    key: str,
    option: click.Option,
    environ: Mapping[str, str],
    files: Sequence[ConfigFile],
) -> Iterator[tuple[str, Any]]:
    """(where, value) for `key` in precedence order after the command line (Rule 2)."""
    for variable in env_names(path, key):
        if environ.get(variable):
            yield f"environment variable {variable}", _from_env(option, environ[variable])
    for file in files:
        table = _table_for(file, path)
        if key in table:
            yield f"{file.label}: {key}", _from_file(option, table[key], file.label, key)


def config_reader() -> ConfigReader:
    from codegenie_cli.wiring import config_reader as reader

    return reader()


def read_files(repo: str | None, environ: Mapping[str, str]) -> list[ConfigFile]:
    """The user's config file, then the repository's (when `repo` is a directory) (Rule 2)."""
    files: list[ConfigFile] = []
    home = environ.get("XDG_CONFIG_HOME") or (
        os.path.join(environ["HOME"], ".config") if environ.get("HOME") else None
    )
    if home:
        label = os.path.join(home, USER_FILE)
        table = (
            config_reader().read_toml(home, USER_FILE, label=label)
            if os.path.lexists(label)
            else None
        )
        if table is not None:
            files.append(ConfigFile(label=label, kind="user", table=table))
    if repo is not None and os.path.isdir(repo):
        for path, section in REPOSITORY_FILES:
            label = os.path.join(repo, path)
            if not os.path.lexists(label):
                continue  # the reader is imported only when there is something to read
            read_config = config_reader()
            if section and not read_config.mentions(repo, path, b"codegenie"):
                continue  # a pyproject.toml that does not configure codegenie is not read here
            table = read_config.read_toml(repo, path, label=label)
            for part in section:
                table = table.get(part) if isinstance(table, Mapping) else None  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]  # TOML
            if isinstance(table, Mapping):
                files.append(ConfigFile(label=label, kind="repository", table=table))  # pyright: ignore[reportUnknownArgumentType]  # TOML
    return files


def apply(ctx: click.Context, environ: Mapping[str, str]) -> dict[str, str]:
    """Fill each option of `ctx`'s command that the command line left at its default from the
    environment and the config files (Rules 1-4); returns option long name -> where its value
    came from, for the options it set (also kept in `ctx.meta[ORIGINS]`, so an error the command
    raises about an option can say where its value was set)."""
    chain = _command_path(ctx)
    root = chain[0].command
    path = [c.info_name or "" for c in chain[1:]]
    repo = ctx.params.get("repo")
    files = read_files(repo if isinstance(repo, str) else None, environ)
    for file in files:
        validate(file, root)
    origins: dict[str, str] = {}
    for key, option in options_of(ctx.command).items():
        name = option.name
        assert name is not None  # `options_of` keeps only named options
        if ctx.get_parameter_source(name) in _EXPLICIT:
            continue
        found = next(_candidates(path, key, option, environ, files), None)
        if found is None:
            continue
        where, value = found
        try:
            ctx.params[name] = option.process_value(ctx, value)
        except click.BadParameter as error:
            raise ConfigError(f"{where}: {error.format_message()}", variable=where) from None
        origins[key] = where
    ctx.meta[ORIGINS] = origins
    return origins


def origin_of(ctx: click.Context, variable: str) -> str | None:
    """Where option `variable` (`--layer`) got its value, when a config source set it."""
    origins: Mapping[str, str] = ctx.meta.get(ORIGINS, {})
    return origins.get(variable.removeprefix("--")) if variable.startswith("--") else None


class ConfiguredCommand(click.Command):
    """A command whose options also come from the environment and config files (Rule 1)."""

    def invoke(self, ctx: click.Context) -> Any:
        apply(ctx, os.environ)  # the composition root reads the environment, as click would
        return super().invoke(ctx)


class ConfiguredGroup(click.Group):
    """A group whose commands and subgroups are configured (`ConfiguredCommand`). A command named
    in `lazy_commands` (name -> "module:attribute") is imported only when it is looked up, listed
    for help, or a config file is validated, so a `gather` never imports the `portfolio` group
    (see ADR-0091)."""

    command_class = ConfiguredCommand
    lazy_commands: tuple[tuple[str, str], ...] = ()

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *(name for name, _ in self.lazy_commands)})

    def every_command(self) -> Mapping[str, click.Command]:
        """Every command of the group, the lazy ones imported."""
        for name, _ in self.lazy_commands:
            self._load(name)
        return self.commands

    def _load(self, name: str) -> None:
        if name in self.commands:
            return
        for lazy, where in self.lazy_commands:
            if lazy == name:
                module, _, attribute = where.partition(":")
                command: object = getattr(importlib.import_module(module), attribute)
                assert isinstance(command, click.Command), where
                self.add_command(command, name)


ConfiguredGroup.group_class = ConfiguredGroup
