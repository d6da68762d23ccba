"""Bytes chunks to windows of whole lines (ADR-0079): never a split line, bounded memory."""

from __future__ import annotations

import pytest

from benches.bench_strace_parser import generate
from codegenie_core.parsers import strace
from codegenie_core.parsers.line_windows import line_windows
from codegenie_core.parsers.strace import parse_strace, parse_strace_chunks


def test_windows_are_whole_lines_whatever_the_chunks() -> None:
    chunks = [b"ab", b"c\nde", b"f\ng", b"hi\n", b"j"]

    windows = list(line_windows(chunks, window_bytes=3))

    assert [text for text, _ in windows] == ["abc\n", "def\n", "ghi\n", "j"]
    assert "".join(text for text, _ in windows) == b"".join(chunks).decode()


def test_a_utf8_character_split_by_a_chunk_edge_is_decoded_whole() -> None:
    data = "é\nü\n".encode()
    chunks = [data[i : i + 1] for i in range(len(data))]

    assert "".join(text for text, _ in line_windows(chunks, window_bytes=1)) == "é\nü\n"


def test_a_line_still_open_past_the_bound_is_dropped_and_counted() -> None:
    chunks = [b"short\n", b"x" * 10, b"y" * 10, b"z\nafter\n"]

    windows = list(line_windows(chunks, window_bytes=1, max_line_bytes=15))

    assert "".join(text for text, _ in windows) == "short\nafter\n"
    assert sum(dropped for _, dropped in windows) == 1


def test_without_a_bound_no_line_is_dropped() -> None:
    chunks = [b"x" * 10, b"y" * 10, b"\n"]

    assert list(line_windows(chunks, window_bytes=4)) == [("x" * 10 + "y" * 10 + "\n", 0)]


def test_a_dropped_trace_line_is_an_unparsed_line_and_the_rest_still_parses() -> None:
    open_line = b'1 openat(AT_FDCWD, "/etc/hosts", O_RDONLY) = 3\n'
    chunks = [
        open_line,
        b'2 execve("/bin/' + b"a" * 64,
        b"a" * 64,
        b'", [], 0x1 /* 0 vars */) = 0\n',
    ]

    facts = parse_strace_chunks(chunks, max_line_bytes=100)

    assert facts.files_read == ("/etc/hosts",)
    assert facts.binaries_executed == ()
    assert facts.unparsed_lines == 1


def test_text_is_scanned_in_windows_cut_after_a_newline(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = generate(300)
    text = "\n".join(lines)
    whole = parse_strace(lines)
    monkeypatch.setattr(strace, "WINDOW_BYTES", 50)

    assert strace.parse_strace_text(text) == whole
