"""Scenarios: the five defaults derived from the image config, and a repository's own from
`.codegenie/scenarios.yaml`, validated as plain data.

Rule 1: a problem is a value (`ScenarioFileProblem`) naming the file, the line when it can be
found, the scenario (index and name) and the field, never an exception.
Rule 2: one bad scenario never fails the others: each invalid one is its own `InvalidScenario`,
in file order beside the valid ones. Only a file that is not a mapping of `scenarios:` (or holds
more than `MAX_SCENARIOS`) is a problem of the whole file.
Rule 3: a repository scenario with a default's name replaces that default; the others are added
after the defaults, in file order. Names are unique: a second use of a name is invalid. An
invalid scenario replaces nothing.
Rule 4: no timeout exceeds `SCENARIO_TIMEOUT_S`; a window never exceeds its timeout; no string
holds a NUL byte; argv and env stay within `MAX_ARGV_*` / `MAX_ENV_*` (see ADR-0023).
Rule 5: validation is linear in the input: the text is scanned for name lines once, and every
bound is checked while walking, stopping at the first breach.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Sequence

import attrs

from codegenie_core.probes.layer_c.model import (
    DEFAULT_WINDOW_S,
    MAX_ARGV_BYTES,
    MAX_ARGV_ITEMS,
    MAX_ENV_BYTES,
    MAX_ENV_ENTRIES,
    MAX_NAME_CHARS,
    MAX_SCENARIOS,
    SCENARIO_TASK_PREFIX,
    SCENARIO_TIMEOUT_S,
    SCENARIOS_FILE,
    ImageConfig,
    Scenario,
)

# name = ALNUM *62( ALNUM / "_" / "-" / "." )
_NAME = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9_.-]{{0,{MAX_NAME_CHARS - 1}}}$", re.ASCII)
# env-name = ( ALPHA / "_" ) *( ALNUM / "_" )
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$", re.ASCII)
# name-line = *WSP [ "-" *WSP ] "name:" *WSP [ quote ] name [ quote ] *WSP [ "#" comment ]
_NAME_LINE = re.compile(
    r"[ \t]*(?:-[ \t]*)?name:[ \t]*['\"]?([A-Za-z0-9][A-Za-z0-9_.-]*)['\"]?[ \t]*(?:#.*)?",
    re.ASCII,
)
_FIELDS = frozenset({"name", "argv", "shell", "timeout_s", "window_s", "env"})
_NUL = "\x00"


def _make_shown() -> reprlib.Repr:
    shown = reprlib.Repr()
    shown.maxstring = shown.maxother = 60
    shown.maxlist = shown.maxdict = 4
    return shown


_SHOWN = _make_shown()  # a hostile value is quoted in a message, but never at length


@attrs.frozen(kw_only=True)
class ScenarioFileProblem:
    """Why the scenarios file, or one scenario in it, cannot be used, with coordinates."""

    path: str
    line: int | None
    message: str

    def describe(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


@attrs.frozen(kw_only=True)
class InvalidScenario:
    """A scenario the validator refused (Rule 2): `name` is its name when that is valid, else
    `scenarios[<index>]`; `problem` says why."""

    index: int
    name: str
    problem: ScenarioFileProblem

    @property
    def task(self) -> str:
        return SCENARIO_TASK_PREFIX + self.name


RepoScenario = Scenario | InvalidScenario


def default_scenarios(config: ImageConfig) -> tuple[Scenario, ...]:
    """The default scenarios this image supports, in `DEFAULT_SCENARIO_NAMES` order.

    `default` runs ENTRYPOINT+CMD; `help` and `version` append a flag to the program (the
    entrypoint, else the command's first word); `healthcheck` runs the declared HEALTHCHECK;
    `shell` asks whether /bin/sh exists and runs. Each is stopped, normally, after its window."""
    window = DEFAULT_WINDOW_S
    scenarios: list[Scenario] = []
    program = config.entrypoint or config.cmd[:1]
    if config.entrypoint or config.cmd:
        scenarios.append(
            Scenario(name="default", argv=config.entrypoint + config.cmd, window_s=window)
        )
    if program:
        scenarios.append(Scenario(name="help", argv=(*program, "--help"), window_s=window))
        scenarios.append(Scenario(name="version", argv=(*program, "--version"), window_s=window))
    match config.healthcheck:
        case ("CMD", first, *rest):
            scenarios.append(Scenario(name="healthcheck", argv=(first, *rest), window_s=window))
        case ("CMD-SHELL", command):
            argv = ("/bin/sh", "-c", command)
            scenarios.append(Scenario(name="healthcheck", argv=argv, window_s=window))
        case _:
            pass  # none declared, or ("NONE",): the image disables its base image's check
    scenarios.append(Scenario(name="shell", argv=("/bin/sh", "-c", "exit 0"), window_s=window))
    return tuple(scenarios)


def merge_scenarios(
    defaults: Sequence[Scenario], repo: Sequence[RepoScenario]
) -> tuple[RepoScenario, ...]:
    """Rule 3: valid repository scenarios replace same-named defaults; the rest follow the
    defaults, in file order."""
    by_name = {s.name: s for s in repo if isinstance(s, Scenario)}
    merged: list[RepoScenario] = [by_name.pop(s.name, s) for s in defaults]
    rest = (s for s in repo if isinstance(s, InvalidScenario) or s.name in by_name)
    return (*merged, *rest)


def parse_scenarios(data: object, text: str) -> tuple[RepoScenario, ...] | ScenarioFileProblem:
    """Validate the plain data of `.codegenie/scenarios.yaml` (`text` locates lines): one entry per
    scenario, valid or not (Rule 2), or the problem of the whole file."""
    if data is None:
        return ()
    if not isinstance(data, dict):
        return _problem(None, "the document must be a mapping with a 'scenarios' list")
    document: dict[object, object] = data  # pyright: ignore[reportUnknownVariableType] -- YAML data
    unknown = sorted(str(k) for k in document if k != "scenarios")
    if unknown:
        return _problem(_line_of_key(text, unknown[0]), f"unknown key {_SHOWN.repr(unknown[0])}")
    items = document.get("scenarios")
    if items is None:
        return ()
    if not isinstance(items, list):
        return _problem(_line_of_key(text, "scenarios"), "'scenarios' must be a list")
    entries: list[object] = items  # pyright: ignore[reportUnknownVariableType] -- YAML data
    if len(entries) > MAX_SCENARIOS:
        message = f"at most {MAX_SCENARIOS} scenarios, got {len(entries)}"
        return _problem(_line_of_key(text, "scenarios"), message)
    name_lines = _name_lines(text)  # Rule 5: one scan of the text serves every scenario
    uses: dict[str, int] = {}
    out: list[RepoScenario] = []
    for index, item in enumerate(entries):
        name = _name_of(item)
        line: int | None = None
        if name is not None:
            lines = name_lines.get(name, [])
            use = uses.get(name, 0)
            uses[name] = use + 1
            line = lines[min(use, len(lines) - 1)] if lines else None
            if use:
                problem = _problem(line, f"scenarios[{index}]: name {name!r} is used twice")
                out.append(InvalidScenario(index=index, name=name, problem=problem))
                continue
        out.append(_scenario(index, item, name, line))
    return tuple(out)


def _name_of(item: object) -> str | None:
    """The item's name when it is a valid one, else None."""
    if not isinstance(item, dict):
        return None
    fields: dict[object, object] = item  # pyright: ignore[reportUnknownVariableType] -- YAML data
    name = fields.get("name")
    return name if isinstance(name, str) and _NAME.match(name) is not None else None


def _scenario(index: int, item: object, name: str | None, line: int | None) -> RepoScenario:
    if not isinstance(item, dict):
        where = f"scenarios[{index}]"
        return _invalid(index, where, _problem(None, f"{where} must be a mapping"))
    fields: dict[object, object] = item  # pyright: ignore[reportUnknownVariableType] -- YAML data
    if name is None:
        where = f"scenarios[{index}]"
        got = fields.get("name")
        if isinstance(got, str) and _NUL in got:
            message = f"{where}: 'name' holds a NUL byte"
        else:
            message = f"{where}: 'name' must match {_NAME.pattern}, got {_SHOWN.repr(got)}"
        return _invalid(index, where, _problem(None, message))
    where = f"scenarios[{index}] (name {name!r})"

    def bad(message: str) -> InvalidScenario:
        return _invalid(index, name, _problem(line, f"{where}: {message}"))

    unknown = sorted(str(k) for k in fields if k not in _FIELDS)
    if unknown:
        field = _SHOWN.repr(unknown[0])
        return bad(f"unknown field {field}; known: {', '.join(sorted(_FIELDS))}")
    argv_value, shell = fields.get("argv"), fields.get("shell")
    if (argv_value is None) == (shell is None):
        return bad("give exactly one of 'argv' (a list of strings) or 'shell' (a string)")
    if shell is not None:
        if not isinstance(shell, str) or not shell.strip():
            return bad(f"'shell' must be a non-empty string, got {_kind(shell)}")
        argv = _argv(["/bin/sh", "-c", shell], "'shell'")
    else:
        if not isinstance(argv_value, list) or not argv_value:
            given: object = fields.get("argv")
            return bad(f"'argv' must be a non-empty list of strings, got {_kind(given)}")
        words: list[object] = argv_value  # pyright: ignore[reportUnknownVariableType] -- YAML data
        argv = _argv(words, "'argv'")
    if isinstance(argv, str):
        return bad(argv)
    timeout = _seconds(fields.get("timeout_s", SCENARIO_TIMEOUT_S), SCENARIO_TIMEOUT_S)
    if timeout is None:
        got = _SHOWN.repr(fields.get("timeout_s"))
        return bad(f"'timeout_s' must be a number > 0 and <= {SCENARIO_TIMEOUT_S:g}, got {got}")
    window: float | None = None
    if "window_s" in fields:
        window = _seconds(fields["window_s"], timeout)
        if window is None:
            got = _SHOWN.repr(fields["window_s"])
            return bad(f"'window_s' must be a number > 0 and <= timeout_s ({timeout:g}), got {got}")
    env = _env(fields.get("env", {}))
    if isinstance(env, str):
        return bad(env)
    return Scenario(
        name=name, argv=argv, timeout_s=timeout, window_s=window, env=env, origin="repo"
    )


def _argv(words: Sequence[object], field: str) -> tuple[str, ...] | str:
    """The words as argv, or why not: not all strings, a NUL byte, or over a bound (Rule 4)."""
    if len(words) > MAX_ARGV_ITEMS:
        return f"{field} has {len(words)} words, at most {MAX_ARGV_ITEMS}"
    size = 0
    out: list[str] = []
    for position, word in enumerate(words):
        if not isinstance(word, str):
            return f"{field} must hold only strings"
        if _NUL in word:
            where = field if field == "'shell'" else f"{field}[{position}]"
            return f"{where} holds a NUL byte"
        size += _utf8_len(word)
        if size > MAX_ARGV_BYTES:
            return f"{field} is over {MAX_ARGV_BYTES} bytes in all"
        out.append(word)
    return tuple(out)


def _seconds(value: object, limit: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    seconds = float(value)
    return seconds if 0 < seconds <= limit else None


def _env(value: object) -> tuple[tuple[str, str], ...] | str:
    if not isinstance(value, dict):
        return f"'env' must be a mapping of names to strings, got {_kind(value)}"
    pairs: dict[object, object] = value  # pyright: ignore[reportUnknownVariableType] -- YAML data
    if len(pairs) > MAX_ENV_ENTRIES:
        return f"'env' has {len(pairs)} entries, at most {MAX_ENV_ENTRIES}"
    size = 0
    out: list[tuple[str, str]] = []
    for key, item in pairs.items():
        if isinstance(key, str) and _NUL in key:
            return f"'env' name {_SHOWN.repr(key)} holds a NUL byte"
        if not isinstance(key, str) or _ENV_NAME.match(key) is None:
            return f"'env' name {_SHOWN.repr(key)} must match {_ENV_NAME.pattern}"
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            return f"'env' value of {key!r} must be a string or number"
        text = str(item)
        if _NUL in text:
            return f"'env' value of {key!r} holds a NUL byte"
        size += _utf8_len(key) + 1 + _utf8_len(text)
        if size > MAX_ENV_BYTES:
            return f"'env' is over {MAX_ENV_BYTES} bytes in all"
        out.append((key, text))
    return tuple(sorted(out))


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _invalid(index: int, name: str, problem: ScenarioFileProblem) -> InvalidScenario:
    return InvalidScenario(index=index, name=name, problem=problem)


def _kind(value: object) -> str:
    """What a misplaced value is, without the value: a string given for argv or a list given for
    env may hold a token, and problems reach the document (see ADR-0024)."""
    match value:
        case str():
            return "an empty string" if not value.strip() else "a string"
        case list():
            return "a list" if value else "an empty list"
        case dict():
            return "a mapping"
        case None:
            return "nothing"
        case _:
            return f"a {type(value).__name__}"


def _problem(line: int | None, message: str) -> ScenarioFileProblem:
    return ScenarioFileProblem(path=SCENARIOS_FILE, line=line, message=message)


def _name_lines(text: str) -> dict[str, list[int]]:
    """Every name line of the text, by name, with its 1-based line numbers in order: one pass."""
    found: dict[str, list[int]] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if "name:" not in line:
            continue
        match = _NAME_LINE.fullmatch(line.rstrip("\r"))
        if match is not None:
            found.setdefault(match.group(1), []).append(number)
    return found


def _line_of_key(text: str, key: str) -> int | None:
    # key-line = key ":" ...   ; at the start of a line (a top-level key)
    match = re.compile(r"^" + re.escape(key) + r"[ \t]*:", re.MULTILINE).search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1
