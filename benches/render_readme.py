"""Render the README's Performance table from the benches' own result rows (issue #14).

The rows are described in `benches/readme_table.json`: what is measured, the target, how to
reproduce it, and either a `figure` (a `str.format` template over the bench's JSON result row) or,
for a bench not re-run since its figure was typed, that `recorded` figure with its date. Results
live in `benches/results/NAME.json`: the last JSON line a bench printed, stamped with when, at
which commit and on which machine it ran. The table between the README's markers is rewritten
from these alone, so it holds no figure typed by hand except the dated, marked `recorded` ones.

    python benches/render_readme.py                      # re-render from the stored results
    python benches/render_readme.py --run strace_parser  # run a bench first (its `args`), store it
    python benches/render_readme.py --check              # exit 1 if the README is not the rendering

Exit codes: 0 rendered (or up to date), 1 `--check` found the README out of date, 2 a spec, a
result or a bench run is unusable (one line on stderr naming the file and what is wrong).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "benches" / "readme_table.json"
RESULTS_DIR = ROOT / "benches" / "results"
README_PATH = ROOT / "README.md"
START = "<!-- performance-table:start -->"
END = "<!-- performance-table:end -->"
EXIT_STALE = 1
EXIT_UNUSABLE = 2
HEADER = (
    "| what | figure | target | measured | reproduce |",
    "|---|---|---|---|---|",
)


class RenderError(Exception):
    """A spec, a result or a bench run that cannot be rendered; the message names it."""


def _object(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise RenderError(f"{where}: must be a JSON object")
    return {str(k): v for k, v in cast("dict[object, object]", value).items()}


def _text(row: Mapping[str, object], field: str, where: str) -> str:
    value = row.get(field)
    if not isinstance(value, str) or not value.strip():
        raise RenderError(f"{where}: {field}: must be a non-empty string")
    if "|" in value.replace("\\|", "") or "\n" in value:
        raise RenderError(f"{where}: {field}: a table cell holds no unescaped '|' and no newline")
    return value


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RenderError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RenderError(f"{path}: unreadable: {error}") from None


def load_spec(path: Path = SPEC_PATH) -> list[dict[str, object]]:
    """The table's rows, each checked: a bench that exists, and a figure or a dated recording."""
    document = _read_json(path)
    if not isinstance(document, list) or not document:
        raise RenderError(f"{path}: must be a non-empty JSON list of rows")
    rows: list[dict[str, object]] = []
    for index, item in enumerate(cast("list[object]", document)):
        where = f"{path.name}[{index}]"
        row = _object(item, where)
        bench = _text(row, "bench", where)
        if not (ROOT / "benches" / f"bench_{bench}.py").is_file():
            raise RenderError(f"{where}: bench: benches/bench_{bench}.py does not exist")
        for field in ("what", "target", "reproduce"):
            _text(row, field, where)
        if ("figure" in row) == ("recorded" in row):
            raise RenderError(f"{where}: exactly one of figure (rendered) or recorded (dated)")
        if "figure" in row:
            _text(row, "figure", where)
        else:
            recorded = _object(row["recorded"], f"{where}: recorded")
            _text(recorded, "figure", f"{where}: recorded")
            _date(_text(recorded, "date", f"{where}: recorded"), f"{where}: recorded.date")
        args = row.get("args", [])
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            raise RenderError(f"{where}: args: must be a list of strings")
        rows.append(row)
    return rows


def _date(text: str, where: str) -> str:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise RenderError(f"{where}: must be a date such as 2026-12-02, got {text!r}") from None
    return text


def load_results(
    rows: Sequence[Mapping[str, object]], directory: Path = RESULTS_DIR
) -> dict[str, dict[str, object]]:
    """The stored result of every bench whose row is rendered from one."""
    results: dict[str, dict[str, object]] = {}
    for row in rows:
        if "figure" in row:
            bench = str(row["bench"])
            path = directory / f"{bench}.json"
            stored = _object(_read_json(path), str(path))
            measured = _object(stored.get("measured"), f"{path}: measured")
            for field in ("date", "commit", "machine"):
                _text(measured, field, f"{path}: measured")
            _object(stored.get("result"), f"{path}: result")
            results[bench] = stored
    return results


