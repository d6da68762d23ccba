"""protoc's standard module of the SCIP subset is for tests and benches only; reading an index
imports no protobuf module at all (ADR-0032, which replaced ADR-0021's upb classes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests import scip_subset_pb2 as pb
from tests.layer_b_support import index_bytes

PROTO = Path(__file__).resolve().parents[2] / "codegenie_adapters" / "scip_subset.proto"


def _loaded_after_reading(root: Path, path: str) -> list[str]:
    code = (
        "import json, sys\n"
        "from codegenie_adapters.scip_reader import ScipReader\n"
        f"result = ScipReader({str(root)!r}).read({path!r})\n"
        "print(json.dumps([type(result).__name__, sorted(sys.modules)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    kind, modules = json.loads(done.stdout)
    return [kind, *(m for m in modules if m.startswith("google"))]


def test_every_message_of_the_subset_is_a_generated_class() -> None:
    declared = [
        line.split()[1] for line in PROTO.read_text().splitlines() if line.startswith("message ")
    ]
    built = [name for name in declared if getattr(pb, name).DESCRIPTOR.name == name]
    assert (built, sorted(pb.DESCRIPTOR.message_types_by_name)) == (declared, sorted(declared))


def test_the_classes_round_trip_a_whole_index() -> None:
    data = index_bytes([("src/a.ts", [("scip-typescript npm . . a.", 1, (0, 1, 2))])])
    index = pb.Index.FromString(data)
    assert (index.SerializeToString(), index.documents[0].occurrences[0].range) == (data, [0, 1, 2])


def test_reading_an_index_loads_no_protobuf(tmp_path: Path) -> None:
    (tmp_path / "index.scip").write_bytes(index_bytes([("src/a.ts", [])]))
    assert _loaded_after_reading(tmp_path, "index.scip") == ["IndexSummary"]


def test_looking_for_an_index_that_is_not_there_loads_no_protobuf(tmp_path: Path) -> None:
    assert _loaded_after_reading(tmp_path, "index.scip") == ["IndexReadError"]


def test_the_package_does_not_depend_on_protobuf() -> None:
    import tomllib

    project = tomllib.loads((PROTO.parents[1] / "pyproject.toml").read_text())["project"]
    runtime = [d for d in project["dependencies"] if d.startswith("protobuf")]
    dev = [d for d in project["optional-dependencies"]["dev"] if d.startswith("protobuf")]
    assert (runtime, dev) == ([], ["protobuf>=5.26"])
