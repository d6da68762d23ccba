"""Redaction: what codegenie shows of a remote URL or a command line, with the secrets taken out.

Rule 1: a git remote keeps its scheme, host, port and path only. User-info (a user name too: an
https "user" is often a token, and the rule is simplest without exceptions), the query and the
fragment are dropped, in every form git accepts: `scheme://`, scp-like `[user@]host:path`, local
paths, and `<transport>::<address>` (the address redacted the same way; an `ext::` command keeps
its program name only). A URL's or scp-like path's `?` or `#` and all after it are dropped; a
local path is a file name and is kept whole (see ADR-0024).
Rule 2: a logged command line never shows an environment or build-arg value (`--env=NAME=***`,
`-e NAME=***`), nor a URL's credentials, and a program's own arguments (a scenario's argv) beyond
their first word only as a count, unless the caller opts in (the CLI's `--trace-argv`).
Rule 3: both are pure and idempotent: redacting a redacted value changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MASK = "***"

# git's transport form (transport.c):  url = transport "::" address
#                                      transport = ALNUM *( ALNUM / "+" / "-" / "." )
_TRANSPORT = re.compile(r"(?P<transport>[A-Za-z0-9][A-Za-z0-9+.-]*)::")
# RFC 3986:  URI = scheme ":" "//" authority path-abempty [ "?" query ] [ "#" fragment ]
#            scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
_SCHEME = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)", re.S)
# A URL inside a longer word (an argv word such as `--url=https://u:p@h/x?t=1`): it runs to the
# next whitespace or quote.
_URL_IN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]*")
# An ext:: command's program name: the only part of the command shown.
_PROGRAM = re.compile(r"[A-Za-z0-9._/+-]+")
_ELIDED = " ..."
_QUERY = re.compile(r"[?#]")
_PATH_END = re.compile(r"[/?#]")
_BRACKETED = re.compile(r"\[[^\]]*\]")


def _cut_query(text: str) -> str:
    """`text` up to its first `?` or `#` (a query or fragment, or their literal look-alikes)."""
    return _QUERY.split(text, maxsplit=1)[0]


def _strip_url(scheme: str, rest: str) -> str:
    # authority = [ userinfo "@" ] host [ ":" port ]. The authority is taken to end at the first
    # "/", and user-info at its LAST "@", so an unescaped "@", "?" or "#" in a password still
    # falls in the dropped part (curl splits at the last "@" too). Userinfo with an unescaped "/"
    # is not a URL git can use and is not handled.
    slash = rest.find("/")
    head, path = (rest, "") if slash == -1 else (rest[:slash], rest[slash:])
    hostport = head[head.rfind("@") + 1 :]
    cut = _cut_query(hostport)
    if cut != hostport:  # the query began in the authority: the "path" is part of it
        return f"{scheme}://{cut}"
    return f"{scheme}://{hostport}{_cut_query(path)}"


def _strip_scp_like(url: str) -> str | None:
    """scp-like `[user@]host:path` (git's rule: a ":" before any "/"), user dropped; None when
    `url` is not in that form (a local path)."""
    if _is_bracketed(url):
        return _strip_bracketed(url)
    # git's rule: `[user@]host` ends at the first ":" (outside an IPv6 literal's brackets), before
    # any "/"; the user at the last "@" in it.
    slash = url.find("/")
    head = _outside_brackets(url if slash == -1 else url[:slash])
    colon = head.find(":")
    if colon == -1:
        return None
    start = head.rfind("@", 0, colon) + 1
    # A careless `user:password@host:path` (not git's grammar, but written): an "@" after that ":"
    # and before the path's first "/", "?" or "#", with a ":" after it, ends the user-info too.
    # A "?" or "#" in such a password is not handled.
    path = url[colon + 1 :]
    first = _PATH_END.search(path)
    before = path if first is None else path[: first.start()]
    at = before.rfind("@", 0, max(before.rfind(":"), 0))
    if at != -1:
        start = colon + 1 + at + 1
        colon = url.index(":", start)
    stripped = url[start : colon + 1] + _cut_query(url[colon + 1 :])
    # `user@[host]:path` without its user reads as git's bracketed form, whose "@" before the
    # "]:" is user-info: it is stripped as one now, so a second pass finds nothing left (Rule 3).
    return _strip_bracketed(stripped) if _is_bracketed(stripped) else stripped


def _is_bracketed(url: str) -> bool:
    """git's `[user@host:port]:path` (or `[::1]:path`)."""
    return url.startswith("[") and "]:" in url


def _strip_bracketed(url: str) -> str:
    """A bracketed scp-like remote with the user-info in its brackets dropped."""
    inner, _, path = url[1:].partition("]:")
    return "[" + inner[inner.rfind("@") + 1 :] + "]:" + _cut_query(path)


def _outside_brackets(text: str) -> str:
    """`text` with what is inside brackets (IPv6 literals) blanked, at the same indices."""
    return _BRACKETED.sub(lambda match: "[" + " " * (len(match[0]) - 2) + "]", text)


def _strip_ext_command(command: str) -> str:
    program = command.split(None, 1)
    if not program or _PROGRAM.fullmatch(program[0]) is None:
        return "..." if command else ""
    return program[0] + (_ELIDED if len(program) > 1 else "")


def strip_credentials(url: str) -> str:
    """What may be shown of the remote `url` (Rule 1). Pure and idempotent."""
    # Matched one transport at a time from where the last ended (no recursion, no rescans), so a
    # crafted `a::a::...` of any length costs linear time and cannot exhaust the stack.
    start = 0
    while (transport := _TRANSPORT.match(url, start)) is not None:
        start = transport.end()
        if transport["transport"].lower() == "ext":
            return url[:start] + _strip_ext_command(url[start:])
    prefix, url = url[:start], url[start:]
    scheme = _SCHEME.fullmatch(url)
    if scheme is not None:
        return prefix + _strip_url(scheme["scheme"], scheme["rest"])
    scp_like = _strip_scp_like(url)
    return prefix + (scp_like if scp_like is not None else url)  # a local path: a file name


# Options whose value is `NAME=value` and must show as `NAME=***`: the engine's environment and
# build arguments (docker and podman spell them alike).
_VALUE_OPTIONS = ("--env", "-e", "--build-arg")


def _mask_assignment(assignment: str) -> str:
    name, equals, _value = assignment.partition("=")
    return f"{_strip_urls(name)}={MASK}" if equals else assignment


def _strip_urls(word: str) -> str:
    return _URL_IN_WORD.sub(lambda match: strip_credentials(match[0]), word)


def _option_value(word: str) -> str:
    """The word after `--env`, `-e` or `--build-arg`: `NAME=***`, or a bare `NAME` (passed
    through from the engine's own environment) redacted as any word."""
    return _mask_assignment(word) if "=" in word else _redact_word(word)


def _redact_word(word: str) -> str:
    for option in _VALUE_OPTIONS:
        if word.startswith(option + "="):
            return option + "=" + _mask_assignment(word[len(option) + 1 :])
    if word.startswith("-e") and not word.startswith("--") and "=" in word:  # `-eNAME=value`
        return "-e" + _mask_assignment(word[2:])
    return _strip_urls(word)


def hidden_arguments(count: int) -> str:
    """The one word that stands for `count` hidden arguments in a logged command line."""
    return f"<{count} argument{'s' if count != 1 else ''} hidden; --trace-argv shows them>"


def redact_argv(argv: Sequence[str], *, program_tail: int = 0) -> tuple[str, ...]:
    """`argv` as it may be logged (Rule 2). Its last `program_tail` words are a program's own
    command line (a scenario's argv): its first word is kept, the rest shown as a count."""
    words = tuple(argv)
    split = len(words) - max(0, min(program_tail, len(words)))
    shown: list[str] = []
    masks_next = False
    for word in words[:split]:
        if masks_next:
            shown.append(_option_value(word))
            masks_next = False
            continue
        masks_next = word in _VALUE_OPTIONS
        shown.append(_redact_word(word))
    program = words[split:]
    if program:
        shown.append(_option_value(program[0]) if masks_next else _redact_word(program[0]))
        if len(program) > 1:
            shown.append(hidden_arguments(len(program) - 1))
    return tuple(shown)
