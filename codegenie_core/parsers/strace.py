"""A pure parser of `strace -f -o FILE` output: trace lines in, the facts a container showed out.

Rule 1: the parser never raises, whatever it is given; a line it does not understand (a trace cut
mid-line, random bytes) is counted in `unparsed_lines`, never guessed at.
Rule 2: secrets stay out. execve environments are never read (strace prints only their size by
default, and the parser skips the argument whatever it holds); argv is kept as argv[0] and a count
unless the caller asks for full argv (`keep_argv`, the CLI's `--trace-argv`).
Rule 3: every set-valued fact is a sorted tuple without duplicates, and it depends only on each
pid's own sequence of lines, so any interleaving of whole per-pid lines gives the same facts. A
busybox-style re-exec through `/proc/self/exe` is attributed once all lines are read, through the
pid's own earlier execs and, failing those, its parent's execs up to the clone that made it.
Rule 4: strings are decoded from strace's C escapes to bytes, then to text with `backslashreplace`,
so every fact is printable text whatever bytes a path held.
Rule 5: linear in the trace: each line is parsed once, and `/proc/self/exe` attribution reads
tables built once over the pids' execs and clone links (ADR-0027), never a walk per exec.
Rule 6: a line strace printed in a recorded call's usual form is answered by one union pattern of
those forms (the fast path); every other line goes through the general grammar, and both give the
same facts for any line (ADR-0053, ADR-0079; the general grammar's first version is the tests'
oracle). Bytes and text are scanned a window of whole lines at a time, one `finditer` a window,
in bounded memory (`line_windows`), with the same facts as `parse_strace` over their lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from codegenie_core.parsers.line_windows import WINDOW_BYTES, line_windows

SELF_EXE = "/proc/self/exe"
_SUCCESS_ERRNO = ""


@attrs.frozen(kw_only=True)
class Execution:
    """One successful exec: the binary that ran, its argv[0] and argument count (full argv only
    when asked for)."""

    binary: str
    argv0: str
    argc: int
    argv: tuple[str, ...] | None = None


@attrs.frozen(kw_only=True)
class Connect:
    """One connect(2) attempt: address family, address, port (None for AF_UNIX), and the outcome
    (`ok`, or the errno name such as `ECONNREFUSED`)."""

    family: str
    address: str
    port: int | None
    outcome: str


@attrs.frozen(kw_only=True)
class ProcessExit:
    """How one traced pid ended: `exited` with a code, or `killed` by a signal."""

    pid: int
    how: str  # "exited" | "killed"
    code: int | None = None
    signal: str | None = None


@attrs.frozen(kw_only=True)
class TraceFacts:
    """What one trace showed. Every tuple is sorted and free of duplicates (Rule 3)."""

    binaries_executed: tuple[str, ...] = ()
    executions: tuple[Execution, ...] = ()
    files_read: tuple[str, ...] = ()
    files_written: tuple[str, ...] = ()
    directories_listed: tuple[str, ...] = ()
    shared_libraries: tuple[str, ...] = ()
    looked_for_not_found: tuple[str, ...] = ()
    failed_opens: tuple[tuple[str, str], ...] = ()  # (path, errno) other than ENOENT
    network_connects: tuple[Connect, ...] = ()
    exits: tuple[ProcessExit, ...] = ()
    truncated_strings: bool = False
    unparsed_lines: int = 0
    unfinished_calls: int = 0  # `<unfinished ...>` never resumed (the trace was cut)


# line = [ pid 1*SP ] body        ; `-f` to one output file prefixes every line with the pid
_PID_PREFIX = re.compile(r"^(\d+) +(.*)$", re.DOTALL | re.ASCII)
# body = "+++ exited with " 1*DIGIT " +++"
_EXITED = re.compile(r"^\+\+\+ exited with (\d+) \+\+\+$", re.ASCII)
# body = "+++ killed by " signame [ " (core dumped)" ] " +++"
_KILLED = re.compile(r"^\+\+\+ killed by (SIG[A-Z0-9]+)(?: \(core dumped\))? \+\+\+$")
# body = syscall "(" partial-args " <unfinished ...>"
_UNFINISHED = re.compile(r"^([a-z_0-9]+)\((.*) <unfinished \.\.\.>$", re.DOTALL)
# body = "<... " syscall " resumed>" rest-args ")" *SP "=" *SP result
_RESUMED = re.compile(r"^<\.\.\. ([a-z_0-9]+) resumed>(.*)$", re.DOTALL)
# body = syscall "(" args ")" *SP "=" *SP result   ; greedy: the last ") =" closes the args
_COMPLETE = re.compile(r"^([a-z_0-9]+)\((.*)\) *= *(.+)$", re.DOTALL)
# result = ( "-1" SP errno SP "(" text ")" ) / number [ SP annotation ] / "?"
_RESULT = re.compile(r"^(-?\d+|0x[0-9a-fA-F]+|\?)(?: +(E[A-Z0-9]+)\b)?", re.ASCII)
# string = DQUOTE *( char / "\" escape ) DQUOTE [ "..." ]   ; escape = octal / "x" 2HEXDIG / letter
_STRING = re.compile(r'^"((?:[^"\\]|\\.)*)"(\.\.\.)?$', re.DOTALL)
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": 10, "t": 9, "r": 13, "v": 11, "f": 12, "a": 7, "b": 8, "e": 27}
# sockaddr fields: sin_port=htons(N) / sin6_port=htons(N), inet_addr("A"), inet_pton(AF_INET6, "A"
_PORT = re.compile(r"sin6?_port=htons\((\d+)\)", re.ASCII)
_INET_ADDR = re.compile(r'inet_addr\("([^"]*)"\)')
_INET6_ADDR = re.compile(r'inet_pton\(AF_INET6, "([^"]*)"')
_UNIX_PATH = re.compile(r'sun_path=(@?)("(?:[^"\\]|\\.)*")')
_FAMILY = re.compile(r"sa_family=(AF_[A-Z0-9]+)")
# a shared object: name ".so" [ "." version ]*
_SHARED_OBJECT = re.compile(r"\.so(?:\.[0-9]+)*$")

_OPEN_CALLS = frozenset({"open", "openat", "openat2", "creat"})
_EXEC_CALLS = frozenset({"execve", "execveat"})
_CLONE_CALLS = frozenset({"clone", "clone3", "fork", "vfork"})


# arg-token = string [ "..." ] / "(" / "[" / "{" / ")" / "]" / "}" / "," / 1*other-char
_ARG_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"(?:\.\.\.)?|[(\[{)\]},]|[^",()\[\]{}]+', re.DOTALL)


def split_args(text: str) -> list[str]:
    """Split a syscall's argument text at top-level commas, respecting quotes and brackets."""
    args: list[str] = []
    depth = 0
    start = 0
    for token in _ARG_TOKEN.finditer(text):
        first = token.group()[0]
        if first in "([{":
            depth += 1
        elif first in ")]}":
            depth = max(0, depth - 1)
        elif first == "," and depth == 0:
            args.append(text[start : token.start()].strip())
            start = token.end()
    tail = text[start:].strip()
    if tail or args:
        args.append(tail)
    return args


