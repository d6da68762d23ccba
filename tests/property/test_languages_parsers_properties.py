"""The `#!` and `.gitattributes` parsers are total, give back the lines they are built from, and
match as pathspec's gitwildmatch does (git's own answers are in tests/unit)."""

from __future__ import annotations

import re
import warnings

from hypothesis import assume, given
from hypothesis import strategies as st
from pathspec.patterns.gitwildmatch import GitWildMatchPattern

from codegenie_core.parsers.gitattributes import (
    AttributeFile,
    Attributes,
    State,
    parse_gitattributes,
    pattern_regex,
)
from codegenie_core.parsers.shebang import interpreter_of, language_of_head
from tests.strategies import (
    attribute_paths,
    attribute_patterns,
    attribute_states,
    linguist_names,
    shebang_lines,
)

WANTED = frozenset(
    {"linguist-vendored", "linguist-generated", "linguist-documentation", "linguist-language"}
)


@given(st.binary(max_size=300))
def test_any_head_gives_an_answer_and_never_raises(head: bytes) -> None:
    interpreter = interpreter_of(head)
    assert interpreter is None or head.startswith(b"#!")
    language_of_head(head)


@given(shebang_lines())
def test_a_known_shebang_line_gives_back_its_interpreter(case: tuple[bytes, str]) -> None:
    line, name = case
    assert interpreter_of(line) == name


@given(st.text(max_size=300))
def test_any_gitattributes_text_gives_lines_and_problems_and_never_raises(text: str) -> None:
    lines, _ = parse_gitattributes(text, wanted=WANTED)
    Attributes([AttributeFile(base="", lines=lines)]).of("a/b.py")


def render(pattern: str, states: list[tuple[str, State]]) -> str:
    quoted = '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'
    words = [
        name if state is True else "-" + name if state is False else "!" + name
        if state is None else f"{name}={state}"
        for name, state in states
    ]  # fmt: skip
    return " ".join([quoted if " " in pattern else pattern, *words])


@given(
    st.text(alphabet='ab. *"\\', min_size=1, max_size=8).filter(
        lambda p: not p.startswith(("!", "#", "[attr]", " ")) and not p.endswith(("/", " "))
    ),
    st.lists(st.tuples(linguist_names, attribute_states), min_size=1, max_size=4),
)
def test_a_known_line_round_trips(pattern: str, states: list[tuple[str, State]]) -> None:
    if pattern.startswith('"') and " " not in pattern:
        return  # a bare pattern opening with a quote would be read as quoted, as git does
    if isinstance(pattern_regex(pattern), str):
        return  # refused (too many wildcards): a problem, tested in tests/unit
    lines, problems = parse_gitattributes(render(pattern, states) + "\n", wanted=WANTED)
    assert problems == ()
    assert [(line.pattern, line.states) for line in lines] == [(pattern, tuple(states))]


def _pathspec_matches(pattern: str, path: str) -> bool:
    """pathspec's gitwildmatch, without the gitignore rule that a pattern matching a directory
    matches everything inside it (gitattributes(5) drops that rule)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        regex, _ = GitWildMatchPattern.pattern_to_regex(pattern)
    assert regex is not None
    suffix = "(?:(?P<ps_d>/)|$)"
    if regex.endswith(suffix):
        regex = regex[: -len(suffix)] + r"\Z"
    return re.match(regex, path) is not None


@given(attribute_patterns, attribute_paths)
def test_a_pattern_matches_the_paths_pathspecs_gitwildmatch_matches(
    pattern: str, path: str
) -> None:
    # pathspec turns `**/*/**` (and `**/**/*/**`...) into the regex "/", matching nothing here,
    # where git matches every path below a directory (`git check-attr` agrees with us; pinned in
    # tests/integration/test_gitattributes_git.py): the oracle is wrong for that one shape.
    assume(_PATHSPEC_COLLAPSES.fullmatch(pattern) is None)
    ours = pattern_regex(pattern)
    if isinstance(ours, str):
        return  # refused (too many wildcards)
    assert ours is not None
    assert (ours.match(path) is not None) == _pathspec_matches(pattern, path)


_PATHSPEC_COLLAPSES = re.compile(r"/?(?:\*\*/)+\*(?:/\*\*)+")
