"""Shared by the layer A file probes: reading declared inputs, input problems, confidence grading.

Rule 1: a probe reads exactly the files its declared globs match (`matching_paths`), so what it
reports is what its cache key covers.
Rule 2: an input that cannot be read or parsed is an `InputProblem` value, never an exception.
Rule 3: confidence is graded from how each input fared (see ADR-0014): "high" when every input
was read and parsed cleanly; "medium" when every input gave facts but some with problems, or when
some inputs failed but most gave facts; "low" when at least half the inputs gave no facts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import attrs

from codegenie_core.globs import globs_of, matching_paths
from codegenie_core.ports import FileProblem
from codegenie_core.probe import ProbeContext
from codegenie_core.probe_types import Confidence


@attrs.frozen(kw_only=True)
class InputProblem:
    """Why one input (or part of it) gave no facts or partial facts: path, line when known."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None


@attrs.frozen(kw_only=True)
class InputFile:
    """One declared input: its text, or the problem that kept it from being read."""

    path: str
    text: str | None
    problem: InputProblem | None = None


def declared_files(ctx: ProbeContext, declared_inputs: Sequence[str]) -> list[str]:
    """The repository files the probe's globs match, sorted."""
    return matching_paths(globs_of(declared_inputs), ctx.repo.list_files())


def read_inputs(ctx: ProbeContext, paths: Sequence[str]) -> Iterator[InputFile]:
    """Read each path as UTF-8 (a leading BOM dropped); unreadable or undecodable is a problem."""
    for path in paths:
        data = ctx.repo.read_bytes(path)
        if isinstance(data, FileProblem):
            yield InputFile(
                path=path,
                text=None,
                problem=InputProblem(path=path, message=f"unreadable: {data.reason}"),
            )
            continue
        try:
            text = data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as error:
            yield InputFile(
                path=path,
                text=None,
                problem=InputProblem(
                    path=path, message=f"not UTF-8 text (byte {error.start}): {error.reason}"
                ),
            )
            continue
        yield InputFile(path=path, text=text)


@attrs.define
class Tally:
    """How each input fared, in order to grade confidence (Rule 3)."""

    clean: list[str] = attrs.field(factory=list[str])
    degraded: list[str] = attrs.field(factory=list[str])
    failed: list[str] = attrs.field(factory=list[str])

    def record(self, path: str, *, gave_facts: bool, problems: int) -> None:
        if not gave_facts:
            self.failed.append(path)
        elif problems:
            self.degraded.append(path)
        else:
            self.clean.append(path)

    def grade(self) -> tuple[Confidence, tuple[str, ...]]:
        """The envelope confidence and the notes that explain anything short of "high"."""
        total = len(self.clean) + len(self.degraded) + len(self.failed)
        notes: list[str] = []
        if self.failed:
            notes.append(f"no facts from {len(self.failed)} of {total}: {', '.join(self.failed)}")
        if self.degraded:
            notes.append(
                f"partial facts from {len(self.degraded)} of {total} (see problems): "
                + ", ".join(self.degraded)
            )
        if not notes:
            return "high", ()
        if total and 2 * len(self.failed) >= total:
            return "low", tuple(notes)
        return "medium", tuple(notes)
