"""`.gitattributes`: text in, attribute lines out, and the attributes git gives one path.

The grammar and the rules are gitattributes(5)'s (git-scm.com/docs/gitattributes):

    line      = *WSP ( comment / macro / pattern *( 1*WSP attribute ) ) *WSP
    comment   = "#" *CHAR                      ; and blank lines: ignored
    macro     = "[attr]" name *( 1*WSP attribute )   ; defines a macro: not an assignment
    pattern   = quoted / 1*( any char but WSP )     ; quoted: C-style, as git's quote.c
    attribute = name                ; set
              / "-" name            ; unset
              / "!" name            ; unspecified: as if no line had mentioned it
              / name "=" value      ; set to a value

"The rules by which the pattern matches paths are the same as in .gitignore files, with a few
exceptions: negative patterns are forbidden; patterns that match a directory do not recursively
match paths inside that directory (so using the trailing-slash path/ syntax is pointless in an
attributes file; use path/** instead)". A pattern holding no "/" but a trailing one matches a
name at any depth below the file's directory; any other pattern is anchored to that directory.
"When more than one pattern matches the path, a later line overrides an earlier line. This
overriding is done per attribute", and a file in a deeper directory overrides one above it.

Rule 1: pure and total: any text gives lines and problems, never an exception; only the attributes
asked for are kept, so a file of `text eol=lf` lines costs nothing to match.
Rule 2: hostile patterns are bounded (see ADR-0039): a pattern longer than `MAX_PATTERN_CHARS`,
with more than two `*` in one segment or more than two `**` segments is refused as a problem, so
one match costs at most quadratic work in a 255-byte file name.
Rule 3: patterns are translated to regexes here (the core depends on nothing but attrs); the tests
hold the translation to git itself (`git check-attr`) and to pathspec's gitwildmatch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import attrs

MAX_PATTERN_CHARS = 256

# The attribute's state: True set, False unset, a str its value. "Unspecified" is None.
State = bool | str | None


@attrs.frozen(kw_only=True)
class AttributeLine:
    """One line assigning some of the asked-for attributes to the paths its pattern matches."""

    line: int  # 1-based
    pattern: str  # unquoted
    states: tuple[tuple[str, State], ...]
    regex: re.Pattern[str] = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class AttributeProblem:
    """A line that could not be used, with its 1-based number."""

    line: int
    message: str


@attrs.frozen(kw_only=True)
class AttributeFile:
    """The lines of the `.gitattributes` in directory `base` ("" is the root)."""

    base: str
    lines: tuple[AttributeLine, ...]


# quoted = DQUOTE *( any char but DQUOTE or "\" / escape ) DQUOTE   ; C-style (git's quote.c)
# escape = "\" ( 3OCTDIGIT / CHAR )          ; octal escapes are bytes of a UTF-8 name
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\([0-7]{3}|.)", re.DOTALL)
_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
# name = 1*( ALPHA / DIGIT / "-" / "." / "_" ), not starting with "-" (attr.c's attr_name_valid)
_NAME = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.-]*\Z")


def parse_gitattributes(
    text: str, *, wanted: frozenset[str]
) -> tuple[tuple[AttributeLine, ...], tuple[AttributeProblem, ...]]:
    """The lines of `text` that assign one of the `wanted` attributes, and the lines refused."""
    lines: list[AttributeLine] = []
    problems: list[AttributeProblem] = []
    for number, raw in enumerate(text.split("\n"), start=1):  # git splits on LF alone
        stripped = raw.strip(" \t\r")
        if not stripped or stripped.startswith(("#", "[attr]")):
            continue
        pattern, rest = _split_pattern(stripped)
        states = tuple(s for s in _states(rest.split()) if s[0] in wanted)
        if not states:
            continue
        if pattern.startswith("!"):
            problems.append(AttributeProblem(line=number, message="negative patterns are ignored"))
            continue
        regex = pattern_regex(pattern)
        if isinstance(regex, str):
            problems.append(AttributeProblem(line=number, message=regex))
        elif regex is not None:
            lines.append(AttributeLine(line=number, pattern=pattern, states=states, regex=regex))
    return tuple(lines), tuple(problems)


def _split_pattern(line: str) -> tuple[str, str]:
    quoted = _QUOTED.match(line) if line.startswith('"') else None
    if quoted is not None:
        return _unquote(quoted[1]), line[quoted.end() :]
    pattern, _, rest = line.replace("\t", " ").partition(" ")
    return pattern, rest


def _unquote(body: str) -> str:
    out = bytearray()
    position = 0
    for escape in _ESCAPE.finditer(body):
        out += body[position : escape.start()].encode("utf-8", "surrogateescape")
        code = escape[1]
        if len(code) == 3:
            out.append(int(code, 8))
        else:
            out += bytes([_ESCAPES[code]]) if code in _ESCAPES else code.encode("utf-8", "replace")
        position = escape.end()
    out += body[position:].encode("utf-8", "surrogateescape")
    return out.decode("utf-8", "surrogateescape")


def _states(words: Iterable[str]) -> Iterable[tuple[str, State]]:
    for word in words:
        name, equals, value = word.partition("=")
        state: State = value if equals else True
        if not equals and name[:1] in ("-", "!"):
            state = False if name[0] == "-" else None
            name = name[1:]
        if _NAME.match(name):
            yield name, state


def pattern_regex(pattern: str) -> re.Pattern[str] | str | None:
    """The regex over paths relative to the file's directory that `pattern` matches as git does;
    None when it can match no file (a directory pattern); a str saying why it is refused."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"pattern longer than {MAX_PATTERN_CHARS} characters"
    if pattern.endswith("/"):
        return None  # it matches directories only, and attributes never recurse into them
    anchored = "/" in pattern
    segments = pattern.removeprefix("/").split("/")
    if "[:" in pattern:
        return "character classes such as [:alpha:] are not supported"
    if sum(s == "**" for s in segments) > 2 or any(
        s != "**" and _translate(s).count("[^/]*") > 2 for s in segments
    ):
        return "pattern has too many wildcards"
    parts: list[str] = [] if anchored else ["(?:.*/)?"]
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            parts.append(".*" if last else "(?:.*/)?")
            continue
        parts.append(_translate(segment))
        if not last:
            parts.append("/")
    try:
        return re.compile("".join(parts) + r"\Z", re.DOTALL)
    except re.error as error:  # a reversed range such as [z-a]
        return f"invalid character class ({error.msg})"


