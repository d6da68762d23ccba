"""`.gitattributes` lines and git's precedence, held to `git check-attr` itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegenie_core.parsers.gitattributes import (
    AttributeFile,
    AttributeProblem,
    Attributes,
    parse_gitattributes,
    pattern_regex,
)
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import git, init_repo, isolate_git_config, write

WANTED = frozenset(
    {"linguist-vendored", "linguist-generated", "linguist-documentation", "linguist-language"}
)
ROOT = """\
*.js linguist-vendored
docs/** linguist-documentation
/top.py linguist-generated
a/**/z.c linguist-language=Java
**/gen/* linguist-generated
lib/ linguist-vendored
[ab]?.rb linguist-vendored
[!x]*.go -linguist-vendored
*.min.* linguist-generated
sub/*.py linguist-language=Ruby
"quoted name.txt" linguist-documentation
esc\\*aped linguist-vendored
"""
SUB = """\
*.js -linguist-vendored
deep/* linguist-documentation
/x.py !linguist-language
"""
PATHS = [
    "a.js", "sub/a.js", "sub/deep/a.js", "docs/x/y.md", "sub/docs/x", "top.py", "sub/top.py",
    "a/z.c", "a/b/c/z.c", "x/a/z.c", "gen/x", "q/gen/y", "q/gen/y/z", "lib/x", "lib", "ab.rb",
    "cd.rb", "b1.rb", "a.go", "x.go", "q/a.min.js", "sub/x.py", "sub/y.py", "sub/deep/q",
    "quoted name.txt", "esc*aped", "escXaped",
]  # fmt: skip


def ours() -> Attributes:
    root, root_problems = parse_gitattributes(ROOT, wanted=WANTED)
    sub, sub_problems = parse_gitattributes(SUB, wanted=WANTED)
    assert root_problems == sub_problems == ()
    return Attributes([AttributeFile(base="sub", lines=sub), AttributeFile(base="", lines=root)])


def git_says(root: Path, path: str) -> dict[str, bool | str]:
    out = git(root, "check-attr", *sorted(WANTED), "--", path)
    found: dict[str, bool | str] = {}
    for line in out.splitlines():
        _, name, value = line.rsplit(": ", 2)
        if value != "unspecified":
            found[name] = True if value == "set" else False if value == "unset" else value
    return found


@requires_tool("git")
def test_the_attributes_of_each_path_are_the_ones_git_check_attr_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    root = init_repo(tmp_path / "repo")
    write(root, ".gitattributes", ROOT.encode())
    write(root, "sub/.gitattributes", SUB.encode())
    attributes = ours()
    expected = {path: git_says(root, path) for path in PATHS}
    assert {path: dict(attributes.of(path)) for path in PATHS} == expected
    assert sum(bool(found) for found in expected.values()) > 15  # the table exercises something


def test_set_unset_unspecified_and_values_are_read_and_other_attributes_skipped() -> None:
    lines, problems = parse_gitattributes(
        "a linguist-vendored -linguist-generated !linguist-documentation linguist-language=Go\n"
        "b text eol=lf\n"
        "  # a comment\n\n[attr]mine linguist-vendored\n",
        wanted=WANTED,
    )
    assert problems == ()
    assert [(line.line, line.pattern, line.states) for line in lines] == [
        (
            1,
            "a",
            (
                ("linguist-vendored", True),
                ("linguist-generated", False),
                ("linguist-documentation", None),
                ("linguist-language", "Go"),
            ),
        )
    ]


def test_a_later_line_overrides_an_earlier_one_per_attribute() -> None:
    lines, _ = parse_gitattributes(
        "*.py linguist-vendored linguist-language=Ruby\ngen/*.py -linguist-vendored\n",
        wanted=WANTED,
    )
    attributes = Attributes([AttributeFile(base="", lines=lines)])
    assert dict(attributes.of("gen/a.py")) == {
        "linguist-vendored": False,
        "linguist-language": "Ruby",
    }


def test_refused_lines_are_problems_with_their_numbers() -> None:
    _, problems = parse_gitattributes(
        "!neg linguist-vendored\n[z-a] linguist-vendored\n[[:alpha:]] linguist-vendored\n"
        + "*a*b*c linguist-vendored\n"
        + "x" * 300
        + " linguist-vendored\n!neg text\n",
        wanted=WANTED,
    )
    assert problems == (
        AttributeProblem(line=1, message="negative patterns are ignored"),
        AttributeProblem(line=2, message="invalid character class (bad character range z-a)"),
        AttributeProblem(line=3, message="character classes such as [:alpha:] are not supported"),
        AttributeProblem(line=4, message="pattern has too many wildcards"),
        AttributeProblem(line=5, message="pattern longer than 256 characters"),
    )


def test_a_directory_pattern_matches_no_file() -> None:
    assert pattern_regex("lib/") is None
