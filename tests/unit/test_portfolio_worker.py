"""`gather_task`: a path gathered in place, a URL cloned under the cache and, on a later run,
fetched and reset to the remote's HEAD; failures as values with one-line reasons."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from codegenie_adapters.portfolio_worker import clone_path, gather_task, remove_clones
from codegenie_core.config import GatherConfig
from codegenie_core.portfolio import RepoFailed, RepoGathered, RepoTask, TaskSpec
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import commit_all, git, init_repo, isolate_git_config, write

pytestmark = requires_tool("git")


def _spec(cache: Path, timeout_s: float = 120.0) -> TaskSpec:
    return TaskSpec(
        config=GatherConfig(layers=frozenset({"a"})),
        cache_dir=str(cache),
        cache_max_bytes=2**30,
        timeout_s=timeout_s,
    )


def _upstream(root: Path) -> tuple[Path, str]:
    init_repo(root)
    write(root, "app.py", b"print('v1')\n")
    return root, commit_all(root, "v1")


def test_a_path_task_is_gathered_in_place_with_its_head_and_state_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    root, head = _upstream(tmp_path / "repo")
    task = RepoTask(key=str(root), kind="path", needs_engine=False)
    result = gather_task(task, _spec(tmp_path / "cache"))
    assert isinstance(result, RepoGathered)
    assert result.head == head
    assert result.state_token is not None and result.state_token.startswith("sha256:")
    assert result.document["repo"]["git"]["head"] == head


def test_a_url_is_cloned_once_then_fetched_to_the_remotes_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    upstream, v1 = _upstream(tmp_path / "upstream")
    url = f"file://{upstream}"
    cache = tmp_path / "cache"
    task = RepoTask(key=url, kind="url", needs_engine=False)
    first = gather_task(task, _spec(cache))
    assert isinstance(first, RepoGathered) and first.head == v1
    clone = Path(clone_path(str(cache), url))
    assert clone.parent.parent == cache / "portfolio" / "clones"
    assert clone.name == "upstream" and first.document["repo"]["name"] == "upstream"
    assert str(upstream) not in str(clone)
    marker = clone / ".git" / "reused"
    marker.write_text("the same clone")
    write(upstream, "app.py", b"print('v2')\n")
    v2 = commit_all(upstream, "v2")
    second = gather_task(task, _spec(cache))
    assert isinstance(second, RepoGathered) and second.head == v2
    assert marker.exists(), "the clone was reused, not made again"
    assert (clone / "app.py").read_text() == "print('v2')\n"
    assert second.state_token != first.state_token
    assert [p.name for p in clone.parent.iterdir()] == [clone.name]  # no partial clone left


def test_a_clone_runs_no_hook_and_copies_no_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    templates = tmp_path / "templates"
    hook = templates / "hooks" / "post-checkout"
    hook.parent.mkdir(parents=True)
    touched = tmp_path / "hook-ran"
    hook.write_text(f"#!/bin/sh\ntouch {touched}\n")
    hook.chmod(0o755)
    monkeypatch.setenv("GIT_TEMPLATE_DIR", str(templates))
    upstream, _ = _upstream(tmp_path / "upstream")
    url = f"file://{upstream}"
    result = gather_task(RepoTask(key=url, kind="url", needs_engine=False), _spec(tmp_path / "c"))
    assert isinstance(result, RepoGathered)
    assert not touched.exists()
    assert not (Path(clone_path(str(tmp_path / "c"), url)) / ".git" / "hooks").exists()


def test_a_clone_that_fails_is_a_clone_failure_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    url = f"file://{tmp_path / 'nothing-here'}"
    result = gather_task(RepoTask(key=url, kind="url", needs_engine=False), _spec(tmp_path / "c"))
    assert isinstance(result, RepoFailed) and result.reason == "clone"
    assert result.message.startswith("git clone failed (exit 128): fatal: ")
    assert "\n" not in result.message
    clones = tmp_path / "c" / "portfolio" / "clones"
    assert [list(d.iterdir()) for d in clones.iterdir()] == [[]]  # no partial clone left


def test_a_fetch_that_fails_is_a_clone_failure_not_a_stale_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    upstream, _ = _upstream(tmp_path / "upstream")
    url = f"file://{upstream}"
    task = RepoTask(key=url, kind="url", needs_engine=False)
    assert isinstance(gather_task(task, _spec(tmp_path / "c")), RepoGathered)
    git(upstream, "update-ref", "-d", "HEAD")
    os.rename(upstream, tmp_path / "moved")
    result = gather_task(task, _spec(tmp_path / "c"))
    assert isinstance(result, RepoFailed) and result.reason == "clone"
    assert result.message.startswith("git fetch failed (exit 128): fatal: ")


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://example.com/org/service.git", "service"),
        ("git@example.com:org/api.git/", "api"),
        ("file:///srv/../x y$(z)", "x_y__z_"),
        ("https://example.com/", "example.com"),
        ("ssh://example.com/.hidden", "hidden"),
        ("https://example.com/..", "repo"),
    ],
)
def test_a_clone_is_named_by_the_urls_last_word_made_safe(url: str, name: str) -> None:
    path = Path(clone_path("/cache", url))
    assert path.name == name
    assert path.parent.parent == Path("/cache/portfolio/clones")


def test_a_missing_path_is_an_error_value(tmp_path: Path) -> None:
    task = RepoTask(key=str(tmp_path / "gone"), kind="path", needs_engine=False)
    result = gather_task(task, _spec(tmp_path / "c"))
    assert isinstance(result, RepoFailed) and result.reason == "error"
    assert str(tmp_path / "gone") in result.message


def test_each_use_of_a_clone_marks_it_and_remove_clones_takes_the_unused_or_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    upstream, _ = _upstream(tmp_path / "upstream")
    url = f"file://{upstream}"
    cache = tmp_path / "cache"
    task = RepoTask(key=url, kind="url", needs_engine=False)
    assert isinstance(gather_task(task, _spec(cache)), RepoGathered)
    used = Path(clone_path(str(cache), url)).parent
    stale = cache / "portfolio" / "clones" / ("0" * 32)
    (stale / "old").mkdir(parents=True)
    month_ago = time.time() - 31 * 86400
    for directory in (used, stale):
        os.utime(directory, (month_ago, month_ago))
    assert isinstance(gather_task(task, _spec(cache)), RepoGathered)  # reused: marked again
    (cache / "portfolio" / "clones" / "a-file").write_text("not a clone")
    assert remove_clones(str(cache), unused_since=time.time() - 30 * 86400) == 1
    assert not stale.exists() and used.is_dir()
    assert remove_clones(str(cache), unused_since=None) == 1
    assert sorted(p.name for p in (cache / "portfolio" / "clones").iterdir()) == ["a-file"]
    assert remove_clones(str(tmp_path / "no-cache"), unused_since=None) == 0
