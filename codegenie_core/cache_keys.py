"""The cache-key algebra: what a probe's result depends on, hashed injectively.

Rule 1: a declared input is either a glob relative to the repository root (POSIX separators, `**`
for any number of directories, case-sensitive) or a special token `name:<resolved>`.
Rule 2: a glob that is absolute, uses a backslash or climbs out with `..` is a `CacheKeyError` at
registration; so is a special token whose name `_resolve_special_token` does not know.
Rule 3: the key hashes a length-prefixed encoding of the key format version, probe name, probe
version, slice schema version, the sorted (path, digest) pairs its globs match (one field of
NUL-separated records, NUL being impossible in either) and the resolved token values, so no two
different input sets collide through concatenation.
Rule 4: an unresolved token (no context, resolver unbound, resolver returns None, resolver raises)
resolves to the one sentinel `UNRESOLVED`, so the key is byte-stable across those four paths.
Rule 5: keys hold repository-relative paths only: a repository moved elsewhere keeps its keys.
Rule 6: a configuration token `config:<field>` names a `GatherConfig` field that shapes the
probe's slice; its value enters the key in a canonical JSON text, so two values give two keys
(see ADR-0028). A field no probe names is listed in `config.NOT_IN_ANY_KEY`, with the reason.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, cast, final, overload

import attrs

from codegenie_core.config import GatherConfig
from codegenie_core.errors import CacheKeyError

# The glob algebra lives in `globs`, below the spec; these names are re-exported (ADR-0040).
from codegenie_core.globs import (
    CONFIG_TOKEN,
    SPECIAL_TOKEN,
    compile_glob,
    globs_of,
    matched_after,
    matching_paths,
    special_token_name,
    tokens_of,
)
from codegenie_core.key_changes import recorded_inputs
from codegenie_core.once import OnceEach
from codegenie_core.ports import DraftedListing
from codegenie_core.spec import ProbeSpec
from codegenie_core.values.key import CacheKey

if TYPE_CHECKING:
    from _hashlib import HASH as Hasher  # the type of `hashlib.sha256()`

    from codegenie_core.ports import GitState, RepoFiles
    from codegenie_core.probe import Probe, ProbeContext

    Keyed = ProbeSpec | Probe  # what the key functions take: a spec, or a probe that has one

# 2: the input table is one NUL-separated field (ADR-0018); 3: `config:<field>` tokens and the
# `made-index` token (ADR-0028)
KEY_FORMAT_VERSION = 3
UNRESOLVED = ""
KNOWN_TOKENS = frozenset({"image-digest", "git-head", "git-state", "made-index"})
CONFIG_TOKEN_PREFIX = "config:"


@final
class InputPairs(Sequence[tuple[str, str]]):
    """A key's (path, digest) pairs as two columns: every `**` probe's key over 200,000 files
    holds its pairs for the gather's length, and a tuple per pair cost 12 MB (ADR-0093). A pair is
    made when it is read (by index, or in iteration); a slice is columns again. Equal to any
    sequence of the same pairs, a tuple of tuples among them."""

    __slots__ = ("_digests", "_paths")

    def __init__(self, paths: Sequence[str], digests: Sequence[str]) -> None:
        assert len(paths) == len(digests), "a digest for every path"
        self._paths = paths
        self._digests = digests

    def __len__(self) -> int:
        return len(self._paths)

    @property
    def paths(self) -> Sequence[str]:
        """The paths' column (shared: no one may change it)."""
        return self._paths

    def with_digests(self, replaced: Mapping[int, str]) -> InputPairs:
        """These pairs with the digest at each index of `replaced` replaced: the paths' column
        shared, the digests' copied."""
        digests = list(self._digests)
        for at, digest in replaced.items():
            digests[at] = digest
        return InputPairs(self._paths, digests)

    @overload
    def __getitem__(self, index: int) -> tuple[str, str]: ...
    @overload
    def __getitem__(self, index: slice) -> InputPairs: ...
    def __getitem__(self, index: int | slice) -> tuple[str, str] | InputPairs:
        if isinstance(index, slice):
            return InputPairs(self._paths[index], self._digests[index])
        return self._paths[index], self._digests[index]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return zip(self._paths, self._digests, strict=True)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        pairs = cast("Sequence[object]", other)
        return len(self) == len(pairs) and all(map(operator.eq, self, pairs))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"InputPairs({list(self)!r})"


