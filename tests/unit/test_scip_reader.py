"""ScipReader: what it counts, and every way a file can fail to be an index, as values."""

from __future__ import annotations

import os
from pathlib import Path

import attrs
import pytest

from codegenie_adapters import _scip_wire
from codegenie_adapters.scip_reader import ScipReader
from codegenie_core.probes.layer_b.model import DefinitionSample, IndexReadError, IndexSummary
from tests.layer_b_support import index_bytes

HEADER = "scip-typescript npm . . "
GREET = HEADER + "src/`greet.ts`/greet()."
NAME = HEADER + "src/`greet.ts`/greet().(name)"
DOCS = [
    (
        "src/greet.ts",
        [
            (HEADER + "src/`greet.ts`/", 1, (0, 0, 0)),
            (GREET, 1, (0, 16, 21)),
            (NAME, 1, (0, 22, 26)),
            ("local 0", 1, (1, 2, 3)),
            (GREET, 8, (4, 0, 5)),
        ],
    ),
    ("src/main.ts", [(GREET, 2, (0, 9, 14))]),
]


def _write(tmp_path: Path, data: bytes, name: str = "index.scip") -> ScipReader:
    (tmp_path / name).write_bytes(data)
    return ScipReader(str(tmp_path))


def _error(tmp_path: Path, data: bytes) -> IndexReadError:
    result = _write(tmp_path, data).read("index.scip")
    assert isinstance(result, IndexReadError), result
    return result


def test_a_well_formed_index_is_summarised_with_counts_and_samples(tmp_path: Path) -> None:
    data = index_bytes(DOCS, external_symbols=2, language="TypeScript")
    expected = IndexSummary(
        path="index.scip",
        tool_name="scip-typescript",
        tool_version="1.2.3",
        tool_arguments=("index", "--fast"),
        project_root="file:///repo",
        text_encoding=1,
        position_encodings=(0,),
        document_count=2,
        document_paths=("src/greet.ts", "src/main.ts"),
        occurrence_count=6,
        definition_count=4,
        symbol_count=4,
        external_symbol_count=2,
        languages=("TypeScript",),
        definition_samples=(
            DefinitionSample(path="src/greet.ts", symbol=GREET, range=(0, 16, 21)),
        ),
    )
    assert _write(tmp_path, data).read("index.scip") == expected


def test_tiny_chunks_give_the_same_summary_as_large_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = _write(tmp_path, index_bytes(DOCS * 20, external_symbols=3))
    whole = reader.read("index.scip")
    monkeypatch.setattr(_scip_wire, "CHUNK_BYTES", 3)
    assert reader.read("index.scip") == whole


def test_unknown_top_level_fields_of_every_wire_type_are_skipped(tmp_path: Path) -> None:
    plain = index_bytes(DOCS)
    # field 9 varint 300, field 10 fixed64, field 11 length-delimited "xyz", field 12 fixed32
    extra = b"\x48\xac\x02" + b"\x51" + b"\x00" * 8 + b"\x5a\x03xyz" + b"\x65" + b"\x00" * 4
    (tmp_path / "plain.scip").write_bytes(plain)
    reader = _write(tmp_path, extra + plain)
    expected = reader.read("plain.scip")
    assert isinstance(expected, IndexSummary)
    assert reader.read("index.scip") == attrs.evolve(expected, path="index.scip")


def test_metadata_after_the_documents_is_still_read(tmp_path: Path) -> None:
    documents_only = index_bytes(DOCS, metadata=False)
    metadata_only = index_bytes([])
    result = _write(tmp_path, documents_only + metadata_only).read("index.scip")
    assert isinstance(result, IndexSummary)
    assert (result.tool_name, result.document_count) == ("scip-typescript", 2)


def test_a_zero_byte_file_is_empty(tmp_path: Path) -> None:
    assert _error(tmp_path, b"") == IndexReadError(
        path="index.scip", kind="empty", message="the index file has zero bytes", offset=0
    )


