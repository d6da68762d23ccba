"""Summarising one SCIP index with codegenie's own decoder of the fields it reads (ADR-0032).

Rule 1: each metadata, document and external symbol payload that `_scip_wire` yields is decoded
on its own, from its bytes, for exactly the fields the summary needs (field numbers as in
`scip_subset.proto`); every other field is skipped by its wire type, unread.
Rule 2: a payload that does not decode is a `WireFailure` ("malformed") at the absolute offset of
the byte where decoding stopped.
Rule 3: protobuf semantics where they show: the last value of a singular field wins, a message
field seen twice is merged, a known field with another wire type is an unknown field, `string`s
must be UTF-8, `int32`s are the low 32 bits of their varint, `repeated int32` is packed or not.
No protobuf module is imported (ADR-0032 replaced the upb classes of ADR-0021).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import BinaryIO

import attrs

from codegenie_adapters._scip_wire import (
    LENGTH_DELIMITED,
    WireFailure,
    count_definitions,
    int32,
    iter_index_fields,
    packed_int32,
    scan,
    text,
)
from codegenie_core.probes.layer_b.health import checkable
from codegenie_core.probes.layer_b.model import (
    SAMPLE_SCAN,
    SAMPLES_CAP,
    SAMPLES_PER_DOCUMENT,
    DefinitionSample,
    IndexSummary,
)

Span = tuple[int, int]


@attrs.frozen
class Tool:
    name: str = ""
    version: str = ""
    arguments: tuple[str, ...] = ()


@attrs.frozen
class Metadata:
    """`Metadata` 2 (tool_info), 3 (project_root), 4 (text_document_encoding)."""

    tool: Tool = Tool()
    project_root: str = ""
    text_encoding: int = 0


@attrs.frozen
class Document:
    """`Document` 1 (relative_path), 4 (language), 6 (position_encoding); the occurrences (2)
    as spans of the payload, and how many symbols (3) it declares."""

    path: str
    language: str
    position_encoding: int
    occurrences: tuple[Span, ...]
    symbols: int


@attrs.frozen
class Occurrence:
    """`Occurrence` 2 (symbol), 3 (symbol_roles) and its range in the legacy layout: `range` (1)
    when set, else the typed range of the oneof (8 single line, 9 multi line), else ()."""

    symbol: str
    roles: int
    range: tuple[int, ...]


def decode_tool(data: bytes, spans: Sequence[Span], base: int) -> Tool:
    name = version = ""
    arguments: list[str] = []
    for start, end in spans:
        for field, wire_type, a, b in scan(data, start, end, base, "ToolInfo"):
            if wire_type != LENGTH_DELIMITED:
                continue
            match field:
                case 1:
                    name = text(data, a, b, base, "ToolInfo.name")
                case 2:
                    version = text(data, a, b, base, "ToolInfo.version")
                case 3:
                    arguments.append(text(data, a, b, base, "ToolInfo.arguments"))
                case _:
                    pass
    return Tool(name=name, version=version, arguments=tuple(arguments))


def decode_metadata(data: bytes, base: int = 0) -> Metadata:
    tool: list[Span] = []
    project_root, text_encoding = "", 0
    for field, wire_type, a, b in scan(data, 0, len(data), base, "Index.metadata"):
        match field, wire_type:
            case 2, 2:
                tool.append((a, b))
            case 3, 2:
                project_root = text(data, a, b, base, "Metadata.project_root")
            case 4, 0:
                text_encoding = int32(a)
            case _:
                pass
    return Metadata(decode_tool(data, tool, base), project_root, text_encoding)


def decode_document(data: bytes, base: int = 0) -> Document:
    path = language = ""
    position_encoding = symbols = 0
    occurrences: list[Span] = []
    for field, wire_type, a, b in scan(data, 0, len(data), base, "Index.documents"):
        if wire_type == LENGTH_DELIMITED:  # by frequency: a document is mostly occurrences
            if field == 2:
                occurrences.append((a, b))
            elif field == 3:
                symbols += 1
            elif field == 1:
                path = text(data, a, b, base, "Document.relative_path")
            elif field == 4:
                language = text(data, a, b, base, "Document.language")
        elif (field, wire_type) == (6, 0):
            position_encoding = int32(a)
    return Document(path, language, position_encoding, tuple(occurrences), symbols)


def decode_occurrence(data: bytes, span: Span, base: int = 0) -> Occurrence:
    symbol, roles = "", 0
    legacy: list[int] = []
    typed_field, typed = 0, list[Span]()
    for field, wire_type, a, b in scan(data, span[0], span[1], base, "an occurrence"):
        match field, wire_type:
            case 1, 0:
                legacy.append(int32(a))
            case 1, 2:
                legacy.extend(packed_int32(data, a, b, base, "Occurrence.range"))
            case 2, 2:
                symbol = text(data, a, b, base, "Occurrence.symbol")
            case 3, 0:
                roles = int32(a)
            case ((8 | 9), 2):
                if field != typed_field:  # another member of the oneof replaces the first
                    typed_field, typed = field, []
                typed.append((a, b))  # the same member again is merged
            case _:
                pass
    if legacy:
        return Occurrence(symbol, roles, tuple(legacy))
    if not typed_field:
        return Occurrence(symbol, roles, ())
    # SingleLineRange: line 1, start_character 2, end_character 3; MultiLineRange: start_line 1,
    # start_character 2, end_line 3, end_character 4. Both are in the legacy order already.
    values = [0] * (3 if typed_field == 8 else 4)
    for start, end in typed:
        for field, wire_type, a, _ in scan(data, start, end, base, "a typed range"):
            if wire_type == 0 and field <= len(values):
                values[field - 1] = int32(a)
    return Occurrence(symbol, roles, tuple(values))


def decode_symbol(data: bytes, base: int = 0) -> str:
    """`SymbolInformation` 1 (symbol): checked, so an external symbol that is not one fails."""
    symbol = ""
    for field, wire_type, a, b in scan(data, 0, len(data), base, "Index.external_symbols"):
        if (field, wire_type) == (1, LENGTH_DELIMITED):
            symbol = text(data, a, b, base, "SymbolInformation.symbol")
    return symbol


class _Summariser:
    """Accumulates the counts of an `IndexSummary` one decoded payload at a time."""

    def __init__(self) -> None:
        self.metadata: list[bytes] = []
        self.documents = 0
        self.paths: list[str] = []
        self.occurrences = 0
        self.definitions = 0
        self.symbols = 0
        self.external_symbols = 0
        self.languages: set[str] = set()
        self.encodings: set[int] = set()
        self.samples: list[DefinitionSample] = []

    def add_metadata(self, payload: bytes, offset: int) -> None:
        decode_metadata(payload, offset)  # checked where it stands
        self.metadata.append(payload)

    def add_document(self, payload: bytes, offset: int) -> None:
        document = decode_document(payload, offset)
        occurrences = list(document.occurrences)
        self.definitions += count_definitions(payload, occurrences, offset)
        self.documents += 1
        self.paths.append(document.path)
        if document.language:
            self.languages.add(document.language)
        self.encodings.add(document.position_encoding)
        self.symbols += document.symbols
        self.occurrences += len(occurrences)
        if len(self.samples) < SAMPLES_CAP:
            self._sample(payload, offset, document)

    def _sample(self, payload: bytes, offset: int, document: Document) -> None:
        """The first few checkable definitions among a document's first occurrences."""
        sampled = 0
        for span in document.occurrences[:SAMPLE_SCAN]:
            occurrence = decode_occurrence(payload, span, offset)
            if not occurrence.roles & 1:
                continue
            sample = DefinitionSample(
                path=document.path,
                symbol=occurrence.symbol,
                range=occurrence.range,
                position_encoding=document.position_encoding,
            )
            if checkable(sample) is not None:
                self.samples.append(sample)
                sampled += 1
                if sampled == SAMPLES_PER_DOCUMENT or len(self.samples) == SAMPLES_CAP:
                    return

    def summary(self, path: str) -> IndexSummary:
        # Metadata seen more than once is merged, as protobuf merges a repeated message field:
        # decoding the payloads joined is that merge (each was checked on its own).
        metadata = decode_metadata(b"".join(self.metadata))
        return IndexSummary(
            path=path,
            tool_name=metadata.tool.name,
            tool_version=metadata.tool.version,
            tool_arguments=metadata.tool.arguments,
            project_root=metadata.project_root,
            text_encoding=metadata.text_encoding,
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


def summarise(file: BinaryIO, size: int, path: str) -> IndexSummary:
    """The summary of the index in `file` (`size` bytes); raises `WireFailure`."""
    summariser = _Summariser()
    for field, payload, offset in iter_index_fields(file, size):
        match field:
            case 1:
                summariser.add_metadata(payload, offset)
            case 2:
                summariser.add_document(payload, offset)
            case _:
                decode_symbol(payload, offset)
                summariser.external_symbols += 1
    if not summariser.metadata:
        raise WireFailure("missing-metadata", "the index has no Index.metadata", size)
    return summariser.summary(path)
