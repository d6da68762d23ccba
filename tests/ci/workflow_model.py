"""A typed model of the GitHub Actions workflow files, so tests read them as values, not text.

Rule 1: the YAML is read as YAML 1.1, as GitHub reads it, where the bare key `on` means `True`;
`_normalise_on_key` is the one place that turns it back into `"on"`.
Rule 2: unknown keys are errors (cattrs `forbid_extra_keys`): a typo such as `timeout-minute`
fails the load instead of silently dropping the setting it meant.
Rule 3: the shorthands GitHub allows are widened once here: `needs: fence` is `("fence",)`,
`on: push` and `on: [push, pull_request]` are event sets like the mapping form.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override
from ruamel.yaml import YAML

WORKFLOWS_DIR = Path(__file__).resolve().parents[2] / ".github" / "workflows"

Scalar = str | int | float | bool | None


@attrs.frozen(kw_only=True)
class Step:
    name: str | None = None
    id: str | None = None
    uses: str | None = None
    run: str | None = None
    if_: str | None = None
    with_: dict[str, Any] = attrs.field(factory=dict[str, Any])
    env: dict[str, Any] = attrs.field(factory=dict[str, Any])
    shell: str | None = None
    continue_on_error: bool | str = False
    timeout_minutes: int | None = None
    working_directory: str | None = None


@attrs.frozen(kw_only=True)
class Strategy:
    matrix: dict[str, Any] = attrs.field(factory=dict[str, Any])
    fail_fast: bool | None = None
    max_parallel: int | None = None


@attrs.frozen(kw_only=True)
class Job:
    name: str | None = None
    runs_on: str | list[str]
    needs: tuple[str, ...] = ()
    if_: str | None = None
    timeout_minutes: int | None = None
    continue_on_error: bool | str = False
    strategy: Strategy | None = None
    env: dict[str, Any] = attrs.field(factory=dict[str, Any])
    permissions: dict[str, str] | str | None = None
    steps: tuple[Step, ...] = ()


@attrs.frozen(kw_only=True)
class Schedule:
    cron: str


@attrs.frozen(kw_only=True)
class Triggers:
    """Which events start the workflow, and the details the tests look at."""

    events: frozenset[str]
    schedule: tuple[Schedule, ...] = ()
    push_branches: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Concurrency:
    group: str
    cancel_in_progress: bool | str = False


@attrs.frozen(kw_only=True)
class Workflow:
    name: str
    on: Triggers
    jobs: dict[str, Job]
    permissions: dict[str, str] | str | None = None
    concurrency: Concurrency | None = None
    env: dict[str, Any] = attrs.field(factory=dict[str, Any])

    def steps(self) -> Iterator[tuple[str, Step]]:
        """Every step with the id of its job."""
        for job_id, job in self.jobs.items():
            for step in job.steps:
                yield job_id, step


def _yaml_key(attribute_name: str) -> str:
    """`timeout_minutes` -> `timeout-minutes`; `if_` -> `if`; `with_` -> `with`."""
    return attribute_name.rstrip("_").replace("_", "-")


def _normalise_on_key(document: Mapping[object, object]) -> dict[str, object]:
    """YAML 1.1 reads the key `on` as the boolean True; give it back its name (Rule 1)."""
    return {("on" if key is True else str(key)): value for key, value in document.items()}


def _mapping(raw: object) -> dict[str, object] | None:
    return (
        {str(k): v for k, v in cast("dict[object, object]", raw).items()}
        if isinstance(raw, dict)
        else None
    )


def _strings(raw: object) -> tuple[str, ...] | None:
    return tuple(str(item) for item in cast("list[object]", raw)) if isinstance(raw, list) else None


def _structure_triggers(raw: object, _: type[Any]) -> Triggers:
    if isinstance(raw, str):
        return Triggers(events=frozenset({raw}))
    if (names := _strings(raw)) is not None:
        return Triggers(events=frozenset(names))
    events = _mapping(raw)
    if events is None:
        raise ValueError(f"`on` must be a string, a list or a mapping, got {raw!r}")
    schedules = events.get("schedule")
    crons = [_mapping(entry) or {} for entry in cast("list[object]", schedules or [])]
    push = _mapping(events.get("push")) or {}
    return Triggers(
        events=frozenset(events),
        schedule=tuple(Schedule(cron=str(entry.get("cron"))) for entry in crons),
        push_branches=_strings(push.get("branches")) or (),
    )


def _structure_needs(raw: object, _: type[Any]) -> tuple[str, ...]:
    if isinstance(raw, str):
        return (raw,)
    if (names := _strings(raw)) is not None:
        return names
    raise ValueError(f"`needs` must be a job id or a list of them, got {raw!r}")


def _exactly(*accepted: type[Any]) -> Any:
    """A hook for a union of plain YAML shapes: the value as it is, when it has one of them."""

    def structure(raw: object, tp: type[Any]) -> object:
        if not isinstance(raw, accepted) or (isinstance(raw, bool) and bool not in accepted):
            raise ValueError(f"expected {tp}, got {raw!r}")
        return raw

    return structure


def _converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook(Triggers, _structure_triggers)
    # GitHub allows an expression string wherever it allows a boolean or a map.
    converter.register_structure_hook(bool | str, _exactly(bool, str))
    converter.register_structure_hook(str | list[str], _exactly(str, list))
    converter.register_structure_hook(dict[str, str] | str | None, _exactly(dict, str, type(None)))
    for cls in (Step, Strategy, Job, Schedule, Concurrency, Workflow):
        renames: dict[str, Any] = {
            field.name: override(rename=_yaml_key(field.name))
            for field in attrs.fields(cls)
            if _yaml_key(field.name) != field.name
        }
        if cls is Job:
            renames["needs"] = override(struct_hook=_structure_needs)
        converter.register_structure_hook(
            cls, make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=True, **renames)
        )
    return converter


_CONVERTER = _converter()


def read_yaml(text: str) -> object:
    """Parse workflow text as GitHub does (YAML 1.1): `on` is True, `3.10` is a float."""
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 1)
    load = cast("Callable[[str], object]", yaml.load)  # pyright: ignore[reportUnknownMemberType] -- ruamel leaves `stream` untyped
    return load(text)


def parse_workflow(text: str) -> Workflow:
    """The typed workflow; a structural problem raises cattrs' error naming the path."""
    document = read_yaml(text)
    if not isinstance(document, dict):
        raise ValueError("a workflow file must be a YAML mapping")
    return _CONVERTER.structure(_normalise_on_key(cast("dict[object, object]", document)), Workflow)


