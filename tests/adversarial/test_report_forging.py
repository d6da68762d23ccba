"""A repository crafted to forge its own report, gathered through the real CLI and probes: its
package names, scripts, workflow and job names, image references and file names reach report.md
as text, and the report keeps only the headings and table rows the renderer writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from markdown_it import MarkdownIt

from codegenie_cli.main import cli

FORGE = "x\n\n## Forged heading\n\n| forged | row |\n|---|---|\n`"


def hostile_repo(root: Path) -> Path:
    repo = root / "forge |`# repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    manifest = {
        "name": "pkg" + FORGE,
        "version": "1.0.0",
        "scripts": {"build" + FORGE: "echo `whoami` | tee\n# out"},
        "dependencies": {"left" + FORGE: "^1.0.0\u2028# next", "<script>": "*"},
    }
    (repo / "package.json").write_text(json.dumps(manifest), encoding="utf-8")
    (repo / ".github" / "workflows" / "ci.yml").write_text(
        'name: "ci\\n## Forged workflow"\n'
        "on: push\n"
        "jobs:\n"
        '  "build|x":\n'
        '    name: "job\\r\\n# forged job"\n'
        "    runs-on: ubuntu-24.04\n"
        "    steps:\n"
        "      - run: echo hi\n",
        encoding="utf-8",
    )
    (repo / "Dockerfile").write_text(
        "FROM alpine:3.19 AS `b|ase`\nUSER a|b\nEXPOSE 80\n", encoding="utf-8"
    )
    (repo / "## heading.py").write_text("x = 1\n", encoding="utf-8")
    compose = {
        "services": {
            "web" + FORGE: {
                "image": "img" + FORGE,
                "build": "./x" + FORGE,
                "ports": ["80:80" + FORGE],
                "environment": ["NAME" + FORGE + "=v"],
                "volumes": ["./d" + FORGE + ":/d"],
                "profiles": ["p" + FORGE],
            }
        },
        "include": ["inc" + FORGE + "/compose.yaml"],
    }
    (repo / "compose.yaml").write_text(json.dumps(compose), encoding="utf-8")
    return repo


def test_a_repository_cannot_add_headings_or_table_rows_to_its_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["gather", str(hostile_repo(tmp_path)), "--layer", "a", "--no-cache", "--output", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    report = (out / "report.md").read_text(encoding="utf-8")

    tokens = MarkdownIt("commonmark").enable("table").parse(report)
    headings = [
        (token.tag, "".join(child.content for child in tokens[index + 1].children or []))
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    ]
    probes = [content for tag, content in headings if tag == "h3"]
    # "What to do next" is the report's own section (the hostile files lower some grades).
    assert [tag for tag, _ in headings] == ["h1", "h2", "h2", "h2", "h2"] + ["h3"] * len(probes)
    assert "compose" in probes
    assert [content for tag, content in headings if tag == "h2"] == [
        "What to do next",
        "Summary",
        "Confidence",
        "Facts",
    ]
    assert headings[0][1].startswith("codegenie report: forge |`# repo")
    assert not any("Forged" in content or "forged" in content for _, content in headings)
    assert [token.type for token in tokens].count("table_open") == 1
    rows = [token for token in tokens if token.type == "tr_open"]
    summary = report.split("## Summary")[1].split("## Confidence")[0]
    assert len(rows) == len(re.findall(r"^\| ", summary, re.MULTILINE))
    assert "Forged heading" in report  # shown, as text