def _translate(segment: str) -> str:
    """wildmatch within one segment: "*" (and a "**" inside a segment) any run of characters but
    "/", "?" one, "[...]" a class ("!" or "^" negates; never "/"), "\\" quotes the next one."""
    out: list[str] = []
    i = 0
    while i < len(segment):
        char = segment[i]
        if char == "*":
            while i + 1 < len(segment) and segment[i + 1] == "*":
                i += 1
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\" and i + 1 < len(segment):
            i += 1
            out.append(re.escape(segment[i]))
        elif char == "[" and (end := _class_end(segment, i)) != -1:
            negate = segment[i + 1] in "!^"
            members = segment[i + 1 + negate : end]
            body = "".join("-" if c == "-" else re.escape(c) for c in members if c != "/")
            out.append(("[^/" if negate else "[") + body + "]" if body else "(?!)")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _class_end(segment: str, start: int) -> int:
    """The index of the "]" closing the class opened at `start`, or -1: a "]" first in the class
    is a member, as in git's wildmatch."""
    first = start + 1 + (segment[start + 1 : start + 2] in ("!", "^"))
    return segment.find("]", first + 1) if first < len(segment) else -1


class Attributes:
    """The attributes of paths given the `.gitattributes` files of a tree (git's precedence)."""

    def __init__(self, files: Sequence[AttributeFile]) -> None:
        # Shallow files first, so a deeper file's lines come later and override (per attribute).
        self._files = sorted(files, key=lambda f: (f.base.count("/") + bool(f.base), f.base))
        self._by_dir: dict[str, tuple[AttributeFile, ...]] = {}

    def of(self, path: str) -> Mapping[str, bool | str]:
        """The asked-for attributes `path` has (set, unset or a value; unspecified ones absent)."""
        found: dict[str, State] = {}
        for file in self._applying(path.rpartition("/")[0]):
            inner = path[len(file.base) + 1 :] if file.base else path
            for line in file.lines:
                if line.regex.match(inner):
                    found.update(line.states)
        return {name: state for name, state in found.items() if state is not None}

    def _applying(self, directory: str) -> tuple[AttributeFile, ...]:
        known = self._by_dir.get(directory)
        if known is None:
            known = tuple(
                f
                for f in self._files
                if not f.base or directory == f.base or directory.startswith(f.base + "/")
            )
            self._by_dir[directory] = known
        return known