def load_workflow(name: str) -> Workflow:
    return parse_workflow((WORKFLOWS_DIR / name).read_text(encoding="utf-8"))


# ---- the no-xdist scan ------------------------------------------------------------------------
# A pytest command line: `pytest` or `python -m pytest`, up to the end of its shell command.
_COMMAND_SEPARATOR = re.compile(r"&&|\|\||[;|\n]")
_PYTEST = re.compile(r"(?:^|[\s/])(?:py\.test|pytest)(?:\s|$)")
# xdist's worker option in each spelling: -n4, -n 4, -n=4, -n auto, -nauto, -n logical.
_WORKERS = re.compile(r"(?:^|\s)-n\s*=?\s*(?:[0-9]+|auto|logical)\b")
# Anywhere at all: the long option, or the plugin's name (pytest-xdist, -p xdist).
_ANYWHERE = re.compile(r"--numprocesses|xdist", re.IGNORECASE)


def xdist_uses(text: str) -> list[str]:
    """Every shell command in `text` that would run tests under pytest-xdist, or install it."""
    found: list[str] = []
    for raw in _COMMAND_SEPARATOR.split(text):
        command = raw.strip()
        if _ANYWHERE.search(command) or (_PYTEST.search(command) and _WORKERS.search(command)):
            found.append(command)
    return found


def workflow_xdist_uses(workflow: Workflow) -> list[str]:
    """The no-xdist scan over every `run`, every `with` value and every environment value
    (PYTEST_ADDOPTS carries pytest options without a pytest command line)."""
    found: list[str] = []
    environments: list[Mapping[str, Any]] = [workflow.env]
    for job in workflow.jobs.values():
        environments.append(job.env)
        for step in job.steps:
            environments.append(step.env)
            found += xdist_uses(step.run or "")
            found += [f"{k}: {v}" for k, v in step.with_.items() if xdist_uses(str(v))]
    for environment in environments:
        for key, value in environment.items():
            as_args = f"pytest {value}" if key == "PYTEST_ADDOPTS" else str(value)
            if xdist_uses(as_args):
                found.append(f"{key}={value}")
    return found


# ---- continue-on-error --------------------------------------------------------------------------
def continue_on_error_uses(workflow: Workflow, job_ids: Iterable[str]) -> list[str]:
    """Every job of `job_ids`, and every step in them, that may fail without failing the run:
    `continue-on-error` set to anything but false (an expression string may be true at run time)."""
    found: list[str] = []
    for job_id in job_ids:
        job = workflow.jobs[job_id]
        if job.continue_on_error is not False:
            found.append(job_id)
        for index, step in enumerate(job.steps):
            if step.continue_on_error is not False:
                found.append(f"{job_id}: step {index} ({step.name or step.run or step.uses})")
    return found


# ---- which scripts a job runs -------------------------------------------------------------------
# `python path/to/script.py`, with or without options after it.
_PYTHON_SCRIPT = re.compile(r"(?:^|\s)python3?\s+([\w./-]+\.py)\b")
# `for VAR in GLOB; do BODY done`, the loop a lane uses to run every script a glob matches.
_FOR_LOOP = re.compile(r"\bfor\s+(\w+)\s+in\s+([^\s;]+)\s*;?\s*do\b(.*?)\bdone\b", re.DOTALL)
# Inside the loop: a `case "$VAR" in PATTERN) continue ;;` arm skips what PATTERN matches.
_SKIP_ARM = re.compile(r"^\s*([^\s()|]+(?:\s*\|\s*[^\s()|]+)*)\)\s*continue\b", re.MULTILINE)


def scripts_run(job: Job, scripts: Iterable[str]) -> set[str]:
    """Which of `scripts` (repository-relative paths) the job's steps run: named on a `python`
    command line, or matched by the glob of a `for` loop whose body runs `python "$VAR"` and is not
    skipped by one of its `case` arms."""
    candidates = list(scripts)
    run: set[str] = set()
    for step in job.steps:
        text = step.run or ""
        run |= {path for path in _PYTHON_SCRIPT.findall(text) if path in candidates}
        for variable, glob, body in _FOR_LOOP.findall(text):
            if not re.search(rf'python3?\s+"?\${{?{variable}\b', body):
                continue
            skips = [p.strip() for arm in _SKIP_ARM.findall(body) for p in arm.split("|")]
            run |= {
                path
                for path in candidates
                if fnmatch.fnmatchcase(path, glob)
                and not any(fnmatch.fnmatchcase(path, skip) for skip in skips)
            }
    return run
