"""Properties of the trace tar reader: total, bounded, and a trace only for a regular file."""

from __future__ import annotations

import tarfile

from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters.trace_out import TraceBytes, read_trace_tar
from tests.strategies import trace_bodies_bytes, trace_caps, trace_member_types
from tests.unit.test_trace_out import tar_of

KINDS = {
    "reg": tarfile.REGTYPE,
    "symlink": tarfile.SYMTYPE,
    "fifo": tarfile.FIFOTYPE,
    "dir": tarfile.DIRTYPE,
    "hardlink": tarfile.LNKTYPE,
    "chardev": tarfile.CHRTYPE,
}


@given(trace_member_types, trace_bodies_bytes, trace_caps)
def test_only_a_regular_member_reads_and_then_exactly_its_head_up_to_the_cap(
    kind: str, body: bytes, cap: int
) -> None:
    read = read_trace_tar(tar_of("trace", KINDS[kind], body), cap=cap)
    if kind == "reg":
        assert read == TraceBytes(data=body[:cap], cut=len(body) > cap)
    else:
        assert isinstance(read, str)


@given(st.binary(max_size=3000), trace_caps)
def test_any_bytes_give_a_value_within_the_cap_and_never_raise(stream: bytes, cap: int) -> None:
    read = read_trace_tar(stream, cap=cap)
    assert isinstance(read, str) or len(read.data) <= cap


@given(trace_bodies_bytes, st.integers(min_value=0, max_value=6000), trace_caps)
def test_a_cut_stream_never_claims_a_whole_trace_it_does_not_hold(
    body: bytes, keep: int, cap: int
) -> None:
    stream = tar_of("trace", tarfile.REGTYPE, body)
    read = read_trace_tar(stream[:keep], cap=cap)
    if isinstance(read, TraceBytes) and not read.cut:
        assert read.data == body[:cap] and len(body) <= cap