def test_a_missing_file_and_a_path_outside_the_root_are_missing(tmp_path: Path) -> None:
    reader = ScipReader(str(tmp_path))
    kinds = [reader.read(p) for p in ("index.scip", "../index.scip", "/etc/hostname")]
    assert [getattr(k, "kind", None) for k in kinds] == ["missing", "missing", "missing"]


def test_a_directory_in_its_place_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "index.scip").mkdir()
    result = ScipReader(str(tmp_path)).read("index.scip")
    assert isinstance(result, IndexReadError)
    assert result.kind == "not-a-file"


def test_a_symlink_leading_out_of_the_repository_is_unreadable(tmp_path: Path) -> None:
    outside = tmp_path / "outside.scip"
    outside.write_bytes(index_bytes(DOCS))
    (tmp_path / "repo").mkdir()
    os.symlink(outside, tmp_path / "repo" / "index.scip")
    result = ScipReader(str(tmp_path / "repo")).read("index.scip")
    assert result == IndexReadError(
        path="index.scip", kind="unreadable", message="a symlink leading out of the repository"
    )


def test_a_symlink_loop_is_unreadable(tmp_path: Path) -> None:
    os.symlink("index.scip", tmp_path / "index.scip")
    result = ScipReader(str(tmp_path)).read("index.scip")
    assert isinstance(result, IndexReadError)
    assert result.kind == "unreadable"


def test_a_file_cut_inside_a_document_is_truncated_at_that_documents_offset(tmp_path: Path) -> None:
    data = index_bytes(DOCS)
    error = _error(tmp_path, data[:-5])
    assert (error.kind, error.offset) == ("truncated", _last_document_payload_offset(data))


def _last_document_payload_offset(data: bytes) -> int:
    import io

    offsets = [o for f, _, o in _scip_wire.iter_index_fields(io.BytesIO(data), len(data)) if f == 2]
    return offsets[-1]


def test_a_file_cut_inside_a_tag_varint_is_truncated(tmp_path: Path) -> None:
    data = index_bytes(DOCS) + b"\x80"
    error = _error(tmp_path, data)
    assert (error.kind, error.offset) == ("truncated", len(data) - 1)


def test_a_document_with_the_wrong_wire_type_names_field_and_offset(tmp_path: Path) -> None:
    data = index_bytes([]) + b"\x10\x05"  # field 2 as a varint
    error = _error(tmp_path, data)
    assert (error.kind, error.offset) == ("wrong-wire-type", len(data) - 2)
    assert "Index.documents (field 2) has wire type 0" in error.message


def test_a_document_whose_bytes_do_not_parse_is_malformed(tmp_path: Path) -> None:
    data = index_bytes([]) + b"\x12\x02\x0a\x05"  # a document holding a string cut short
    error = _error(tmp_path, data)
    assert (error.kind, error.offset) == ("malformed", len(data) - 2)


def test_groups_and_field_zero_are_malformed(tmp_path: Path) -> None:
    kinds = [_error(tmp_path, index_bytes([]) + tail).kind for tail in (b"\x4b", b"\x00\x01")]
    assert kinds == ["malformed", "malformed"]


def test_a_huge_declared_length_is_truncated_without_allocating_it(tmp_path: Path) -> None:
    data = index_bytes([]) + b"\x12\xff\xff\xff\xff\xff\xff\xff\x7f"
    error = _error(tmp_path, data)
    assert error.kind == "truncated"


