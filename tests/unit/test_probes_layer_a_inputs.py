"""Reading declared inputs and grading confidence from how each input fared (ADR-0014)."""

from __future__ import annotations

import pytest

from codegenie_core.probes.layer_a.inputs import (
    InputFile,
    InputProblem,
    Tally,
    declared_files,
    read_inputs,
)
from tests.unit.layer_a_support import context


def tally(clean: int, degraded: int, failed: int) -> Tally:
    result = Tally()
    for i in range(clean):
        result.record(f"c{i}", gave_facts=True, problems=0)
    for i in range(degraded):
        result.record(f"d{i}", gave_facts=True, problems=2)
    for i in range(failed):
        result.record(f"f{i}", gave_facts=False, problems=1)
    return result


def test_every_input_clean_is_high_without_notes() -> None:
    assert tally(3, 0, 0).grade() == ("high", ())


def test_some_inputs_with_problems_is_medium_naming_them() -> None:
    assert tally(2, 1, 0).grade() == (
        "medium",
        ("partial facts from 1 of 3 (see problems): d0",),
    )


def test_a_minority_of_failed_inputs_is_medium() -> None:
    assert tally(2, 0, 1).grade() == ("medium", ("no facts from 1 of 3: f0",))


@pytest.mark.parametrize(("clean", "failed"), [(1, 1), (0, 1), (1, 2)])
def test_half_or_more_failed_inputs_is_low(clean: int, failed: int) -> None:
    assert tally(clean, 0, failed).grade()[0] == "low"


def test_declared_files_are_the_glob_matches_sorted() -> None:
    ctx = context({"b/go.mod": "", "go.mod": "", "go.sum": ""})

    assert declared_files(ctx, ("**/go.mod",)) == ["b/go.mod", "go.mod"]


def test_read_inputs_decodes_utf8_drops_a_bom_and_reports_the_rest() -> None:
    ctx = context(
        {"a": "\ufeffhello", "b": b"\xc3("},
        unreadable={"c": "vanished"},
    )

    assert list(read_inputs(ctx, ["a", "b", "c"])) == [
        InputFile(path="a", text="hello"),
        InputFile(
            path="b",
            text=None,
            problem=InputProblem(
                path="b", message="not UTF-8 text (byte 0): invalid continuation byte"
            ),
        ),
        InputFile(
            path="c", text=None, problem=InputProblem(path="c", message="unreadable: vanished")
        ),
    ]
