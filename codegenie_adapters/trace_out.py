"""How the trace leaves the container: the tar that seeds the output directory, and the reading of
the tar the engine streams back (see ADR-0022).

Rule 1: the host never opens anything the container wrote. The output directory lives in an
anonymous engine volume (private engine storage); the trace comes back as a tar on a pipe from
`docker cp NAME:PATH -`, parsed in memory, so a symlink, FIFO or device the container left there
is a tar member of that type, never followed, opened or blocked on.
Rule 2: only a regular-file member is a trace; anything else is a refusal with a reason.
Rule 3: at most `cap` bytes of the trace are kept; a longer one is cut and says so, never fatal.
"""

from __future__ import annotations

import io
import tarfile

import attrs

OUT_MOUNT = "/cg-out"  # the anonymous volume's mount point in the container
OUT_DIR_NAME = "out"  # seeded by the host, world-writable and sticky, so any USER can write it
TRACE_PATH = f"{OUT_MOUNT}/{OUT_DIR_NAME}/trace"
TAR_HEADROOM = 64 << 10  # tar and pax headers ahead of the member's data


@attrs.frozen(kw_only=True)
class TraceBytes:
    data: bytes
    cut: bool  # the member was longer than the cap (or the stream ended inside it)


_KINDS = {
    tarfile.SYMTYPE: "a symlink",
    tarfile.LNKTYPE: "a hard link",
    tarfile.FIFOTYPE: "a FIFO",
    tarfile.CHRTYPE: "a character device",
    tarfile.BLKTYPE: "a block device",
    tarfile.DIRTYPE: "a directory",
}


def seed_tar() -> bytes:
    """A tar holding one empty directory `out`, mode 01777 (as /tmp): extracted into the volume
    by `docker cp - NAME:/cg-out` before the container starts. No host directory is involved."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        info = tarfile.TarInfo(OUT_DIR_NAME)
        info.type = tarfile.DIRTYPE
        info.mode = 0o1777
        archive.addfile(info)
    return buffer.getvalue()


def read_trace_tar(stream: bytes, *, cap: int) -> TraceBytes | str:
    """The trace file's first `cap` bytes from the head of a `docker cp ... -` tar stream, or why
    it is refused. `stream` may itself be cut short (the caller bounds it): only the first
    member's header must be whole."""
    try:
        with tarfile.open(fileobj=io.BytesIO(stream), mode="r:") as archive:
            member = archive.next()
    except (tarfile.TarError, EOFError, ValueError) as error:
        return f"what came back is not a readable tar ({error})"
    if member is None:
        return "what came back is an empty tar"
    if not member.isreg():
        kind = _KINDS.get(member.type, f"a member of tar type {member.type!r}")
        return f"the trace file is {kind}, not a regular file"
    wanted = min(member.size, cap)
    data = stream[member.offset_data : member.offset_data + wanted]
    return TraceBytes(data=data, cut=member.size > cap or len(data) < wanted)
