"""How the report states an index's health, and how far the judgement can be trusted.

Rule 1: every function here matches over `IndexHealth` exhaustively and closes with
`assert_never`, so adding a variant breaks this module under pyright strict until it is handled
(see ADR-0010; a test deletes a case and proves pyright fails).
"""

from __future__ import annotations

from typing import assert_never

from codegenie_core.probe_types import Confidence
from codegenie_core.probes.layer_b.model import (
    Corrupt,
    Fresh,
    IndexerError,
    IndexHealth,
    Missing,
    Stale,
)


def _files(files: tuple[str, ...], count: int) -> str:
    shown = ", ".join(files[:5])
    more = count - min(len(files), 5)
    return shown + (f" and {more} more" if more > 0 else "")


def index_health_lines(health: IndexHealth) -> list[str]:
    """One or more report lines saying what state the index is in and why."""
    match health:
        case Fresh(index_path=path, indexer=indexer, basis="sidecar", commit=commit):
            lines = [f"{path}: fresh ({indexer} indexed HEAD {(commit or '')[:12]})"]
        case Fresh(index_path=path, indexer=indexer, samples_checked=checked):
            lines = [
                f"{path}: probably fresh ({indexer}); no sidecar pins its commit, so this rests "
                f"on coverage and {checked} sampled definitions still matching the source"
            ]
        case Stale(index_path=path, basis="sidecar") as stale:
            behind = (
                "an unknown number of" if stale.commits_behind is None else stale.commits_behind
            )
            lines = [
                f"{path}: stale, {behind} commit(s) behind HEAD "
                f"(indexed {(stale.last_indexed or '')[:12]}), "
                f"{stale.changed_count} source file(s) changed since"
            ]
            if stale.changed_files:
                lines.append("changed: " + _files(stale.changed_files, stale.changed_count))
        case Stale(index_path=path) as stale:
            lines = [
                f"{path}: stale; no sidecar pins its commit, but {stale.changed_count} source "
                f"file(s) are missing from it, gone, or no longer match their definitions "
                f"({stale.mismatched_definitions} with mismatched definitions)"
            ]
            if stale.changed_files:
                lines.append("differs: " + _files(stale.changed_files, stale.changed_count))
        case Missing(searched=searched):
            lines = [
                "no SCIP index found (looked at " + ", ".join(searched) + "); "
                "run `codegenie-cli gather --index` to make one"
            ]
        case IndexerError(
            index_path=path, indexer=indexer, reason=reason, stderr_tail=tail, hint=hint
        ):
            lines = [f"{path}: the indexer failed ({indexer or 'unknown indexer'}): {reason}"]
            shown = tail.strip().splitlines()[-1][:200] if tail.strip() else ""
            if shown:
                lines.append("stderr tail: " + shown)
            if hint and hint[:200] != shown:
                lines.append("hint: " + hint)
        case Corrupt(index_path=path, error=error):
            where = "" if error.offset is None else f" at byte {error.offset}"
            lines = [f"{path}: corrupt ({error.kind}{where}): {error.message}"]
        case _:
            assert_never(health)
    return lines


def index_health_confidence(health: IndexHealth) -> Confidence:
    """How far the verdict can be trusted: a sidecar pins the commit; the index alone does not."""
    match health:
        case Fresh(basis="sidecar") | Stale(basis="sidecar"):
            return "high"
        case Fresh():
            return "low"  # sampled evidence can show staleness, never prove freshness
        case Stale():
            return "medium"
        case Missing() | IndexerError() | Corrupt():
            return "high"
        case _:
            assert_never(health)
