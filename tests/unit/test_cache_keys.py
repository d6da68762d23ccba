"""The cache-key algebra by example: glob translation, validation, explanation, upstream folding,
and what a one-file edit re-runs through the coordinator."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from codegenie_adapters.fakes import FakeClock, FakeRepo, InMemoryCache, ScriptedYaml
from codegenie_core.cache_keys import (
    UNRESOLVED,
    CacheKey,
    InputPairs,
    InputTables,
    compile_glob,
    explain_key,
    key_for,
    special_token_name,
    validate_declared_inputs,
    with_upstream,
)
from codegenie_core.config import GatherConfig
from codegenie_core.coordinator import gather, select_probes
from codegenie_core.digest import blob_digest
from codegenie_core.errors import CacheKeyError
from codegenie_core.outcomes import Cached, Ran
from codegenie_core.ports import CacheStore, GitState
from codegenie_core.probe import CachedEnvelope, CacheEntryError, Envelope, ProbeContext, Skip
from codegenie_core.registry import ProbeRegistry
from codegenie_core.spec import PORTS, ProbeSpec


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("package.json", "package.json", True),
        ("package.json", "web/package.json", False),
        ("**/package.json", "package.json", True),
        ("**/package.json", "web/app/package.json", True),
        ("src/**", "src/a/b.py", True),
        ("src/**/*.py", "src/b.py", True),
        ("src/**/*.py", "srcx/b.py", False),
        ("*.py", "a/b.py", False),
        ("?.py", "a.py", True),
        ("?.py", "ab.py", False),
        ("[ab].py", "b.py", True),
        ("[!ab].py", "b.py", False),
        ("[!ab].py", "c.py", True),
        ("[]]x", "]x", True),
        ("[!]]x", "]x", False),
        ("[^a]", "^", True),  # "^" is a literal member, as in fnmatch
        ("a[/]b", "a/b", False),
        ("Dockerfile", "dockerfile", False),
        ("*.PY", "a.py", False),
        (".github/workflows/*.yml", ".github/workflows/ci.yml", True),
    ],
)
def test_compile_glob_follows_the_documented_grammar(glob: str, path: str, matches: bool) -> None:
    assert (compile_glob(glob).match(path) is not None) == matches


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("image-digest:<resolved>", "image-digest"),
        ("git-head:<resolved>", "git-head"),
        ("Dockerfile", None),
        ("IMAGE:<resolved>", None),
    ],
)
def test_special_token_name_recognises_only_the_token_form(
    declared: str, expected: str | None
) -> None:
    assert special_token_name(declared) == expected


@pytest.mark.parametrize(
    ("declared", "fragment"),
    [
        ("", "must not be empty"),
        ("/etc/passwd", "absolute"),
        ("C:/x", "absolute"),
        ("a/../b", "'..'"),
        ("a\\b", "backslash"),
        ("[z-a]", "invalid character class"),
        ("weather:<resolved>", "unknown special token"),
        ("IMAGE:<resolved>", "does not match name:<resolved>"),
    ],
)
def test_validation_names_the_probe_input_and_problem(declared: str, fragment: str) -> None:
    with pytest.raises(CacheKeyError) as caught:
        validate_declared_inputs("docker", ["Dockerfile", declared])
    assert (caught.value.probe, caught.value.declared_input) == ("docker", declared)
    assert fragment in str(caught.value)
    assert "ADR-0004" in str(caught.value)


@attrs.frozen(kw_only=True)
class Counted:
    files: tuple[str, ...]


@attrs.define(kw_only=True)
class GlobProbe:
    """A test probe: reports which files its globs see, and counts its runs."""

    name: str
    declared_inputs: tuple[str, ...]
    needs: tuple[str, ...] = ()
    version: int = 1
    layer: str = "a"
    slice_type: type[Any] = Counted
    schema_version: int = 1
    timeout_s: float = 30.0
    runs: list[int] = attrs.field(factory=list[int])

    @property
    def spec(self) -> ProbeSpec:
        return ProbeSpec(
            name=self.name,
            version=self.version,
            layer="a",
            timeout_s=self.timeout_s,
            reads=self.declared_inputs,
            ports=frozenset(PORTS),
            needs=self.needs,
            slice_type=self.slice_type,
            schema_version=self.schema_version,
        )

    def applies(self, ctx: ProbeContext) -> bool:
        return True

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        self.runs.append(len(self.runs))
        files = tuple(ctx.repo.list_files())
        return Envelope(
            probe=self.name, schema_version=1, confidence="high", slice=Counted(files=files)
        )


def test_explain_key_lists_matched_files_with_digests_and_resolved_tokens() -> None:
    repo = FakeRepo(
        files={"b.py": b"b", "a.py": b"a", "README": b"r"},
        git=GitState(head="abc123", branch="main", dirty=False),
    )
    probe = GlobProbe(
        name="py", declared_inputs=("image-digest:<resolved>", "*.py", "git-head:<resolved>")
    )
    explanation = explain_key(probe, repo)  # pyright: ignore[reportArgumentType] - structural Probe
    assert explanation.inputs == (("a.py", blob_digest(b"a")), ("b.py", blob_digest(b"b")))
    assert explanation.tokens == (("git-head", "abc123"), ("image-digest", UNRESOLVED))
    assert explanation.key == key_for(probe, repo)  # pyright: ignore[reportArgumentType] - structural Probe


def test_a_keys_pairs_are_two_columns_that_read_as_a_tuple_of_pairs() -> None:
    # ADR-0093: no tuple per file is kept; what a reader sees is the tuple of pairs.
    repo = FakeRepo(files={"b.py": b"b", "a.py": b"a", "c.ts": b"c"})
    inputs = explain_key(GlobProbe(name="all", declared_inputs=("**",)), repo).inputs  # pyright: ignore[reportArgumentType] - structural Probe
    assert isinstance(inputs, InputPairs)
    pairs = tuple((p, blob_digest(repo.files[p])) for p in ("a.py", "b.py", "c.ts"))
    assert inputs == pairs and pairs == inputs and list(inputs) == list(pairs)
    assert (len(inputs), inputs[0], inputs[-1], inputs[1:]) == (3, pairs[0], pairs[-1], pairs[1:])
    assert isinstance(inputs[1:], InputPairs) and hash(inputs) == hash(pairs)
    assert inputs != pairs[:2] and inputs != (*pairs[:2], ("c.ts", "other")) and inputs != 3
    assert pairs[1] in inputs and inputs.index(pairs[2]) == 2


def test_an_unreadable_matched_file_keys_by_its_problem_and_changes_when_it_heals() -> None:
    probe = GlobProbe(name="py", declared_inputs=("*.py",))
    broken = FakeRepo(unreadable={"a.py": "permission denied"})
    healed = FakeRepo(files={"a.py": b"a"})
    assert key_for(probe, broken) != key_for(probe, healed)  # pyright: ignore[reportArgumentType] - structural Probe


def test_input_tables_share_one_expansion_per_glob_set_and_give_the_same_keys() -> None:
    repo = FakeRepo(files={"a.py": b"a", "b.ts": b"b", "c.py": b"c"})
    everything = GlobProbe(name="all", declared_inputs=("**",))
    also_everything = GlobProbe(name="all-too", declared_inputs=("**", "git-head:<resolved>"))
    python = GlobProbe(name="py", declared_inputs=("*.py",))
    tables = InputTables(repo)
    shared = [
        explain_key(p, repo, tables=tables)  # pyright: ignore[reportArgumentType] - structural Probe
        for p in (everything, also_everything, python)
    ]
    alone = [explain_key(p, repo) for p in (everything, also_everything, python)]  # pyright: ignore[reportArgumentType] - structural Probe
    assert shared == alone
    assert repo.digest_calls[:2] == [("a.py", "b.ts", "c.py"), ("a.py", "c.py")]  # once per set


def test_globs_beside_a_double_star_share_its_expansion_and_keep_their_keys() -> None:
    # runtime_trace reads `Dockerfile`, `.dockerignore`, ... and `**`: the same files as git and
    # languages, so its key must not pay a second lookup of every file's digest.
    repo = FakeRepo(files={"Dockerfile": b"FROM x", "a.py": b"a", "b.ts": b"b"})
    everything = GlobProbe(name="all", declared_inputs=("**",))
    also = GlobProbe(name="trace", declared_inputs=("Dockerfile", "**", "config:engine"))
    tables = InputTables(repo)
    shared = [explain_key(p, repo, tables=tables) for p in (everything, also)]  # pyright: ignore[reportArgumentType] - structural Probe
    assert repo.digest_calls == [("Dockerfile", "a.py", "b.ts")]
    assert shared == [explain_key(p, repo) for p in (everything, also)]  # pyright: ignore[reportArgumentType] - structural Probe


K1, K2, K3 = (CacheKey(c * 64) for c in "123")


def test_with_upstream_leaves_a_probe_without_upstreams_alone() -> None:
    assert with_upstream(K1, []) == K1


def test_with_upstream_is_independent_of_upstream_order_and_repeats() -> None:
    assert with_upstream(K1, [("a", K2), ("b", K3)]) == with_upstream(
        K1, [("b", K3), ("a", K2), ("a", K2)]
    )


def test_with_upstream_changes_when_an_upstream_key_or_name_changes() -> None:
    base = with_upstream(K1, [("a", K2)])
    assert len({base, with_upstream(K1, [("a", K3)]), with_upstream(K1, [("b", K2)])}) == 3


# ---- one file edited: only the probes whose globs match it run again ----------------------------
def _gather(registry: ProbeRegistry, repo: FakeRepo, cache: CacheStore) -> dict[str, str]:
    clock = FakeClock()
    ctx = ProbeContext(repo=repo, config=GatherConfig(), clock=clock, yaml=ScriptedYaml())
    plan = select_probes(registry, names=(), layers=frozenset({"a"}))
    result = gather(plan, base_ctx=ctx, cache=cache, cache_mode="use", cpu_budget=2, clock=clock)
    kinds: dict[str, str] = {}
    for outcome in result.outcomes:
        match outcome:
            case Ran():
                kinds[outcome.probe] = "ran"
            case Cached():
                kinds[outcome.probe] = "cached"
            case _:
                kinds[outcome.probe] = type(outcome).__name__
    return kinds


def test_editing_one_file_reruns_only_the_probes_whose_globs_match_it() -> None:
    registry = ProbeRegistry()
    probes = [
        GlobProbe(name="python", declared_inputs=("**/*.py",)),
        GlobProbe(name="node", declared_inputs=("package.json", "package-lock.json")),
        GlobProbe(name="docker", declared_inputs=("**/Dockerfile", "image-digest:<resolved>")),
        GlobProbe(name="deps", declared_inputs=("requirements*.txt",), needs=("python",)),
        GlobProbe(name="web", declared_inputs=("web/**",), needs=("node",)),
    ]
    for probe in probes:
        registry.add(probe, heaviness="light", source="test")  # pyright: ignore[reportArgumentType] - structural Probe
    repo = FakeRepo(
        files={
            "app/main.py": b"print(1)\n",
            "package.json": b"{}",
            "Dockerfile": b"FROM python:3.11\n",
            "requirements.txt": b"attrs\n",
            "web/index.html": b"<p>",
        }
    )
    cache = InMemoryCache()
    first = _gather(registry, repo, cache)
    assert first == dict.fromkeys(("python", "node", "docker", "deps", "web"), "ran")
    repo.files["app/main.py"] = b"print(2)\n"
    second = _gather(registry, repo, cache)
    # "deps" reads no Python file itself, but it needs "python", whose key changed (Rule 3).
    assert second == {
        "python": "ran",
        "deps": "ran",
        "node": "cached",
        "docker": "cached",
        "web": "cached",
    }
    assert [len(p.runs) for p in probes] == [2, 1, 1, 2, 1]


def test_editing_a_file_no_probe_reads_reruns_nothing() -> None:
    registry = ProbeRegistry()
    probe = GlobProbe(name="python", declared_inputs=("**/*.py",))
    registry.add(probe, heaviness="light", source="test")  # pyright: ignore[reportArgumentType] - structural Probe
    repo = FakeRepo(files={"a.py": b"a", "notes.txt": b"n"})
    cache = InMemoryCache()
    _gather(registry, repo, cache)
    repo.files["notes.txt"] = b"edited"
    assert (_gather(registry, repo, cache), len(probe.runs)) == ({"python": "cached"}, 1)


@attrs.define
class UnstructurableCache:
    """Hits whose slices never structure, as a sound entry of another shape would not."""

    inner: InMemoryCache = attrs.field(factory=InMemoryCache)

    def get(self, key: CacheKey, slice_type: type[Any]) -> CachedEnvelope | None:
        hit = self.inner.get(key, slice_type)
        return None if hit is None else attrs.evolve(hit, load=_does_not_structure)

    def put(self, key: CacheKey, envelope: Envelope) -> None:
        self.inner.put(key, envelope)


def _does_not_structure() -> Envelope:
    raise CacheEntryError("cache entry x payload does not structure")


def test_only_an_entry_a_dependant_needs_is_structured_and_one_that_cannot_be_is_a_miss() -> None:
    registry = ProbeRegistry()
    python = GlobProbe(name="python", declared_inputs=("**/*.py",))
    deps = GlobProbe(name="deps", declared_inputs=("requirements*.txt",), needs=("python",))
    node = GlobProbe(name="node", declared_inputs=("package.json",))
    for probe in (python, deps, node):
        registry.add(probe, heaviness="light", source="test")  # pyright: ignore[reportArgumentType] - structural Probe
    repo = FakeRepo(files={"a.py": b"a", "requirements.txt": b"r", "package.json": b"{}"})
    cache = UnstructurableCache()
    assert set(_gather(registry, repo, cache.inner).values()) == {"ran"}
    # Leaves are rendered as stored, never structured; "python" has a dependant, so its broken
    # entry is a miss and it runs again, and "deps" (key unchanged) is served from the cache.
    assert _gather(registry, repo, cache) == {"python": "ran", "deps": "cached", "node": "cached"}
    assert [len(p.runs) for p in (python, deps, node)] == [2, 1, 1]
