"""codegenie's SCIP decoder agrees with protobuf (ADR-0032): messages drawn at random are encoded
with protoc's standard generated module and parsed by protobuf itself, and the decoder must read
the same values from the same bytes, including merged messages and unknown fields of every wire
type. Corrupted bytes decode to the same values as protobuf's or fail as a `WireFailure`."""

from __future__ import annotations

import io

from google.protobuf.message import DecodeError
from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters import _scip_summary as decoder
from codegenie_adapters._scip_wire import WireFailure, count_definitions
from codegenie_core.probes.layer_b.health import checkable
from codegenie_core.probes.layer_b.model import (
    SAMPLE_SCAN,
    SAMPLES_CAP,
    SAMPLES_PER_DOCUMENT,
    DefinitionSample,
    IndexSummary,
)
from tests import scip_subset_pb2 as pb
from tests.strategies import (
    protobuf_unknown_fields,
    protobuf_unpacked_int32s,
    scip_document_messages,
    scip_index_messages,
    scip_metadata_messages,
    scip_occurrence_messages,
)


def _legacy_range(occurrence: pb.Occurrence) -> tuple[int, ...]:
    if occurrence.range:
        return tuple(occurrence.range)
    match occurrence.WhichOneof("typed_range"):
        case "single_line_range":
            single = occurrence.single_line_range
            return (single.line, single.start_character, single.end_character)
        case "multi_line_range":
            multi = occurrence.multi_line_range
            return (multi.start_line, multi.start_character, multi.end_line, multi.end_character)
        case _:
            return ()


def _expected_occurrence(occurrence: pb.Occurrence) -> decoder.Occurrence:
    return decoder.Occurrence(
        symbol=occurrence.symbol, roles=occurrence.symbol_roles, range=_legacy_range(occurrence)
    )


def _expected_summary(index: pb.Index) -> IndexSummary:
    """What a summary of `index` must hold, read off protobuf's own parse of it."""
    samples: list[DefinitionSample] = []
    for document in index.documents:
        sampled = 0
        for occurrence in document.occurrences[:SAMPLE_SCAN]:
            if len(samples) == SAMPLES_CAP or sampled == SAMPLES_PER_DOCUMENT:
                break
            sample = DefinitionSample(
                path=document.relative_path,
                symbol=occurrence.symbol,
                range=_legacy_range(occurrence),
                position_encoding=document.position_encoding,
            )
            if occurrence.symbol_roles & 1 and checkable(sample) is not None:
                samples.append(sample)
                sampled += 1
    tool = index.metadata.tool_info
    documents = index.documents
    return IndexSummary(
        path="index.scip",
        tool_name=tool.name,
        tool_version=tool.version,
        tool_arguments=tuple(tool.arguments),
        project_root=index.metadata.project_root,
        text_encoding=index.metadata.text_document_encoding,
        position_encodings=tuple(sorted({d.position_encoding for d in documents})),
        document_count=len(documents),
        document_paths=tuple(sorted(d.relative_path for d in documents)),
        occurrence_count=sum(len(d.occurrences) for d in documents),
        definition_count=sum(o.symbol_roles & 1 for d in documents for o in d.occurrences),
        symbol_count=sum(len(d.symbols) for d in documents),
        external_symbol_count=len(index.external_symbols),
        languages=tuple(sorted({d.language for d in documents if d.language})),
        definition_samples=tuple(samples),
    )


def _assert_reads_as_protobuf(data: bytes) -> None:
    expected = pb.Occurrence.FromString(data)
    assert decoder.decode_occurrence(data, (0, len(data))) == _expected_occurrence(expected)
    assert count_definitions(data, [(0, len(data))], 0) == expected.symbol_roles & 1


