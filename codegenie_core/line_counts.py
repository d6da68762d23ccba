"""Lines of code, comment lines and blank lines of one file, as cloc defines them: a pure counter
fed the file's bytes in chunks, so it shares the one read that hashes the file.

Rule 1: a line ends at "\\n" (a final line without one still counts); "\\r" is whitespace, so CRLF
counts as LF; a UTF-8 byte order mark at the start is dropped. A line is blank when it holds only
whitespace, a comment line when it holds only comment (and whitespace), and code otherwise: a
line with code and a comment is code (cloc's rule). A blank line inside a block comment is blank.
Rule 2: comments follow the file's language (`SYNTAXES`): line markers, block markers (nested
where the language nests them), and string quotes, so a marker inside a string on the same line
is not a comment; a string never spans lines (an unterminated one ends at the line's end). A
Python-like triple-quoted string counts as comment, as cloc counts docstrings. An unterminated
block comment runs to the end of the file. A language not in `SYNTAXES` gets blank and code lines
only. In the script languages cloc 1.96 treats so (`SHEBANG_IS_CODE`: shell, Python, Ruby, Perl,
PHP, make), a `#!` line that starts the file is code though `#` starts a comment; elsewhere, and
further down, it is a comment, as cloc counts it.
Rule 3: a file holding a NUL byte, or not valid UTF-8, is binary: no lines are counted
(`BINARY`). Memory is bounded by the chunk plus the longest line.
Rule 4: a chunk with no block-comment opener in it, outside a block comment, is counted with
C-level regex scans (no block can start there, so strings cannot matter: a line that starts with
a quote is code); only chunks that hold an opener walk their lines (ADR-0076).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable

import attrs

COUNTER_VERSION = 2  # bump when a counting rule changes: remembered counts are then not reused
BINARY = "binary"
# cloc 1.96 counts a leading "#!" line as code in these (checked against it: YAML, R, TOML,
# Elixir, PowerShell and the other `#` languages count it as a comment)
SHEBANG_IS_CODE = frozenset({"Shell", "Python", "Ruby", "Perl", "PHP", "Makefile"})
_BOM = b"\xef\xbb\xbf"
_UTF8 = codecs.getincrementaldecoder("utf-8")
_WHITESPACE = b" \t\r\x0b\x0c"
# A blank line, in "\n" + text: a line end, whitespace only, and the next line end not taken, so
# two blank lines in a row are two matches. A pattern that starts with a literal lets the regex
# engine skip to each "\n" at C speed, where `^` in multi-line mode tries every byte.
_BLANK = re.compile(rb"\n[ \t\r\x0b\x0c]*(?=\n)")


@attrs.frozen(kw_only=True)
class LineCounts:
    """The lines of one text file: `code + comment + blank` is every line it has."""

    code: int = 0
    comment: int = 0
    blank: int = 0

    @property
    def total(self) -> int:
        return self.code + self.comment + self.blank


@attrs.frozen(kw_only=True)
class Syntax:
    """How one language writes comments: `line` markers run to the end of the line, `blocks` are
    (open, close) pairs, nested when `nested`; a `quotes` character opens a one-line string that
    the same character closes, with backslash escapes."""

    line: tuple[bytes, ...] = ()
    blocks: tuple[tuple[bytes, bytes], ...] = ()
    nested: bool = False
    quotes: tuple[bytes, ...] = ()


_C = Syntax(line=(b"//",), blocks=((b"/*", b"*/"),), quotes=(b'"', b"'"))
_C_NESTED = attrs.evolve(_C, nested=True)
_HASH = Syntax(line=(b"#",))
_PYTHON = Syntax(line=(b"#",), blocks=((b'"""', b'"""'), (b"'''", b"'''")), quotes=(b'"', b"'"))
_MARKUP = Syntax(blocks=((b"<!--", b"-->"),))

SYNTAXES: dict[str, Syntax] = {
    **dict.fromkeys(
        ("C", "C++", "C#", "Java", "Objective-C", "Objective-C++", "Groovy", "Protocol Buffers"),
        _C,
    ),
    "JavaScript": attrs.evolve(_C, quotes=(b'"', b"'", b"`")),
    "TypeScript": attrs.evolve(_C, quotes=(b'"', b"'", b"`")),
    "Go": attrs.evolve(_C, quotes=(b'"', b"'", b"`")),
    "Rust": attrs.evolve(_C_NESTED, quotes=(b'"',)),  # `'a` is a lifetime, not a string
    **dict.fromkeys(("Kotlin", "Swift", "Scala", "Dart"), _C_NESTED),
    "PHP": attrs.evolve(_C, line=(b"//", b"#")),
    "CSS": Syntax(blocks=((b"/*", b"*/"),), quotes=(b'"', b"'")),
    **dict.fromkeys(("SCSS", "Less", "Sass"), _C),
    "Zig": Syntax(line=(b"//",), quotes=(b'"',)),
    "HCL": attrs.evolve(_C, line=(b"#", b"//"), quotes=(b'"',)),
    **dict.fromkeys(("Python", "Cython", "Starlark"), _PYTHON),
    **dict.fromkeys(
        (
            "Ruby",
            "Perl",
            "Shell",
            "R",
            "Elixir",
            "YAML",
            "TOML",
            "Makefile",
            "Dockerfile",
            "CMake",
            "GraphQL",
            "Just",
        ),
        _HASH,
    ),
    "PowerShell": Syntax(line=(b"#",), blocks=((b"<#", b"#>"),), quotes=(b'"', b"'")),
    "INI": Syntax(line=(b";", b"#")),
    "SQL": Syntax(line=(b"--",), blocks=((b"/*", b"*/"),), quotes=(b'"', b"'")),
    "Lua": Syntax(line=(b"--",), blocks=((b"--[[", b"]]"),), quotes=(b'"', b"'")),
    "Haskell": Syntax(line=(b"--",), blocks=((b"{-", b"-}"),), nested=True, quotes=(b'"',)),
    "OCaml": Syntax(blocks=((b"(*", b"*)"),), nested=True, quotes=(b'"',)),
    "F#": Syntax(line=(b"//",), blocks=((b"(*", b"*)"),), quotes=(b'"',)),
    "Erlang": Syntax(line=(b"%",), quotes=(b'"',)),
    "Clojure": Syntax(line=(b";",), quotes=(b'"',)),
    **dict.fromkeys(("HTML", "XML", "Vue", "Svelte", "Markdown"), _MARKUP),
}
"""The languages with comment rules; every other language gets blank and code lines only."""


class _Compiled:
    """A syntax's scanners: the start of a comment line (fast path), any marker, and per block
    the markers that can follow inside it."""

    def __init__(self, syntax: Syntax) -> None:
        self.syntax = syntax
        starts = sorted(
            (*syntax.line, *(o for o, _ in syntax.blocks), *syntax.quotes), key=len, reverse=True
        )
        self.token = re.compile(b"|".join(re.escape(s) for s in starts)) if starts else None
        openers = b"|".join(re.escape(o) for o, _ in syntax.blocks)
        self.opener = re.compile(openers) if openers else None
        # In "\n" + text, as `_BLANK`: one match per blank line (its group empty) and per line that
        # starts with a line-comment marker (its group the marker), in one C-level pass.
        markers = b"|".join(re.escape(m) for m in syntax.line)
        self.blank_or_comment = (
            re.compile(rb"\n[ \t\r\x0b\x0c]*(?:(?=\n)|(" + markers + rb"))")
            if syntax.line
            else None
        )
        self.inside = tuple(
            re.compile(
                re.escape(close) + (b"|" + re.escape(open_) if syntax.nested else b"")
                if open_ != close
                else re.escape(close)
            )
            for open_, close in syntax.blocks
        )
        self.quote_end = {q: re.compile(rb"\\.|" + re.escape(q), re.DOTALL) for q in syntax.quotes}


_COMPILED: dict[str, _Compiled] = {}
_PLAIN = _Compiled(Syntax())


def _compiled(language: str | None) -> _Compiled:
    syntax = None if language is None else SYNTAXES.get(language)
    if syntax is None:
        return _PLAIN
    found = _COMPILED.get(language or "")
    if found is None:
        found = _COMPILED[language or ""] = _Compiled(syntax)
    return found


class LineCounter:
    """Counts the lines of one file fed in chunks (`feed`), for `language` (Rules 1 to 4), or for
    the language `choose` names from the file's first `head_bytes` (a `#!` line), in the same read:
    `language` says which, once fed."""

    def __init__(
        self,
        language: str | None,
        *,
        choose: Callable[[bytes], str | None] | None = None,
        head_bytes: int = 256,
    ) -> None:
        self.language = language
        self._choose = choose
        self._head_bytes = head_bytes
        self._c = _compiled(language)
        self._decoder: codecs.IncrementalDecoder | None = None  # made for the first non-ASCII
        self._carry = b""
        self._started = False
        self._head = b""
        self._binary = False
        self._depth = 0  # block comments open (nested ones count each)
        self._block = 0  # which of the syntax's blocks is open, when `_depth`
        self._code = self._comment = self._blank = 0
        self._shebang = False  # the file starts with "#!" (Rule 2)

    def feed(self, chunk: bytes) -> None:
        if self._binary or not chunk:
            return
        if not self._started:  # a BOM, then "#!", may arrive split: hold the first 5 bytes
            self._head += chunk
            if len(self._head) < len(_BOM) + 2:
                return
            chunk = self._start()
        self._text(chunk)

    def _start(self) -> bytes:
        self._started = True
        chunk, self._head = self._head, b""
        if self._choose is not None:
            self.language = self._choose(chunk[: self._head_bytes])
            self._c = _compiled(self.language)
        chunk = chunk.removeprefix(_BOM)
        self._shebang = chunk.startswith(b"#!")
        return chunk

    def _text(self, chunk: bytes) -> None:
        if b"\0" in chunk:
            self._binary = True
            return
        if not chunk.isascii() or (self._decoder is not None and self._decoder.getstate()[0]):
            if self._decoder is None:
                self._decoder = _UTF8()
            try:
                self._decoder.decode(chunk)
            except UnicodeDecodeError:
                self._binary = True
                return
        cut = chunk.rfind(b"\n")
        if cut < 0:
            self._carry += chunk
            return
        self._lines(self._carry + chunk[: cut + 1])
        self._carry = chunk[cut + 1 :]

    def result(self) -> LineCounts | str:
        """The counts of every byte fed, or `BINARY`."""
        if not self._started and self._head and not self._binary:
            self._text(self._start())
        if not self._binary and self._decoder is not None:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self._binary = True
        if self._binary:
            return BINARY
        if self._carry:  # a last line without "\n"
            self._line(self._carry.strip(_WHITESPACE))
            self._carry = b""
        counts = LineCounts(code=self._code, comment=self._comment, blank=self._blank)
        return _shebang_as_code(counts, self.language) if self._shebang else counts

    def _lines(self, text: bytes) -> None:
        """Count `text`, whole lines each ending in "\\n"."""
        c = self._c
        if self._depth == 0 and (c.opener is None or c.opener.search(text) is None):  # Rule 4
            lines = text.count(b"\n")
            text = b"\n" + text
            if c.blank_or_comment is None:
                blank, comment = len(_BLANK.findall(text)), 0
            else:
                found: list[bytes] = c.blank_or_comment.findall(text)
                blank = found.count(b"")
                comment = len(found) - blank
            self._blank += blank
            self._comment += comment
            self._code += lines - blank - comment
            return
        for line in text.split(b"\n")[:-1]:
            self._line(line.strip(_WHITESPACE))

    def _line(self, line: bytes) -> None:
        if not line:
            self._blank += 1
            return
        c = self._c
        syntax = c.syntax
        code = comment = False
        at, end = 0, len(line)
        while at < end:
            if self._depth:
                comment = True
                close = syntax.blocks[self._block][1]
                found = c.inside[self._block].search(line, at)
                if found is None:
                    break
                at = found.end()
                if found.group() == close:
                    self._depth -= 1
                else:
                    self._depth += 1
                continue
            found = None if c.token is None else c.token.search(line, at)
            if found is None:
                code = code or bool(line[at:].strip(_WHITESPACE))
                break
            code = code or bool(line[at : found.start()].strip(_WHITESPACE))
            marker = found.group()
            at = found.end()
            if marker in syntax.line:
                comment = True
                break
            if marker in syntax.quotes:
                code = True
                at = self._string_end(line, at, marker)
                continue
            self._depth = 1
            self._block = next(i for i, (o, _) in enumerate(syntax.blocks) if o == marker)
            comment = True
        if code:
            self._code += 1
        elif comment:
            self._comment += 1
        else:
            self._code += 1

    def _string_end(self, line: bytes, at: int, quote: bytes) -> int:
        """Where the string opened before `at` ends on `line` (its end when unterminated)."""
        pattern = self._c.quote_end[quote]
        while (found := pattern.search(line, at)) is not None:
            at = found.end()
            if found.group() == quote:
                return at
        return len(line)


def count_lines(chunks: Iterable[bytes], language: str | None) -> LineCounts | str:
    """The counts of the bytes `chunks` yields, for `language`, or `BINARY` (Rules 1 to 4)."""
    counter = LineCounter(language)
    for chunk in chunks:
        counter.feed(chunk)
    return counter.result()


def count_text(data: bytes, language: str | None) -> LineCounts | str:
    """`count_lines` of one buffer in fewer steps: a file read whole counts in one call (Rule 4)."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    if b"\0" in data:
        return BINARY
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return BINARY
    c = _compiled(language)
    if not data or (c.opener is not None and c.opener.search(data) is not None):
        return count_lines((data,), language)
    text = b"\n" + data if data.endswith(b"\n") else b"\n" + data + b"\n"
    lines = text.count(b"\n") - 1
    if c.blank_or_comment is None:
        blank, comment = len(_BLANK.findall(text)), 0
    else:
        found: list[bytes] = c.blank_or_comment.findall(text)
        blank = found.count(b"")
        comment = len(found) - blank
    counts = LineCounts(code=lines - blank - comment, comment=comment, blank=blank)
    return _shebang_as_code(counts, language) if data.startswith(b"#!") else counts


def _shebang_as_code(counts: LineCounts, language: str | None) -> LineCounts:
    """`counts` of a file that starts with "#!", its first line code in `SHEBANG_IS_CODE` (Rule
    2): `#` starts a comment there, so that line, the first, outside any block, was one."""
    if language not in SHEBANG_IS_CODE or counts.comment == 0:
        return counts
    return attrs.evolve(counts, code=counts.code + 1, comment=counts.comment - 1)
