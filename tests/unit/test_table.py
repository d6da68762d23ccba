"""`--format table`: the summary a person reads at a terminal, and rich loaded only for it."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from codegenie_cli.main import cli
from codegenie_cli.table import render_table

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "portfolio" / "polyglot-monorepo"
GOLDEN = ROOT / "tests" / "portfolio" / "goldens" / "polyglot-monorepo.json"


def test_the_table_summarises_every_probe_and_its_key_facts_within_100_columns() -> None:
    document = json.loads(GOLDEN.read_text())
    text = render_table(document, width=100)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 100
    for name in document["probes"]:
        assert any(line.startswith(f"│ {name} ") for line in lines), name
    assert "services: db, web, web-dev, worker" in text
    assert "skipped: the repository is not a git work tree" in text
    assert "\x1b" not in text  # no colour when not asked


def test_a_forged_repository_string_neither_styles_the_table_nor_reaches_the_terminal() -> None:
    forged = "[bold red]x[/]\x1b]0;owned\x07\r\n"
    document: dict[str, Any] = {
        "repo": {"name": forged},
        "gather": {"ran": 1},
        "probes": {
            forged: {"layer": "a", "outcome": "failed", "message": forged, "duration_ms": 1},
            "compose": {
                "layer": "a",
                "outcome": "ran",
                "confidence": "high",
                "cache_key": "abc",
                "slice": {"files": {forged: {"services": {}}}},
            },
        },
    }
    text = render_table(document, width=100, color=True)
    assert "[bold red]x[/]" in text  # shown as typed, not as markup
    assert "\\u{001B}]0;owned\\u{0007}\\r\\n" in text
    assert "\x07" not in text and "\r" not in text
    assert "\x1b]" not in text  # rich's own colour codes are CSI (ESC [), never OSC


def _gather_cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "codegenie_cli", "gather", str(FIXTURE), "--layer", "a", *args]


def test_on_a_terminal_the_default_is_the_table_and_yaml_when_piped(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "100", "CODEGENIE_CACHE_DIR": str(tmp_path)}
    controller, terminal = pty.openpty()
    with subprocess.Popen(_gather_cli(), stdout=terminal, stderr=terminal, env=env) as proc:
        os.close(terminal)
        chunks: list[bytes] = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=120) == 0
    os.close(controller)
    shown = b"".join(chunks).decode()
    assert "key facts" in shown
    assert "┃ probe" in shown
    piped = subprocess.run(_gather_cli(), capture_output=True, text=True, env=env, check=True)
    assert piped.stdout.startswith("%YAML 1.1\n")


def _loads_rich(argv: list[str]) -> bool:
    # The entry point with argv: it exits as usual, so what it imported can be read after it (run
    # as the program, with no argv, it would end the process at once, ADR-0091).
    code = (
        "import sys\n"
        "from codegenie_cli.launch import main\n"
        "try:\n"
        f"    main({argv[1:]!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stdout.flush()\n"
        "print('RICH' if any(m.split('.')[0] == 'rich' for m in sys.modules) else 'NO-RICH',"
        " file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stderr.strip().splitlines()[-1] == "RICH"


def test_help_version_and_a_piped_gather_never_import_rich(tmp_path: Path) -> None:
    gather = ["codegenie-cli", "gather", str(FIXTURE), "--layer", "a", "--cache-dir", str(tmp_path)]
    assert not _loads_rich(["codegenie-cli", "--help"])
    assert not _loads_rich(["codegenie-cli", "--version"])
    assert not _loads_rich(gather)
    assert _loads_rich([*gather, "--format", "table"])  # the check can tell


def test_format_table_prints_the_summary_in_process() -> None:
    result = CliRunner().invoke(
        cli, ["gather", str(FIXTURE), "--layer", "a", "--no-cache", "--format", "table"]
    )
    assert result.exit_code == 0, result.output
    assert "codegenie: polyglot-monorepo" in result.stdout
