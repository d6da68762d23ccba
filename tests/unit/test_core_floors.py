"""The core's floors hold and are enforced: a planted upward import breaks the layers contract.

The contract is read from the project's own `pyproject.toml`, so this checks the contract the gate
runs, on a copy of `codegenie_core` with one import added (see ADR-0036).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

import codegenie_core

BIN = Path(sys.executable).parent
CORE = Path(codegenie_core.__file__).parent
PYPROJECT = CORE.parent / "pyproject.toml"
FLOORS = "The core's floors"


def _floors_contract() -> dict[str, Any]:
    config: dict[str, Any] = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    contracts: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if str(c["name"]).startswith(FLOORS)]
    return contract


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lint_copy(tmp_path: Path, plant: tuple[str, str] | None) -> subprocess.CompletedProcess[str]:
    """Run lint-imports with only the floors contract on a copy of the core, `plant` being
    (module file relative to the package, line to append, the file made if new) or None."""
    shutil.copytree(CORE, tmp_path / "codegenie_core", ignore=shutil.ignore_patterns("__pycache__"))
    if plant is not None:
        relative, line = plant
        target = tmp_path / "codegenie_core" / relative
        before = target.read_text(encoding="utf-8") if target.exists() else ""
        target.write_text(before + line + "\n", encoding="utf-8")
    contract = _floors_contract()
    layers = ", ".join(_toml_string(layer) for layer in contract["layers"])
    (tmp_path / "pyproject.toml").write_text(
        "[tool.importlinter]\n"
        'root_packages = ["codegenie_core"]\n\n'
        "[[tool.importlinter.contracts]]\n"
        f"name = {_toml_string(contract['name'])}\n"
        'type = "layers"\n'
        'containers = ["codegenie_core"]\n'
        f"exhaustive = {str(contract['exhaustive']).lower()}\n"
        f"layers = [{layers}]\n",
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
