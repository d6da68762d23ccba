"""Regenerate `tests/scip_subset_pb2.py` and its `.pyi` from `codegenie_adapters/scip_subset.proto`.

The module is protoc's standard Python output (`--python_out`, `--pyi_out`), public protobuf API
only, and is used by tests and benches alone: they encode indexes with it, and the property tests
check codegenie's own decoder (`codegenie_adapters/_scip_summary.py`) against it (ADR-0032).
codegenie itself imports no protobuf module.

Uses a `protoc` on PATH (`apt-get install protobuf-compiler`; the committed files come from
Debian's libprotoc 3.21.12), else `grpc_tools.protoc` when grpcio-tools is importable (another
protoc version may lay the files out differently: `--check` then reports them out of date).
`--check` verifies a regeneration reproduces the committed files.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "codegenie_adapters"
PROTO = "scip_subset.proto"
OUT_DIR = ROOT / "tests"
OUTPUTS = ("scip_subset_pb2.py", "scip_subset_pb2.pyi")


def _compiler() -> list[str]:
    protoc = shutil.which("protoc")
    if protoc is not None:
        return [protoc]
    if importlib.util.find_spec("grpc_tools") is not None:
        return [sys.executable, "-m", "grpc_tools.protoc"]
    sys.exit("neither protoc nor grpcio-tools is available: apt-get install protobuf-compiler")


def _generate(into: Path) -> dict[str, bytes]:
    argv = [*_compiler(), f"-I{SCHEMA_DIR}", f"--python_out={into}", f"--pyi_out={into}", PROTO]
    subprocess.run(argv, check=True, cwd=SCHEMA_DIR)
    return {name: (into / name).read_bytes() for name in OUTPUTS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the committed files differ")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        generated = _generate(Path(tmp))
    stale = [
        name
        for name, data in generated.items()
        if not (OUT_DIR / name).exists() or (OUT_DIR / name).read_bytes() != data
    ]
    if args.check:
        if stale:
            print(f"out of date: {', '.join(stale)}; run python scripts/regen_scip_pb2.py")
            return 1
        return 0
    for name, data in generated.items():
        (OUT_DIR / name).write_bytes(data)
        print(f"wrote tests/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
