"""`ScipReader`: streams a SCIP index document by document into an `IndexSummary` (see ADR-0009).

Rule 1: the top level of `Index` is decoded here (varint tags, length-delimited fields) from chunks
of the file; each metadata, document and external symbol is parsed on its own with the generated
classes, so memory is bounded by the largest single document, never by the file.
Rule 2: every problem with the file (missing, a directory, unreadable, empty, truncated, bytes that
are not an Index, a wrong wire type, no metadata) is an `IndexReadError` with the byte offset where
reading stopped; nothing raises out of `read`.
Rule 3: the pure-Python protobuf backend (~70x slower) is refused as a typed error, not used.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Sequence
from typing import BinaryIO

from google.protobuf.internal import api_implementation
from google.protobuf.message import DecodeError

from codegenie_adapters import _scip_pb2 as pb
from codegenie_adapters import log
from codegenie_adapters._scip_wire import INDEX_FIELDS, WireFailure, iter_index_fields
from codegenie_core.ports import IndexReader
from codegenie_core.probes.layer_b.health import checkable
from codegenie_core.probes.layer_b.model import (
    SAMPLE_SCAN,
    SAMPLES_CAP,
    SAMPLES_PER_DOCUMENT,
    DefinitionSample,
    IndexReadError,
    IndexReadErrorKind,
    IndexReadResult,
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


def _summarise(file: BinaryIO, size: int, path: str) -> IndexSummary:
    summariser = _Summariser()
    for field, payload, offset in iter_index_fields(file, size):
        _parse_field(summariser, field, payload, offset)
    if summariser.metadata is None:
        raise WireFailure("missing-metadata", "the index has no Index.metadata", size)
    return summariser.summary(path, summariser.metadata)


class ScipReader:
    """Reads SCIP indexes under one repository root."""

    def __init__(self, root: str) -> None:
        self._root = os.path.realpath(root)

    def read(self, path: str) -> IndexReadResult:
        def error(
            kind: IndexReadErrorKind, message: str, offset: int | None = None
        ) -> IndexReadError:
            return IndexReadError(path=path, kind=kind, message=message, offset=offset)

        backend = api_implementation.Type()
        if backend == "python":
            return error(
                "protobuf-backend",
                "protobuf uses its pure-Python backend, ~70x slower on SCIP indexes; install a "
                "protobuf wheel with the upb backend (see ADR-0009)",
            )
        full = os.path.normpath(os.path.join(self._root, path))
        if os.path.isabs(path) or not full.startswith(self._root + os.sep):
            return error("missing", "the path is not inside the repository")
        if os.path.lexists(full) and not os.path.realpath(full).startswith(self._root + os.sep):
            return error("unreadable", "a symlink leading out of the repository")
        try:
            status = os.stat(full)
            if not stat.S_ISREG(status.st_mode):
                return error(
                    "not-a-file", "a directory or special file stands where the index should be"
                )
            if status.st_size == 0:
                return error("empty", "the index file has zero bytes", 0)
            with open(full, "rb", buffering=0) as file:
                try:
                    return _summarise(file, status.st_size, path)
                except WireFailure as failure:
                    return error(failure.kind, failure.message, failure.offset)
        except FileNotFoundError:
            return error("missing", "no file at this path")
        except OSError as os_error:
            log.debug("cannot read SCIP index {}: {}", path, os_error)
            return error(
                "unreadable", f"{type(os_error).__name__}: {os_error.strerror or os_error}"
            )


_CONFORMS: type[IndexReader] = ScipReader


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
