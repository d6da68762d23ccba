"""The line counter against the real `cloc`, file by file, on sources where cloc's documented
rules and ours agree (no nested comments, no comment markers inside strings: ADR-0076)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from codegenie_core.languages import language_of
from codegenie_core.line_counts import LineCounts, count_lines
from tests._ci_support.requires_tool import requires_tool

SOURCES: dict[str, bytes] = {
    "main.c": b"#include <stdio.h>\n/* a block\n   comment */\n\nint main(void) {\n"
    b"    return 0; // trailing\n}\n// end\n",
    "app.py": b'"""A docstring."""\n\nimport os\n# a comment\n\n\ndef f():\n    return 1\n',
    "run.sh": b"#!/bin/sh\n# say hi\necho hi\n\n",
    "main.go": b"package main\n\n/*\nblock\n*/\nfunc main() {} // c\n",
    "query.sql": b"-- a query\nSELECT 1;\n/* block */\n",
    "page.html": b"<html>\n<!-- a\ncomment -->\n<body></body>\n\n</html>\n",
    "conf.yaml": b"# config\nkey: value\n\nother: 1\n",
    "crlf.js": b"// crlf\r\nconst a = 1;\r\n\r\n",
}


@requires_tool("cloc")
def test_counts_agree_with_cloc_file_by_file(tmp_path: Path) -> None:
    for name, data in SOURCES.items():
        (tmp_path / name).write_bytes(data)
    shown = subprocess.run(
        ["cloc", "--json", "--by-file", "--quiet", "--skip-uniqueness", str(tmp_path)],
        capture_output=True,
        check=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    report = json.loads(shown.stdout)
    theirs = {
        Path(path).name: LineCounts(code=row["code"], comment=row["comment"], blank=row["blank"])
        for path, row in report.items()
        if path not in ("header", "SUM")
    }
    ours = {name: count_lines((data,), language_of(name)) for name, data in SOURCES.items()}
    assert ours == theirs
