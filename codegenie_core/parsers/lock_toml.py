"""TOML lockfiles read fast: `rtoml` (Rust) where it must agree with `tomllib`, else `tomllib`.

Rule 1: `load_lock_toml(text)` returns exactly what `load_toml(text)` (stdlib `tomllib`, TOML 1.0)
returns: the same Python values, or a problem. `rtoml` parses TOML 1.1, a superset of 1.0, so it is
given only text that a linear pre-scan (`rtoml_agrees`) finds free of every 1.1 addition; any
other text, any exception `rtoml` raises, and a missing `rtoml` go to `tomllib`, whose problems
carry the coordinates (see ADR-0048).
Rule 2: the pre-scan may refuse valid TOML 1.0 (it then only costs speed), never accept 1.1. It
removes strings and comments (the only places `"`, `'` and `#` are not delimiters), then refuses:
- `\\e` and `\\x` as escapes, anywhere (1.1's new escapes; refused even in literal strings);
- `:` outside strings, which only a time has (`partial-time = hour ":" minute [":" second]`):
  1.1 makes seconds optional, and `rtoml` gives offsets its own `tzinfo` class where `tomllib`
  gives `datetime.timezone`;
- `,` then only whitespace before `}` (1.1's trailing comma in an inline table);
- brackets left after `_MAX_DEPTH` rounds of deleting innermost one-line inline tables and
  innermost arrays: a newline directly inside an inline table (1.1), unbalanced brackets, or
  nesting deeper than the cap (`rtoml` has its own recursion limit; this one does not rely on
  how it was built).
Lockfiles use none of these, so they are read by `rtoml`; Cargo.toml and pyproject.toml keep
`load_toml`, whose problems' coordinates matter more than speed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

from codegenie_core.parsers.manifest_model import ManifestProblem, load_toml

__all__ = ["load_lock_toml", "rtoml_agrees"]

# TOML 1.1 basic-string escapes TOML 1.0 does not have: escape = "\" ( ... / "e" / "x" 2HEXDIG )
_ESCAPE_1_1 = re.compile(r"\\[ex]")
# TOML's strings and comments, leftmost first, once `\\` and `\"` are gone (see `rtoml_agrees`):
#   ml-basic-string   = `"""` ml-basic-body `"""`, the body ending in up to two `"`
#   ml-literal-string = `'''` ml-literal-body `'''`, the body ending in up to two `'`
#   basic-string      = `"` *basic-char `"`, on one line
#   literal-string    = `'` *literal-char `'`, on one line
#   comment           = "#" *non-eol
# An unterminated string runs to the end of its line (or of the text): such text is not TOML, so
# rtoml rejects it whatever the scan says, and no string start is scanned twice. Every repeat is
# of one character class (no repeated groups), which keeps the scan linear.
_STRINGS_AND_COMMENTS = re.compile(
    r'"""[\s\S]*?(?:"{3,5}|\Z)'
    r"|'''[\s\S]*?(?:'{3,5}|\Z)"
    r'|"[^"\n]*"?'
    r"|'[^'\n]*'?"
    r"|#[^\n]*"
)
_TRAILING_COMMA = re.compile(r",\s*\}")
# an innermost inline table on one line (TOML 1.0: no newline between its braces, except inside
# a value: such values were deleted first), and an innermost array (arrays may span lines)
_INLINE_TABLE = re.compile(r"\{[^{}\[\]\n]*\}")
_ARRAY = re.compile(r"\[[^{}\[\]]*\]")
_BRACKETS = re.compile(r"[{}\[\]]")
# rounds of deletion: the nesting depth accepted (lockfiles nest three or four deep)
_MAX_DEPTH = 32


def rtoml_agrees(text: str) -> bool:
    """Rule 2: True when `text` uses nothing of TOML 1.1 that 1.0 lacks (conservatively)."""
    # A backslash run lies inside one string or comment (in TOML nothing else may hold one), so
    # pairing it from the left as TOML's escapes do, and overwriting `\\` and `\"` with two
    # plain characters, leaves every string's extent as it was with no quote left escaped.
    plain = text.replace("\\\\", "__").replace('\\"', "__")
    if _ESCAPE_1_1.search(plain):
        return False
    bare = _STRINGS_AND_COMMENTS.sub("", plain)
    if ":" in bare or _TRAILING_COMMA.search(bare):
        return False
    for _round in range(_MAX_DEPTH):
        bare, tables = _INLINE_TABLE.subn("", bare)
        bare, arrays = _ARRAY.subn("", bare)
        if not tables and not arrays:
            break
    return _BRACKETS.search(bare) is None


def _rtoml_loads() -> Callable[[str], dict[str, object]] | None:
    """`rtoml.loads`, or None on a platform without its wheel (then `tomllib` reads everything)."""
    try:
        import rtoml
    except ImportError:
        return None
    return cast("Callable[[str], dict[str, object]]", rtoml.loads)


def load_lock_toml(text: str) -> dict[str, object] | ManifestProblem:
    """Rule 1: a TOML lockfile's document, as `load_toml` gives it, mostly read by `rtoml`."""
    loads = _rtoml_loads()
    if loads is not None and rtoml_agrees(text):
        try:
            return loads(text)
        except (KeyboardInterrupt, SystemExit):
            raise
        # Anything else `rtoml` raises (its parse errors, UnicodeEncodeError for a lone surrogate,
        # a pyo3 PanicException, which is a BaseException) means: let tomllib decide and say where.
        except BaseException:
            pass
    return load_toml(text)