@attrs.frozen(kw_only=True)
class KeyExplanation:
    """What went into one probe's key, for `--explain-key`: the dry run of `key_for`."""

    probe: str
    probe_version: int
    schema_version: int
    inputs: Sequence[tuple[str, str]]  # (relative path, content digest), sorted by path
    tokens: tuple[tuple[str, str], ...]  # (token name, resolved value or UNRESOLVED), sorted
    key: CacheKey


def declared_token(name: str) -> str:
    """A token as a probe declares it: `config:<field>` as is, any other as `name:<resolved>`."""
    return name if name.startswith(CONFIG_TOKEN_PREFIX) else f"{name}:<resolved>"


def recorded_explanation(
    explanation: KeyExplanation, key: CacheKey, upstream: Sequence[tuple[str, CacheKey]]
) -> dict[str, object]:
    """`recorded_form(explanation_data(...))`, what a miss leaves in the key log, made without
    the per-file mappings of `explanation_data` (a `**` probe over 200,000 files keeps a count and
    a digest of its listing: building 200,000 dicts first cost 75 MB on a cold gather)."""
    data = explanation_data(attrs.evolve(explanation, inputs=()), key, upstream)
    del data["inputs"]
    data.update(recorded_inputs(explanation.inputs))
    return data


def explanation_data(
    explanation: KeyExplanation, key: CacheKey, upstream: Sequence[tuple[str, CacheKey]]
) -> dict[str, object]:
    """`--explain-key`'s facts as plain data (`--format json`, and the text form's source):
    `key` is the probe's key with its upstream keys folded in; a token's `value` is None where it
    did not resolve."""
    return {
        "probe": explanation.probe,
        "probe_version": explanation.probe_version,
        "schema_version": explanation.schema_version,
        "key": key.hex,
        "inputs": [{"path": path, "digest": digest} for path, digest in explanation.inputs],
        "tokens": [
            {
                "name": name,
                "declared": declared_token(name),
                "value": None if value == UNRESOLVED else value,
            }
            for name, value in explanation.tokens
        ],
        "upstream": [{"probe": name, "key": upstream_key.hex} for name, upstream_key in upstream],
    }


def config_fields_of(declared_inputs: Iterable[str]) -> frozenset[str]:
    """The `GatherConfig` fields a probe's declared inputs name with `config:<field>`."""
    return frozenset(
        match.group(1) for d in declared_inputs if (match := CONFIG_TOKEN.match(d)) is not None
    )


def config_value_text(value: object) -> str:
    """A configuration value as canonical JSON: sets sorted, tuples as lists, so equal values give
    one text and different values of one field's type give different texts (never empty, so never
    the unresolved sentinel)."""
    return _canonical(_plain_config(value))


def _canonical(plain: object) -> str:
    return json.dumps(plain, separators=(",", ":"), sort_keys=True)


def _plain_config(value: object) -> object:
    match value:
        case float():
            return value + 0.0  # -0.0 == 0.0: one value, one text
        case None | bool() | int() | str():
            return value
        case frozenset() | set():
            members = cast("Iterable[object]", value)
            return sorted((_plain_config(v) for v in members), key=_canonical)
        case tuple() | list():
            members = cast("Iterable[object]", value)
            return [_plain_config(v) for v in members]
        case _:
            raise AssertionError(
                f"a GatherConfig value of type {type(value).__name__} has no key text"
            )


def validate_declared_inputs(probe: str, declared_inputs: Iterable[str]) -> None:
    """Raise `CacheKeyError` for the first malformed declared input of `probe`."""
    fields = attrs.fields_dict(GatherConfig)
    for declared in declared_inputs:
        if declared.startswith(CONFIG_TOKEN_PREFIX):
            match = CONFIG_TOKEN.match(declared)
            if match is None or match.group(1) not in fields:
                raise CacheKeyError(
                    f"probe {probe!r} declares {declared!r}, which names no GatherConfig field; "
                    f"fields: {', '.join(sorted(fields))} (see ADR-0028)",
                    probe=probe,
                    declared_input=declared,
                )
            continue
        token = special_token_name(declared)
        if token is not None:
            if token not in KNOWN_TOKENS:
                raise CacheKeyError(
                    f"probe {probe!r} declares unknown special token {declared!r}; "
                    f"known tokens: {', '.join(sorted(KNOWN_TOKENS))} (see ADR-0004)",
                    probe=probe,
                    declared_input=declared,
                )
            continue
        problem = _glob_problem(declared)
        if problem is not None:
            raise CacheKeyError(
                f"probe {probe!r} declares input {declared!r}: {problem} (see ADR-0004)",
                probe=probe,
                declared_input=declared,
            )