def test_documents_without_metadata_are_missing_metadata(tmp_path: Path) -> None:
    data = index_bytes(DOCS, metadata=False)
    assert _error(tmp_path, data) == IndexReadError(
        path="index.scip",
        kind="missing-metadata",
        message="the index has no Index.metadata",
        offset=len(data),
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            {"single_line_range": {"line": 0, "start_character": 16, "end_character": 21}},
            (0, 16, 21),
        ),
        (
            {
                "multi_line_range": {
                    "start_line": 0,
                    "start_character": 16,
                    "end_line": 0,
                    "end_character": 21,
                }
            },
            (0, 16, 0, 21),
        ),
    ],
)
def test_a_typed_range_is_read_like_the_legacy_range(
    tmp_path: Path, typed: dict[str, dict[str, int]], expected: tuple[int, ...]
) -> None:
    from tests import scip_subset_pb2 as pb

    index = pb.Index()
    index.metadata.tool_info.name = "scip-typescript"
    document = index.documents.add(relative_path="src/greet.ts")
    occurrence = document.occurrences.add(symbol=GREET, symbol_roles=1)
    [(field, values)] = typed.items()
    getattr(occurrence, field).CopyFrom(
        getattr(pb, "".join(w.title() for w in field.split("_")))(**values)
    )
    result = _write(tmp_path, index.SerializeToString()).read("index.scip")
    assert isinstance(result, IndexSummary)
    assert result.definition_samples == (
        DefinitionSample(path="src/greet.ts", symbol=GREET, range=expected),
    )


def _document(*fields: bytes) -> bytes:
    """An index with metadata and one document made of the given encoded fields."""
    body = b"".join(fields)
    assert len(body) < 0x80
    return index_bytes([]) + b"\x12" + bytes([len(body)]) + body


def test_a_failure_inside_a_document_names_the_byte_where_it_happened(tmp_path: Path) -> None:
    path = b"\x0a\x04a.ts"
    document_at = len(index_bytes([])) + 2
    cases = {
        # an occurrence (field 2) declaring 9 bytes with 2 left in the document
        "occurrence": (_document(path, b"\x12\x09\x18\x01"), document_at + len(path)),
        # a relative_path whose third byte is not UTF-8
        "utf-8": (_document(b"\x0a\x04ab\xffd"), document_at + 4),
        # a start-group (wire type 3) in an occurrence, after its symbol_roles
        "group": (_document(path, b"\x12\x03\x18\x01\x4b"), document_at + len(path) + 4),
        # an 11-byte varint in position_encoding (field 6)
        "varint": (_document(b"\x30" + b"\xff" * 10 + b"\x01"), document_at + 1),
    }
    found = {}
    for name, (data, _) in cases.items():
        error = _error(tmp_path, data)
        found[name] = (error.kind, error.offset)
    assert found == {name: ("malformed", offset) for name, (_, offset) in cases.items()}


def test_fixed_width_and_unknown_fields_inside_an_occurrence_are_skipped(tmp_path: Path) -> None:
    # field 20 fixed64, field 21 fixed32, field 22 length-delimited, field 23 varint, then roles
    unknown = b"\xa1\x01" + b"\x00" * 8 + b"\xad\x01" + b"\x00" * 4 + b"\xb2\x01\x01x\xb8\x01\x05"
    occurrence = unknown + b"\x0a\x03\x00\x01\x02" + b"\x12\x03a b" + b"\x18\x01"
    data = _document(b"\x0a\x04a.ts", b"\x12" + bytes([len(occurrence)]) + occurrence)
    result = _write(tmp_path, data).read("index.scip")
    assert isinstance(result, IndexSummary)
    assert (result.occurrence_count, result.definition_count) == (1, 1)


def test_every_index_read_error_kind_is_one_the_reader_produces() -> None:
    # A kind nothing produces is a dead variant every consumer must still handle (the
    # `protobuf-backend` refusal outlived the protobuf reader: ADR-0032, ADR-0040).
    import ast
    import typing

    from codegenie_adapters import _scip_summary, scip_reader
    from codegenie_core.probes.layer_b.model import IndexReadErrorKind

    produced: set[str] = set()
    for module in (scip_reader, _scip_wire, _scip_summary):
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        produced.update(
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        )
    assert sorted(set(typing.get_args(IndexReadErrorKind)) - produced) == []
