"""Bytes in chunks to text in windows of whole lines, in bounded memory (ADR-0079).

Rule 1: a window is whole lines: it ends just after a b"\\n" (only the input's last window may
not), so decoding each window with `replace` gives exactly the text of decoding the whole input
(an ASCII newline always ends a broken UTF-8 sequence), and a line is never split between two.
Rule 2: bounded: a window holds about `window_bytes` plus the rest of its last line; when, after
a chunk, the line not yet ended is longer than `max_line_bytes`, it is dropped (its bytes up to
its newline are skipped) and counted, so memory stays within a chunk, a window and
`max_line_bytes` whatever the input. Only a line still open at a chunk's end can be dropped: a
longer line that ends within the chunk it was read in is already held, and is kept. With
`max_line_bytes=None` nothing is dropped (the caller already holds the whole input).
Rule 3: linear: each byte is searched for a newline a bounded number of times.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

WINDOW_BYTES = 1 << 20


def line_windows(
    chunks: Iterable[bytes],
    *,
    window_bytes: int = WINDOW_BYTES,
    max_line_bytes: int | None = None,
) -> Iterator[tuple[str, int]]:
    """Each window's text (decoded with `replace`) and how many over-long lines were dropped
    just before it; the last window's text may not end in a newline."""
    pending = bytearray()  # a window's start: whole lines, then the start of one not yet ended
    tail = 0  # bytes at pending's end after its last newline: the line not yet ended
    dropping = False  # inside a dropped line: skip its bytes up to its newline
    dropped = 0
    for read in chunks:
        chunk = read
        if dropping:
            newline = chunk.find(b"\n")
            if newline < 0:
                continue
            chunk, dropping = chunk[newline + 1 :], False
        newline = chunk.rfind(b"\n")
        open_line = len(chunk) - newline - 1 if newline >= 0 else tail + len(chunk)
        if max_line_bytes is not None and open_line > max_line_bytes:
            if newline < 0:
                del pending[len(pending) - tail :]
            pending += chunk[: newline + 1]
            tail, dropping, dropped = 0, True, dropped + 1
        else:
            pending += chunk
            tail = open_line
        if len(pending) - tail >= window_bytes:
            yield pending[: len(pending) - tail].decode("utf-8", "replace"), dropped
            dropped = 0
            del pending[: len(pending) - tail]
    if pending or dropped:
        yield pending.decode("utf-8", "replace"), dropped
