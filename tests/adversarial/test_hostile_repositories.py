"""Hostile input through the real CLI: one clear line and exit 2 for bad arguments; for a hostile
repository, exit 0 with the problems recorded, no traceback, and no absolute path leaked."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from codegenie_cli.main import cli


def gather(*args: str) -> Result:
    return CliRunner().invoke(cli, ["gather", *args], catch_exceptions=False)


def one_error_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("codegenie-cli: error: ")
    return lines[0]


def test_a_missing_repo_is_named_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    assert str(missing) in one_error_line(gather(str(missing)))


def test_a_repo_that_is_a_file_is_named_in_one_line(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x")
    assert "not a directory" in one_error_line(gather(str(target)))


def test_a_cache_dir_that_is_a_file_is_one_line_and_exit_two(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("x = 1\n")
    blocker = tmp_path / "cache-file"
    blocker.write_text("not a dir")
    line = one_error_line(gather(str(repo), "--layer", "a", "--cache-dir", str(blocker)))
    assert str(blocker) in line


def test_an_output_path_that_is_a_file_is_one_line_and_exit_two(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("x = 1\n")
    blocker = tmp_path / "out"
    blocker.write_text("a file")
    line = one_error_line(gather(str(repo), "--layer", "a", "--no-cache", "--output", str(blocker)))
    assert "--output" in line


@pytest.fixture
def hostile_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "hostile"
    (repo / "src").mkdir(parents=True)
    (repo / "package.json").write_bytes(b'{"name": "x", "dependencies": {')  # cut short
    (repo / "pyproject.toml").write_text("[project\nname = 'x'\n")  # malformed TOML
    (repo / "go.mod").write_text("module\n\nrequire (\n  broken\n")
    (repo / "pom.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><project>&a;</project>'
    )
    (repo / "Cargo.toml").write_bytes(b"\xff\xfe not toml")
    (repo / "Dockerfile").write_text('FROM\nRUN ["unterminated\nCMD not-json]\nUNKNOWNINSTR x\n')
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").write_text("on: [push\njobs: {")
    (repo / "src" / "binary.ts").write_bytes(os.urandom(4096))
    (repo / "src" / "long.py").write_text("x = '" + "a" * 1_000_000 + "'\n")
    (repo / os.fsdecode(b"src/caf\xe9.py")).write_text("print('non-utf8 name')\n")
    (repo / "src" / "escape").symlink_to("/etc/passwd")
    (repo / "src" / "dangling").symlink_to(repo / "does-not-exist")
    (repo / "src" / "loop").symlink_to(repo / "src")
    (repo / "index.scip").write_bytes(os.urandom(1000))
    return repo


def test_a_hostile_repository_is_gathered_with_its_problems_recorded(hostile_repo: Path) -> None:
    result = gather(str(hostile_repo), "--layer", "a,b", "--no-cache", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    outcomes = {name: entry["outcome"] for name, entry in document["probes"].items()}
    assert "failed" not in outcomes.values(), json.dumps(document["probes"], indent=1)[:3000]
    for name in ("manifests", "dockerfile", "ci"):
        assert document["probes"][name]["confidence"] != "high", name


def test_no_absolute_path_of_the_repository_appears_in_any_output(
    hostile_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = gather(str(hostile_repo), "--layer", "a,b", "--no-cache", "--output", str(out))
    assert result.exit_code == 0, result.stderr
    for name in ("context.yaml", "context.json", "report.md"):
        text = (out / name).read_text(encoding="utf-8")
        assert str(hostile_repo) not in text, name
        assert str(tmp_path) not in text, name


def test_a_symlink_out_of_the_repository_is_never_read(hostile_repo: Path) -> None:
    result = gather(str(hostile_repo), "--layer", "a", "--no-cache", "--format", "json")
    assert "root:x:0:0" not in result.stdout


def test_a_damaged_cache_entry_is_a_miss_with_one_warning_and_the_same_answer(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("x = 1\n")
    cache = tmp_path / "cache"
    args = (
        str(repo),
        "--layer",
        "a",
        "--probe",
        "languages",
        "--cache-dir",
        str(cache),
        "--format",
        "json",
    )
    first = json.loads(gather(*args).stdout)
    [entry] = list(cache.rglob("*.entry"))
    entry.write_bytes(entry.read_bytes()[:-10])  # truncated
    second = gather(*args)
    assert second.exit_code == 0
    warnings = [
        line for line in second.stderr.splitlines() if line.startswith("codegenie-cli: warning:")
    ]
    assert len(warnings) == 1, second.stderr
    assert "is damaged" in warnings[0]
    document = json.loads(second.stdout)
    assert document["probes"]["languages"]["outcome"] == "ran"
    assert document["probes"]["languages"]["slice"] == first["probes"]["languages"]["slice"]
