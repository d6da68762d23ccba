"""Summarising one SCIP index with the generated classes (see ADR-0009 and ADR-0021).

Rule 1: each metadata, document and external symbol payload that `_scip_wire` yields is parsed on
its own, through read views that leave what the summary does not need as unparsed bytes.
Rule 2: a payload that does not parse is a `WireFailure` ("malformed") at its byte offset.
Rule 3: importing this module loads protobuf's upb backend and builds the message classes; only
`ScipReader.read` imports it, once it has a file to parse and knows the backend is upb.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import BinaryIO

from google.protobuf.message import DecodeError

from codegenie_adapters import _scip_pb2 as pb
from codegenie_adapters._scip_wire import INDEX_FIELDS, WireFailure, iter_index_fields
from codegenie_core.probes.layer_b.health import checkable
from codegenie_core.probes.layer_b.model import (
    SAMPLE_SCAN,
    SAMPLES_CAP,
    SAMPLES_PER_DOCUMENT,
    DefinitionSample,
    IndexSummary,
)


class _Summariser:
    """Accumulates the counts of an `IndexSummary` one parsed message at a time."""

    def __init__(self) -> None:
        self.metadata: pb.Metadata | None = None
        self.documents = 0
        self.paths: list[str] = []
        self.occurrences = 0
        self.definitions = 0
        self.symbols = 0
        self.external_symbols = 0
        self.languages: set[str] = set()
        self.encodings: set[int] = set()
        self.samples: list[DefinitionSample] = []

    def add_document(self, document: pb.DocumentCounts) -> None:
        self.documents += 1
        self.paths.append(document.relative_path)
        if document.language:
            self.languages.add(document.language)
        self.encodings.add(document.position_encoding)
        self.symbols += len(document.symbols)
        occurrences = document.occurrences
        self.occurrences += len(occurrences)
        # One parse of all occurrences joined: protobuf merges them, so every symbol_roles lands
        # in one list, counted in C (Counter), with no Python object per occurrence.
        roles = Counter(pb.RolesView.FromString(b"".join(occurrences)).symbol_roles)
        self.definitions += sum(count for role, count in roles.items() if role & 1)
        if len(self.samples) < SAMPLES_CAP:
            self._sample(document, occurrences)

    def _sample(self, document: pb.DocumentCounts, occurrences: Sequence[bytes]) -> None:
        """The first few checkable definitions among a document's first occurrences."""
        sampled = 0
        for raw in occurrences[:SAMPLE_SCAN]:
            occurrence = pb.OccurrenceView.FromString(raw)
            if not occurrence.symbol_roles & 1:
                continue
            sample = DefinitionSample(
                path=document.relative_path,
                symbol=occurrence.symbol,
                range=_range_of(occurrence),
                position_encoding=document.position_encoding,
            )
            if checkable(sample) is not None:
                self.samples.append(sample)
                sampled += 1
                if sampled == SAMPLES_PER_DOCUMENT or len(self.samples) == SAMPLES_CAP:
                    return

    def summary(self, path: str, metadata: pb.Metadata) -> IndexSummary:
        tool = metadata.tool_info
        return IndexSummary(
            path=path,
            tool_name=tool.name,
            tool_version=tool.version,
            tool_arguments=tuple(tool.arguments),
            project_root=metadata.project_root,
            text_encoding=metadata.text_document_encoding,
            position_encodings=tuple(sorted(self.encodings)),
            document_count=self.documents,
            document_paths=tuple(sorted(self.paths)),
            occurrence_count=self.occurrences,
            definition_count=self.definitions,
            symbol_count=self.symbols,
            external_symbol_count=self.external_symbols,
            languages=tuple(sorted(self.languages)),
            definition_samples=tuple(self.samples),
        )


def _parse_field(summariser: _Summariser, field: int, payload: bytes, offset: int) -> None:
    try:
        match field:
            case 1:
                metadata = pb.Metadata.FromString(payload)
                if summariser.metadata is not None:  # protobuf merges a repeated singular field
                    summariser.metadata.MergeFrom(metadata)
                else:
                    summariser.metadata = metadata
            case 2:
                summariser.add_document(pb.DocumentCounts.FromString(payload))
            case _:
                pb.SymbolView.FromString(payload)
                summariser.external_symbols += 1
    except DecodeError as error:
        raise WireFailure(
            "malformed", f"Index.{INDEX_FIELDS[field]} does not parse: {error}", offset
        ) from None


def summarise(file: BinaryIO, size: int, path: str) -> IndexSummary:
    """The summary of the index in `file` (`size` bytes); raises `WireFailure`."""
    summariser = _Summariser()
    for field, payload, offset in iter_index_fields(file, size):
        _parse_field(summariser, field, payload, offset)
    if summariser.metadata is None:
        raise WireFailure("missing-metadata", "the index has no Index.metadata", size)
    return summariser.summary(path, summariser.metadata)


def _range_of(occurrence: pb.OccurrenceView) -> tuple[int, ...]:
    """The occurrence's range in the legacy layout (`[line, start, end]` or
    `[start line, start, end line, end]`), whether written as `range` or as a typed range."""
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
