"""Regenerate (or `--check`) the shipped JSON Schema of the context document (see ADR-0056).

Run: python scripts/regen_context_schema.py            # rewrite the schema file
     python scripts/regen_context_schema.py --check    # exit 1 and print a diff on drift

The schema is generated from the built-in probes' slice types (`codegenie_core.report.schema`);
the file is package data, printed by `codegenie-cli schema`.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # a plain script: make the work tree importable
    sys.path.insert(0, str(ROOT))

from codegenie_core.probes import load_builtin_probes  # noqa: E402 -- after the path bootstrap
from codegenie_core.registry import DEFAULT_REGISTRY  # noqa: E402 -- after the path bootstrap
from codegenie_core.report import schema  # noqa: E402 -- after the path bootstrap

SCHEMA_PATH = ROOT / "codegenie_core" / "report" / schema.SCHEMA_FILE


def fresh_text() -> str:
    """The schema of the built-in probes, as the shipped file must hold it."""
    load_builtin_probes()
    return schema.schema_text(schema.builtin(DEFAULT_REGISTRY))


def main(argv: Sequence[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    options.add_argument("--check", action="store_true", help="compare, print a diff, exit 1")
    args = options.parse_args(argv)
    fresh = fresh_text()
    if not args.check:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=SCHEMA_PATH.parent, suffix=".tmp", delete=False
        ) as handle:
            handle.write(fresh)
        Path(handle.name).replace(SCHEMA_PATH)
        print(f"wrote {SCHEMA_PATH.relative_to(ROOT)}")
        return 0
    committed = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
    if committed == fresh:
        print(f"{SCHEMA_PATH.relative_to(ROOT)}: the schema matches the slice types")
        return 0
    sys.stdout.writelines(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            fresh.splitlines(keepends=True),
            fromfile="committed",
            tofile="regenerated",
        )
    )
    print(
        "\nThe context schema drifted from the slice types: run "
        "`python scripts/regen_context_schema.py` and commit the file (see ADR-0056).",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
