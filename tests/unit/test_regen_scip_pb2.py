"""The committed generated SCIP module is what scripts/regen_scip_pb2.py makes from the schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests._ci_support.requires_tool import requires_tool

ROOT = Path(__file__).resolve().parents[2]


@requires_tool("protoc")
def test_regenerating_the_scip_module_reproduces_the_committed_files() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "regen_scip_pb2.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (0, "")
