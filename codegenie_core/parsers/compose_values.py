"""Compose file values: interpolation, ports, volumes and paths, read from plain YAML data (pure).

Rule 1: interpolation follows the Compose specification ("Interpolation"): `$$` is a literal `$`;
`$NAME` and `${NAME}` are the variable; `${NAME:-default}` / `${NAME-default}` give the default
when the variable is unset (or empty); `${NAME:?err}` / `${NAME?err}` require it; `${NAME:+alt}` /
`${NAME+alt}` give `alt` when it is set. codegenie never reads the environment or a `.env` file,
so every variable is unknown: a default written in the file is used, and any other form leaves
the value unresolved, kept as written with the names it needs (see ADR-0038).
Rule 2: a default given to a credential-named variable is substituted as `***` (ADR-0027), and no
recorded text keeps a URL's credentials.
Rule 3: a port range is kept as a range (`start`, `end`), never expanded: `1-65535` is one value.
Rule 4: a path is resolved against the compose file's directory with `posixpath.normpath`; one
that leaves the repository or is absolute is reported as such, and never followed.
Rule 5: linear in the text: one left-to-right scan, `${...}` nested at most `MAX_NESTING` deep.
"""

from __future__ import annotations

import posixpath
import re
from typing import Literal

import attrs

from codegenie_core.parsers.dockerfile_secrets import (
    REDACTED,
    looks_like_credential,
    strip_url_credentials,
)
from codegenie_core.parsers.dockerfile_words import closing_brace

MAX_NESTING = 16
MAX_PORT = 65535

PathPlace = Literal["inside", "outside", "absolute", "remote", "unresolved"]

# name = ( ALPHA / "_" ) *( ALPHA / DIGIT / "_" )
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# braced = "${" name [ ( ":-" / "-" / ":?" / "?" / ":+" / "+" ) word ] "}"
_BRACED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-|:\?|\?|:\+|\+)(.*))?\Z", re.DOTALL)
# span = 1*DIGIT [ "-" 1*DIGIT ]
_SPAN = re.compile(r"(\d{1,5})(?:-(\d{1,5}))?\Z")


@attrs.frozen(kw_only=True)
class Interpolated:
    """A value after interpolation: its text, or None and the names it needs (Rule 1)."""

    written: str
    text: str | None  # None when a variable has no value here
    unresolved: tuple[str, ...] = ()


def interpolate(value: str) -> Interpolated:
    """Interpolate `value` as Compose would with an empty environment (Rule 1)."""
    unresolved: list[str] = []
    text = _interpolate(value, 0, unresolved)
    written = strip_url_credentials(_redact_written(value))
    if unresolved:
        return Interpolated(written=written, text=None, unresolved=tuple(dict.fromkeys(unresolved)))
    return Interpolated(written=written, text=strip_url_credentials(text))


def _interpolate(value: str, depth: int, unresolved: list[str]) -> str:
    out: list[str] = []
    i, n = 0, len(value)
    while i < n:
        dollar = value.find("$", i)
        if dollar == -1:
            out.append(value[i:])
            break
        out.append(value[i:dollar])
        if value.startswith("$$", dollar):
            out.append("$")
            i = dollar + 2
            continue
        if value.startswith("${", dollar):
            end = closing_brace(value, dollar + 2)
            if end == -1:
                unresolved.append(value[dollar:])
                break
            i = end + 1
            match = _BRACED.match(value, dollar + 2, end)
            if match is None or depth >= MAX_NESTING:
                unresolved.append(value[dollar : end + 1])
                continue
            name, operator, word = match.group(1), match.group(2), match.group(3) or ""
            if operator in (":-", "-"):
                default = _interpolate(word, depth + 1, unresolved)
                out.append(REDACTED if looks_like_credential(name) else default)
            else:
                unresolved.append(name)
            continue
        match = _NAME.match(value, dollar + 1)
        if match is None:
            out.append("$")
            i = dollar + 1
            continue
        unresolved.append(match.group(0))
        i = match.end()
    return "".join(out)


def _redact_written(value: str) -> str:
    """`value` as written, with the word after the operator of every credential-named
    `${NAME...}` replaced by `***` (Rule 2): the text kept as written holds no default secret."""
    if "${" not in value:
        return value
    out: list[str] = []
    position = 0  # value[:position] is in `out`
    search = 0
    while (start := value.find("${", search)) != -1:
        match = _NAME.match(value, start + 2)
        search = start + 2
        if match is None or match.end() >= len(value) or value[match.end()] == "}":
            continue
        if not looks_like_credential(match.group(0)):
            continue
        end = closing_brace(value, match.end())
        if end == -1:
            end = len(value)
        operator = 2 if value.startswith(":", match.end()) else 1
        out.append(value[position : match.end() + operator])
        out.append(REDACTED)
        position = end
        search = max(end, search)
    out.append(value[position:])
    return "".join(out)


@attrs.frozen(kw_only=True)
class PortSpan:
    start: int
    end: int  # equal to start unless a range was written (Rule 3)


@attrs.frozen(kw_only=True)
class ComposePort:
    """One `ports:` entry. `target` is None when it could not be read (see `unresolved`)."""

    written: str  # the short syntax as written, or "target=..." for the long syntax
    target: PortSpan | None
    published: PortSpan | None = None  # None: not published to a fixed host port
    host_ip: str | None = None
    protocol: str = "tcp"
    unresolved: tuple[str, ...] = ()  # variables with no value here


