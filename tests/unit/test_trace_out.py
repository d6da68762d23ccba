"""Reading the tar `docker cp NAME:PATH -` streams back: only a regular file is a trace, bounded."""

from __future__ import annotations

import io
import tarfile

from codegenie_adapters.trace_out import OUT_DIR_NAME, TraceBytes, read_trace_tar, seed_tar


def tar_of(name: str, kind: bytes, body: bytes = b"", *, target: str = "") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        info = tarfile.TarInfo(name)
        info.type = kind
        info.linkname = target
        info.size = len(body) if kind == tarfile.REGTYPE else 0
        archive.addfile(info, io.BytesIO(body) if kind == tarfile.REGTYPE else None)
    return buffer.getvalue()


def test_a_regular_file_member_is_the_trace() -> None:
    stream = tar_of("trace", tarfile.REGTYPE, b'1 execve("/bin/sh", ...) = 0\n')
    assert read_trace_tar(stream, cap=1 << 20) == TraceBytes(
        data=b'1 execve("/bin/sh", ...) = 0\n', cut=False
    )


def test_a_trace_longer_than_the_cap_is_kept_up_to_it_and_cut() -> None:
    stream = tar_of("trace", tarfile.REGTYPE, b"x" * 1000)
    assert read_trace_tar(stream, cap=100) == TraceBytes(data=b"x" * 100, cut=True)


def test_a_stream_itself_cut_inside_the_member_still_gives_its_head_marked_cut() -> None:
    stream = tar_of("trace", tarfile.REGTYPE, b"y" * 5000)
    start = stream.index(b"yyyy")
    assert read_trace_tar(stream[:2048], cap=1 << 20) == TraceBytes(
        data=b"y" * (2048 - start), cut=True
    )


def test_a_symlink_fifo_directory_hard_link_or_device_is_refused_by_kind() -> None:
    kinds = {
        tarfile.SYMTYPE: "a symlink",
        tarfile.FIFOTYPE: "a FIFO",
        tarfile.DIRTYPE: "a directory",
        tarfile.LNKTYPE: "a hard link",
        tarfile.CHRTYPE: "a character device",
        tarfile.BLKTYPE: "a block device",
    }
    for kind, said in kinds.items():
        refused = read_trace_tar(tar_of("trace", kind, target="/etc/shadow"), cap=1 << 20)
        assert refused == f"the trace file is {said}, not a regular file"


def test_what_is_not_a_tar_is_refused_and_never_raises() -> None:
    assert isinstance(read_trace_tar(b"not a tar at all" * 40, cap=100), str)
    assert isinstance(read_trace_tar(b"", cap=100), str)


def test_the_seed_is_one_sticky_world_writable_directory() -> None:
    with tarfile.open(fileobj=io.BytesIO(seed_tar()), mode="r:") as archive:
        members = archive.getmembers()
    assert [(m.name, m.isdir(), m.mode) for m in members] == [(OUT_DIR_NAME, True, 0o1777)]
