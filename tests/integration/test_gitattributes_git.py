"""Where our gitattributes pattern matching and pathspec's disagree, real git decides."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from codegenie_core.parsers.gitattributes import pattern_regex
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import init_repo, isolate_git_config

pytestmark = pytest.mark.integration


@requires_tool("git")
@pytest.mark.parametrize("pattern", ["**/*/**", "/**/*/**"])
def test_a_double_star_around_one_star_matches_as_git_check_attr_says(
    pattern: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    root = init_repo(tmp_path / "repo")
    (root / ".gitattributes").write_text(f"{pattern} probe-attr\n", encoding="utf-8")
    paths = ["a", "a/a", "a/b/c", "x.py"]
    done = subprocess.run(
        ["git", "-C", str(root), "check-attr", "probe-attr", "--", *paths],
        capture_output=True,
        text=True,
        check=True,
    )
    by_git = {
        line.split(": ")[0]: line.endswith(": set") for line in done.stdout.splitlines() if line
    }
    ours = pattern_regex(pattern)
    assert not isinstance(ours, str) and ours is not None
    assert {path: ours.match(path) is not None for path in paths} == by_git
