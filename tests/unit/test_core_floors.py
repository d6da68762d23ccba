"""The core's floors hold and are enforced: a planted upward import breaks the layers contract,
a planted import cycle breaks the acyclic one.

The contracts are read from the project's own `pyproject.toml`, so this checks the contracts the
gate runs, on a copy of `codegenie_core` with one import added (see ADR-0036, ADR-0040).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any, cast

import pytest

import codegenie_core

BIN = Path(sys.executable).parent
CORE = Path(codegenie_core.__file__).parent
PYPROJECT = CORE.parent / "pyproject.toml"
FLOORS = "The core's floors"
ACYCLIC = "No import cycles among the core's modules"


def _contract(prefix: str) -> dict[str, Any]:
    config: dict[str, Any] = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    contracts: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if str(c["name"]).startswith(prefix)]
    return contract


def _floors_contract() -> dict[str, Any]:
    return _contract(FLOORS)


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_value(value: object) -> str:
    match value:
        case bool():
            return str(value).lower()
        case int():
            return str(value)
        case str():
            return _toml_string(value)
        case list():
            items = cast("list[object]", value)
            return "[" + ", ".join(_toml_value(item) for item in items) + "]"
        case _:
            raise AssertionError(f"no TOML text for {value!r}")


def _lint_copy(
    tmp_path: Path, plant: tuple[str, str] | None, contract_prefix: str = FLOORS
) -> subprocess.CompletedProcess[str]:
    """Run lint-imports with only one contract of the project's on a copy of the core, `plant`
    being (module file relative to the package, line to append, the file made if new) or None."""
    shutil.copytree(CORE, tmp_path / "codegenie_core", ignore=shutil.ignore_patterns("__pycache__"))
    if plant is not None:
        relative, line = plant
        target = tmp_path / "codegenie_core" / relative
        before = target.read_text(encoding="utf-8") if target.exists() else ""
        target.write_text(before + line + "\n", encoding="utf-8")
    contract = _contract(contract_prefix)
    fields = "".join(f"{key} = {_toml_value(value)}\n" for key, value in contract.items())
    (tmp_path / "pyproject.toml").write_text(
        "[tool.importlinter]\n"
        'root_packages = ["codegenie_core"]\n\n'
        "[[tool.importlinter.contracts]]\n" + fields,
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache", "--config", "pyproject.toml"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_floors_contract_is_exhaustive() -> None:
    assert _floors_contract()["exhaustive"] is True


def test_an_untouched_copy_of_the_core_keeps_its_floors(tmp_path: Path) -> None:
    result = _lint_copy(tmp_path, None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("relative", "line", "importer", "imported"),
    [
        # a value reaching up to the ports it sits below
        ("values/key.py", "import codegenie_core.ports", "values.key", "ports"),
        # the ports reaching up, under TYPE_CHECKING too, as they once did (issue 12)
        (
            "ports.py",
            "if TYPE_CHECKING:\n    from codegenie_core.probe import Envelope as _Envelope",
            "ports",
            "probe",
        ),
        # the spec reaching up to the key algebra for its globs, as it did before ADR-0040
        (
            "spec.py",
            "from codegenie_core.cache_keys import compile_glob as _compile_glob",
            "spec",
            "cache_keys",
        ),
        # the outcome values reaching up to the probe protocol, as `outcomes` did before ADR-0040
        ("values/outcome.py", "import codegenie_core.probe", "values.outcome", "probe"),
    ],
)
def test_a_planted_upward_import_breaks_the_floors(
    tmp_path: Path, relative: str, line: str, importer: str, imported: str
) -> None:
    result = _lint_copy(tmp_path, (relative, line))
    assert result.returncode != 0
    assert "0 kept, 1 broken" in result.stdout
    assert f"codegenie_core.{importer} -> codegenie_core.{imported}" in result.stdout


def test_a_core_module_on_no_floor_breaks_the_floors(tmp_path: Path) -> None:
    result = _lint_copy(tmp_path, ("stray.py", "STRAY = 1"))
    assert result.returncode != 0
    assert "stray" in result.stdout


def test_every_floor_is_one_module_or_independent_siblings() -> None:
    # `:` (siblings that may import each other) would let a cycle stand inside a floor.
    assert [floor for floor in _floors_contract()["layers"] if ":" in floor] == []


def test_the_core_has_no_import_cycle_at_any_depth() -> None:
    contract = _contract(ACYCLIC)
    assert (contract["type"], contract["ancestors"], contract.get("depth", 10)) == (
        "acyclic_siblings",
        ["codegenie_core"],
        10,
    )


def test_an_untouched_copy_of_the_core_has_no_import_cycle(tmp_path: Path) -> None:
    result = _lint_copy(tmp_path, None, ACYCLIC)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("relative", "line", "package", "edge"),
    [
        # the cycle ADR-0040 broke: the spec matching globs with the key algebra's helpers,
        # which names the spec
        ("spec.py", "import codegenie_core.cache_keys", "codegenie_core", ".spec -> .cache_keys"),
        # a cycle inside a subpackage: an envelope naming the outcomes that hold envelopes
        (
            "values/envelope.py",
            "import codegenie_core.values.outcome",
            "codegenie_core.values",
            ".envelope -> .outcome",
        ),
    ],
)
def test_a_planted_import_cycle_breaks_the_acyclic_contract(
    tmp_path: Path, relative: str, line: str, package: str, edge: str
) -> None:
    result = _lint_copy(tmp_path, (relative, line), ACYCLIC)
    assert result.returncode != 0
    assert "0 kept, 1 broken" in result.stdout
    assert f"No cycles are allowed in {package}." in result.stdout
    assert edge in result.stdout or " -> ".join(reversed(edge.split(" -> "))) in result.stdout


def test_the_outcome_values_keep_their_old_import_paths() -> None:
    # Third parties import the skip values from `probe` and the outcomes from `outcomes`; both
    # paths name the very objects on the values floor (ADR-0040).
    from codegenie_core import outcomes, probe
    from codegenie_core.values import outcome

    assert (probe.NotApplicable, probe.ToolUnavailable, probe.Skip) == (
        outcome.NotApplicable,
        outcome.ToolUnavailable,
        outcome.Skip,
    )
    assert all(getattr(outcomes, name) is getattr(outcome, name) for name in outcome.__all__)
    assert sorted(outcomes.__all__) == sorted(outcome.__all__)
    assert outcome.NotApplicable.__module__ == "codegenie_core.values.outcome"