def render_row(row: Mapping[str, object], stored: Mapping[str, object] | None) -> str:
    """One table line: a rendered figure with when/where it was measured, or a recorded one."""
    bench = str(row["bench"])
    if "figure" in row:
        if stored is None:
            raise RenderError(f"{bench}: no stored result to render its figure from")
        result = cast("dict[str, object]", stored["result"])
        measured = cast("dict[str, str]", stored["measured"])
        try:
            figure = str(row["figure"]).format_map(result)
        except (KeyError, IndexError, ValueError, TypeError, AttributeError) as error:
            raise RenderError(f"{bench}: figure: {error!r} in the stored result") from None
        when = f"{measured['date']}, `{measured['commit'][:12]}`, {measured['machine']}"
    else:
        recorded = cast("dict[str, str]", row["recorded"])
        figure = recorded["figure"]
        when = f"recorded by hand {recorded['date']}, not re-run since"
    cells = (str(row["what"]), figure, str(row["target"]), when, str(row["reproduce"]))
    return "| " + " | ".join(cells) + " |"


def render_table(
    rows: Sequence[Mapping[str, object]], results: Mapping[str, Mapping[str, object]]
) -> str:
    """The whole block between the markers, markers included."""
    lines = [
        START,
        "<!-- rendered by `python benches/render_readme.py` from benches/readme_table.json and"
        " benches/results/; edit those, not this table -->",
        *HEADER,
        *(render_row(row, results.get(str(row["bench"]))) for row in rows),
        END,
    ]
    return "\n".join(lines)


def replace_block(readme: str, block: str) -> str:
    """The README with the text from START to END replaced by `block`."""
    if readme.count(START) != 1 or readme.count(END) != 1:
        raise RenderError(f"{README_PATH.name}: needs exactly one {START} and one {END}")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + block + tail


def current_block(readme: str) -> str:
    """The README's block from START to END, markers included."""
    if readme.count(START) != 1 or readme.count(END) != 1:
        raise RenderError(f"{README_PATH.name}: needs exactly one {START} and one {END}")
    return START + readme.split(START, 1)[1].split(END, 1)[0] + END


def this_machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count() or '?'} CPUs, "
        f"Python {platform.python_version()}, load {load:.1f}"
    )


def head_commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "unknown"


def run_bench(row: Mapping[str, object]) -> dict[str, object]:
    """Run the row's bench with its args; its last stdout line is its JSON result row."""
    bench = str(row["bench"])
    argv = [sys.executable, str(ROOT / "benches" / f"bench_{bench}.py")]
    argv += [str(a) for a in cast("list[object]", row.get("args", []))]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["(no stderr)"]
        raise RenderError(f"benches/bench_{bench}.py exited {done.returncode}: {tail[0]}")
    lines = done.stdout.strip().splitlines()
    try:
        result = _object(json.loads(lines[-1]), f"benches/bench_{bench}.py's last line")
    except (IndexError, json.JSONDecodeError):
        raise RenderError(f"benches/bench_{bench}.py printed no JSON result line") from None
    return {
        "measured": {
            "date": dt.datetime.now(dt.UTC).date().isoformat(),
            "commit": head_commit(),
            "machine": this_machine(),
        },
        "result": result,
    }


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    options.add_argument("--run", action="append", default=[], metavar="NAME")
    options.add_argument("--check", action="store_true", help="only compare; write nothing")
    args = options.parse_args(argv)
    try:
        rows = load_spec()
        by_name = {str(row["bench"]): row for row in rows if "figure" in row}
        for name in args.run:
            if name not in by_name:
                raise RenderError(f"--run {name}: no rendered row names bench {name!r}")
            stored = run_bench(by_name[name])
            write_atomically(RESULTS_DIR / f"{name}.json", json.dumps(stored, indent=2) + "\n")
        block = render_table(rows, load_results(rows))
        readme = README_PATH.read_text(encoding="utf-8")
        if args.check:
            if current_block(readme) == block:
                return 0
            print(
                f"{README_PATH.name}: the Performance table is not the rendering", file=sys.stderr
            )
            return EXIT_STALE
        write_atomically(README_PATH, replace_block(readme, block))
    except RenderError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    return 0


if __name__ == "__main__":
    sys.exit(main())