def _glob_problem(pattern: str) -> str | None:
    if not pattern:
        return "a glob must not be empty"
    if "\\" in pattern:
        return "globs use POSIX separators; a backslash is not allowed"
    if pattern.startswith("/") or re.match(r"^[A-Za-z]:", pattern):
        return "globs are relative to the repository root; an absolute pattern is not allowed"
    if ".." in pattern.split("/"):
        return "a glob must not climb out of the repository with '..'"
    if ":" in pattern and SPECIAL_TOKEN.match(pattern) is None and pattern.endswith(">"):
        return "looks like a special token but does not match name:<resolved>"
    try:
        compile_glob(pattern)
    except re.error as error:  # a reversed range such as [z-a]
        return f"invalid character class ({error.msg})"
    return None


# What `_hash_key` encodes at once of a long ASCII field (a large repository's input table).
_SLICE = 1 << 20
# How many (path, digest) pairs of the input table are joined at once (ADR-0093): about 0.5 MB of
# text, so no copy of a 200,000-file table is ever made whole.
_TABLE_PAIRS = 4096


def _spec_of(keyed: Keyed) -> ProbeSpec:
    return keyed if isinstance(keyed, ProbeSpec) else keyed.spec


def declared_inputs_for(probe: Keyed, repo: RepoFiles) -> InputPairs:
    """The sorted (relative path, content digest) pairs of every file the probe's globs match."""
    paths = matching_paths(globs_of(_spec_of(probe).reads), repo.list_files())
    return _expand(tuple(paths), repo)


def _expand(paths: tuple[str, ...], repo: RepoFiles) -> InputPairs:
    """The pairs of `paths` (a tuple: the pairs share it, and no one may change it)."""
    digests = repo.digests(paths)
    return InputPairs(paths, list(map(digests.__getitem__, paths)))


def _corrected(drafted: InputPairs, changed: frozenset[str], repo: RepoFiles) -> InputPairs:
    """The `**` table when the listing holds exactly the draft's paths (nothing added or removed):
    the drafted table with the digest of each path in `changed` asked of `repo` (the other paths'
    digests are the drafted ones, `DraftedListing.draft_digests`), in the draft's order, which
    is the listing's (ADR-0099). The paths' tuple is shared; the digests are a new list."""
    paths = drafted.paths
    found = ((bisect.bisect_left(paths, path), path) for path in changed)  # paths ascend
    asked = [at for at, path in found if at < len(paths) and paths[at] == path]
    fresh: Mapping[str, str] = repo.digests([paths[at] for at in asked]) if asked else {}
    return drafted.with_digests({at: fresh[paths[at]] for at in asked})


