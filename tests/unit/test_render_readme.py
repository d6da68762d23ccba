"""`benches/render_readme.py`: the README's Performance table is the rendering of the benches'
stored result rows, every row names a bench that exists, and a fixed result renders to a fixed
line. The benches themselves are never run here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benches import render_readme
from benches.render_readme import (
    END,
    HEADER,
    START,
    RenderError,
    current_block,
    load_results,
    load_spec,
    render_row,
    render_table,
    replace_block,
)

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
FIXED_ROW: dict[str, object] = {
    "bench": "strace_parser",
    "what": "strace parser",
    "figure": "**{lines_per_second:,.0f}** lines/s, **{ratio:.1f}x** the loop; {nested[a]:.0%}",
    "target": "≥ 1,000,000 lines/s",
    "reproduce": "`python benches/bench_strace_parser.py`",
}
FIXED_RESULT: dict[str, object] = {
    "measured": {"date": "2026-12-02", "commit": "0123456789abcdef0123", "machine": "a box"},
    "result": {"lines_per_second": 1234567.8, "ratio": 12.34, "nested": {"a": 0.25}},
}


def table_rows(block: str) -> list[list[str]]:
    lines = [line for line in block.splitlines() if line.startswith("| ")]
    assert lines[: len(HEADER) - 1] == list(HEADER[:1])
    return [[cell.strip() for cell in line.strip("| ").split(" | ")] for line in lines[1:]]


def test_the_readme_table_is_the_rendering_of_the_stored_results() -> None:
    rows = load_spec()

    assert current_block(README) == render_table(rows, load_results(rows))


def test_every_row_of_the_readme_table_names_a_bench_that_exists() -> None:
    rows = table_rows(current_block(README))

    assert rows
    for cells in rows:
        assert len(cells) == len(HEADER[0].strip("| ").split(" | ")), cells
        named = re.findall(r"benches/(bench_\w+)\.py", cells[-1])
        assert named, f"the row {cells[0]!r} names no bench"
        assert all((ROOT / "benches" / f"{n}.py").is_file() for n in named), named


def test_a_fixed_result_renders_to_a_fixed_line() -> None:
    line = render_row(FIXED_ROW, FIXED_RESULT)

    assert line == (
        "| strace parser | **1,234,568** lines/s, **12.3x** the loop; 25% | ≥ 1,000,000 lines/s"
        " | 2026-12-02, `0123456789ab`, a box | `python benches/bench_strace_parser.py` |"
    )


def test_a_row_not_re_run_keeps_its_recorded_figure_marked_with_its_date() -> None:
    row = {k: v for k, v in FIXED_ROW.items() if k != "figure"}
    row["recorded"] = {"figure": "61,800 lines/s", "date": "2026-11-22"}

    line = render_row(row, None)

    assert "| 61,800 lines/s |" in line
    assert "| recorded by hand 2026-11-22, not re-run since |" in line


def test_the_rendered_block_replaces_only_the_text_between_the_markers() -> None:
    readme = f"intro\n{START}\nold table\n{END}\noutro\n"
    block = render_table([FIXED_ROW], {"strace_parser": FIXED_RESULT})

    replaced = replace_block(readme, block)

    assert replaced.startswith("intro\n" + START) and replaced.endswith(END + "\noutro\n")
    assert current_block(replaced) == block
    assert "old table" not in replaced


def test_a_figure_naming_a_field_the_result_lacks_is_an_error_naming_the_bench() -> None:
    row = {**FIXED_ROW, "figure": "{missing:.1f}"}

    with pytest.raises(RenderError, match="strace_parser: figure: KeyError"):
        render_row(row, FIXED_RESULT)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({**FIXED_ROW, "bench": "no_such"}, "benches/bench_no_such.py does not exist"),
        ({**FIXED_ROW, "recorded": {"figure": "x", "date": "2026-12-02"}}, "exactly one of"),
        ({**FIXED_ROW, "what": "a | b"}, "no unescaped '|'"),
        ({k: v for k, v in FIXED_ROW.items() if k != "figure"}, "exactly one of"),
    ],
)
def test_a_bad_spec_row_is_refused_with_its_place_and_field(
    tmp_path: Path, row: dict[str, object], message: str
) -> None:
    path = tmp_path / "readme_table.json"
    path.write_text(json.dumps([row]), encoding="utf-8")

    with pytest.raises(RenderError, match=re.escape(message)):
        load_spec(path)


def test_check_reports_a_hand_edited_table_with_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited = tmp_path / "README.md"
    edited.write_text(README.replace(" lines/s", " lines/sec", 1), encoding="utf-8")
    monkeypatch.setattr(render_readme, "README_PATH", edited)

    assert render_readme.main(["--check"]) == 1
    monkeypatch.setattr(render_readme, "README_PATH", ROOT / "README.md")
    assert render_readme.main(["--check"]) == 0
