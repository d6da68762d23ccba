"""What the distribution says of itself: its license file, classifiers, completion, the example."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from click.testing import CliRunner

from codegenie_cli.main import cli
from tests.ci.test_workflows import PYTHONS

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_the_license_file_is_the_license_the_project_declares() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert PROJECT["license"] == {"text": "Apache-2.0"}
    assert text.split()[:4] == ["Apache", "License", "Version", "2.0,"]
    assert "License :: OSI Approved :: Apache Software License" in PROJECT["classifiers"]
    assert PROJECT["license-files"] == ["LICENSE"]


def test_the_classifiers_name_exactly_the_pythons_ci_runs() -> None:
    named = [
        c.rsplit(" :: ", 1)[1]
        for c in PROJECT["classifiers"]
        if c.startswith("Programming Language :: Python :: 3.")
    ]
    assert named == PYTHONS == ["3.11", "3.12", "3.13"]
    assert PROJECT["requires-python"] == ">=3.11"


def test_bash_completion_prints_a_script_for_the_command() -> None:
    env = {**os.environ, "_CODEGENIE_CLI_COMPLETE": "bash_source"}
    out = subprocess.run(
        [sys.executable, "-m", "codegenie_cli"], env=env, capture_output=True, text=True, check=True
    )
    assert "_codegenie_cli_completion()" in out.stdout
    assert "complete -o nosort -F _codegenie_cli_completion codegenie-cli" in out.stdout


def test_example_path_prints_the_bundled_example_repository() -> None:
    result = CliRunner().invoke(cli, ["example-path"])
    path = Path(result.stdout.strip())
    assert result.exit_code == 0
    assert {p.name for p in path.iterdir()} >= {"pyproject.toml", "Dockerfile", "inventory"}
