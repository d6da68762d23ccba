"""What the port prober printed, as one `PortProbe` per port asked for (pure; ADR-0066).

The prober (a busybox shell in a second container on the run's internal network) prints, per
port, `codegenie-port PORT closed` or `codegenie-port PORT open MS`, then the HTTP answer's status
line and headers as busybox `wget -S` shows them, each as `codegenie-hdr PORT LINE`.
Rule 1: total: any text gives one value per port asked for; a port the output does not mention
is `closed` with a detail saying the prober did not report it. A line that is none of these is
ignored. Header values are cut to `MAX_HEADER_CHARS` and keep printable ASCII only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

import attrs

MAX_HEADER_CHARS = 200

PortState = Literal["listening", "http", "closed", "not-probed"]


@attrs.frozen(kw_only=True)
class PortProbe:
    """One TCP port as the prober found it: `closed` (nothing listened within the window),
    `listening` (a connection, but no HTTP answer), `http` (an HTTP answer to `GET /`)."""

    port: int
    state: PortState
    first_listen_ms: int | None = None  # from the prober's start, right after the container's
    http_status: int | None = None
    server: str = ""
    content_type: str = ""
    detail: str = ""


_PORT = re.compile(r"codegenie-port (\d{1,5}) (closed|open (\d{1,9}))\s*$")
_HEADER = re.compile(r"codegenie-hdr (\d{1,5}) \s*(.*)$")
_STATUS = re.compile(r"HTTP/\d(?:\.\d)? (\d{3})\b")


def _clean(value: str) -> str:
    return "".join(c for c in value.strip() if " " <= c <= "~")[:MAX_HEADER_CHARS]


def parse_prober_output(text: str, ports: Sequence[int]) -> tuple[PortProbe, ...]:
    """One `PortProbe` per port in `ports`, in that order (Rule 1)."""
    found: dict[int, PortProbe] = {}
    for line in text.splitlines():
        matched = _PORT.match(line)
        if matched is not None:
            port = int(matched.group(1))
            if matched.group(3) is None:
                found[port] = PortProbe(port=port, state="closed")
            else:
                ms = int(matched.group(3))
                found[port] = PortProbe(port=port, state="listening", first_listen_ms=ms)
            continue
        header = _HEADER.match(line)
        if header is None:
            continue
        port = int(header.group(1))
        probe = found.get(port)
        if probe is None or probe.state == "closed":
            continue
        found[port] = _with_header(probe, header.group(2))
    return tuple(
        found.get(p, PortProbe(port=p, state="closed", detail="the prober did not report it"))
        for p in ports
    )


def _with_header(probe: PortProbe, line: str) -> PortProbe:
    status = _STATUS.match(line)
    if status is not None:
        if probe.http_status is not None:  # a redirect's second answer: the first one stands
            return probe
        return attrs.evolve(probe, state="http", http_status=int(status.group(1)))
    name, colon, value = line.partition(":")
    if not colon or probe.http_status is None:
        return probe
    match name.strip().lower():
        case "server" if not probe.server:
            return attrs.evolve(probe, server=_clean(value))
        case "content-type" if not probe.content_type:
            return attrs.evolve(probe, content_type=_clean(value))
        case _:
            return probe
