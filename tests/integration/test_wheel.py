"""The PyPI description's first command, run from a wheel installed into a fresh venv."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*argv: str | Path, cwd: Path) -> str:
    out = subprocess.run(
        [str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    return out.stdout


def test_the_first_command_works_from_an_installed_wheel(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "pip", "wheel", ROOT, "-w", dist, "--no-deps",
         "--no-build-isolation", "-q", cwd=tmp_path)  # fmt: skip
    (wheel,) = dist.glob("codegenie-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    _run(python, "-m", "pip", "install", "-q", wheel, cwd=tmp_path)
    cli = env_dir / "bin" / "codegenie-cli"
    example = Path(_run(cli, "example-path", cwd=tmp_path).strip())
    assert example.is_relative_to(env_dir)  # the installed copy, not this checkout
    out = tmp_path / "out"
    _run(cli, "gather", example, "--layer", "a,b", "--no-cache", "--output", out, cwd=tmp_path)
    report = (tmp_path / "out" / "report.md").read_text()
    assert report.startswith("# codegenie report: example\n")
    assert "| dockerfile | A | ran | high |" in report
