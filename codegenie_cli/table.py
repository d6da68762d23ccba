"""`--format table` and the progress bar: the context document for a person at a terminal (rich).

Rule 1: rich is imported here only, and this module only when a table or a progress bar is
shown, so `--help`, `--version` and a piped gather never load it (a subprocess test checks).
Rule 2: the table is rendered from the context document alone (plain data), with the core's
`key_facts` per probe, so what it shows is what the document says.
Rule 3: repository strings enter rich as `Text` (never as markup) after `one_line`, so a forged
name can neither style the table nor send a control sequence to the terminal.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

from codegenie_core.report.context import PlainData
from codegenie_core.report.escape import one_line
from codegenie_core.report.key_facts import key_facts

KEY_PREFIX = 12


def _cell(value: PlainData) -> Any:
    from rich.text import Text

    return Text(one_line(value if isinstance(value, str) else "—" if value is None else str(value)))


def render_table(
    document: Mapping[str, PlainData], *, width: int = 100, color: bool = False
) -> str:
    """The summary of every probe (outcome, confidence, time, cache) and its key facts."""
    from rich.console import Console
    from rich.table import Table

    out = io.StringIO()
    console = Console(
        file=out, width=width, force_terminal=color, no_color=not color, highlight=False
    )
    repo: dict[str, PlainData] = dict(document.get("repo") or {})
    gather: dict[str, PlainData] = dict(document.get("gather") or {})
    probes: dict[str, PlainData] = dict(document.get("probes") or {})
    summary = Table(
        title=f"codegenie: {one_line(str(repo.get('name', '?')))}",
        title_justify="left",
        expand=False,
    )
    for header, justify in (
        ("probe", "left"),
        ("layer", "left"),
        ("outcome", "left"),
        ("confidence", "left"),
        ("ms", "right"),
        ("cache", "left"),
    ):
        summary.add_column(header, justify=justify, no_wrap=True)  # pyright: ignore[reportArgumentType]  # a justify literal
    facts = Table(title="key facts", title_justify="left", show_header=False, expand=False)
    facts.add_column("probe", no_wrap=True)
    facts.add_column("fact", overflow="fold")
    for name, raw in probes.items():
        entry: dict[str, PlainData] = dict(raw) if isinstance(raw, dict) else {}  # pyright: ignore[reportUnknownArgumentType]  # plain data
        outcome = str(entry.get("outcome", "?"))
        key = entry.get("cache_key")
        cache = "—"
        if isinstance(key, str):
            cache = f"hit {key[:KEY_PREFIX]}" if outcome == "cached" else f"new {key[:KEY_PREFIX]}"
        summary.add_row(
            _cell(name),
            _cell(str(entry.get("layer", "?")).upper()),
            _cell(outcome),
            _cell(entry.get("confidence")),
            _cell(entry.get("duration_ms")),
            _cell(cache),
        )
        lines = list(key_facts(name, entry.get("slice")))
        reason = _mapping(entry.get("reason")).get("message") or entry.get("message")
        if outcome in ("skipped", "failed") and isinstance(reason, str):
            lines = [f"{outcome}: {reason}"]
        for index, line in enumerate(lines):
            facts.add_row(_cell(name if index == 0 else ""), _cell(line))
    console.print(summary)
    totals = ", ".join(
        f"{gather[k]} {k}" for k in ("ran", "cached", "skipped", "failed") if k in gather
    )
    console.print(_cell(f"{totals}; {gather.get('duration_ms', '?')} ms"))
    if facts.row_count:
        console.print()
        console.print(facts)
    return out.getvalue()


def _mapping(value: PlainData) -> dict[str, PlainData]:
    return dict(value) if isinstance(value, dict) else {}  # pyright: ignore[reportUnknownArgumentType]  # plain data


class ProgressBar:
    """A rich progress bar on stderr for the probes of one gather; `advance(done, total, name)`."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: Any = None

    def advance(self, done: int, total: int, name: str) -> None:
        if self._task is None:
            self._progress.start()
            self._task = self._progress.add_task("probes", total=total)
        self._progress.update(self._task, completed=done, description=one_line(name))

    def stop(self) -> None:
        self._progress.stop()


def progress_bar() -> tuple[Callable[[int, int, str], None], Callable[[], None]]:
    bar = ProgressBar()
    return bar.advance, bar.stop
