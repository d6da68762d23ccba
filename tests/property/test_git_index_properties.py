"""git's `-z` output parsers read back exactly what git would print for any entries."""

from __future__ import annotations

import os

from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters.git_index import (
    IndexEntry,
    StatusEntry,
    parse_ls_files_stage,
    parse_status_z,
)
from tests.strategies import git_modes, git_object_ids, git_paths, status_codes


@given(st.dictionaries(git_paths, st.tuples(git_modes, git_object_ids), max_size=6))
def test_ls_files_stage_output_parses_back_to_its_entries(
    entries: dict[bytes, tuple[str, str]],
) -> None:
    printed = b"".join(
        f"{mode} {oid} 0\t".encode() + path + b"\0" for path, (mode, oid) in entries.items()
    )
    expected = {
        os.fsdecode(path): IndexEntry(mode=mode, oid=oid, stage=0)
        for path, (mode, oid) in entries.items()
    }
    assert parse_ls_files_stage(printed) == expected


@given(st.lists(st.tuples(status_codes, git_paths, git_paths), max_size=6))
def test_status_output_parses_back_to_its_entries(
    entries: list[tuple[str, bytes, bytes]],
) -> None:
    printed = b""
    expected: list[StatusEntry] = []
    for xy, path, orig in entries:
        renamed = "R" in xy or "C" in xy
        printed += xy.encode() + b" " + path + b"\0" + (orig + b"\0" if renamed else b"")
        expected.append(
            StatusEntry(xy=xy, path=os.fsdecode(path), orig=os.fsdecode(orig) if renamed else None)
        )
    assert parse_status_z(printed) == expected


@given(git_paths)
def test_a_decoded_name_encodes_back_to_the_same_bytes(path: bytes) -> None:
    [entry] = parse_status_z(b"?? " + path + b"\0")
    assert os.fsencode(entry.path) == path
