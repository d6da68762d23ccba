"""The README stays true: its probe example runs, and .ci/run runs its test command."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_the_probe_example_registers_and_runs_against_the_fakes() -> None:
    example = re.search(r"```python\n(.*?)```", README, re.DOTALL)
    assert example is not None
    check = textwrap.dedent(
        """
        from codegenie_adapters.fakes import FakeClock, FakeRepo, ScriptedYaml
        from codegenie_core import DEFAULT_REGISTRY, ProbeContext
        from codegenie_core.config import GatherConfig

        repo = FakeRepo(files={"LICENSE": b"Apache License\\nVersion 2.0"})
        ctx = ProbeContext(repo=repo, config=GatherConfig(), clock=FakeClock(), yaml=ScriptedYaml())
        registered = DEFAULT_REGISTRY.get("license")
        print(registered.heaviness, registered.probe.run(ctx).slice.spdx)
        """
    )
    result = subprocess.run(
        # A warning is an error: the example is in the spec style, not the deprecated one.
        [sys.executable, "-W", "error::DeprecationWarning", "-c", example.group(1) + check],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.stdout == "light Apache-2.0\n", result.stderr


def test_ci_runs_exactly_the_test_command_between_the_readme_markers() -> None:
    block = README.split("<!-- test-command:start -->")[1].split("<!-- test-command:end -->")[0]
    command = [line for line in block.splitlines() if line and not line.startswith("```")]
    assert command == [
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[dev]' && scripts/check"
    ]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "test-command:start" in ci
    assert "CODEGENIE_REQUIRE_TOOLS=1" in ci
