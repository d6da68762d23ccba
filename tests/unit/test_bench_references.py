"""The benches' references are honest (issue #14): an interpreter reference is the interpreter
that runs codegenie (`sys.executable`), never a `python`/`python3` found on PATH, which may be a
launcher (a pyenv shim costs ~60 ms) the product does not pay; and the trace-overhead ratios
compare whole runs, never dividing by an empty container's start subtracted from a workload that
may take less."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from benches.bench_trace_overhead import TARGET_RATIO, overhead_ratios

ROOT = Path(__file__).resolve().parents[2]
BENCH_SOURCES = sorted((ROOT / "benches").glob("*.py"))
_INTERPRETER_NAME = re.compile(r"(?:.*/)?python(?:3(?:\.\d+)?)?")


def interpreters_from_path(source: str) -> list[int]:
    """Lines where a command (a list or tuple literal) starts with an interpreter named, not
    `sys.executable`, or where `shutil.which` looks one up."""
    found: list[int] = []
    for node in ast.walk(ast.parse(source)):
        named: object = None
        if isinstance(node, ast.List | ast.Tuple) and len(node.elts) > 1 and _argv(node.elts[1]):
            named = node.elts[0]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            named = node.args[0] if node.func.attr == "which" else None
        if (
            isinstance(named, ast.Constant)
            and isinstance(named.value, str)
            and _INTERPRETER_NAME.fullmatch(named.value)
        ):
            found.append(int(getattr(node, "lineno", 0)))
    return found


def _argv(second: ast.expr) -> bool:
    """Whether a literal's second element reads as an interpreter's argument (`-c`, a `.py`
    script, or a value computed at run time), not data such as an image's `("python", "3.12")`."""
    if isinstance(second, ast.Constant) and isinstance(second.value, str):
        return second.value.startswith("-") or second.value.endswith(".py")
    return not isinstance(second, ast.Constant)


def test_a_python_image_tuple_is_data_not_a_command() -> None:
    assert interpreters_from_path('IMAGES = [("python", "3.12-slim")]\n') == []
    assert interpreters_from_path('run(["python3", "-c", "pass"])\n') == [1]
    assert interpreters_from_path("run(['python', script])\n") == [1]


@pytest.mark.parametrize("path", BENCH_SOURCES, ids=lambda p: p.name)
def test_no_bench_starts_an_interpreter_found_on_path(path: Path) -> None:
    assert interpreters_from_path(path.read_text(encoding="utf-8")) == [], path.name


@pytest.mark.parametrize(
    "planted",
    [
        'REFERENCE = ("python3", "-c", "pass")',
        'subprocess.run(["python", "-c", "pass"])',
        'argv = ["/usr/bin/env", "x"] + ["python3.11", "-c", "pass"]',
        'shutil.which("python3")',
    ],
)
def test_a_planted_path_interpreter_is_caught(planted: str) -> None:
    assert interpreters_from_path(planted) != []


def test_sys_executable_and_other_commands_are_not_flagged() -> None:
    source = 'a = [sys.executable, "-c", "pass"]\nb = ["git", "status"]\nc = ("python-service",)'
    assert interpreters_from_path(source) == []


def test_a_workload_faster_than_a_container_start_gives_a_whole_run_ratio() -> None:
    medians = {"startup": 0.60, "untraced": 0.50, "traced_bpf": 0.55}

    ratios = overhead_ratios(medians)

    assert ratios["ratio_bpf"] == pytest.approx(1.1)
    assert ratios["startup_share_of_untraced"] == pytest.approx(1.2)
    assert ratios["ratio_no_bpf"] is None
    assert ratios["within_target"] is True


def test_a_workload_just_above_a_container_start_is_not_blown_up() -> None:
    medians = {"startup": 0.60, "untraced": 0.6000001, "traced_bpf": 0.66}
    medians |= {"untraced_small": 0.61, "traced_no_bpf": 6.1}

    ratios = overhead_ratios(medians)

    assert ratios["ratio_bpf"] == pytest.approx(1.1, rel=1e-3)
    assert ratios["ratio_no_bpf"] == pytest.approx(10.0)
    assert ratios["within_target"] is (TARGET_RATIO >= 1.1)
