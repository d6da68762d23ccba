"""SOURCEs of `portfolio gather`: directories, `--recursive` trees and list files, expanded into
normalised keys; URLs git may clone, and the ones it may not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters.portfolio_sources import MAX_DEPTH, expand_sources
from codegenie_core.portfolio import PortfolioSourceError, clone_url_problem, looks_like_url


def _work_tree(path: Path) -> Path:
    (path / ".git").mkdir(parents=True)
    return path


def test_a_directory_is_one_repository_keyed_by_its_real_path(tmp_path: Path) -> None:
    repo = _work_tree(tmp_path / "repo")
    os.symlink(repo, tmp_path / "link")
    assert expand_sources([str(tmp_path / "link")], recursive=False) == [(str(repo), "path")]


def test_recursive_finds_work_trees_without_entering_them_or_following_links(
    tmp_path: Path,
) -> None:
    top = tmp_path / "top"
    a = _work_tree(top / "a")
    _work_tree(a / "vendor" / "nested")  # inside a repository: part of it
    b = _work_tree(top / "group" / "b")
    (top / "a" / ".git" / "modules" / "x" / ".git").mkdir(parents=True)  # .git internals
    os.symlink(tmp_path / "elsewhere", top / "link")
    _work_tree(tmp_path / "elsewhere" / "c")
    worktree = top / "wt"
    worktree.mkdir()
    (worktree / ".git").write_text("gitdir: /somewhere\n")  # a linked work tree's .git file
    found = expand_sources([str(top)], recursive=True)
    assert found == [(str(a), "path"), (str(worktree), "path"), (str(b), "path")]


def test_recursive_depth_is_bounded(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*[f"d{i}" for i in range(MAX_DEPTH + 1)])
    _work_tree(deep)
    with pytest.raises(PortfolioSourceError, match=r"no git work tree at or below it"):
        expand_sources([str(tmp_path)], recursive=True)
    shallow = tmp_path.joinpath(*[f"d{i}" for i in range(MAX_DEPTH)])
    _work_tree(shallow)
    assert expand_sources([str(tmp_path)], recursive=True) == [(str(shallow), "path")]


def test_a_list_file_names_paths_relative_to_itself_and_urls(tmp_path: Path) -> None:
    one, two = _work_tree(tmp_path / "one"), _work_tree(tmp_path / "sub" / "two")
    listing = tmp_path / "repos.txt"
    listing.write_text(
        "# the portfolio\n\none\n  sub/two   # trailing comment\n"
        "https://git.example.com/org/x.git\ngit@example.com:org/y.git\n"
    )
    assert expand_sources([str(listing)], recursive=False) == [
        (str(one), "path"),
        (str(two), "path"),
        ("https://git.example.com/org/x.git", "url"),
        ("git@example.com:org/y.git", "url"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("missing\n", r"repos.txt:1: 'missing' is not a directory"),
        ("\nhttps://user:pw@example.com/x\n", r"repos.txt:2: a URL may not carry a password"),
        ("ext::sh -c touch% /tmp/pwned\n", r"repos.txt:1: a git remote helper"),
        ("ftp://example.com/x\n", r"repos.txt:1: scheme 'ftp' is not cloned"),
    ],
)
def test_a_bad_list_line_is_one_error_naming_the_line(
    tmp_path: Path, content: str, message: str
) -> None:
    listing = tmp_path / "repos.txt"
    listing.write_text(content)
    with pytest.raises(PortfolioSourceError, match=message):
        expand_sources([str(listing)], recursive=False)


def test_a_list_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    listing = tmp_path / "repos.txt"
    _work_tree(tmp_path / "ok")
    listing.write_bytes(b"ok\n\xff\xfe\n")
    with pytest.raises(PortfolioSourceError, match=r"repos.txt:2: not UTF-8$"):
        expand_sources([str(listing)], recursive=False)


def test_a_missing_source_or_a_fifo_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PortfolioSourceError, match=r"nope: No such file or directory"):
        expand_sources([str(tmp_path / "nope")], recursive=False)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(PortfolioSourceError, match=r"neither a directory nor a list file"):
        expand_sources([str(fifo)], recursive=False)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/org/repo.git",
        "ssh://git@example.com:2222/org/repo.git",
        "git@example.com:org/repo.git",
        "git://example.com/repo",
        "file:///srv/git/repo.git",
    ],
)
def test_urls_git_may_clone(url: str) -> None:
    assert looks_like_url(url)
    assert clone_url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://token@example.com/x.git", "a https URL may not carry a user name"),
        ("https://u:p@example.com/x.git", "a URL may not carry a password"),
        ("ssh://u:p@example.com/x.git", "a URL may not carry a password"),
        ("http://example.com/x.git", "scheme 'http' is not cloned"),
        ("ext::ssh -o ProxyCommand=x", "a git remote helper"),
        ("--upload-pack=touch /tmp/x", "a URL may not start with '-'"),
        ("https://example.com/x\n.git", "a URL may not hold whitespace or control characters"),
    ],
)
def test_urls_refused_at_planning(url: str, problem: str) -> None:
    assert (clone_url_problem(url) or "").startswith(problem)


@given(
    scheme=st.sampled_from(["https", "ssh", "git", "file"]),
    user=st.text("abcdefghij0123456789", min_size=1, max_size=8),
    password=st.text("abcdefghij0123456789%", min_size=0, max_size=8),
)
def test_a_password_is_refused_in_every_scheme(scheme: str, user: str, password: str) -> None:
    problem = clone_url_problem(f"{scheme}://{user}:{password}@example.com/x.git")
    assert problem == "a URL may not carry a password; let git's credential helper supply it"
