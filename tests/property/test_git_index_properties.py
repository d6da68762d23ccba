"""git's `-z` output parsers read back exactly what git would print for any entries."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters import git_index
from codegenie_adapters.git_index import (
    IndexEntry,
    StatusEntry,
    parse_ls_files_stage,
    parse_status_z,
)
from tests.strategies import git_modes, git_object_ids, git_paths, status_codes


def _per_record(out: bytes) -> dict[str, IndexEntry]:
    """The reference reading of `git ls-files --stage -z`: one record at a time, lowest stage."""
    entries: dict[str, IndexEntry] = {}
    for record in out.split(b"\0")[:-1]:
        meta, _, path = record.partition(b"\t")
        mode, oid, stage = meta.decode().split(" ")
        name = os.fsdecode(path)
        known = entries.get(name)
        if known is None or int(stage) < known.stage:
            entries[name] = IndexEntry(mode, oid, int(stage))
    return entries


_stages = st.sampled_from([0, 0, 0, 1, 2, 3])


@given(
    st.lists(st.tuples(git_paths, git_modes, git_object_ids, _stages), max_size=8),
)
def test_the_index_table_agrees_with_a_per_record_reading(
    records: list[tuple[bytes, str, str, int]],
) -> None:
    # As in a real index: one record per path and stage, and stage 0 excludes the others.
    merged = {path for path, _, _, stage in records if stage == 0}
    unique = {(r[0], r[3]): r for r in records}.values()
    kept = [r for r in unique if r[3] == 0 or r[0] not in merged]
    printed = b"".join(
        f"{mode} {oid} {stage}\t".encode() + path + b"\0" for path, mode, oid, stage in kept
    )
    reference = _per_record(printed)
    table = parse_ls_files_stage(printed)
    assert sorted(set(table.paths)) == sorted(reference)
    assert table.content == {
        path: entry.oid
        for path, entry in reference.items()
        if entry.stage == 0 and entry.mode in ("100644", "100755")
    }
    assert {path: table.oid_of(path) for path in reference} == {
        path: entry.oid for path, entry in reference.items()
    }
    assert dict(table.others) == {
        path: e for path, e in reference.items() if path not in table.content
    }


@given(
    st.lists(st.tuples(git_paths, git_modes, git_object_ids, _stages), max_size=8),
)
def test_the_listing_read_as_text_is_the_listing_read_as_bytes(
    records: list[tuple[bytes, str, str, int]],
) -> None:
    # The work tree decodes git's bytes before parsing them, so they are freed first (ADR-0093).
    printed = b"".join(f"{m} {o} {s}\t".encode() + p + b"\0" for p, m, o, s in records)
    try:
        expected = parse_ls_files_stage(printed)
    except ValueError:
        with pytest.raises(ValueError):
            parse_ls_files_stage(os.fsdecode(printed))
        return
    assert parse_ls_files_stage(os.fsdecode(printed)) == expected


class _NotScanned:
    """Stands for a pattern the usual listing must not need: using it fails the test."""

    def findall(self, text: str) -> list[object]:
        raise AssertionError("a listing of merged regular files only was scanned for pairs")


@given(
    st.lists(
        st.tuples(git_paths, st.sampled_from(["100644", "100755"]), git_object_ids),
        min_size=1,
        max_size=8,
        unique_by=lambda record: record[0],
    ),
)
def test_a_listing_of_merged_regular_files_is_read_without_a_pair_per_file(
    records: list[tuple[bytes, str, str]],
) -> None:
    # ADR-0093: the usual index (no link, submodule or conflict) is two scans of one group each,
    # object ids and paths, lined up; no (id, path) tuple per file is made.
    printed = b"".join(f"{mode} {oid} 0\t".encode() + path + b"\0" for path, mode, oid in records)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(git_index, "_CONTENT_RECORD", _NotScanned())
        patch.setattr(git_index, "_OTHER_RECORD", _NotScanned())
        table = parse_ls_files_stage(printed)
    assert table.paths == [os.fsdecode(path) for path, _, _ in records]
    assert table.content == {os.fsdecode(path): oid for path, _, oid in records}
    assert table.others == {}


@pytest.mark.parametrize(
    "printed",
    [b"100644 abc 0 no-tab\0", b"100644 abc 0\tno-nul", b"garbage\tx\0", b"100644 abc\tx\0"],
)
def test_a_record_not_of_the_form_is_refused(printed: bytes) -> None:
    with pytest.raises(ValueError, match="not mode, id, stage, path"):
        parse_ls_files_stage(printed)


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