@given(
    st.lists(
        st.tuples(
            scip_occurrence_messages(), protobuf_unknown_fields(), protobuf_unpacked_int32s(1)
        ),
        min_size=1,
        max_size=3,
    )
)
def test_an_occurrence_reads_as_protobuf_reads_it(
    parts: list[tuple[pb.Occurrence, bytes, bytes]],
) -> None:
    # Several encodings one after another are one message to protobuf (later singular fields
    # win, message fields merge, repeated ones append): the decoder must agree. `range` also
    # arrives unpacked, element by element.
    _assert_reads_as_protobuf(
        b"".join(m.SerializeToString() + unknown + unpacked for m, unknown, unpacked in parts)
    )


@given(st.lists(scip_occurrence_messages(legacy_range=False), min_size=2, max_size=4))
def test_a_typed_range_merges_and_replaces_as_protobufs_oneof(parts: list[pb.Occurrence]) -> None:
    # Without a legacy range the typed range is read: the same member again is merged into it,
    # another member of the oneof replaces it.
    _assert_reads_as_protobuf(b"".join(m.SerializeToString() for m in parts))


@given(scip_document_messages(), protobuf_unknown_fields())
def test_a_document_reads_as_protobuf_reads_it(document: pb.Document, unknown: bytes) -> None:
    data = unknown + document.SerializeToString() + unknown
    expected = pb.Document.FromString(data)
    decoded = decoder.decode_document(data)
    occurrences = [decoder.decode_occurrence(data, span) for span in decoded.occurrences]
    assert (decoded.path, decoded.language, decoded.position_encoding, decoded.symbols) == (
        expected.relative_path,
        expected.language,
        expected.position_encoding,
        len(expected.symbols),
    )
    assert occurrences == [_expected_occurrence(o) for o in expected.occurrences]


@given(st.lists(scip_metadata_messages(), min_size=1, max_size=2), protobuf_unknown_fields())
def test_metadata_reads_as_protobuf_reads_it(messages: list[pb.Metadata], unknown: bytes) -> None:
    data = b"".join(m.SerializeToString() for m in messages) + unknown
    expected = pb.Metadata.FromString(data)
    assert decoder.decode_metadata(data) == decoder.Metadata(
        tool=decoder.Tool(
            name=expected.tool_info.name,
            version=expected.tool_info.version,
            arguments=tuple(expected.tool_info.arguments),
        ),
        project_root=expected.project_root,
        text_encoding=expected.text_document_encoding,
    )


@given(scip_index_messages())
def test_a_whole_index_summarises_as_protobuf_parses_it(index: pb.Index) -> None:
    data = index.SerializeToString()
    summary = decoder.summarise(io.BytesIO(data), len(data), "index.scip")
    assert summary == _expected_summary(pb.Index.FromString(data))


@given(scip_document_messages(), st.data())
def test_a_corrupted_document_reads_as_protobuf_or_fails_as_a_wire_failure(
    document: pb.Document, data: st.DataObject
) -> None:
    encoded = bytearray(document.SerializeToString())
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        if encoded:
            at = data.draw(st.integers(min_value=0, max_value=len(encoded) - 1))
            encoded[at] = data.draw(st.integers(min_value=0, max_value=255))
    corrupted = bytes(encoded[: data.draw(st.integers(min_value=0, max_value=len(encoded)))])
    try:
        decoded = decoder.decode_document(corrupted, 1000)
        occurrences = [decoder.decode_occurrence(corrupted, s, 1000) for s in decoded.occurrences]
        definitions = count_definitions(corrupted, list(decoded.occurrences), 1000)
    except WireFailure as failure:
        assert failure.kind == "malformed"
        assert 1000 <= failure.offset <= 1000 + len(corrupted)
        return
    try:
        expected = pb.Document.FromString(corrupted)
    except DecodeError:  # protobuf checks fields the decoder never reads (their UTF-8)
        return
    assert (decoded.path, decoded.language, decoded.position_encoding) == (
        expected.relative_path,
        expected.language,
        expected.position_encoding,
    )
    assert occurrences == [_expected_occurrence(o) for o in expected.occurrences]
    assert definitions == sum(o.symbol_roles & 1 for o in expected.occurrences)