def span(text: str) -> PortSpan | None:
    """A port or a port range (Rule 3), or None when `text` is not one."""
    match = _SPAN.match(text)
    if match is None:
        return None
    start = int(match.group(1))
    end = int(match.group(2)) if match.group(2) else start
    if not 0 <= start <= end <= MAX_PORT:
        return None
    return PortSpan(start=start, end=end)


def short_port(value: str | int) -> tuple[ComposePort | None, str | None]:
    """A short-syntax port, `[[host_ip:]published:]target[/protocol]`, or why it is not one."""
    # short = [ [ host-ip ":" ] [ published ] ":" ] target [ "/" protocol ]
    # host-ip = IPv4 / "[" IPv6 "]"
    if isinstance(value, int):
        value = str(value)
    value_i = interpolate(value)
    if value_i.text is None:
        return ComposePort(
            written=value_i.written, target=None, unresolved=value_i.unresolved
        ), None
    text = value_i.text
    body, slash, protocol = text.partition("/")
    host_ip: str | None = None
    if body.startswith("["):
        close = body.find("]:")
        if close == -1:
            return None, "an IPv6 host address must be written as [address]:port"
        host_ip, body = body[1:close], body[close + 2 :]
    parts = body.split(":")
    if len(parts) > 3 or (host_ip is not None and len(parts) > 2):
        return None, "a port has more than host, published and target parts"
    if len(parts) == 3:
        host_ip, parts = parts[0], parts[1:]
    target = span(parts[-1])
    published = span(parts[0]) if len(parts) == 2 and parts[0] else None
    if target is None or (len(parts) == 2 and parts[0] and published is None):
        return None, "a port is not a number or range from 0 to 65535"
    port = ComposePort(
        written=value_i.written,
        target=target,
        published=published,
        host_ip=host_ip or None,
        protocol=(protocol if slash else "tcp").lower() or "tcp",
    )
    return port, None


@attrs.frozen(kw_only=True)
class ResolvedPath:
    """A path as written and, when it stays inside the repository, repository-relative."""

    written: str
    place: PathPlace
    path: str | None = None  # repository-relative ("." the root), for place "inside"
    unresolved: tuple[str, ...] = ()


def resolve_path(directory: str, value: str) -> ResolvedPath:
    """`value` (a path in a compose file in `directory`) resolved in the repository (Rule 4)."""
    interpolated = interpolate(value)
    text = interpolated.text
    if text is None:
        return ResolvedPath(
            written=interpolated.written, place="unresolved", unresolved=interpolated.unresolved
        )
    if "://" in text or text.startswith(("git@", "github.com/")):
        return ResolvedPath(written=interpolated.written, place="remote")
    if text.startswith(("/", "~")) or re.match(r"[A-Za-z]:[\\/]", text):
        return ResolvedPath(written=interpolated.written, place="absolute")
    joined = posixpath.normpath(posixpath.join(directory, text)) if text else (directory or ".")
    if joined == ".." or joined.startswith("../"):
        return ResolvedPath(written=interpolated.written, place="outside")
    return ResolvedPath(written=interpolated.written, place="inside", path=joined)


VolumeKind = Literal["bind", "volume", "tmpfs", "anonymous", "other"]


@attrs.frozen(kw_only=True)
class ComposeVolume:
    kind: VolumeKind
    source: str | None  # as written (a named volume's name, or a bind's host path)
    target: str | None
    read_only: bool = False
    host_outside_repo: bool = False  # a bind whose host path is absolute or leaves the repo
    unresolved: tuple[str, ...] = ()


def split_outside_braces(value: str, separator: str) -> list[str]:
    """`value` split at `separator` where it is not inside a `${...}` (one linear scan)."""
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(value):
        if value.startswith("${", i):
            depth += 1
            i += 2
            continue
        char = value[i]
        if char == "}" and depth:
            depth -= 1
        elif char == separator and not depth:
            parts.append(value[start:i])
            start = i + 1
        i += 1
    parts.append(value[start:])
    return parts


def _is_host_path(source: str) -> bool:
    # Compose reads a short-syntax source as a host path when it starts with ".", "/" or "~"
    # (or a Windows drive); otherwise it names a volume.
    return (
        source.startswith((".", "/", "~", "$")) or re.match(r"[A-Za-z]:[\\/]", source) is not None
    )


def bind(directory: str, source: str, target: str | None, read_only: bool) -> ComposeVolume:
    where = resolve_path(directory, source)
    return ComposeVolume(
        kind="bind",
        source=where.written,
        target=target,
        read_only=read_only,
        host_outside_repo=where.place in ("outside", "absolute"),
        unresolved=where.unresolved,
    )


def short_volume(directory: str, value: str) -> ComposeVolume:
    """A short-syntax volume, `[source:]target[:mode]`."""
    # short = [ source ":" ] target [ ":" mode ]   ; a Windows drive's ":" is part of the path,
    # and so is a ":" inside `${...}` (interpolated after the split)
    parts = split_outside_braces(value, ":")
    if len(parts) >= 2 and len(parts[0]) == 1 and parts[0].isalpha():
        parts = [parts[0] + ":" + parts[1], *parts[2:]]
    if len(parts) == 1:
        return ComposeVolume(kind="anonymous", source=None, target=parts[0])
    source, target = parts[0], parts[1]
    read_only = len(parts) > 2 and "ro" in parts[2].split(",")
    named = interpolate(source)
    if _is_host_path(named.text if named.text is not None else source):
        return bind(directory, source, target, read_only)
    return ComposeVolume(
        kind="volume",
        source=named.written,
        target=target,
        read_only=read_only,
        unresolved=named.unresolved,
    )
