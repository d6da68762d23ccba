"""Literal builders for layer B tests: summaries, sidecars and fake repositories."""

from __future__ import annotations

from codegenie_adapters.fakes import FakeRepo
from codegenie_core.ports import GitState
from codegenie_core.probes.layer_b.model import DefinitionSample, IndexSidecar, IndexSummary

C1, C2, C3 = "1" * 40, "2" * 40, "3" * 40


def summary(
    paths: tuple[str, ...],
    *,
    path: str = "index.scip",
    tool: str = "scip-typescript",
    samples: tuple[DefinitionSample, ...] = (),
) -> IndexSummary:
    return IndexSummary(
        path=path,
        tool_name=tool,
        tool_version="0.4.0",
        tool_arguments=(),
        project_root="file:///repo",
        text_encoding=1,
        position_encodings=(0,),
        document_count=len(paths),
        document_paths=paths,
        occurrence_count=10 * len(paths),
        definition_count=3 * len(paths),
        symbol_count=3 * len(paths),
        external_symbol_count=0,
        languages=(),
        definition_samples=samples,
    )


def sidecar(
    *,
    commit: str | None = C2,
    exit_status: int | None = 0,
    timed_out: bool = False,
    documents: int | None = 2,
    indexer: str = "scip-typescript",
) -> IndexSidecar:
    return IndexSidecar(
        indexer=indexer,
        indexer_version="0.4.0",
        last_indexed=commit,
        argv=(indexer, "index"),
        exit_status=exit_status,
        timed_out=timed_out,
        document_count=documents,
        stderr_tail="" if exit_status == 0 else "boom\n",
        started_at="2026-01-01T00:00:00Z",
        ended_at="2026-01-01T00:00:01Z",
    )


def repo(
    files: dict[str, bytes],
    *,
    head: str | None = C2,
    changes: dict[str, list[str]] | None = None,
) -> FakeRepo:
    return FakeRepo(
        files=dict(files),
        git=GitState(head=head, branch="main", dirty=bool(changes)),
        history=[C1, C2] if head == C2 else [C1, C2, C3],
        changes=changes or {},
    )


GREET_TS = b"export function greet(name: string): string {\n  return name;\n}\n"
MAIN_TS = b'import { greet } from "./greet";\nexport const greeting = greet("w");\n'
GREET_SAMPLE = DefinitionSample(
    path="src/greet.ts", symbol="scip-typescript npm . . src/`greet.ts`/greet().", range=(0, 16, 21)
)
MAIN_SAMPLE = DefinitionSample(
    path="src/main.ts", symbol="scip-typescript npm . . src/`main.ts`/greeting.", range=(1, 13, 21)
)
TS_FILES = {"src/greet.ts": GREET_TS, "src/main.ts": MAIN_TS, "README.md": b"# demo\n"}


Occ = tuple[str, int, tuple[int, ...]]  # (symbol, symbol_roles, range)


def index_bytes(
    documents: list[tuple[str, list[Occ]]],
    *,
    tool: str = "scip-typescript",
    metadata: bool = True,
    external_symbols: int = 0,
    language: str = "",
) -> bytes:
    """A SCIP index built with the generated classes: one Index message, serialized whole."""
    from tests import scip_subset_pb2 as pb

    index = pb.Index()
    if metadata:
        index.metadata.tool_info.name = tool
        index.metadata.tool_info.version = "1.2.3"
        index.metadata.tool_info.arguments.extend(["index", "--fast"])
        index.metadata.project_root = "file:///repo"
        index.metadata.text_document_encoding = 1
    for path, occurrences in documents:
        document = index.documents.add(relative_path=path, language=language)
        for symbol, roles, range_ in occurrences:
            document.occurrences.add(symbol=symbol, symbol_roles=roles, range=list(range_))
            if roles & 1:
                document.symbols.add(symbol=symbol, documentation=["docs for " + symbol])
    for number in range(external_symbols):
        index.external_symbols.add(symbol=f"scip-typescript npm dep 1.0.0 x{number}.")
    return index.SerializeToString()
