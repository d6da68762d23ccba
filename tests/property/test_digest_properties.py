"""Streamed digests (ADR-0026): however the bytes are cut into chunks, the streamed blob id is the
blob id of the whole, and bytes that do not add up to the stated size give none."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.digest import STAT_DIGEST_PREFIX, blob_digest, stat_digest, streamed_blob_digest

formats = st.sampled_from(["sha1", "sha256"])


@given(st.lists(st.binary(max_size=64), max_size=8), formats)
def test_a_streamed_digest_is_the_blob_id_of_the_joined_chunks(
    chunks: list[bytes], object_format: str
) -> None:
    whole = b"".join(chunks)
    assert streamed_blob_digest(len(whole), chunks, object_format=object_format) == blob_digest(
        whole, object_format=object_format
    )


@given(st.lists(st.binary(max_size=64), max_size=8), st.integers(min_value=-3, max_value=3))
def test_chunks_that_miss_the_stated_size_give_no_digest(chunks: list[bytes], off: int) -> None:
    size = len(b"".join(chunks)) + off
    if off != 0 and size >= 0:
        assert streamed_blob_digest(size, chunks) is None


@given(st.tuples(st.integers(min_value=0), st.integers(min_value=0)), st.binary(max_size=32))
def test_an_identity_digest_is_never_a_blob_id(identity: tuple[int, int], data: bytes) -> None:
    found = stat_digest(identity)
    assert found.startswith(STAT_DIGEST_PREFIX)
    assert found != blob_digest(data)
