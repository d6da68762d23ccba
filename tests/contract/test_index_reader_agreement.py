"""`FakeIndexReader` and `ScipReader` agree on the `IndexReader` port."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from codegenie_adapters.fakes import FakeIndexReader
from codegenie_adapters.scip_reader import ScipReader
from codegenie_core.ports import IndexReader
from codegenie_core.probes.layer_b.model import (
    DefinitionSample,
    IndexReadError,
    IndexReadResult,
    IndexSummary,
)
from tests.layer_b_support import index_bytes

SYMBOL = "scip-python python demo 0 `pkg.calc`/add()."
DATA = index_bytes(
    [("pkg/calc.py", [(SYMBOL, 1, (0, 4, 7)), (SYMBOL, 8, (5, 11, 14))])], tool="scip-python"
)
SUMMARY = IndexSummary(
    path="index.scip",
    tool_name="scip-python",
    tool_version="1.2.3",
    tool_arguments=("index", "--fast"),
    project_root="file:///repo",
    text_encoding=1,
    position_encodings=(0,),
    document_count=1,
    document_paths=("pkg/calc.py",),
    occurrence_count=2,
    definition_count=1,
    symbol_count=1,
    external_symbol_count=0,
    languages=(),
    definition_samples=(DefinitionSample(path="pkg/calc.py", symbol=SYMBOL, range=(0, 4, 7)),),
)
# The index is its metadata field, then one document: tag 0x12, a two-byte varint length, payload.
METADATA_BYTES = len(index_bytes([], tool="scip-python"))
DOCUMENT_BYTES = (DATA[METADATA_BYTES + 1] & 0x7F) | (DATA[METADATA_BYTES + 2] << 7)
CUT = 30
TRUNCATED = IndexReadError(
    path="index.scip",
    kind="truncated",
    message=(
        f"Index.documents declares {DOCUMENT_BYTES} bytes but the file ends "
        f"{DOCUMENT_BYTES - CUT} bytes later"
    ),
    offset=METADATA_BYTES + 3,
)

# Install an index (its bytes for the real reader, what those bytes read as for the fake).
Installer = Callable[[Path, dict[str, tuple[bytes, IndexReadResult]]], IndexReader]


def _real(root: Path, indexes: dict[str, tuple[bytes, IndexReadResult]]) -> IndexReader:
    for path, (data, _) in indexes.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    return ScipReader(str(root), made_dir=str(root.parent / f"{root.name}-made"))


def _fake(_: Path, indexes: dict[str, tuple[bytes, IndexReadResult]]) -> IndexReader:
    return FakeIndexReader(indexes={path: result for path, (_, result) in indexes.items()})


READERS = pytest.mark.parametrize("install", [_fake, _real], ids=["fake", "real"])


@READERS
def test_both_summarise_an_installed_index_alike(install: Installer, tmp_path: Path) -> None:
    reader = install(tmp_path, {"index.scip": (DATA, SUMMARY)})
    assert reader.read("index.scip") == SUMMARY


@READERS
def test_both_report_a_path_with_nothing_as_missing_without_offset(
    install: Installer, tmp_path: Path
) -> None:
    reader = install(tmp_path, {"index.scip": (DATA, SUMMARY)})
    assert reader.read("elsewhere/index.scip") == IndexReadError(
        path="elsewhere/index.scip", kind="missing", message="no file at this path"
    )


@READERS
def test_both_return_a_read_error_as_a_value(install: Installer, tmp_path: Path) -> None:
    assert (DATA[METADATA_BYTES], len(DATA)) == (0x12, METADATA_BYTES + 3 + DOCUMENT_BYTES)
    reader = install(tmp_path, {"index.scip": (DATA[:-CUT], TRUNCATED)})
    assert reader.read("index.scip") == TRUNCATED


@READERS
def test_both_report_no_made_index_as_missing_with_no_sidecar_and_no_state(
    install: Installer, tmp_path: Path
) -> None:
    reader = install(tmp_path, {"index.scip": (DATA, SUMMARY)})
    made = (
        reader.read_made("scip-python"),
        reader.made_sidecar("scip-python"),
        reader.made_state(),
    )
    assert made == (
        IndexReadError(
            path="codegenie:scip-python", kind="missing", message="no file at this path"
        ),
        None,
        "",
    )
