"""The generated SCIP classes: upb message classes of the subset, loaded without protobuf's
pure-Python machinery, and loaded only when there is an index to parse (see ADR-0021)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from codegenie_adapters import _scip_pb2 as pb
from tests.layer_b_support import index_bytes

PROTO = Path(__file__).resolve().parents[2] / "codegenie_adapters" / "scip_subset.proto"
# What `google.protobuf.internal.builder` (protoc's own Python output) would load: the pure-Python
# message implementation and the text format it pulls in, ~12 ms before the first read.
PURE_PYTHON_MACHINERY = (
    "google.protobuf.descriptor_pool",
    "google.protobuf.internal.builder",
    "google.protobuf.internal.python_message",
    "google.protobuf.message_factory",
    "google.protobuf.reflection",
    "google.protobuf.symbol_database",
    "google.protobuf.text_format",
)


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


def test_reading_an_index_loads_upb_without_the_pure_python_machinery(tmp_path: Path) -> None:
    (tmp_path / "index.scip").write_bytes(index_bytes([("src/a.ts", [])]))
    kind, *loaded = _loaded_after_reading(tmp_path, "index.scip")
    assert (kind, "google._upb._message" in loaded) == ("IndexSummary", True)
    assert [m for m in PURE_PYTHON_MACHINERY if m in loaded] == []


def test_looking_for_an_index_that_is_not_there_loads_no_protobuf(tmp_path: Path) -> None:
    assert _loaded_after_reading(tmp_path, "index.scip") == ["IndexReadError"]
