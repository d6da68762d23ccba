"""Dockerfile words: the shell-like word splitting, quoting and `$VAR` expansion of instructions.

Rule 1: pure and total: any text gives words; a variable that cannot be resolved expands to the
empty string, as docker does, and is returned by name so callers can say so; a `${...}` form this
lexer does not evaluate (such as `${A#prefix}`) is kept as written and returned too.
Rule 2: expansion follows the Dockerfile reference: `$name`, `${name}`, `${name:-word}`,
`${name-word}`, `${name:+word}`, `${name+word}`; single quotes are literal; inside double quotes
the escape character escapes only `"`, `$` and itself; outside quotes it escapes any character.
Rule 3: expansion is linear in the text plus what it substitutes, and `expand_bounded` caps what it
substitutes (`ARG B=$A$A`, `ARG C=$B$B`, ... doubles each step): past the limit a value is cut,
and the result says so, so no text can make expansion cost more than its length plus the limit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs

# `${A:-${B:-...}}` nested deeper than this is kept as written (unsupported): no text can
# exhaust the stack.
MAX_NESTING = 16

# name = ( ALPHA / "_" ) *( ALPHA / DIGIT / "_" )
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# braced = "${" name [ ( ":-" / "-" / ":+" / "+" ) word ] "}"
_BRACED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-|:\+|\+)(.*))?\Z", re.DOTALL)


@attrs.frozen(kw_only=True)
class Words:
    """Words of one instruction's arguments, with the variables that expanded to nothing."""

    words: tuple[str, ...]
    unresolved: tuple[str, ...] = ()  # variable names that were unset, in order of use
    unsupported: tuple[str, ...] = ()  # `${...}` forms not evaluated (e.g. `${A#x}`), as written


@attrs.frozen(kw_only=True)
class Expansion:
    """One word expanded under a substitution limit, and which variables it looked up."""

    text: str
    unresolved: tuple[str, ...] = ()
    unsupported: tuple[str, ...] = ()
    referenced: tuple[str, ...] = ()  # every name looked up, set or not, in order of use
    over_limit: bool = False  # more than `limit` characters would have been substituted


def split_words(text: str, *, escape: str = "\\", env: Mapping[str, str] | None = None) -> Words:
    """Split `text` into words; expand `$` references from `env` unless `env` is None."""
    lexer = _Lexer(text, escape, env)
    return lexer.result(lexer.words())


def split_raw(text: str, *, escape: str = "\\") -> tuple[str, ...]:
    """Split on blanks outside quotes, keeping quotes and escapes: docker's `parseWords`, whose
    words are expanded later (as `ARG NAME="$OTHER"` needs: the value is expanded, quotes and all).
    """
    words: list[str] = []
    current: list[str] = []
    quote: str | None = None
    i = 0
    while i < len(text):
        char = text[i]
        if quote is None and char in " \t":
            if current:
                words.append("".join(current))
                current = []
            i += 1
            continue
        if char == escape and quote != "'" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if char in "'\"":
            quote = None if quote == char else (char if quote is None else quote)
        current.append(char)
        i += 1
    if current:
        words.append("".join(current))
    return tuple(words)


def expand(text: str, *, escape: str = "\\", env: Mapping[str, str]) -> Words:
    """Expand `$` references in `text` as one word (blanks kept), for FROM and ARG values."""
    lexer = _Lexer(text, escape, env, keep_blanks=True)
    return lexer.result(lexer.words())


def expand_bounded(
    text: str, *, escape: str = "\\", env: Mapping[str, str], limit: int
) -> Expansion:
    """`expand` of `text` as one string, substituting at most `limit` characters in all (Rule 3)."""
    lexer = _Lexer(text, escape, env, keep_blanks=True, budget=_Budget(limit))
    joined = "".join(lexer.words())
    assert lexer.budget is not None
    return Expansion(
        text=joined,
        unresolved=tuple(lexer.unresolved),
        unsupported=tuple(lexer.unsupported),
        referenced=tuple(lexer.budget.referenced),
        over_limit=lexer.budget.over_limit,
    )


class _Budget:
    """What a bounded expansion may still substitute, shared by nested `${A:-...}` words."""

    def __init__(self, limit: int) -> None:
        self.remaining = limit
        self.over_limit = False
        self.referenced: list[str] = []

    def take(self, value: str) -> str:
        if len(value) <= self.remaining:
            self.remaining -= len(value)
            return value
        self.over_limit = True
        kept = value[: self.remaining]
        self.remaining = 0
        return kept


