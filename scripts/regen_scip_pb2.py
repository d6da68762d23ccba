"""Regenerate `codegenie_adapters/_scip_pb2.py` and its `.pyi` from `scip_subset.proto`.

Uses a `protoc` on PATH (`apt-get install protobuf-compiler`; the committed files come from
Debian's libprotoc 3.21.12), else `grpc_tools.protoc` when grpcio-tools is importable (another
protoc version may lay the files out differently: `--check` then reports them out of date). The
generated module is committed; `--check` verifies a regeneration reproduces it. See ADR-0009.
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
PACKAGE = ROOT / "codegenie_adapters"
PROTO = "scip_subset.proto"
OUTPUTS = {"scip_subset_pb2.py": "_scip_pb2.py", "scip_subset_pb2.pyi": "_scip_pb2.pyi"}


def _compiler() -> list[str]:
    protoc = shutil.which("protoc")
    if protoc is not None:
        return [protoc]
    if importlib.util.find_spec("grpc_tools") is not None:
        return [sys.executable, "-m", "grpc_tools.protoc"]
    sys.exit("neither protoc nor grpcio-tools is available: apt-get install protobuf-compiler")


def _generate(into: Path) -> dict[str, bytes]:
    argv = [*_compiler(), f"-I{PACKAGE}", f"--python_out={into}", f"--pyi_out={into}", PROTO]
    subprocess.run(argv, check=True, cwd=PACKAGE)
    return {target: (into / made).read_bytes() for made, target in OUTPUTS.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the committed files differ")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        generated = _generate(Path(tmp))
    stale = [name for name, data in generated.items() if (PACKAGE / name).read_bytes() != data]
    if args.check:
        if stale:
            print(f"out of date: {', '.join(stale)}; run python scripts/regen_scip_pb2.py")
            return 1
        return 0
    for name, data in generated.items():
        (PACKAGE / name).write_bytes(data)
        print(f"wrote codegenie_adapters/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
