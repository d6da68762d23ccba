"""The hexagon's fences, checked by running the tools: the pure core loads nothing heavy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent

HEAVY = ("click", "loguru", "cattrs", "ruamel", "google", "docker", "subprocess", "rich")


def test_importing_the_core_loads_none_of_the_io_frameworks() -> None:
    code = (
        "import sys, json\n"
        "before = set(sys.modules)\n"
        "import codegenie_core, codegenie_core.probes, codegenie_core.coordinator\n"
        "codegenie_core.probes.load_builtin_probes()\n"
        "import codegenie_core.report.markdown, codegenie_core.report.context\n"
        "import codegenie_core.report.key_facts\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    offenders = [m for m in loaded if m.split(".")[0] in HEAVY]
    assert offenders == []


def test_import_linter_contracts_hold() -> None:
    result = subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_only_the_exec_module_may_start_processes() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--select",
            "TID251",
            "codegenie_core",
            "codegenie_adapters",
            "codegenie_cli",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_warm_gather_loads_neither_the_converter_nor_protobuf(tmp_path: Path) -> None:
    # ADR-0020: cached slices are rendered as stored, so a warm gather never imports cattrs.
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "portfolio" / "python-service"
    code = (
        "import sys, json\n"
        "from codegenie_cli.main import main\n"
        "try:\n"
        f"    main(['gather', {str(fixture)!r}, '--cache-dir', {str(tmp_path)!r},\n"
        "          '--layer', 'a,b', '--format', 'json', '-q'])\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )

    def loaded() -> tuple[dict[str, object], list[str]]:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)["gather"], json.loads(out.stderr.splitlines()[-1])

    _, cold_modules = loaded()
    warm_summary, warm_modules = loaded()
    assert warm_summary["ran"] == 0 and warm_summary["cached"] >= 1
    assert "cattrs" in cold_modules  # the cold gather structured and wrote what it computed
    heavy = ("cattrs", "codegenie_adapters.serde", "google.protobuf", "ruamel")
    assert [m for m in warm_modules if m.startswith(heavy)] == []
