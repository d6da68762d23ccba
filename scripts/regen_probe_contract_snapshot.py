"""Regenerate (or `--check`) the committed snapshot of the public probe contract (see ADR-0030).

Run: python scripts/regen_probe_contract_snapshot.py            # rewrite the snapshot
     python scripts/regen_probe_contract_snapshot.py --check    # exit 1 and print a diff on drift

Exit codes: 0 clean (or written), 1 drift under --check, or a probe whose slice schema changed
while its `schema_version` did not (then nothing is written), 2 a ProbeContext field outside the
allowlist (or another contract error). Adding a ProbeContext field means adding it to
`_PROBE_CONTEXT_FIELD_ALLOWLIST` below and writing an ADR that supersedes or extends ADR-0030
(which superseded ADR-0006).
A changed slice must bump `schema_version`: the version is in the cache key, and a cached result
nothing structures is rendered as stored, so an unbumped change would show the old shape on warm
gathers (see ADR-0020).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # a plain script: make the work tree importable
    sys.path.insert(0, str(ROOT))

from codegenie_core.contract import contract_snapshot  # noqa: E402 -- after the path bootstrap
from codegenie_core.errors import ContractError  # noqa: E402 -- after the path bootstrap
from codegenie_core.probe import ProbeContext  # noqa: E402 -- after the path bootstrap
from codegenie_core.registry import DEFAULT_REGISTRY, ProbeRegistry  # noqa: E402 -- as above

SNAPSHOT_PATH = ROOT / "tests" / "contract" / "probe_contract_snapshot.json"

# The ProbeContext fields a probe may rely on. Growing this set is an ADR decision (ADR-0030).
_PROBE_CONTEXT_FIELD_ALLOWLIST: frozenset[str] = frozenset(
    {
        "repo",
        "config",
        "clock",
        "yaml",
        "upstream",
        "containers",
        "index_reader",
        "indexer",
        "image_digest_resolver",
    }
)


def render(
    registry: ProbeRegistry,
    *,
    context_type: type[Any] = ProbeContext,
    allowlist: frozenset[str] = _PROBE_CONTEXT_FIELD_ALLOWLIST,
) -> str:
    """The snapshot text: stable JSON (sorted keys, two-space indent, final newline)."""
    snapshot = contract_snapshot(registry, context_type=context_type, allowlist=allowlist)
    return json.dumps(snapshot, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def drift(committed: str, fresh: str, *, path: Path) -> str:
    """A unified diff from the committed snapshot to the regenerated one; empty when equal."""
    return "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            fresh.splitlines(keepends=True),
            fromfile=f"{path} (committed)",
            tofile=f"{path} (regenerated)",
        )
    )


def unbumped(committed: str, fresh: str) -> list[str]:
    """The probes whose slice schema differs between the two snapshot texts while their
    `schema_version` is the same, by name."""
    try:
        before = {p["name"]: p for p in json.loads(committed)["probes"]}
    except (ValueError, KeyError, TypeError):  # no snapshot yet, or not one: nothing to compare
        return []
    after = {p["name"]: p for p in json.loads(fresh)["probes"]}
    return sorted(
        name
        for name, probe in after.items()
        if name in before
        and probe["slice"] != before[name]["slice"]
        and probe["schema_version"] == before[name]["schema_version"]
    )


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False
    ) as handle:
        handle.write(text)
    Path(handle.name).replace(path)


def main(
    argv: Sequence[str] | None = None,
    *,
    registry: ProbeRegistry | None = None,
    context_type: type[Any] = ProbeContext,
    allowlist: frozenset[str] = _PROBE_CONTEXT_FIELD_ALLOWLIST,
) -> int:
    """Regenerate or check; `registry` defaults to the built-in probes (tests pass their own)."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    options.add_argument("--check", action="store_true", help="compare, print a diff, exit 1")
    options.add_argument("--snapshot", type=Path, default=SNAPSHOT_PATH, help="snapshot file")
    args = options.parse_args(argv)
    path: Path = args.snapshot

    if registry is None:
        from codegenie_core.probes import load_builtin_probes

        load_builtin_probes()
        registry = DEFAULT_REGISTRY
    try:
        fresh = render(registry, context_type=context_type, allowlist=allowlist)
    except ContractError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code

    try:
        committed = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        committed = ""
        if args.check:
            print(f"{path} does not exist yet", file=sys.stderr)
    stale = unbumped(committed, fresh)
    if stale:
        print(
            f"error: the slice schema of {', '.join(stale)} changed but its schema_version did "
            "not; bump schema_version, or warm gathers keep rendering cached results of the old "
            "shape (see ADR-0020)",
            file=sys.stderr,
        )
        return 1
    if not args.check:
        write_atomically(path, fresh)
        print(f"wrote {path} ({len(registry)} probes)")
        return 0
    difference = drift(committed, fresh, path=path)
    if difference:
        print(difference, end="")
        print(
            "\nThe probe contract drifted from its committed snapshot. If the change is intended, "
            "run `python scripts/regen_probe_contract_snapshot.py` and commit the snapshot "
            "(a ProbeContext change also needs an ADR; see ADR-0030).",
            file=sys.stderr,
        )
        return 1
    print(f"{path}: the probe contract matches ({len(registry)} probes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
