"""Regenerate tests/portfolio/goldens/*.json from the portfolio fixtures. Review the diff before
committing: a golden changes only when a probe's output is meant to change."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.portfolio.golden import FIXTURES, GOLDENS, gather_fixture, golden_path


def main() -> int:
    GOLDENS.mkdir(parents=True, exist_ok=True)
    for name in FIXTURES:
        document = gather_fixture(name, "--no-cache")
        golden_path(name).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {golden_path(name).relative_to(Path.cwd())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
