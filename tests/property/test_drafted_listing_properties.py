"""A match made on a drafted listing and corrected by the listing's changes is the match on the
listing itself (ADR-0095): `globs.matched_after` and `InputTables` over a `DraftedListing`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters.fakes import FakeClock, FakeRepo, ScriptedYaml
from codegenie_core import cache_keys
from codegenie_core.cache_keys import InputTables, explain_key
from codegenie_core.config import GatherConfig
from codegenie_core.coordinator import GatherResult, gather, select_probes
from codegenie_core.digest import blob_digest
from codegenie_core.globs import matched_after, matching_paths
from codegenie_core.outcomes import Ran
from codegenie_core.ports import DraftedListing, ListingChanges
from codegenie_core.probe import ProbeContext
from codegenie_core.registry import ProbeRegistry
from codegenie_core.spec import PORTS, ProbeSpec
from tests.strategies import globs_with_a_match, repo_globs, repo_paths
from tests.unit.test_cache_keys import GlobProbe

# A glob set as a probe declares it: random globs, globs with a path they match, sometimes `**`.
glob_sets = st.lists(
    st.one_of(repo_globs, globs_with_a_match().map(lambda pair: pair[0]), st.just("**")),
    min_size=1,
    max_size=5,
)


@st.composite
def drafts_and_listings(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """A draft (git's order, maybe with repeats: an unmerged path once per stage) and the
    listing made from it: some drafted paths dropped (deleted), some paths added (untracked),
    among them paths some glob matches."""
    draft = draw(st.lists(repo_paths, max_size=12))
    keep = draw(st.lists(st.booleans(), min_size=len(draft), max_size=len(draft)))
    kept = [path for path, kept in zip(draft, keep, strict=True) if kept]
    added = draw(st.lists(st.one_of(repo_paths, globs_with_a_match().map(lambda p: p[1]))))
    return draft, sorted({*kept, *added})


def changes_between(draft: Sequence[str], listing: Sequence[str]) -> ListingChanges:
    """`DraftedListing.listing_changes` as its contract defines it: the exact set differences."""
    drafted, final = set(draft), set(listing)
    return ListingChanges(added=tuple(sorted(final - drafted)), removed=frozenset(drafted - final))


@given(glob_sets, drafts_and_listings())
def test_the_drafted_match_corrected_by_the_changes_is_the_listings_match(
    globs: list[str], draft_and_listing: tuple[list[str], list[str]]
) -> None:
    draft, listing = draft_and_listing
    changes = changes_between(draft, listing)
    drafted = matching_paths(globs, draft)
    corrected = matched_after(globs, drafted, changes.added, changes.removed)
    assert corrected == matching_paths(globs, listing)


@attrs.define
class DraftedRepo(FakeRepo):
    """A fake whose listing was drafted as `draft` before its files were known; `drafted` is
    set once the draft is asked, and `listing_changes` waits for `status` (git's status)."""

    draft: list[str] | None = None
    drafted_digests: dict[str, str] | None = None  # the index's ids: maybe stale, maybe partial
    status: threading.Event = attrs.field(factory=threading.Event)
    asked: list[str] = attrs.field(factory=list[str])

    def listing_draft(self) -> Sequence[str] | None:
        self.asked.append("draft")
        return self.draft

    def draft_digests(self) -> Mapping[str, str] | None:
        return self.drafted_digests

    def listing_changes(self) -> ListingChanges:
        self.status.wait()
        self.asked.append("changes")
        changes = changes_between(self.draft or (), self.list_files())
        drafted = self.drafted_digests or {}
        kept = [p for p in self.draft or () if p in self.files and p in drafted]
        # as the contract says: the paths whose digest differs (small files: their blob ids)
        changed = frozenset(p for p in kept if blob_digest(self.files[p]) != drafted[p])
        return attrs.evolve(changes, changed=changed)


def test_the_fake_drafts_as_the_port_says() -> None:
    assert isinstance(DraftedRepo(), DraftedListing)
    assert not isinstance(FakeRepo(), DraftedListing)


@given(glob_sets, drafts_and_listings())
def test_input_tables_over_a_drafted_listing_match_the_listing(
    globs: list[str], draft_and_listing: tuple[list[str], list[str]]
) -> None:
    draft, listing = draft_and_listing
    repo = DraftedRepo(files=dict.fromkeys(listing, b"x"), draft=draft)
    repo.status.set()
    assert list(InputTables(repo).paths(globs)) == matching_paths(globs, listing)


def test_the_draft_is_matched_before_the_changes_are_known(monkeypatch: pytest.MonkeyPatch) -> None:
    # The match on the draft runs while git's status is still awaited; after it, only the
    # added paths are matched (here one untracked Dockerfile), the deleted one dropped.
    draft = ["a/Dockerfile", "b/Dockerfile", "src/x.py"]
    repo = DraftedRepo(
        files={"a/Dockerfile": b"", "c/Dockerfile": b"", "src/x.py": b""}, draft=draft
    )
    matched: list[tuple[str, ...]] = []
    real = cache_keys.matching_paths

    def spy(globs: Sequence[str], files: Sequence[str]) -> list[str]:
        matched.append(tuple(files))
        return real(globs, files)

    monkeypatch.setattr(cache_keys, "matching_paths", spy)
    answer: list[Sequence[str]] = []
    asking = threading.Thread(target=lambda: answer.append(InputTables(repo).paths(["**/D*"])))
    asking.start()
    asking.join(timeout=0.5)
    assert asking.is_alive(), "waits for the status"
    assert matched == [tuple(draft)], "the draft was matched before the status came"
    repo.status.set()
    asking.join()
    assert answer == [("a/Dockerfile", "c/Dockerfile")]
    assert repo.asked == ["draft", "changes"]


def test_a_double_star_or_a_repository_without_a_draft_is_matched_on_the_listing() -> None:
    drafted = DraftedRepo(files={"a.py": b""}, draft=["a.py", "gone.py"])
    drafted.status.set()
    assert list(InputTables(drafted).paths(["**"])) == ["a.py"]
    assert drafted.asked == []  # `**` is the listing itself
    undrafted = DraftedRepo(files={"a.py": b""}, draft=None)
    assert list(InputTables(undrafted).paths(["*.py"])) == ["a.py"]  # no status wait either
    assert undrafted.asked == ["draft"]


def test_a_gather_matches_every_probes_globs_on_the_draft_before_the_status(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With a budget of one probe at a time, the probes after the first start only once the
    # status came; their globs are matched on the draft before it all the same (ADR-0095).
    registry = ProbeRegistry()
    globs = ("**/Dockerfile", "**/*.py", "web/**")
    for index, glob in enumerate(globs):
        probe = GlobProbe(name=f"p{index}", declared_inputs=(glob,))
        registry.add(probe, heaviness="light", source="test")
    files = {"Dockerfile": b"FROM x", "a.py": b"a", "web/i.html": b"<p>", "new.py": b"n"}
    repo = DraftedRepo(files=files, draft=["Dockerfile", "a.py", "gone.py", "web/i.html"])
    drafted: list[tuple[str, ...]] = []
    real = cache_keys.matching_paths

    def spy(asked: Sequence[str], listing: Sequence[str]) -> list[str]:
        if not repo.status.is_set():
            drafted.append(tuple(asked))
        return real(asked, listing)

    monkeypatch.setattr(cache_keys, "matching_paths", spy)
    clock = FakeClock()
    ctx = ProbeContext(repo=repo, config=GatherConfig(), clock=clock, yaml=ScriptedYaml())
    plan = select_probes(registry, names=(), layers=frozenset({"a"}))
    results: list[GatherResult] = []
    gathering = threading.Thread(
        target=lambda: results.append(
            gather(plan, base_ctx=ctx, cache=None, cache_mode="use", cpu_budget=1, clock=clock)
        ),
        daemon=True,
    )
    gathering.start()
    try:
        for _ in range(200):
            if len(drafted) == len(globs):
                break
            threading.Event().wait(0.01)
        assert sorted(drafted) == sorted((glob,) for glob in globs)
    finally:
        repo.status.set()
        gathering.join()
    seen = {o.probe: o.envelope.slice.files for o in results[0].outcomes if isinstance(o, Ran)}
    assert seen == {"p0": ("Dockerfile",), "p1": ("a.py", "new.py"), "p2": ("web/i.html",)}


@st.composite
def drafted_repos(draw: st.DrawFn) -> DraftedRepo:
    """A drafted fake whose listing and bytes may differ from the draft and its digests."""
    draft, listing = draw(drafts_and_listings())
    files = {path: draw(st.sampled_from([b"a", b"b"])) for path in listing}
    stale = {path: blob_digest(draw(st.sampled_from([b"a", b"b"]))) for path in draft}
    drafted = {p: d for p, d in stale.items() if draw(st.booleans()) or p not in files}
    return DraftedRepo(files=files, draft=sorted(set(draft)), drafted_digests=drafted)


@given(drafted_repos(), glob_sets)
def test_keys_made_on_the_draft_are_the_keys_made_on_the_listing(
    repo: DraftedRepo, globs: list[str]
) -> None:
    repo.status.set()
    specs = [
        _spec("git", ("**", "git-head:<resolved>")),
        _spec("languages", ("**",)),
        _spec("some", tuple(globs)),
    ]
    tables = InputTables(repo)
    tables.draft(specs)
    plain = FakeRepo(files=repo.files)
    for spec in specs:
        assert explain_key(spec, repo, tables=tables) == explain_key(spec, plain)


def test_a_clean_draft_is_the_double_star_table_and_is_hashed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = {"a.py": b"a", "b/c.ts": b"c"}
    digests = {path: blob_digest(data) for path, data in files.items()}
    repo = DraftedRepo(files=files, draft=sorted(files), drafted_digests=digests)
    specs = [_spec("git", ("**", "git-head:<resolved>")), _spec("languages", ("**",))]
    tables = InputTables(repo)
    tables.draft(specs)  # before the status: the table and both hashers
    hashed: list[int] = []
    real = cache_keys._table_field  # pyright: ignore[reportPrivateUsage] - counted under test

    def counted(update: Callable[[bytes], None], inputs: Sequence[tuple[str, str]]) -> None:
        hashed.append(len(inputs))
        real(update, inputs)

    monkeypatch.setattr(cache_keys, "_table_field", counted)
    repo.status.set()
    keys = [explain_key(spec, repo, tables=tables) for spec in specs]
    assert hashed == [] and repo.digest_calls == []  # nothing hashed or digested again
    assert keys == [explain_key(spec, FakeRepo(files=files)) for spec in specs]
    assert keys[0].inputs is keys[1].inputs


def test_a_file_the_status_names_is_digested_from_its_bytes_not_the_draft() -> None:
    files = {"a.py": b"edited", "b.py": b"b"}
    stale = {"a.py": blob_digest(b"a"), "b.py": blob_digest(b"b")}
    repo = DraftedRepo(files=files, draft=sorted(files), drafted_digests=stale)
    tables = InputTables(repo)
    spec = _spec("languages", ("**",))
    tables.draft([spec])
    repo.status.set()
    assert explain_key(spec, repo, tables=tables) == explain_key(spec, FakeRepo(files=files))
    assert repo.digest_calls == [("a.py",)]  # only the named file, from its bytes (ADR-0099)


def test_an_edit_in_a_draft_in_gits_byte_order_is_digested_from_its_bytes() -> None:
    """git lists paths by their bytes; a byte that is not UTF-8 (read as a surrogate) sorts
    before U+E000 as a `str` but after it as bytes, so the draft does not ascend as a `str`:
    it drafts no table, since bisecting it after an edit would miss the edited path and keep its
    stale digest (ADR-0099)."""
    edited, other = "d/\udcff.py", "d/\ue000.py"
    files = {edited: b"edited", other: b"o"}
    stale = {edited: blob_digest(b"before"), other: blob_digest(b"o")}
    repo = DraftedRepo(files=files, draft=[other, edited], drafted_digests=stale)
    tables = InputTables(repo)
    spec = _spec("languages", ("**",))
    tables.draft([spec])
    repo.status.set()
    assert explain_key(spec, repo, tables=tables) == explain_key(spec, FakeRepo(files=files))


def _spec(name: str, reads: tuple[str, ...]) -> ProbeSpec:
    return ProbeSpec(
        name=name, version=1, layer="a", timeout_s=1.0, reads=reads, ports=frozenset(PORTS),
        slice_type=Ran, schema_version=1,
    )  # fmt: skip