class _Lexer:
    def __init__(
        self,
        text: str,
        escape: str,
        env: Mapping[str, str] | None,
        *,
        keep_blanks: bool = False,
        depth: int = 0,
        budget: _Budget | None = None,
    ) -> None:
        self.depth = depth
        self.budget = budget
        self.text = text
        self.escape = escape
        self.env = env
        self.keep_blanks = keep_blanks
        self.unresolved: list[str] = []
        self.unsupported: list[str] = []

    def result(self, words: list[str]) -> Words:
        return Words(
            words=tuple(words),
            unresolved=tuple(self.unresolved),
            unsupported=tuple(self.unsupported),
        )

    def words(self) -> list[str]:
        text, n = self.text, len(self.text)
        words: list[str] = []
        current: list[str] = []
        in_word = False
        i = 0
        while i < n:
            char = text[i]
            if char in " \t" and not self.keep_blanks:
                if in_word:
                    words.append("".join(current))
                    current, in_word = [], False
                i += 1
                continue
            in_word = True
            if char == self.escape:
                current.append(text[i + 1] if i + 1 < n else char)
                i += 2
            elif char == "'":
                end = text.find("'", i + 1)
                end = n if end == -1 else end
                current.append(text[i + 1 : end])
                i = end + 1
            elif char == '"':
                i = self._double_quoted(i + 1, current)
            elif char == "$" and self.env is not None:
                i = self._dollar(i, current)
            else:
                current.append(char)
                i += 1
        if in_word:
            words.append("".join(current))
        return words

    def _double_quoted(self, i: int, current: list[str]) -> int:
        text, n = self.text, len(self.text)
        while i < n and text[i] != '"':
            char = text[i]
            if char == self.escape and i + 1 < n and text[i + 1] in ('"', "$", self.escape):
                current.append(text[i + 1])
                i += 2
            elif char == "$" and self.env is not None:
                i = self._dollar(i, current)
            else:
                current.append(char)
                i += 1
        return i + 1  # past the closing quote (or the end of an unterminated string)

    def _dollar(self, i: int, current: list[str]) -> int:
        """Expand the reference starting at `text[i] == "$"`; return the index after it."""
        assert self.env is not None
        text = self.text
        if text.startswith("${", i):
            end = closing_brace(text, i + 2)
            if end == -1:
                current.append(text[i:])
                return len(text)
            match = _BRACED.match(text[i + 2 : end])
            if match is None or self.depth >= MAX_NESTING:
                current.append(text[i : end + 1])  # an operator docker knows and we do not
                self.unsupported.append(text[i : end + 1])
                return end + 1
            name, operator, word = match.group(1), match.group(2), match.group(3) or ""
            current.append(self._apply(name, operator, word))
            return end + 1
        match = _NAME.match(text, i + 1)
        if match is None:
            current.append("$")
            return i + 1
        current.append(self._lookup(match.group(0)))
        return match.end()

    def _apply(self, name: str, operator: str | None, word: str) -> str:
        assert self.env is not None
        if operator is None:
            return self._lookup(name)
        value = self.env.get(name)
        self._refer(name)
        match operator:
            case ":-":
                return self._substitute(value) if value else self._nested(word)
            case "-":
                return self._substitute(value) if value is not None else self._nested(word)
            case ":+":
                return self._nested(word) if value else ""
            case _:  # "+"
                return self._nested(word) if value is not None else ""

    def _lookup(self, name: str) -> str:
        assert self.env is not None
        value = self.env.get(name)
        self._refer(name)
        if value is None:
            self.unresolved.append(name)
            return ""
        return self._substitute(value)

    def _refer(self, name: str) -> None:
        if self.budget is not None:
            self.budget.referenced.append(name)

    def _substitute(self, value: str) -> str:
        return value if self.budget is None else self.budget.take(value)

    def _nested(self, word: str) -> str:
        assert self.env is not None
        inner = _Lexer(
            word, self.escape, self.env, keep_blanks=True, depth=self.depth + 1, budget=self.budget
        )
        expanded = "".join(inner.words())
        self.unresolved.extend(inner.unresolved)
        self.unsupported.extend(inner.unsupported)
        return expanded


def closing_brace(text: str, start: int) -> int:
    """Index of the `}` closing a `${` whose body starts at `start`, counting nested `${`
    (shared with compose interpolation, `parsers.compose_values`)."""
    depth = 0
    i = start
    while i < len(text):
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1