def decode_string(token: str) -> tuple[str, bool] | None:
    """A strace string literal as text and whether strace truncated it; None if not a string."""
    match = _STRING.match(token.strip())
    if match is None:
        return None
    return _decode_body(match.group(1)), match.group(2) is not None


def _decode_body(body: str) -> str:
    """The text a string literal's body (between its quotes) names: C escapes to bytes, then the
    bytes to text with `backslashreplace` (Rule 4)."""
    out = bytearray()
    position = 0
    for escape in _ESCAPE.finditer(body):
        out += _literal_bytes(body[position : escape.start()])
        code = escape.group(1)
        if code[0] == "x" and len(code) > 1:
            out.append(int(code[1:], 16))
        elif code[0] in "01234567":
            out.append(int(code, 8) & 0xFF)
        else:
            out.append(_SIMPLE_ESCAPES.get(code, ord(code) if ord(code) < 256 else 63))
        position = escape.end()
    out += _literal_bytes(body[position:])
    return out.decode("utf-8", "backslashreplace")


def _literal_bytes(text: str) -> bytes:
    """The bytes an unescaped stretch of a string stands for: its UTF-8, with the surrogates that
    stand for undecodable bytes turned back into them; a text holding any other lone surrogate
    (only a caller's own text can) keeps it as a printable escape instead of raising (Rule 1)."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace")


@attrs.define
class _State:
    keep_argv: bool
    pending: dict[int, tuple[str, str]] = attrs.field(factory=dict[int, tuple[str, str]])
    # per pid, in its own order: exec'd binaries (SELF_EXE unresolved) with argv info
    execs: dict[int, list[tuple[str, str, int, tuple[str, ...] | None]]] = attrs.field(
        factory=dict[int, list[tuple[str, str, int, tuple[str, ...] | None]]]
    )
    parent: dict[int, tuple[int, int]] = attrs.field(factory=dict[int, tuple[int, int]])
    read: set[str] = attrs.field(factory=set[str])
    written: set[str] = attrs.field(factory=set[str])
    directories: set[str] = attrs.field(factory=set[str])
    libraries: set[str] = attrs.field(factory=set[str])
    not_found: set[str] = attrs.field(factory=set[str])
    failed: set[tuple[str, str]] = attrs.field(factory=set[tuple[str, str]])
    connects: set[Connect] = attrs.field(factory=set[Connect])
    # the fast path's AF_INET connects as (address, port, outcome), made Connects once at the end
    inet_connects: set[tuple[str, int, str]] = attrs.field(factory=set[tuple[str, int, str]])
    exits: dict[int, ProcessExit] = attrs.field(factory=dict[int, ProcessExit])
    truncated: bool = False
    unparsed: int = 0


# ---- the fast path (ADR-0053, ADR-0079) -------------------------------------------------------
# One pattern, the union of the forms strace prints the recorded calls in (`open`/`openat`,
# `execve`, `clone`/`clone3`/`fork`/`vfork`, AF_INET `connect`, `+++ exited with N +++`, a call's
# `<unfinished ...>` start and `resumed` end), answers a line in one match; a line none of the
# forms matches goes through the general grammar below, so the fast path only ever answers what
# the general grammar would, faster. Each form ends in a result with no "=" after the ") = " it
# matched, so that ") = " is the last one: the general grammar's greedy split. No form matches a
# newline, so the same union runs over a whole window of lines (`_WINDOW`, one `finditer` a
# window: the per-line work moves into the regex engine), where a line no form matches is
# captured whole, in order, for the general grammar.
#
# pid-prefix = [ 1*DIGIT 1*SP ]   ; group 1 (with its spaces, which int() ignores), before every
# form. Alternatives and possessive repeats rather than `?`/`*` over groups: the engine then
# saves no backtracking state for them, about a fifth of the match's cost.
_PID = r"([0-9]+ +|)"
# a string without a newline or a lone surrogate; escapes allowed, decoded only when present
_S = r'"([^"\\\n\ud800-\udfff]*+(?:\\[^\n\ud800-\udfff][^"\\\n\ud800-\udfff]*+)*+)"'
# result = success-number / "-" 1*DIGIT SP errno SP "(" text ")"   ; the errno is the last group
_R = r"\) = (?:[0-9]+|-[0-9]+ (E[A-Z0-9]+) \([^()=\n]*\))"
_FORMS = (
    # 2-4: open/openat path, flags, errno
    r"open(?:at\([A-Z_0-9]+, |\()"
    + _S
    + r", ([A-Z_0-9|]+)(?:, [0-7]+|)"
    + _R
    # 5-8: "execve", path, argv strings, errno
    # argv = "[" [ string *( ", " string ) ] "]" ; env = "0x" HEX " /* " N " var" [ "s" ] " */"
    + r"|(execve)\("
    + _S
    + r', \[((?:"[^"\\\n\ud800-\udfff]*+"(?:, (?=")|))*+)\], '
    r"0x[0-9a-f]+ /\* [0-9]+ vars? \*/"
    + _R
    # 9: clone child
    + r"|(?:clone3?|v?fork)\([^\n]*\) = ([0-9]+)"
    # 10-12: AF_INET connect port, address, errno
    + r"|connect\([0-9]+, \{sa_family=AF_INET, sin_port=htons\(([0-9]+)\), "
    r'sin_addr=inet_addr\("([^"\\\n\ud800-\udfff]*)"\)\}, [0-9]+'
    + _R
    # 13: exit code
    + r"|\+\+\+ exited with ([0-9]+) \+\+\+"
    # 14-15: a call's start, its name and partial arguments
    + r"|([a-z_0-9]+)\(([^\n]*) <unfinished \.\.\.>"
    # 16-17: its end, its name and the rest of its arguments and result
    + r"|<\.\.\. ([a-z_0-9]+) resumed>([^\n\r]*)"
)
# a line: its form's groups, or (group 18) the whole line for the general grammar
_LINE = re.compile(_PID + "(?:" + _FORMS + r")$|(.*)", re.ASCII | re.DOTALL)
# a window of lines after a "\n": the same, one match a line
_WINDOW = re.compile(r"\n" + _PID + "(?:" + _FORMS + r")(?=\n)|\n([^\n]*)", re.ASCII)
MAX_LINE_BYTES = 16 << 20  # parse_strace_chunks: a line still open past this is dropped
# the last group a line's match closed says which form it is (`re.Match.lastindex`)
_OPEN_LAST, _EXEC_LAST, _CLONE_LAST, _CONNECT_LAST, _EXIT_LAST = 4, 8, 9, 12, 13
_UNFINISHED_LAST, _RESUMED_LAST, _REST_LAST = 15, 17, 18
# the forms of a whole call: a resumed call joined to its start may be answered by one
_COMPLETE_FORMS = frozenset({3, 4, 7, 8, _CLONE_LAST, 11, 12})


def parse_strace(lines: Iterable[str], *, keep_argv: bool = False) -> TraceFacts:
    """The facts of a trace written by `strace -f -o FILE`, one line at a time (see the module's
    rules); a line may end in its newline or not."""
    state = _State(keep_argv=keep_argv)
    _consume(state, filter(None, map(_LINE.match, lines)))  # `(.*)` matches every line
    return _finish(state)


def parse_strace_text(text: str, *, keep_argv: bool = False) -> TraceFacts:
    """`parse_strace(text.split("\n"))`, scanned a window at a time."""
    state = _State(keep_argv=keep_argv)
    start = 0
    while start < len(text):  # windows of about WINDOW_BYTES characters, cut after a newline
        end = text.find("\n", start + WINDOW_BYTES)
        end = len(text) if end < 0 else end + 1
        _scan(state, text[start:end])
        start = end
    return _finish(state)


def parse_strace_bytes(data: bytes, *, keep_argv: bool = False) -> TraceFacts:
    """`parse_strace` over raw trace bytes (any bytes; undecodable ones are replaced), split at
    each "\n" and scanned a window of lines at a time, never decoded whole."""
    step = WINDOW_BYTES
    chunks = (data[start : start + step] for start in range(0, len(data), step))
    return parse_strace_chunks(chunks, keep_argv=keep_argv, max_line_bytes=None)


def parse_strace_chunks(
    chunks: Iterable[bytes],
    *,
    keep_argv: bool = False,
    max_line_bytes: int | None = MAX_LINE_BYTES,
    window_bytes: int = WINDOW_BYTES,
) -> TraceFacts:
    """`parse_strace_bytes` over the concatenation of `chunks` (a file read in blocks), in bounded
    memory: a line still open after a chunk and longer than `max_line_bytes` is counted unparsed
    and skipped (`line_windows`' Rule 2)."""
    state = _State(keep_argv=keep_argv)
    windows = line_windows(chunks, window_bytes=window_bytes, max_line_bytes=max_line_bytes)
    for text, dropped in windows:
        state.unparsed += dropped
        _scan(state, text)
    return _finish(state)


def _scan(state: _State, text: str) -> None:
    # every line is preceded by a "\n" and followed by one, so each is one match of `_WINDOW`
    _consume(state, _WINDOW.finditer("\n" + text + "\n"))


def _consume(state: _State, lines: Iterable[re.Match[str]]) -> None:
    """Record each line's facts from its match of one of `_FORMS`, or of the whole line (the
    last group) for the general grammar, in the trace's order."""
    read, written, directories = state.read.add, state.written.add, state.directories.add
    not_found, failed, inet = state.not_found.add, state.failed.add, state.inet_connects.add
    execs, keep_argv, libraries = state.execs, state.keep_argv, state.libraries
    for line in lines:
        form = line.lastindex or _REST_LAST  # every alternative closes a group: never None
        if form <= _OPEN_LAST:
            path, flags, errno = line.group(2, 3, 4)
            if "\\" in path:
                path = _decode_body(path)
            if errno is not None:
                if errno == "ENOENT":
                    not_found(path)
                else:
                    failed((path, errno))
            elif "O_WRONLY" in flags or "O_RDWR" in flags or "O_CREAT" in flags:
                written(path)
            elif "O_DIRECTORY" in flags:
                directories(path)
            elif ".so" in path and (path in libraries or _SHARED_OBJECT.search(path)):
                libraries.add(path)
            else:
                read(path)
        elif form <= _EXEC_LAST:
            pid_text, path, argv_text, errno = line.group(1, 6, 7, 8)
            if "\\" in path:
                path = _decode_body(path)
            if errno is not None:
                if errno == "ENOENT":
                    not_found(path)
                else:
                    failed((path, errno))
                continue
            strings = argv_text[1:-1].split('", "') if argv_text else []
            row = (path, strings[0] if strings else "", len(strings))
            pid = int(pid_text) if pid_text else 0
            execs.setdefault(pid, []).append((*row, tuple(strings) if keep_argv else None))
        elif form == _CLONE_LAST:
            pid_text, child = line.group(1, 9)
            _link(state, int(pid_text) if pid_text else 0, int(child))
        elif form <= _CONNECT_LAST:
            port, address, errno = line.group(10, 11, 12)
            inet((address, int(port), errno or "ok"))
        elif form == _EXIT_LAST:
            pid_text, code = line.group(1, 13)
            pid = int(pid_text) if pid_text else 0
            state.exits[pid] = ProcessExit(pid=pid, how="exited", code=int(code))
            state.pending.pop(pid, None)
        elif form == _UNFINISHED_LAST:
            pid_text, name, partial = line.group(1, 14, 15)
            state.pending[int(pid_text) if pid_text else 0] = (name, partial)
        elif form == _RESUMED_LAST:
            _resumed(state, *line.group(1, 16, 17))
        elif (rest := line.group(_REST_LAST)) is not None:
            _general_line(state, rest)


def _resumed(state: _State, pid_text: str | None, name: str, rest: str) -> None:
    """A call's end joined to its start, answered as a whole line would be (by a form when one
    matches it, else by the general grammar's complete-call step)."""
    pid = int(pid_text) if pid_text else 0
    started = state.pending.pop(pid, None)
    if started is None or started[0] != name:
        state.unparsed += 1
        return
    body = f"{name}({started[1]}{rest}"
    joined = _LINE.match(f"{pid_text} {body}" if pid_text else body)
    if joined is not None and "\n" not in body and joined.lastindex in _COMPLETE_FORMS:
        _consume(state, (joined,))
    else:
        _complete_call(state, pid, body)


def _link(state: _State, pid: int, child: int) -> None:
    if child != pid:
        link = (pid, len(state.execs.get(pid, [])))
        # a reused pid can have two parents; the smaller link wins, whatever the line order
        state.parent[child] = min(link, state.parent.get(child, link))


# ---- the general grammar: every line the fast path does not answer ------------------------------
def _general_line(state: _State, raw: str) -> None:
    line = raw.rstrip("\r\n")
    if not line.strip():
        return
    prefixed = _PID_PREFIX.match(line)
    pid, body = (int(prefixed.group(1)), prefixed.group(2)) if prefixed else (0, line)
    if (exited := _EXITED.match(body)) is not None:
        state.exits[pid] = ProcessExit(pid=pid, how="exited", code=int(exited.group(1)))
        state.pending.pop(pid, None)
        return
    if (killed := _KILLED.match(body)) is not None:
        state.exits[pid] = ProcessExit(pid=pid, how="killed", signal=killed.group(1))
        state.pending.pop(pid, None)
        return
    if body.startswith(("--- ", "+++ ")):
        return  # signal delivery and other notices carry no facts we keep
    if (unfinished := _UNFINISHED.match(body)) is not None:
        state.pending[pid] = (unfinished.group(1), unfinished.group(2))
        return
    if (resumed := _RESUMED.match(body)) is not None:
        started = state.pending.pop(pid, None)
        if started is None or started[0] != resumed.group(1):
            state.unparsed += 1
            return
        body = f"{started[0]}({started[1]}{resumed.group(2)}"
    _complete_call(state, pid, body)


def _complete_call(state: _State, pid: int, body: str) -> None:
    complete = _COMPLETE.match(body)
    if complete is None:
        state.unparsed += 1
        return
    syscall, args_text, result_text = complete.groups()
    result = _RESULT.match(result_text.strip())
    if result is None:
        state.unparsed += 1
        return
    value, errno = result.group(1), result.group(2) or _SUCCESS_ERRNO
    if value == "?":
        return  # the process vanished mid-call: nothing certain to record
    if value.startswith("-") and not errno:
        state.unparsed += 1  # "= -1" without its errno: a line cut short, not a success
        return
    if syscall in _CLONE_CALLS:
        if not errno and value.isdigit() and int(value) != pid:
            link = (pid, len(state.execs.get(pid, [])))
            # a reused pid can have two parents; the smaller link wins, whatever the line order
            state.parent[int(value)] = min(link, state.parent.get(int(value), link))
        return
    args = split_args(args_text)
    if syscall in _EXEC_CALLS:
        _exec(state, pid, syscall, args, errno)
    elif syscall in _OPEN_CALLS:
        _open(state, syscall, args, errno)
    elif syscall == "connect":
        _connect(state, args, errno)


def _string_arg(state: _State, args: list[str], index: int) -> str | None:
    if index >= len(args):
        return None
    decoded = decode_string(args[index])
    if decoded is None:
        return None
    text, truncated = decoded
    state.truncated = state.truncated or truncated
    return text


def _path_of_successful_call(
    state: _State, args: list[str], path_index: int, errno: str
) -> str | None:
    """The path argument of a call that succeeded, else None after recording why: an unparsable
    path is counted unparsed; ENOENT is "looked for, not found" (a PATH search or the dynamic
    loader probing each directory in turn); any other errno is a failed call."""
    path = _string_arg(state, args, path_index)
    if path is None:
        state.unparsed += 1
        return None
    if errno == "ENOENT":
        state.not_found.add(path)
        return None
    if errno:
        state.failed.add((path, errno))
        return None
    return path


def _exec(state: _State, pid: int, syscall: str, args: list[str], errno: str) -> None:
    path_index, argv_index = (1, 2) if syscall == "execveat" else (0, 1)
    path = _path_of_successful_call(state, args, path_index, errno)
    if path is None:
        return
    argv_text = args[argv_index] if argv_index < len(args) else "[]"
    items = split_args(argv_text[1:-1]) if argv_text.startswith("[") else []
    strings: list[str] = []
    for item in items:
        if item == "...":
            continue  # strace shortened a long argv; the count is then a lower bound
        decoded = decode_string(item)
        if decoded is not None:
            strings.append(decoded[0])
            state.truncated = state.truncated or decoded[1]
    argv0 = strings[0] if strings else ""
    full = tuple(strings) if state.keep_argv else None
    state.execs.setdefault(pid, []).append((path, argv0, len(strings), full))


def _open(state: _State, syscall: str, args: list[str], errno: str) -> None:
    path_index = 1 if syscall in ("openat", "openat2") else 0
    path = _path_of_successful_call(state, args, path_index, errno)
    if path is None:
        return
    flags = " ".join(args[path_index + 1 : path_index + 2])
    if syscall == "creat" or any(f in flags for f in ("O_WRONLY", "O_RDWR", "O_CREAT")):
        state.written.add(path)
    elif "O_DIRECTORY" in flags:
        state.directories.add(path)
    elif _SHARED_OBJECT.search(path):
        state.libraries.add(path)
    else:
        state.read.add(path)


def _connect(state: _State, args: list[str], errno: str) -> None:
    sockaddr = args[1] if len(args) > 1 else ""
    family_match = _FAMILY.search(sockaddr)
    if family_match is None:
        state.unparsed += 1
        return
    family = family_match.group(1)
    port_match = _PORT.search(sockaddr)
    port = int(port_match.group(1)) if port_match else None
    address = ""
    if family == "AF_INET" and (inet := _INET_ADDR.search(sockaddr)) is not None:
        address = inet.group(1)
    elif family == "AF_INET6" and (inet6 := _INET6_ADDR.search(sockaddr)) is not None:
        address = inet6.group(1)
    elif family == "AF_UNIX" and (unix := _UNIX_PATH.search(sockaddr)) is not None:
        decoded = decode_string(unix.group(2))
        address = unix.group(1) + (decoded[0] if decoded else "")
        port = None
    outcome = errno or "ok"
    state.connects.add(Connect(family=family, address=address, port=port, outcome=outcome))


class _Attribution:
    """What binary a pid ran after its first `count` execs (Rule 3): its own last real exec, else
    its parent's as of the clone that made it, and so on up, stopping at the first pid the walk
    meets twice. Every answer comes from tables built once, so a trace of n lines costs O(n)
    however long its chains of clones are."""

    def __init__(self, state: _State) -> None:
        self.parent = state.parent
        # last_real[pid][k]: the last real binary among pid's first k execs, or None
        self.last_real: dict[int, list[str | None]] = {}
        for pid, execs in state.execs.items():
            table: list[str | None] = [None]
            for path, *_ in execs:
                table.append(path if path != SELF_EXE else table[-1])
            self.last_real[pid] = table
        self.around: dict[int, str | None] = {}  # a pid on a cycle: the rest of its cycle
        self.above: dict[int, str | None] = {}  # a pid off cycles: what its ancestors give
        self._walk_links()

    def binary_before(self, pid: int, count: int) -> str | None:
        own = self._checked(pid, count)
        if own is not None:
            return own
        return self.around[pid] if pid in self.around else self.above.get(pid)

    def _checked(self, pid: int, count: int) -> str | None:
        table = self.last_real.get(pid)
        return None if table is None else table[min(count, len(table) - 1)]

    def _walk_links(self) -> None:
        # The links form a functional graph (each pid has at most one parent). Follow each path
        # once, find the cycle it may end in, then settle its nodes from the far end back.
        settled: set[int] = set()
        for start in self.parent:
            path: list[int] = []
            on_path: dict[int, int] = {}
            pid: int | None = start
            while pid is not None and pid not in settled and pid not in on_path:
                on_path[pid] = len(path)
                path.append(pid)
                link = self.parent.get(pid)
                pid = None if link is None else link[0]
            if pid is not None and pid in on_path:  # the path ends in a new cycle
                cycle = path[on_path[pid] :]
                self._settle_cycle(cycle)
                settled.update(cycle)
                path = path[: on_path[pid]]
            for node in reversed(path):
                self.above[node] = self._continue_from(node)
                settled.add(node)

    def _continue_from(self, pid: int) -> str | None:
        link = self.parent.get(pid)
        if link is None:
            return None
        up, count = link
        found = self._checked(up, count)
        if found is not None:
            return found
        return self.around[up] if up in self.around else self.above.get(up)

    def _settle_cycle(self, cycle: list[int]) -> None:
        # cycle[j + 1] is cycle[j]'s parent. Seen from cycle[i], the walk checks every other node
        # of the cycle once, each as of the clone from its child on the cycle, and stops when it
        # comes back to cycle[i]: the first answer among found[i + 1], ..., found[i + k - 1].
        size = len(cycle)
        found = [self._checked(cycle[j], self.parent[cycle[j - 1]][1]) for j in range(size)]
        # Going backwards over the cycle laid out twice, `nearest` is the first position after j
        # with an answer; position i's answer counts only if it is less than a full turn away.
        nearest: int | None = None
        for j in range(2 * size - 1, -1, -1):
            if j < size:
                answer = None
                if nearest is not None and nearest - j < size:
                    answer = found[nearest % size]
                self.around[cycle[j]] = answer
            if found[j % size] is not None:
                nearest = j


def _finish(state: _State) -> TraceFacts:
    rows: set[tuple[str, str, int, tuple[str, ...] | None]] = set()
    attribution = _Attribution(state)
    for pid, execs in state.execs.items():
        for index, (path, argv0, argc, argv) in enumerate(execs):
            binary = path
            if path == SELF_EXE:
                binary = attribution.binary_before(pid, index) or SELF_EXE
            rows.add((binary, argv0, argc, argv))
    # each distinct execution and connect becomes one value, however often the trace repeats it;
    # both are sorted as plain tuples (a state's argv is all None or all tuples), then made values
    connects = {
        ("AF_INET", address, port, outcome) for address, port, outcome in state.inet_connects
    }
    connects.update(_connect_order(c) for c in state.connects)
    return TraceFacts(
        binaries_executed=tuple(sorted({row[0] for row in rows})),
        executions=tuple(
            Execution(binary=b, argv0=a, argc=c, argv=v) for b, a, c, v in sorted(rows)
        ),
        files_read=tuple(sorted(state.read)),
        files_written=tuple(sorted(state.written)),
        directories_listed=tuple(sorted(state.directories)),
        shared_libraries=tuple(sorted(state.libraries)),
        looked_for_not_found=tuple(sorted(state.not_found)),
        failed_opens=tuple(sorted(state.failed)),
        network_connects=tuple(
            Connect(family=f, address=a, port=None if p < 0 else p, outcome=o)
            for f, a, p, o in sorted(connects)
        ),
        exits=tuple(state.exits[pid] for pid in sorted(state.exits)),
        truncated_strings=state.truncated,
        unparsed_lines=state.unparsed,
        unfinished_calls=len(state.pending),
    )


def _connect_order(c: Connect) -> tuple[str, str, int, str]:
    return (c.family, c.address, -1 if c.port is None else c.port, c.outcome)
