"""The line index's remembered sizes (ADR-0089): kept by blob id beside the counts, written and
read back, pruned with them, and a damaged table of sizes is never trusted."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import cast

import pytest

from codegenie_adapters import line_index
from codegenie_adapters.line_index import FORMAT, LineIndex
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
    document = {"format": FORMAT, "counter": COUNTER_VERSION, "object_format": "sha1",
                "entries": {"Python": {"b1": 1}}}  # fmt: skip
    path.write_text(json.dumps(document))
    index = LineIndex(str(path), object_format="sha1")
    assert (index.lookups("Python")("b1"), dict(index.sizes())) == (LineCounts(code=1), {})


@pytest.mark.parametrize("sizes", [[], {"b1": -1}, {"b1": "6"}, {"b1": 1.5}, {"b1": True}])
def test_a_damaged_table_of_sizes_discards_the_whole_index(tmp_path: Path, sizes: object) -> None:
    path = tmp_path / "lines.json"
    document = {"format": FORMAT, "counter": COUNTER_VERSION, "object_format": "sha1",
                "entries": {"Python": {"b1": 1}}, "sizes": sizes}  # fmt: skip
    path.write_text(json.dumps(document))
    index = LineIndex(str(path), object_format="sha1")
    assert (index.lookups("Python")("b1"), dict(index.sizes())) == (None, {})


@pytest.mark.parametrize("empty", [(), ("Go",)])
def test_the_index_is_written_in_slices_as_the_json_document_it_always_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty: tuple[str, ...]
) -> None:
    # ADR-0093: no JSON text of the whole index is made; what is written is the same document.
    encoded: list[int] = []
    dumps = json.dumps

    def counting(value: object) -> str:
        if isinstance(value, dict) and "format" not in value:
            encoded.append(len(cast("dict[str, object]", value)))
        return dumps(value)

    monkeypatch.setattr(line_index, "_SAVE_SLICE", 2)
    monkeypatch.setattr(line_index.json, "dumps", counting)
    path = tmp_path / "lines.json"
    index = LineIndex(str(path), object_format="sha1")
    for n in range(5):
        index.record("Python", f"p{n}", LineCounts(code=n, comment=1), size=n)
    index.record('Shell "sh"', "s0", "binary")
    for language in empty:
        index.lookups(language)  # an empty table is written too
    index.save(keep={f"p{n}" for n in range(5)} | {"s0"})
    assert encoded and max(encoded) <= 2
    monkeypatch.setattr(line_index.json, "dumps", dumps)
    assert json.loads(path.read_text()) == {
        "format": FORMAT,
        "counter": COUNTER_VERSION,
        "object_format": "sha1",
        "entries": {
            "Python": {f"p{n}": line_index.pack(LineCounts(code=n, comment=1)) for n in range(5)},
            'Shell "sh"': {"s0": -1},
            **{language: {} for language in empty},
        },
        "sizes": {f"p{n}": n for n in range(5)},
    }
    again = LineIndex(str(path), object_format="sha1")
    assert again.lookups("Python")("p3") == LineCounts(code=3, comment=1)
    assert dict(again.sizes()) == {f"p{n}": n for n in range(5)}


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
