"""Report lines and confidence for every IndexHealth variant, and pyright's guard on the match."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from codegenie_core.probes.layer_b import confidence
from codegenie_core.probes.layer_b.confidence import index_health_confidence, index_health_lines
from codegenie_core.probes.layer_b.model import (
    Corrupt,
    Coverage,
    Fresh,
    IndexerError,
    IndexHealth,
    IndexReadError,
    Missing,
    Stale,
)
from tests._ci_support.requires_tool import requires_tool
from tests.layer_b_support import C1, C2, summary

ROOT = Path(__file__).resolve().parents[2]
COVERAGE = Coverage(source_files=2, indexed_source_files=2)
OWN = ".codegenie/index/scip-typescript/index.scip"


def _stale(basis: str, changed: tuple[str, ...], count: int) -> Stale:
    return Stale(
        index_path=OWN,
        indexer="scip-typescript",
        last_indexed=C1 if basis == "sidecar" else None,
        commits_behind=1 if basis == "sidecar" else None,
        changed_files=changed,
        changed_count=count,
        basis="sidecar" if basis == "sidecar" else "index-only",
        coverage=COVERAGE,
        mismatched_definitions=0 if basis == "sidecar" else 1,
    )


def test_each_variant_reads_as_its_state_with_the_evidence() -> None:
    fresh = Fresh(
        index_path=OWN,
        indexer="scip-typescript",
        commit=C2,
        basis="sidecar",
        coverage=COVERAGE,
        summary=summary(("a.ts",)),
    )
    error = IndexReadError(path="index.scip", kind="truncated", message="ends early", offset=9)
    cases: list[tuple[IndexHealth, list[str]]] = [
        (fresh, [f"{OWN}: fresh (scip-typescript indexed HEAD {C2[:12]})"]),
        (
            _stale("sidecar", ("src/a.ts",), 1),
            [
                f"{OWN}: stale, 1 commit(s) behind HEAD (indexed {C1[:12]}), "
                "1 source file(s) changed since",
                "changed: src/a.ts",
            ],
        ),
        (
            Missing(searched=("index.scip", OWN)),
            [
                f"no SCIP index found (looked at index.scip, {OWN}); "
                "run `codegenie-cli gather --index` to make one"
            ],
        ),
        (
            IndexerError(
                index_path=OWN, indexer="scip-python", reason="exit 2", stderr_tail="x\nlast\n"
            ),
            [f"{OWN}: the indexer failed (scip-python): exit 2", "stderr tail: last"],
        ),
        (
            IndexerError(
                index_path=OWN,
                indexer="scip-python",
                reason="no documents",
                hint="check the sources",
            ),
            [
                f"{OWN}: the indexer failed (scip-python): no documents",
                "hint: check the sources",
            ],
        ),
        (
            IndexerError(
                index_path=OWN,
                indexer="scip-python",
                reason="exit 1",
                stderr_tail="a\nfix it\n",
                hint="fix it",
            ),
            [f"{OWN}: the indexer failed (scip-python): exit 1", "stderr tail: fix it"],
        ),
        (
            Corrupt(index_path="index.scip", error=error),
            ["index.scip: corrupt (truncated at byte 9): ends early"],
        ),
    ]
    assert [index_health_lines(h) for h, _ in cases] == [lines for _, lines in cases]


def test_long_changed_lists_show_five_and_say_how_many_more() -> None:
    changed = tuple(f"f{i}.ts" for i in range(8))
    lines = index_health_lines(_stale("index-only", changed, 20))
    assert lines[1] == "differs: f0.ts, f1.ts, f2.ts, f3.ts, f4.ts and 15 more"


def test_a_sidecar_grades_high_and_the_index_alone_lower() -> None:
    fresh_alone = Fresh(
        index_path="index.scip",
        indexer="scip-typescript",
        commit=None,
        basis="index-only",
        coverage=COVERAGE,
        summary=summary(("a.ts",)),
    )
    grades = [
        index_health_confidence(_stale("sidecar", (), 0)),
        index_health_confidence(_stale("index-only", (), 0)),
        index_health_confidence(fresh_alone),
        index_health_confidence(Missing(searched=())),
    ]
    assert grades == ["high", "medium", "low", "high"]


def _pyright(module_dir: Path) -> subprocess.CompletedProcess[str]:
    pyright = shutil.which(
        "pyright",
        path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    )
    assert pyright is not None
    config = module_dir / "pyrightconfig.json"
    config.write_text(
        '{"typeCheckingMode": "strict", "reportMatchNotExhaustive": "error", '
        f'"pythonVersion": "3.11", "extraPaths": ["{ROOT}"], "include": ["confidence_copy.py"]}}'
    )
    return subprocess.run(
        [pyright, "--project", str(config)],
        cwd=module_dir,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _copy(directory: Path, text: str) -> Path:
    directory.mkdir()
    (directory / "confidence_copy.py").write_text(text, encoding="utf-8")
    return directory


# The `Missing` arm of index_health_lines: its `case` line and the body indented under it.
_MISSING_ARM = re.compile(r"\n        case Missing\(searched=searched\):\n(?:            .*\n)+")
# The first closing `case _: assert_never(health)` arm (that of index_health_lines).
_FALLBACK_ARM = re.compile(r"\n        case _:\n            assert_never\(health\)\n")


@requires_tool("pyright")
def test_pyright_fails_when_a_health_variant_is_not_handled(tmp_path: Path) -> None:
    source = Path(confidence.__file__).read_text(encoding="utf-8")
    without_case, deleted = _MISSING_ARM.subn("\n", source, count=1)
    without_both, deleted_fallback = _FALLBACK_ARM.subn("\n", without_case, count=1)
    assert (deleted, deleted_fallback) == (1, 1)

    intact = _pyright(_copy(tmp_path / "intact", source))
    unhandled = _pyright(_copy(tmp_path / "unhandled", without_case))
    unguarded = _pyright(_copy(tmp_path / "unguarded", without_both))

    assert intact.returncode == 0, intact.stdout
    assert unhandled.returncode != 0
    assert '"Missing" is not assignable to type "Never"' in unhandled.stdout
    assert unguarded.returncode != 0
    assert "reportMatchNotExhaustive" in unguarded.stdout