class InputTables:
    """One gather's expansions of declared globs into (path, digest) pairs, shared by the probes
    that declare the same globs (git, languages and runtime_trace all read `**`): each distinct set
    of globs is matched against the listing, and its files' digests looked up, once. Safe to use
    from the probes' threads; a second asker of the same globs waits for the first, and gets its
    answer or its error (`OnceEach`)."""

    def __init__(self, repo: RepoFiles) -> None:
        self._repo = repo
        self._tables = OnceEach[tuple[str, ...], InputPairs]()
        self._paths = OnceEach[tuple[str, ...], tuple[str, ...]]()
        self._drafted = OnceEach[tuple[str, ...], list[str] | None]()  # matches on the draft
        self._draft_tables = OnceEach[tuple[str, ...], InputPairs | None]()
        self._hashers = OnceEach[tuple[str, int, int, int], "tuple[InputPairs, Hasher]"]()

    def inputs(self, probe: Keyed) -> InputPairs:
        """What `declared_inputs_for(probe, repo)` returns, computed once per set of globs; the
        `**` table is the one drafted, when the listing's changes confirm it (ADR-0095)."""
        globs = _glob_set(_spec_of(probe).reads)
        return self._tables.get(globs, lambda: self._expanded(globs))

    def _expanded(self, globs: tuple[str, ...]) -> InputPairs:
        repo = self._repo
        if globs == ("**",) and isinstance(repo, DraftedListing):
            drafted = self._draft_table()
            if drafted is not None:
                changes = repo.listing_changes()
                if changes.none:
                    return drafted  # every listed path the draft's, with the draft's digest
                if not (changes.added or changes.removed):
                    return _corrected(drafted, changes.changed, repo)
        return _expand(self._matching(globs), repo)

    def _draft_table(self) -> InputPairs | None:
        """The `**` table of the draft: its paths (when strictly ascending, as a listing is) with
        their drafted digests; None when there is no draft or a path has no drafted digest."""

        def compute() -> InputPairs | None:
            repo = self._repo
            if not isinstance(repo, DraftedListing):
                return None
            draft, digests = repo.listing_draft(), repo.draft_digests()
            if draft is None or digests is None or not _ascending(draft):
                return None
            found = list(map(digests.get, draft))
            return None if None in found else InputPairs(tuple(draft), cast("list[str]", found))

        return self._draft_tables.get(("**",), compute)

    def key_hasher(self, spec: ProbeSpec, inputs: InputPairs) -> Hasher:
        """A hasher fed `spec`'s fields and the table `inputs` as `_hash_key` feeds them, for the
        tokens to follow: made once per spec and table (the very object, held by the memo so
        its identity stays its own), so a table hashed on the draft is not hashed again."""
        memo = (spec.name, spec.version, spec.schema_version, id(inputs))

        def compute() -> tuple[InputPairs, Hasher]:
            return inputs, _prefix_hasher(spec.name, spec.version, spec.schema_version, inputs)

        held, hasher = self._hashers.get(memo, compute)
        assert held is inputs, "a live object's id is its own"
        return hasher.copy()

    def paths(self, reads: Sequence[str]) -> Sequence[str]:
        """The listed files the globs of `reads` match, sorted: the same match the keys use, made
        once per set of globs (a probe's scoped listing, ADR-0030, is this list)."""
        return self._matching(_glob_set(reads))

    def draft(self, specs: Iterable[ProbeSpec]) -> None:
        """Where the repository drafts its listing, make now what the keys of `specs` need of it:
        the `**` table and each `**` spec's hasher fed with it, and every other set of globs
        matched on the draft. Run on a thread of its own while the listing is still being asked
        (a work tree's `git status`), it leaves the probes, which start as the CPU budget lets
        them, only the check or the correction by the listing's changes (ADR-0095). An error is
        left for the probe that asks the same thing."""
        specs = list(specs)
        try:
            table = self._draft_table()
            for spec in specs:
                if table is not None and _glob_set(spec.reads) == ("**",):
                    self.key_hasher(spec, table)
        except Exception:  # kept by `OnceEach`: raised again to the probe that asks
            pass
        for globs in dict.fromkeys(_glob_set(spec.reads) for spec in specs):
            if globs != ("**",):
                try:
                    self._draft_match(globs)
                except Exception:  # as above
                    continue

    def _draft_match(self, globs: tuple[str, ...]) -> list[str] | None:
        """The globs' match on the repository's draft; None when it drafts no listing."""

        def compute() -> list[str] | None:
            repo = self._repo
            if not isinstance(repo, DraftedListing):
                return None
            draft = repo.listing_draft()
            return None if draft is None else matching_paths(globs, draft)

        return self._drafted.get(globs, compute)

    def _matching(self, globs: tuple[str, ...]) -> tuple[str, ...]:
        # A tuple: probes on their threads share this answer, and none may change it for another.
        return self._paths.get(globs, lambda: tuple(self._match(globs)))

    def _match(self, globs: tuple[str, ...]) -> list[str]:
        """The globs' match on the listing; where the repository drafts its listing, made on the
        draft while the listing is still being asked (a work tree's `git status`), then corrected
        by what the listing changed (ADR-0095). `**` is the listing itself: nothing to draft."""
        repo = self._repo
        if globs != ("**",) and isinstance(repo, DraftedListing):
            drafted = self._draft_match(globs)
            if drafted is not None:
                changes = repo.listing_changes()
                return matched_after(globs, drafted, changes.added, changes.removed)
        return matching_paths(globs, repo.list_files())


