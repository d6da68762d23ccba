""" "What to do next": for each probe whose answer is below high confidence (or that found no
index), what a person can run or look at to raise it, from the context document's plain data.

Rule 1: a step is Markdown, and every repository string in it is escaped (`_code`, ADR-0025).
Rule 2: a command is suggested only where the document shows it would help (an unresolved base
image, a missing or stale index, an unavailable tool with its hint); otherwise the step points to
the reasons the report's confidence section already lists, never to a file.
"""

from __future__ import annotations

from codegenie_core.report.context import PlainData
from codegenie_core.report.escape import escape_markdown

__all__ = ["next_steps"]

_MAX_STEPS_PER_PROBE = 4
_UNRESOLVED = "base image digest unresolved: "  # runtime_trace's problem, with the refs it names


def next_steps(probes: dict[str, PlainData]) -> list[str]:
    """One Markdown line per step, in the document's probe order."""
    steps: list[str] = []
    for name, raw in probes.items():
        entry = _mapping(raw)
        found = _steps(name, entry)
        steps.extend(
            f"**{escape_markdown(name)}**: {step}" for step in found[:_MAX_STEPS_PER_PROBE]
        )
    return steps


def _steps(name: str, entry: dict[str, PlainData]) -> list[str]:
    outcome = entry.get("outcome")
    if outcome == "failed":
        return [
            "failed; run `codegenie-cli gather REPO -v` to see why, and the error under Confidence"
        ]
    if outcome == "skipped":
        reason = _mapping(entry.get("reason"))
        if reason.get("kind") == "tool_unavailable":
            hint = reason.get("hint")
            tool = _code(str(reason.get("tool", "the tool")))
            tail = f": {escape_markdown(hint)}" if isinstance(hint, str) and hint else ""
            return [f"install or start {tool} to let it run{tail}"]
        return []
    specific = _specific(name, _mapping(entry.get("slice")))
    confidence = entry.get("confidence")
    if specific or confidence == "high" or not isinstance(confidence, str):
        return specific
    return [f"{escape_markdown(confidence)} confidence: see its reasons under Confidence"]


def _specific(name: str, slice_data: dict[str, PlainData]) -> list[str]:
    if name == "runtime_trace" and slice_data.get("status") == "image-digest-unresolved":
        refs = [
            ref
            for problem in _list(slice_data.get("problems"))
            if isinstance(problem, str) and problem.startswith(_UNRESOLVED)
            for ref in problem.removeprefix(_UNRESOLVED).split(", ")
            if ref
        ]
        return [f"{_code(f'docker pull {ref}')} to let the runtime trace run" for ref in refs]
    if name == "loaded_dependencies":
        unseen = [
            str(dep.get("name", "?"))
            for dep in map(_mapping, _list(slice_data.get("dependencies")))
            if dep.get("status") == "not-observed"
        ]
        if unseen:
            shown = ", ".join(_code(n) for n in unseen[:4]) + (", …" if len(unseen) > 4 else "")
            return [
                f"{len(unseen)} declared dependencies were not observed loading ({shown}): add "
                "scenarios in `.codegenie/scenarios.yaml` that exercise them before calling any "
                "unused"
            ]
    if name == "index_health":
        kinds = {str(_mapping(i).get("kind", "")) for i in _list(slice_data.get("indexes"))}
        if kinds & {"Missing", "Stale"}:
            return ["`codegenie-cli gather --index` to make (or refresh) an index"]
    return []


def _mapping(value: PlainData) -> dict[str, PlainData]:
    return dict(value) if isinstance(value, dict) else {}  # pyright: ignore[reportUnknownArgumentType]  # plain data


def _list(value: PlainData) -> list[PlainData]:
    return list(value) if isinstance(value, list) else []  # pyright: ignore[reportUnknownArgumentType]  # plain data


def _code(value: str) -> str:
    return escape_markdown(value, code=True)
