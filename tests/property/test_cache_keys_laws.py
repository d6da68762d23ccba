"""The cache-key laws of ADR-0004, each a Hypothesis property against `FakeRepo`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from codegenie_adapters.fakes import FakeClock, FakeRepo, ScriptedYaml
from codegenie_core import cache_keys
from codegenie_core.cache_keys import (
    KEY_FORMAT_VERSION,
    CacheKey,
    _hash_key,  # pyright: ignore[reportPrivateUsage] - the encoding itself is under test
    compile_glob,
    explain_key,
    key_for,
    matching_paths,
    validate_declared_inputs,
)
from codegenie_core.config import GatherConfig
from codegenie_core.errors import CacheKeyError
from codegenie_core.globs import _glob_matcher  # pyright: ignore[reportPrivateUsage] - which globs skip the regex is under test
from codegenie_core.ports import MAX_READ_BYTES, FileProblem, GitState
from codegenie_core.probe import Envelope, ProbeContext, Skip
from codegenie_core.spec import PORTS, ProbeSpec
from tests.strategies import (
    gather_configs,
    globs_with_a_match,
    path_segments,
    repo_files,
    repo_globs,
    repo_paths,
    token_values,
)


@attrs.frozen(kw_only=True)
class KeyedProbe:
    """A probe that is only ever keyed, never run."""

    name: str = "keyed"
    version: int = 1
    layer: str = "a"
    declared_inputs: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    slice_type: type[Any] = object
    schema_version: int = 1
    timeout_s: float = 10.0

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
        raise AssertionError("a keyed probe is never run")


class ReorderedRepo:
    """A FakeRepo whose listing comes back in a given (unsorted) order."""

    def __init__(self, inner: FakeRepo, order: Sequence[str]) -> None:
        self.inner, self.order, self.name = inner, list(order), inner.name

    def list_files(self) -> Sequence[str]:
        return self.order

    def listing_problems(self) -> Sequence[FileProblem]:
        return self.inner.listing_problems()

    def read_bytes(self, path: str, *, max_bytes: int = MAX_READ_BYTES) -> bytes | FileProblem:
        return self.inner.read_bytes(path, max_bytes=max_bytes)

    def digests(self, paths: Iterable[str]) -> Mapping[str, str]:
        return self.inner.digests(paths)

    def git_state(self) -> GitState | None:
        return self.inner.git_state()


def context(repo: Any, resolver: Callable[[], str | None] | None = None) -> ProbeContext:
    return ProbeContext(
        repo=repo,
        config=GatherConfig(),
        clock=FakeClock(),
        yaml=ScriptedYaml(),
        image_digest_resolver=resolver,
    )


def git(head: str | None) -> GitState:
    return GitState(head=head, branch="main", dirty=False)


def key(files: dict[str, bytes], inputs: Sequence[str], **probe: Any) -> CacheKey:
    return key_for(KeyedProbe(declared_inputs=tuple(inputs), **probe), FakeRepo(files=files))


globs = st.lists(repo_globs, min_size=1, max_size=3)


def matched(files: dict[str, bytes], inputs: Sequence[str]) -> list[str]:
    return matching_paths(inputs, files)


@given(repo_files, globs)
def test_key_is_deterministic(files: dict[str, bytes], inputs: list[str]) -> None:
    assert key(files, inputs) == key(dict(files), list(inputs))


@given(repo_files, globs.flatmap(lambda g: st.tuples(st.just(g), st.permutations(g))))
def test_key_ignores_declared_input_order(
    files: dict[str, bytes], orders: tuple[list[str], list[str]]
) -> None:
    tokens = ["git-head:<resolved>", "image-digest:<resolved>"]
    assert key(files, [*orders[0], *tokens]) == key(files, [*reversed(tokens), *orders[1]])


@given(repo_files.flatmap(lambda f: st.tuples(st.just(f), st.permutations(sorted(f)))), globs)
def test_key_ignores_file_listing_order(
    files_and_order: tuple[dict[str, bytes], list[str]], inputs: list[str]
) -> None:
    files, order = files_and_order
    probe = KeyedProbe(declared_inputs=tuple(inputs))
    shuffled = ReorderedRepo(FakeRepo(files=files), order)
    assert key_for(probe, shuffled) == key_for(probe, FakeRepo(files=files))  # pyright: ignore[reportArgumentType] - structural RepoFiles


@st.composite
def repo_with_a_match(draw: st.DrawFn) -> tuple[dict[str, bytes], list[str], str]:
    """Files, globs, and one file those globs match (built, not filtered for)."""
    glob, path = draw(globs_with_a_match())
    inputs = [*draw(st.lists(repo_globs, max_size=2)), glob]
    files = {**draw(repo_files), path: draw(st.binary(max_size=8))}
    return files, draw(st.permutations(inputs)), path


@given(globs_with_a_match())
def test_an_instantiated_glob_matches_its_path(glob_and_path: tuple[str, str]) -> None:
    glob, path = glob_and_path
    assert compile_glob(glob).match(path) is not None


@given(repo_with_a_match())
def test_key_changes_when_a_matched_files_bytes_change(
    case: tuple[dict[str, bytes], list[str], str],
) -> None:
    files, inputs, path = case
    edited = {**files, path: files[path] + b"!"}
    assert key(edited, inputs) != key(files, inputs)


@given(repo_with_a_match(), st.binary(max_size=4))
def test_key_changes_when_a_matched_file_is_added(
    case: tuple[dict[str, bytes], list[str], str], content: bytes
) -> None:
    files, inputs, path = case
    without = {p: b for p, b in files.items() if p != path}
    assert key(files, inputs) != key(without, inputs)
    assert key({**without, path: content}, inputs) != key(without, inputs)


@given(repo_with_a_match())
def test_key_changes_when_a_matched_file_is_removed(
    case: tuple[dict[str, bytes], list[str], str],
) -> None:
    files, inputs, path = case
    assert key({p: b for p, b in files.items() if p != path}, inputs) != key(files, inputs)


@given(repo_with_a_match(), repo_paths)
def test_key_changes_when_a_matched_file_is_renamed(
    case: tuple[dict[str, bytes], list[str], str], new: str
) -> None:
    files, inputs, old = case
    new = f"{new}/moved" if new in files else new  # a fresh name, whatever was drawn
    assume(new not in files)
    renamed = {(new if p == old else p): b for p, b in files.items()}
    assert key(renamed, inputs) != key(files, inputs)


@given(repo_files, globs, st.integers(0, 50), st.integers(0, 50))
def test_key_changes_with_probe_and_schema_version(
    files: dict[str, bytes], inputs: list[str], version: int, schema: int
) -> None:
    base = key(files, inputs, version=version, schema_version=schema)
    assert key(files, inputs, version=version + 1, schema_version=schema) != base
    assert key(files, inputs, version=version, schema_version=schema + 1) != base


@given(repo_files, token_values, token_values)
def test_key_changes_when_the_image_digest_changes(
    files: dict[str, bytes], first: str, second: str
) -> None:
    assume(first != second and first and second)
    probe = KeyedProbe(declared_inputs=("Dockerfile", "image-digest:<resolved>"))
    repo = FakeRepo(files=files)
    one = key_for(probe, repo, context(repo, lambda: first))
    two = key_for(probe, repo, context(repo, lambda: second))
    assert one != two


@given(
    gather_configs, gather_configs, st.sampled_from([f.name for f in attrs.fields(GatherConfig)])
)
def test_a_config_token_gives_equal_keys_exactly_for_equal_values_of_its_field(
    first: GatherConfig, second: GatherConfig, field: str
) -> None:
    probe = KeyedProbe(declared_inputs=("README.md", f"config:{field}"))
    repo = FakeRepo(files={"README.md": b"x"})
    keys = [
        key_for(probe, repo, attrs.evolve(context(repo), config=config))
        for config in (first, second)
    ]
    assert (keys[0] == keys[1]) == (getattr(first, field) == getattr(second, field))


@given(gather_configs, gather_configs)
def test_a_config_field_no_token_names_leaves_the_key_alone(
    first: GatherConfig, second: GatherConfig
) -> None:
    probe = KeyedProbe(declared_inputs=("README.md", "git-head:<resolved>"))
    repo = FakeRepo(files={"README.md": b"x"})
    keys = {
        key_for(probe, repo, attrs.evolve(context(repo), config=config))
        for config in (first, second)
    }
    assert len(keys) == 1


@given(repo_files, token_values, token_values)
def test_key_changes_when_git_head_changes(
    files: dict[str, bytes], first: str, second: str
) -> None:
    assume(first != second and first and second)
    probe = KeyedProbe(declared_inputs=("git-head:<resolved>",))
    one = key_for(probe, FakeRepo(files=files, git=git(first)))
    two = key_for(probe, FakeRepo(files=files, git=git(second)))
    assert one != two


@given(repo_files, globs, repo_paths, st.binary(max_size=4))
def test_key_ignores_files_no_glob_matches(
    files: dict[str, bytes], inputs: list[str], path: str, content: bytes
) -> None:
    assume(not matched({path: b""}, inputs))
    assert key({**files, path: content}, inputs) == key(files, inputs)
    assert key({p: b for p, b in files.items() if p != path}, inputs) == key(files, inputs)


@given(repo_files, globs, path_segments, path_segments)
def test_key_survives_moving_the_repository(
    files: dict[str, bytes], inputs: list[str], here: str, there: str
) -> None:
    probe = KeyedProbe(declared_inputs=(*inputs, "git-head:<resolved>"))
    head = git("c0ffee")
    assert key_for(probe, FakeRepo(name=here, files=files, git=head)) == key_for(
        probe, FakeRepo(name=f"/elsewhere/{there}", files=files, git=head)
    )


two_splits = st.tuples(
    # Paths and digests never hold NUL (POSIX names cannot; digests are hex): ADR-0018.
    st.text(st.characters(exclude_characters="\x00"), min_size=2, max_size=8),
    st.integers(1, 7),
    st.integers(1, 7),
).filter(lambda t: t[1] < len(t[0]) and t[2] < len(t[0]) and t[1] != t[2])


@given(two_splits)
def test_no_collision_through_concatenation_of_paths_digests_or_tokens(
    split: tuple[str, int, int],
) -> None:
    text, i, j = split
    a, b = (text[:i], text[i:]), (text[:j], text[j:])
    assert _hash_key("p", 1, 1, [a], []) != _hash_key("p", 1, 1, [b], [])  # path | digest
    assert _hash_key("p", 1, 1, [], [a]) != _hash_key("p", 1, 1, [], [b])  # token | value
    assert _hash_key("p", 1, 1, [("x", a[0]), (a[1], "y")], []) != _hash_key(
        "p", 1, 1, [("x", b[0]), (b[1], "y")], []
    )  # digest | next path
    assert _hash_key("p", 1, 1, [a], []) != _hash_key("p", 1, 1, [], [a])  # inputs vs tokens


def reference_key(
    name: str,
    version: int,
    schema: int,
    inputs: list[tuple[str, str]],
    tokens: list[tuple[str, str]],
) -> str:
    """ADR-0018's encoding, written out whole: each field its 8-byte big-endian length and its
    UTF-8 (surrogatepass) bytes; the input table one field of NUL-joined paths and digests."""

    def field(text: str) -> bytes:
        data = text.encode("utf-8", "surrogatepass")
        return len(data).to_bytes(8, "big") + data

    table = "\x00".join(part for pair in inputs for part in pair)
    fields = [str(KEY_FORMAT_VERSION), name, str(version), str(schema), str(len(inputs)), table]
    fields.append(str(len(tokens)))
    fields += [part for pair in tokens for part in pair]
    return hashlib.sha256(b"".join(map(field, fields))).hexdigest()


_texts = st.text(st.characters(blacklist_characters="\x00"), max_size=12)


@given(
    st.lists(st.tuples(_texts, _texts), max_size=5),
    st.lists(st.tuples(_texts, _texts), max_size=3),
    st.sampled_from([0, 1, 5, (1 << 20) - 3, (1 << 20) + 7]),
)
def test_the_key_is_the_documented_encoding_however_the_table_is_fed(
    inputs: list[tuple[str, str]], tokens: list[tuple[str, str]], padding: int
) -> None:
    # `_hash_key` feeds the hash field by field, a long ASCII table in slices (so that 200,000
    # files are never copied whole): the key must stay the one the encoding defines, so every
    # cache entry made before keeps its key. `padding` puts a table across a slice boundary.
    inputs = [*inputs, ("p" * padding, "d")]
    got = _hash_key("probe", 2, 3, inputs, tokens)
    assert got.hex == reference_key("probe", 2, 3, inputs, tokens)


@given(
    st.lists(st.tuples(_texts, _texts), max_size=12),
    st.sampled_from([1, 2, 3, 5, cache_keys._TABLE_PAIRS]),  # pyright: ignore[reportPrivateUsage] - the slicing is under test
)
def test_the_key_is_the_documented_encoding_whatever_slices_the_table_is_hashed_in(
    inputs: list[tuple[str, str]], pairs_per_slice: int
) -> None:
    # ADR-0093: the table is joined and hashed a slice of pairs at a time, never whole; any slice
    # size, a slice of non-ASCII text among ASCII ones, and a last slice short or full, give the
    # key of the whole table.
    with mock.patch.object(cache_keys, "_TABLE_PAIRS", pairs_per_slice):
        got = _hash_key("probe", 2, 3, inputs, [])
    assert got.hex == reference_key("probe", 2, 3, inputs, [])


def test_a_table_of_many_slices_has_the_key_of_the_whole() -> None:
    inputs = [(f"src/f{i}.py", hashlib.sha1(str(i).encode()).hexdigest()) for i in range(9_000)]
    inputs[5_000] = ("src/\udcc3é.py", inputs[5_000][1])  # one slice not ASCII, one surrogate
    got = _hash_key("probe", 2, 3, inputs, [("git-head", "abc")])
    assert got.hex == reference_key("probe", 2, 3, inputs, [("git-head", "abc")])


@given(token_values, token_values)
def test_no_collision_between_split_token_values(left: str, right: str) -> None:
    assume(right)
    probe = KeyedProbe(declared_inputs=("git-head:<resolved>", "image-digest:<resolved>"))
    one = key_for(probe, FakeRepo(git=git(left + right[:1])), context(None, lambda: right[1:]))
    two = key_for(probe, FakeRepo(git=git(left)), context(None, lambda: right))
    assert one != two


@given(repo_files, repo_files, globs, st.integers(0, 3), st.integers(0, 3))
def test_equal_keys_mean_equal_inputs(
    files_one: dict[str, bytes], files_two: dict[str, bytes], inputs: list[str], v1: int, v2: int
) -> None:
    one = explain_key(
        KeyedProbe(declared_inputs=tuple(inputs), version=v1), FakeRepo(files=files_one)
    )
    two = explain_key(
        KeyedProbe(declared_inputs=tuple(inputs), version=v2), FakeRepo(files=files_two)
    )
    assert (one.key == two.key) == (attrs.evolve(one, key=two.key) == two)


@given(st.from_regex(r"[a-z0-9_-]{1,10}", fullmatch=True))
def test_an_unknown_special_token_is_rejected_at_validation(name: str) -> None:
    assume(name not in {"image-digest", "git-head"})
    with pytest.raises(CacheKeyError) as caught:
        validate_declared_inputs("p", ["src/**", f"{name}:<resolved>"])
    assert (caught.value.probe, caught.value.declared_input) == ("p", f"{name}:<resolved>")


@given(
    st.one_of(
        repo_globs.map(lambda g: "/" + g),
        repo_globs.map(lambda g: "C:" + g),
        st.tuples(repo_globs, repo_globs).map(lambda t: f"{t[0]}/../{t[1]}"),
        repo_globs.map(lambda g: "../" + g),
        st.tuples(repo_globs, repo_globs).map(lambda t: f"{t[0]}\\{t[1]}"),
    )
)
def test_absolute_climbing_and_backslash_globs_are_rejected(glob: str) -> None:
    with pytest.raises(CacheKeyError) as caught:
        validate_declared_inputs("p", [glob])
    assert caught.value.declared_input == glob


def _raises() -> str | None:
    raise RuntimeError("registry unreachable")


@given(repo_files, globs)
def test_the_four_unresolved_paths_give_one_key(files: dict[str, bytes], inputs: list[str]) -> None:
    probe = KeyedProbe(declared_inputs=(*inputs, "image-digest:<resolved>"))
    repo = FakeRepo(files=files)
    keys = {
        key_for(probe, repo, None),
        key_for(probe, repo, context(repo, None)),
        key_for(probe, repo, context(repo, lambda: None)),
        key_for(probe, repo, context(repo, _raises)),
    }
    assert len(keys) == 1


@given(st.lists(path_segments, max_size=4), path_segments)
def test_double_star_matches_zero_or_more_directories(dirs: list[str], name: str) -> None:
    path = "/".join([*dirs, name])
    assert compile_glob(f"**/{name}").match(path) is not None
    assert compile_glob(f"a/**/{name}").match(f"a/{path}") is not None
    assert compile_glob("**").match(path) is not None


@given(st.lists(path_segments, max_size=3), path_segments)
def test_single_star_never_crosses_a_directory(dirs: list[str], name: str) -> None:
    assert (compile_glob(f"*/{name}").match("/".join([*dirs, name])) is not None) == (
        len(dirs) == 1
    )


@given(path_segments.filter(lambda s: s.lower() != s.upper()))
def test_globs_are_case_sensitive(name: str) -> None:
    other = name.swapcase()
    assert (compile_glob(f"**/{name}").match(other) is None) == (other != name)


@given(st.lists(repo_globs, min_size=1, max_size=5), st.lists(repo_paths, max_size=12))
def test_matching_paths_is_the_sorted_union_of_each_globs_matches(
    inputs: list[str], paths: list[str]
) -> None:
    expected = sorted({p for p in paths for g in inputs if compile_glob(g).match(p)})
    assert matching_paths(inputs, paths) == expected


def test_a_path_holding_nul_is_a_bug_not_a_key() -> None:
    with pytest.raises(AssertionError, match="holds NUL"):
        _hash_key("p", 1, 1, [("a\x00b", "d")], [])


@given(
    st.lists(path_segments, min_size=1, max_size=2).map("/".join),
    st.booleans(),
    st.lists(repo_paths, max_size=6),
    st.lists(path_segments, max_size=2),
)
def test_a_glob_a_suffix_decides_matches_what_its_regex_matches(
    literal: str, star: bool, paths: list[str], prefix: list[str]
) -> None:
    # `**/LIT` and `**/*LIT` are matched by their suffix alone, without the regex (ADR-0085)
    glob = f"**/*{literal}" if star else f"**/{literal}"
    near = [literal, "/".join([*prefix, literal]), f"x{literal}", f"{literal}/x", f"a/x{literal}"]
    candidates = [*paths, *near]
    expected = sorted({p for p in candidates if compile_glob(glob).match(p)})
    assert matching_paths([glob, "**/*.zz"], candidates) == expected


def test_suffix_globs_are_decided_without_a_regex_and_the_others_keep_theirs() -> None:
    globs = ("**/*.py", "**/gradle/libs.versions.toml", "**/package.json", "**/req*.txt")
    matcher = _glob_matcher(globs)
    assert matcher.exact == (".py", "/gradle/libs.versions.toml", "/package.json")
    assert matcher.names == {"gradle/libs.versions.toml", "package.json"}
    assert matcher.tails == (".py", "libs.versions.toml", "package.json", ".txt")
    assert matcher.tailed is not None and matcher.tailed.match("a/req1.txt")
    assert matcher.tailed.match("a/b.py") is None  # a decided glob is not in the regex
