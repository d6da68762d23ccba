"""The strace parser as it was before the fast path (ADR-0053), kept ONLY as a test oracle.

Every line goes through the general grammar: the pid prefix, seven anchored patterns in turn and a
general argument tokeniser. The production parser must give the same `TraceFacts` for any lines
(tests/property/test_strace_properties.py); this copy shares only the per-trace state and the
final `/proc/self/exe` attribution with it, which the fast path did not change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from codegenie_core.parsers.strace import (
    Connect,
    ProcessExit,
    TraceFacts,
    _finish,  # pyright: ignore[reportPrivateUsage] -- the oracle shares the attribution step
    _State,  # pyright: ignore[reportPrivateUsage] -- the oracle shares the per-trace state
)

_SUCCESS_ERRNO = ""

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
    out = bytearray()
    body = match.group(1)
    position = 0
    for escape in _ESCAPE.finditer(body):
        out += body[position : escape.start()].encode("utf-8", "surrogateescape")
        code = escape.group(1)
        if code[0] == "x" and len(code) > 1:
            out.append(int(code[1:], 16))
        elif code[0] in "01234567":
            out.append(int(code, 8) & 0xFF)
        else:
            out.append(_SIMPLE_ESCAPES.get(code, ord(code) if ord(code) < 256 else 63))
        position = escape.end()
    out += body[position:].encode("utf-8", "surrogateescape")
    return out.decode("utf-8", "backslashreplace"), match.group(2) is not None


def reference_parse_strace(lines: Iterable[str], *, keep_argv: bool = False) -> TraceFacts:
    """The facts of a trace written by `strace -f -o FILE` (see the module's rules)."""
    state = _State(keep_argv=keep_argv)
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line.strip():
            _parse_line(state, line)
    return _finish(state)


def reference_parse_strace_bytes(data: bytes, *, keep_argv: bool = False) -> TraceFacts:
    """`parse_strace` over raw trace bytes (any bytes; undecodable ones are replaced)."""
    return reference_parse_strace(data.decode("utf-8", "replace").split("\n"), keep_argv=keep_argv)


def _parse_line(state: _State, line: str) -> None:
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