def _ascending(paths: Sequence[str]) -> bool:
    """Whether `paths` is strictly ascending, so holds no path twice (checked in C, no copy)."""
    return all(map(operator.lt, paths, itertools.islice(paths, 1, None)))


def _glob_set(reads: Sequence[str]) -> tuple[str, ...]:
    globs = set(globs_of(reads))
    if "**" in globs:  # `**` matches every listed file, so the other globs add nothing
        return ("**",)
    return tuple(sorted(globs))


def git_state_token(state: GitState | None) -> str | None:
    """The `git-state` token's value: HEAD, branch, whether the work tree is dirty and remotes,
    hashed (what changes without any file's bytes changing, see ADR-0016: a mode change alone
    makes the tree dirty); None outside git. A portfolio store keys a repository's row by it, so
    a row and the cache entries it came from name the same state."""
    if state is None:
        return None
    remotes = sorted((r.name, r.url) for r in state.remotes)
    encoded = json.dumps([state.head, state.branch, state.dirty, remotes], separators=(",", ":"))
    # Hashed: remote URLs may hold credentials, and `--explain-key` prints token values.
    return "sha256:" + hashlib.sha256(encoded.encode("utf-8", "surrogateescape")).hexdigest()


def _resolve_special_token(name: str, repo: RepoFiles, ctx: ProbeContext | None) -> str:
    """The resolved value of one special token, or `UNRESOLVED`."""
    if name.startswith(CONFIG_TOKEN_PREFIX):
        if ctx is None:
            return UNRESOLVED
        return config_value_text(getattr(ctx.config, name.removeprefix(CONFIG_TOKEN_PREFIX)))
    match name:
        case "image-digest":
            if ctx is None or ctx.image_digest_resolver is None:
                return UNRESOLVED
            try:
                value = ctx.image_digest_resolver()
            except Exception:  # Rule 4: a resolver that raises is unresolved, not a crash
                return UNRESOLVED
            return value or UNRESOLVED
        case "git-head":
            state = repo.git_state()
            return state.head or UNRESOLVED if state is not None else UNRESOLVED
        case "git-state":
            return git_state_token(repo.git_state()) or UNRESOLVED
        case "made-index":
            # The indexes codegenie made for this work tree, outside it (see ADR-0028).
            if ctx is None or ctx.index_reader is None:
                return UNRESOLVED
            return ctx.index_reader.made_state() or UNRESOLVED
        case _:
            raise CacheKeyError(
                f"unknown special token {name!r} (see ADR-0004)",
                probe="",
                declared_input=f"{name}:<resolved>",
            )


def explain_key(
    probe: Keyed,
    repo: RepoFiles,
    ctx: ProbeContext | None = None,
    *,
    tables: InputTables | None = None,
) -> KeyExplanation:
    """Everything `key_for` hashes, and the key itself, from the probe's spec alone (ADR-0030).
    `tables` (over the same `repo`) shares glob expansions between the probes of one gather."""
    spec = _spec_of(probe)
    inputs = declared_inputs_for(spec, repo) if tables is None else tables.inputs(spec)
    tokens = tuple(
        (name, _resolve_special_token(name, repo, ctx)) for name in tokens_of(spec.reads)
    )
    return KeyExplanation(
        probe=spec.name,
        probe_version=spec.version,
        schema_version=spec.schema_version,
        inputs=inputs,
        tokens=tokens,
        key=_hash_key(spec.name, spec.version, spec.schema_version, inputs, tokens)
        if tables is None
        else _finish_key(tables.key_hasher(spec, inputs), tokens),
    )


def key_for(probe: Keyed, repo: RepoFiles, ctx: ProbeContext | None = None) -> CacheKey:
    """The content-addressed cache key of `probe` over `repo`."""
    return explain_key(probe, repo, ctx).key


