"""Scenarios: the five defaults derived from the image config, and a repository's own from
`.codegenie/scenarios.yaml`, validated as plain data.

Rule 1: a malformed scenarios file is a value (`ScenarioFileProblem`) naming the file, the line
when it can be found, the scenario (index and name) and the field, never an exception.
Rule 2: a repository scenario with a default's name replaces that default; the others are added
after the defaults, in file order. Names are unique.
Rule 3: no timeout exceeds `SCENARIO_TIMEOUT_S`; a window never exceeds its timeout.
"""

from __future__ import annotations

import re

import attrs

from codegenie_core.probes.layer_c.model import (
    DEFAULT_WINDOW_S,
    SCENARIO_TIMEOUT_S,
    SCENARIOS_FILE,
    ImageConfig,
    Scenario,
)

# name = ALNUM *62( ALNUM / "_" / "-" / "." )
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", re.ASCII)
# env-name = ( ALPHA / "_" ) *( ALNUM / "_" )
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$", re.ASCII)
_FIELDS = frozenset({"name", "argv", "shell", "timeout_s", "window_s", "env"})


@attrs.frozen(kw_only=True)
class ScenarioFileProblem:
    """Why the scenarios file cannot be used, with coordinates."""

    path: str
    line: int | None
    message: str

    def describe(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


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
    defaults: tuple[Scenario, ...], repo: tuple[Scenario, ...]
) -> tuple[Scenario, ...]:
    """Rule 2: repository scenarios replace same-named defaults; the rest follow the defaults."""
    by_name = {s.name: s for s in repo}
    merged = [by_name.pop(s.name, s) for s in defaults]
    return (*merged, *(s for s in repo if s.name in by_name))


def parse_scenarios(data: object, text: str) -> tuple[Scenario, ...] | ScenarioFileProblem:
    """Validate the plain data of `.codegenie/scenarios.yaml` (`text` locates lines)."""
    if data is None:
        return ()
    if not isinstance(data, dict):
        return _problem(None, "the document must be a mapping with a 'scenarios' list")
    document: dict[object, object] = data  # pyright: ignore[reportUnknownVariableType] -- YAML data
    unknown = sorted(str(k) for k in document if k != "scenarios")
    if unknown:
        return _problem(_line_of_key(text, unknown[0]), f"unknown key {unknown[0]!r}")
    items = document.get("scenarios")
    if items is None:
        return ()
    if not isinstance(items, list):
        return _problem(_line_of_key(text, "scenarios"), "'scenarios' must be a list")
    scenarios: list[Scenario] = []
    seen: set[str] = set()
    entries: list[object] = items  # pyright: ignore[reportUnknownVariableType] -- YAML data
    for index, item in enumerate(entries):
        parsed = _scenario(index, item, text)
        if isinstance(parsed, ScenarioFileProblem):
            return parsed
        if parsed.name in seen:
            line = _line_of_name(text, parsed.name)
            return _problem(line, f"scenarios[{index}]: name {parsed.name!r} is used twice")
        seen.add(parsed.name)
        scenarios.append(parsed)
    return tuple(scenarios)


def _scenario(index: int, item: object, text: str) -> Scenario | ScenarioFileProblem:
    if not isinstance(item, dict):
        return _problem(None, f"scenarios[{index}] must be a mapping")
    fields: dict[object, object] = item  # pyright: ignore[reportUnknownVariableType] -- YAML data
    name = fields.get("name")
    if not isinstance(name, str) or _NAME.match(name) is None:
        message = f"scenarios[{index}]: 'name' must match {_NAME.pattern}, got {name!r}"
        return _problem(None, message)
    line = _line_of_name(text, name)
    where = f"scenarios[{index}] (name {name!r})"

    def bad(message: str) -> ScenarioFileProblem:
        return _problem(line, f"{where}: {message}")

    unknown = sorted(str(k) for k in fields if k not in _FIELDS)
    if unknown:
        return bad(f"unknown field {unknown[0]!r}; known: {', '.join(sorted(_FIELDS))}")
    argv_value, shell = fields.get("argv"), fields.get("shell")
    if (argv_value is None) == (shell is None):
        return bad("give exactly one of 'argv' (a list of strings) or 'shell' (a string)")
    if shell is not None:
        if not isinstance(shell, str) or not shell.strip():
            return bad(f"'shell' must be a non-empty string, got {_kind(shell)}")
        argv: tuple[str, ...] = ("/bin/sh", "-c", shell)
    else:
        if not isinstance(argv_value, list) or not argv_value:
            given: object = fields.get("argv")
            return bad(f"'argv' must be a non-empty list of strings, got {_kind(given)}")
        words: list[object] = argv_value  # pyright: ignore[reportUnknownVariableType] -- YAML data
        if not all(isinstance(w, str) for w in words):
            return bad("'argv' must hold only strings")
        argv = tuple(str(w) for w in words)
    timeout = _seconds(fields.get("timeout_s", SCENARIO_TIMEOUT_S), SCENARIO_TIMEOUT_S)
    if timeout is None:
        got = fields.get("timeout_s")
        return bad(f"'timeout_s' must be a number > 0 and <= {SCENARIO_TIMEOUT_S:g}, got {got!r}")
    window: float | None = None
    if "window_s" in fields:
        window = _seconds(fields["window_s"], timeout)
        if window is None:
            got = fields["window_s"]
            return bad(
                f"'window_s' must be a number > 0 and <= timeout_s ({timeout:g}), got {got!r}"
            )
    env = _env(fields.get("env", {}))
    if isinstance(env, str):
        return bad(env)
    return Scenario(
        name=name, argv=argv, timeout_s=timeout, window_s=window, env=env, origin="repo"
    )


def _seconds(value: object, limit: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    seconds = float(value)
    return seconds if 0 < seconds <= limit else None


def _env(value: object) -> tuple[tuple[str, str], ...] | str:
    if not isinstance(value, dict):
        return f"'env' must be a mapping of names to strings, got {_kind(value)}"
    pairs: dict[object, object] = value  # pyright: ignore[reportUnknownVariableType] -- YAML data
    out: list[tuple[str, str]] = []
    for key, item in pairs.items():
        if not isinstance(key, str) or _ENV_NAME.match(key) is None:
            return f"'env' name {key!r} must match {_ENV_NAME.pattern}"
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            return f"'env' value of {key!r} must be a string or number"
        out.append((key, str(item)))
    return tuple(sorted(out))


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


def _line_of_name(text: str, name: str) -> int | None:
    # name-line = *WSP [ "-" *WSP ] "name:" *WSP [ quote ] name [ quote ] *WSP [ "#" comment ]
    pattern = re.compile(
        r"^\s*(?:-\s*)?name:\s*['\"]?" + re.escape(name) + r"['\"]?\s*(?:#.*)?$", re.MULTILINE
    )
    match = pattern.search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def _line_of_key(text: str, key: str) -> int | None:
    # key-line = key ":" ...   ; at the start of a line (a top-level key)
    match = re.compile(r"^" + re.escape(key) + r"\s*:", re.MULTILINE).search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1
