"""Port probing for a scenario container on the run's internal network (ADR-0066).

Rule 1: the network is created once per run, `--internal` (no route out) and with no IPv4
address of the host on its bridge (`com.docker.network.bridge.inhibit_ipv4`), so a scenario
container reaches neither the outside nor the host's own services; it is labelled with the run
and removed by the runner's `cleanup()`, also after Ctrl-C.
Rule 2: the host cannot reach a container on such a network either, so the prober is a second
container on it: the scenario's own image (already built, no pull), run with the host's static
busybox mounted read-only as its only program, under the scenario policy minus every
capability. Its script connects to each port with short timeouts, polling within the window,
and sends `GET /` over the connection; what comes back is bounded and parsed by the core.
Rule 3: without a static busybox on the host, or for podman (no such bridge option), ports are
not probed: the scenario runs with no network as before and each port says why.
"""

from __future__ import annotations

import os

PROBER_MOUNT = "/codegenie-probe/busybox"
INHIBIT_IPV4 = "com.docker.network.bridge.inhibit_ipv4=true"
BUSYBOX_CANDIDATES = ("/bin/busybox", "/usr/bin/busybox")

# $1: the container's address; $2: the window in whole seconds; then the ports. Prints what
# `codegenie_core.parsers.port_probe` reads.
PROBER_SCRIPT = r"""
BB=/codegenie-probe/busybox; ip=$1; window=$2; shift 2
uptime_cs() { read -r up _ < /proc/uptime; echo "${up%.*}${up#*.}"; }
t0=$(uptime_cs); end=$((t0 + window * 100))
for port in "$@"; do
  while :; do
    out=$(printf 'GET / HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$ip" \
      | $BB timeout 3 $BB nc -w 2 "$ip" "$port" 2>&1 | $BB head -c 4096)
    now=$(uptime_cs)
    case "$out" in
      *"can't connect"*|*refused*|*unreachable*)
        if [ "$now" -ge "$end" ]; then echo "codegenie-port $port closed"; break; fi
        $BB sleep 0.25; continue;;
    esac
    echo "codegenie-port $port open $(( (now - t0) * 10 ))"
    printf '%s\n' "$out" | $BB tr -d '\r' | while IFS= read -r line; do
      [ -z "$line" ] && break
      echo "codegenie-hdr $port $line"
    done
    break
  done
done
"""


def host_busybox() -> str | None:
    """The host's busybox, when it is a static one (it runs in any image); else None."""
    for candidate in BUSYBOX_CANDIDATES:
        if os.path.isfile(candidate) and _is_static(candidate):
            return candidate
    return None


def _is_static(path: str) -> bool:
    """An ELF with no program interpreter (PT_INTERP) is statically linked."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
    except OSError:
        return False
    return head[:4] == b"\x7fELF" and b"/ld-linux" not in head and b"ld-musl" not in head