def _hash_key(
    name: str,
    version: int,
    schema_version: int,
    inputs: Sequence[tuple[str, str]],
    tokens: Sequence[tuple[str, str]],
) -> CacheKey:
    return _finish_key(_prefix_hasher(name, version, schema_version, inputs), tokens)


def _field(hasher: Hasher, text: str) -> None:
    """Feed one length-prefixed field."""
    # surrogatepass, not surrogateescape: the latter maps "\udcc3\udca9" and "é" to the same
    # bytes, which would break Rule 3; surrogatepass encodes every str injectively.
    if text.isascii():  # one byte per character: the length is known before encoding
        hasher.update(len(text).to_bytes(8, "big"))
        for start in range(0, len(text), _SLICE):  # 200,000 files: one slice at a time
            hasher.update(text[start : start + _SLICE].encode("ascii"))
        return
    data = text.encode("utf-8", "surrogatepass")
    hasher.update(len(data).to_bytes(8, "big"))
    hasher.update(data)


def _prefix_hasher(
    name: str, version: int, schema_version: int, inputs: Sequence[tuple[str, str]]
) -> Hasher:
    """The key's hasher fed every field before the tokens (fed field by field: no copy of the
    whole input is ever joined)."""
    hasher = hashlib.sha256()
    _field(hasher, str(KEY_FORMAT_VERSION))
    _field(hasher, name)
    _field(hasher, str(version))
    _field(hasher, str(schema_version))
    _field(hasher, str(len(inputs)))
    # The input table is one field of NUL-separated records: a path or digest can never hold NUL
    # (POSIX forbids it in names; digests are hex), so this stays injective while costing no
    # length prefix per file (ADR-0018). It is hashed a slice of pairs at a time, its length summed
    # over the same slices first, so the whole table is never joined (ADR-0093).
    _table_field(hasher.update, inputs)
    return hasher


def _finish_key(hasher: Hasher, tokens: Sequence[tuple[str, str]]) -> CacheKey:
    """The key from `_prefix_hasher`'s hasher (fed no further before) and the tokens."""
    _field(hasher, str(len(tokens)))
    for token, value in tokens:
        _field(hasher, token)
        _field(hasher, value)
    return CacheKey(hasher.hexdigest())


def _table_field(update: Callable[[bytes], None], inputs: Sequence[tuple[str, str]]) -> None:
    """Feed `update` the field `"\\x00".join(path0, digest0, path1, ...)` of `inputs`, encoded and
    length-prefixed as `_hash_key`'s `field` does, from slices of `_TABLE_PAIRS` pairs: one pass
    for the encoded length, one for the bytes. UTF-8 encodes each character alone, so the slices'
    encodings joined by NULs are the encoding of the whole (each slice joined twice also costs less
    CPU than one join of the whole, which does not fit in a cache)."""

    def pieces(*, checked: bool) -> Iterator[bytes | str]:
        for start in range(0, len(inputs), _TABLE_PAIRS):
            pairs = inputs[start : start + _TABLE_PAIRS]
            text = "\x00".join(itertools.chain.from_iterable(pairs))
            if checked:
                assert text.count("\x00") == 2 * len(pairs) - 1, "a path or digest holds NUL"
            yield text if text.isascii() else text.encode("utf-8", "surrogatepass")

    separators = max(0, -(-len(inputs) // _TABLE_PAIRS) - 1)  # one NUL between two slices
    update((sum(map(len, pieces(checked=True))) + separators).to_bytes(8, "big"))
    for index, piece in enumerate(pieces(checked=False)):
        if index:
            update(b"\x00")
        update(piece.encode("ascii") if isinstance(piece, str) else piece)


def with_upstream(key: CacheKey, upstream: Sequence[tuple[str, CacheKey]]) -> CacheKey:
    """Fold the keys of the probes a probe needs into its own key (sorted by probe name)."""
    if not upstream:
        return key
    hasher = hashlib.sha256()
    # Sorted by name alone: CacheKey has no order, and `needs` may name a probe twice.
    folded = sorted(dict(upstream).items(), key=lambda item: item[0])
    for text in (key.hex, *(f"{name}={k.hex}" for name, k in folded)):
        data = text.encode("utf-8")
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return CacheKey(hasher.hexdigest())
