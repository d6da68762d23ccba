"""The line index's remembered sizes (ADR-0089): kept by blob id beside the counts, written and
read back, pruned with them, and a damaged table of sizes is never trusted; its tables written as
two columns, and the format before them still read (ADR-0090)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from pathlib import Path

import pytest

from codegenie_adapters import line_index
from codegenie_adapters.line_index import FORMAT, FORMAT_OBJECTS, LineIndex
from codegenie_core.line_counts import COUNTER_VERSION, LineCounts


def test_sizes_are_written_read_back_and_pruned_with_the_counts(tmp_path: Path) -> None:
    path = str(tmp_path / "lines.json")
    index = LineIndex(path, object_format="sha1")
    index.record("Python", "b1", LineCounts(code=1), size=6)
    index.record("Python", "b2", LineCounts(code=2), size=12)
    index.record("Python", "b3", LineCounts(code=3))  # read in chunks: no size known
    index.save(keep={"b1", "b2", "b3"})
    assert dict(LineIndex(path, object_format="sha1").sizes()) == {"b1": 6, "b2": 12}
    grown = LineIndex(path, object_format="sha1")
    grown.record("Python", "b4", LineCounts(code=4), size=1)
    grown.save(keep={"b4"})  # more than twice what is listed: pruned to it
    assert dict(LineIndex(path, object_format="sha1").sizes()) == {"b4": 1}


def test_an_index_written_before_sizes_has_its_counts_and_no_sizes(tmp_path: Path) -> None:
    path = tmp_path / "lines.json"
    document = {"format": FORMAT_OBJECTS, "counter": COUNTER_VERSION, "object_format": "sha1",
                "entries": {"Python": {"b1": 1}}}  # fmt: skip
    path.write_text(json.dumps(document))
    index = LineIndex(str(path), object_format="sha1")
    assert (index.lookups("Python")("b1"), dict(index.sizes())) == (LineCounts(code=1), {})


@pytest.mark.parametrize("sizes", [[], {"b1": -1}, {"b1": "6"}, {"b1": 1.5}, {"b1": True}])
def test_a_damaged_table_of_sizes_discards_the_whole_index(tmp_path: Path, sizes: object) -> None:
    path = tmp_path / "lines.json"
    document = {"format": FORMAT_OBJECTS, "counter": COUNTER_VERSION, "object_format": "sha1",
                "entries": {"Python": {"b1": 1}}, "sizes": sizes}  # fmt: skip
    path.write_text(json.dumps(document))
    index = LineIndex(str(path), object_format="sha1")
    assert (index.lookups("Python")("b1"), dict(index.sizes())) == (None, {})


def test_tables_are_written_as_two_columns_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "lines.json"
    index = LineIndex(str(path), object_format="sha1")
    index.record("Python", "b1", LineCounts(code=1, comment=2, blank=3), size=6)
    index.record("Python", "b2", "binary")
    index.record("Go", "b3", LineCounts(code=4), size=9)
    index.record("Go", "has space", LineCounts(code=5), size=1)  # never written (Rule 5)
    index.record("Go", "", LineCounts(code=6))  # nor is an empty id
    index.save(keep={"b1", "b2", "b3", "has space", ""})
    document = json.loads(path.read_text())
    assert document["format"] == FORMAT
    assert document["entries"]["Python"][0] == "b1 b2"
    back = LineIndex(str(path), object_format="sha1")
    python, go = back.lookups("Python"), back.lookups("Go")
    assert go("") is None
    assert (python("b1"), python("b2"), go("b3"), go("has space")) == (
        LineCounts(code=1, comment=2, blank=3),
        "binary",
        LineCounts(code=4),
        None,
    )
    assert dict(back.sizes()) == {"b1": 6, "b3": 9}
    assert back.counts_of("Python", ["b2", None, "b1", "b9"]) == [
        "binary",
        None,
        LineCounts(code=1, comment=2, blank=3),
        None,
    ]


@pytest.mark.parametrize(
    "entries, sizes",
    [
        ({"Python": {"b1": 1}}, ["", []]),  # a table as an object, under the columns' format
        ({"Python": ["b1 b2", [1]]}, ["", []]),  # columns of unequal length
        ({"Python": ["b1", [True]]}, ["", []]),
        ({"Python": ["b1", [1], []]}, ["", []]),
        ({"Python": ["b1", [1]]}, ["b1", [-1]]),
        ({"Python": ["b1", [1]]}, ["b1", ["6"]]),
        ({"Python": ["b1", [1]]}, {"b1": 6}),
    ],
)
def test_damaged_columns_discard_the_whole_index(
    tmp_path: Path, entries: object, sizes: object
) -> None:
    path = tmp_path / "lines.json"
    document = {"format": FORMAT, "counter": COUNTER_VERSION, "object_format": "sha1",
                "entries": entries, "sizes": sizes}  # fmt: skip
    path.write_text(json.dumps(document))
    index = LineIndex(str(path), object_format="sha1")
    assert (index.lookups("Python")("b1"), dict(index.sizes())) == (None, {})


@pytest.mark.parametrize("packed", [-2, 1 << 75])
@pytest.mark.parametrize("fmt", [FORMAT, FORMAT_OBJECTS])
def test_a_packed_count_no_record_gives_discards_the_whole_index(
    tmp_path: Path, packed: int, fmt: str
) -> None:
    # Rule 2: -1 (binary) or three 25-bit fields is all `pack` writes; anything else is damage,
    # not a count to report (-2 read as "binary", 2**75 as 2**25 blank lines)
    path = tmp_path / "lines.json"
    table: object = ["b1", [packed]] if fmt == FORMAT else {"b1": packed}
    sizes: object = ["", []] if fmt == FORMAT else {}
    document = {"format": fmt, "counter": COUNTER_VERSION, "object_format": "sha1",
                "entries": {"Python": table}, "sizes": sizes}  # fmt: skip
    path.write_text(json.dumps(document))
    index = LineIndex(str(path), object_format="sha1")
    assert index.lookups("Python")("b1") is None


def test_an_empty_index_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "lines.json"
    index = LineIndex(str(path), object_format="sha1")
    index.record("Python", "b1", LineCounts(code=1))
    index.save(keep=set())  # pruned to nothing: every table empty
    document = json.loads(path.read_text())
    assert document["entries"] == {"Python": ["", []]} and document["sizes"] == ["", []]
    assert LineIndex(str(path), object_format="sha1").lookups("Python")("b1") is None


def test_a_few_new_records_are_not_written_until_they_are_a_64th_of_the_index(
    tmp_path: Path,
) -> None:
    """Rule 6 (ADR-0090): one new count in an index of 128 leaves the file as it was; once the
    new records are 1/64 of the index it is written, with every record kept in memory."""
    path = tmp_path / "lines.json"
    first = LineIndex(str(path), object_format="sha1")
    for n in range(128):
        first.record("Python", f"b{n}", LineCounts(code=n), size=n)
    everything = {f"b{n}" for n in range(130)}
    first.save(keep=everything)  # a cold index: all new, written
    written = path.read_bytes()
    second = LineIndex(str(path), object_format="sha1")
    second.record("Python", "b128", LineCounts(code=128), size=128)
    second.save(keep=everything)
    assert path.read_bytes() == written  # one new record in 129: not written
    assert LineIndex(str(path), object_format="sha1").lookups("Python")("b128") is None
    second.record("Python", "b129", LineCounts(code=129))  # now 2 new of 130: 1/64 or more
    second.save(keep=everything)
    back = LineIndex(str(path), object_format="sha1")
    assert (back.lookups("Python")("b128"), back.lookups("Python")("b129")) == (
        LineCounts(code=128),
        LineCounts(code=129),
    )
    assert back.sizes()["b128"] == 128


class _Listed(Collection[str]):
    """What is listed, as a collection that may only be counted, and iterated when `iterable`."""

    def __init__(self, blobs: list[str], *, iterable: bool) -> None:
        self._blobs = blobs
        self._iterable = iterable

    def __len__(self) -> int:
        return len(self._blobs)

    def __iter__(self) -> Iterator[str]:
        assert self._iterable, "a save that does not prune made a set of what is listed"
        return iter(self._blobs)

    def __contains__(self, blob: object) -> bool:
        raise AssertionError("each look-up in a plain collection is a scan: a set is made first")


def test_a_save_makes_a_set_of_what_is_listed_only_when_it_prunes(tmp_path: Path) -> None:
    # ADR-0093: a set of 200,000 blob ids at the end of every counting gather cost 8 MB.
    path = str(tmp_path / "lines.json")
    index = LineIndex(path, object_format="sha1")
    for n in range(3):
        index.record("Python", f"b{n}", LineCounts(code=n), size=n)
    index.save(keep=_Listed(["b0", "b1", "b2"], iterable=False))
    grown = LineIndex(path, object_format="sha1")
    grown.record("Python", "b3", LineCounts(code=3), size=3)
    grown.save(keep=_Listed(["b3"], iterable=True))  # more than twice what is listed: pruned
    assert dict(LineIndex(path, object_format="sha1").sizes()) == {"b3": 3}


def test_equal_counts_and_sizes_recorded_are_one_int_each() -> None:
    # ADR-0093: at 200,000 files an int object per packed count and per size cost 13 MB.
    index = LineIndex(None, object_format="sha1")
    for blob in ("b1", "b2"):
        index.record("Python", blob, LineCounts(code=1000, blank=7), size=int("70000"))
    entries, sizes = index._entries["Python"], index.sizes()  # pyright: ignore[reportPrivateUsage] - which object is kept is under test
    assert entries["b1"] == line_index.pack(LineCounts(code=1000, blank=7))
    assert entries["b1"] is entries["b2"] and sizes["b1"] == 70000 and sizes["b1"] is sizes["b2"]


def test_records_made_many_at_once_equal_the_same_records_made_one_by_one(tmp_path: Path) -> None:
    # ADR-0096: a cold gather records every file it read whole in one `record_many` per language.
    records = [
        ("b1", LineCounts(code=1, blank=2), 6),
        ("b2", "binary", 9),
        ("b1", LineCounts(code=3), 7),
    ]
    one, many = tmp_path / "one.json", tmp_path / "many.json"
    singly = LineIndex(str(one), object_format="sha1")
    for blob, counts, size in records:
        singly.record("Go", blob, counts, size=size)
    together = LineIndex(str(many), object_format="sha1")
    together.record_many("Go", records)
    singly.save(keep={"b1", "b2"})
    together.save(keep={"b1", "b2"})
    assert many.read_bytes() == one.read_bytes()
    back = LineIndex(str(many), object_format="sha1")
    assert (back.lookups("Go")("b1"), back.lookups("Go")("b2"), dict(back.sizes())) == (
        LineCounts(code=3),
        "binary",
        {"b1": 7, "b2": 9},
    )


def test_equal_counts_and_sizes_recorded_many_at_once_are_one_int_each() -> None:
    index = LineIndex(None, object_format="sha1")
    index.record_many(
        "Python", [(b, LineCounts(code=1000, blank=7), int("70000")) for b in ("b1", "b2")]
    )
    entries, sizes = index._entries["Python"], index.sizes()  # pyright: ignore[reportPrivateUsage] - which object is kept is under test
    assert entries["b1"] is entries["b2"] and sizes["b1"] is sizes["b2"]
