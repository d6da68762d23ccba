"""What one gather is asked, and who builds its ports: light enough to import before git starts.

`GatherRequest` is every option of a gather as one value; `PortFactory` builds the ports; the CLI
opens the repository with `open_repository` before it imports the gather machinery, so git's
listing runs meanwhile (ADR-0007). Only the standard library, attrs and `config` load here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

import attrs

from codegenie_core.config import CacheMode, GatherConfig
from codegenie_core.errors import ConfigError

if TYPE_CHECKING:
    from codegenie_core.key_changes import KeyLog
    from codegenie_core.ports import (
        CacheStore,
        Clock,
        ContainerRunner,
        IndexerRunner,
        IndexReader,
        RepoFiles,
        YamlReader,
    )
    from codegenie_core.probe import ImageDigestResolver
    from codegenie_core.report.context import PlainData


DEFAULT_CACHE_MAX_BYTES = 1024 * 2**20
REMOTE_CACHE_VARIABLE = "CODEGENIE_REMOTE_CACHE"
REMOTE_CACHE_OPTION = "--remote-cache"


class PortFactory(Protocol):
    """Builds the ports of one gather. One real implementation (`codegenie_adapters.LocalPorts`);
    tests pass fakes."""

    def environ(self) -> Mapping[str, str]: ...
    def cpu_count(self) -> int | None: ...
    def open_repo(self, path: str, *, cache_dir: str | None) -> tuple[RepoFiles, str]:
        """The repository port and its absolute root (the root never enters a document)."""
        ...

    def open_cache(
        self, path: str, *, max_bytes: int, remote_cache: str | None = None
    ) -> CacheStore | None:
        """The cache at `path`; with `remote_cache` (a URL `remote_cache_problem` accepts), the
        shared HTTP cache behind it as a second tier (see ADR-0051)."""
        ...

    def key_log(self, cache_dir: str, root: str) -> KeyLog | None:
        """Where the explanation of each probe's last entry for the repository at `root` is kept
        (ADR-0072); None where none is kept."""
        ...

    def default_cache_dir(self) -> str: ...
    def yaml(self) -> YamlReader: ...
    def clock(self) -> Clock: ...
    def index_reader(self, root: str, cache_dir: str) -> IndexReader | None:
        """Reads the repository's indexes and those codegenie made for it under `cache_dir`."""
        ...

    def indexer(self, root: str, config: GatherConfig, cache_dir: str) -> IndexerRunner | None:
        """Makes indexes of the repository under `cache_dir`, outside the work tree (ADR-0028)."""
        ...

    def containers(self, root: str, config: GatherConfig) -> ContainerRunner | None: ...
    def image_digest_resolver(
        self, containers: ContainerRunner | None, repo: RepoFiles, root: str
    ) -> ImageDigestResolver | None: ...
    def to_plain(self, value: object) -> PlainData:
        """A computed slice as plain data, as JSON would read it back."""
        ...


def _check_remote_field(
    instance: object, attribute: attrs.Attribute[str | None], value: str | None
) -> None:
    del instance, attribute  # attrs validator signature
    if value is not None:
        check_remote_cache(value, source="remote_cache")


@attrs.frozen(kw_only=True)
class GatherRequest:
    """Every option of one gather, as one value: `config` is what the probes see; the rest says
    how the gather runs (cache, CPU budget), not what any probe finds."""

    config: GatherConfig = attrs.field(factory=GatherConfig)
    cache_dir: str | None = None  # None: the factory's default cache directory
    cache_mode: CacheMode = "use"
    cache_max_bytes: int = DEFAULT_CACHE_MAX_BYTES
    jobs: int | None = None  # the CPU budget; None: CODEGENIE_FORCE_CPU_COUNT or the CPUs
    # The shared HTTP cache behind the local one (ADR-0051); the one field that turns it on.
    remote_cache: str | None = attrs.field(default=None, validator=_check_remote_field)


def remote_cache_problem(url: str) -> str | None:
    """What is wrong with `url` as the shared cache's address, or None. It must be
    `http(s)://HOST[:PORT][/PREFIX]`: no user information (credentials go in a header, never in
    a URL that is logged), no query or fragment (entries are `PREFIX/<key>`), no whitespace or
    control characters. The text never repeats the URL, which may hold a secret."""
    if not url.isprintable() or any(c.isspace() for c in url):
        return "holds whitespace or control characters"
    if not url.isascii():
        return "is not ASCII (percent-encode the path, punycode the host)"
    from urllib.parse import urlsplit  # only when a remote cache is named (ADR-0091)

    try:
        parts = urlsplit(url)
        port = parts.port  # a malformed port raises here
    except ValueError:
        return "is not a well-formed URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "must be an http:// or https:// URL"
    if "@" in parts.netloc:
        return "must not hold user information (user:password@); send credentials in a header"
    if not parts.hostname:
        return "names no host"
    if port == 0:
        return "names port 0"
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return "must not have a query or a fragment"
    return None


def check_remote_cache(url: str, *, source: str) -> str:
    """`url` when it is a usable shared-cache address; else `ConfigError` naming `source`."""
    problem = remote_cache_problem(url)
    if problem is not None:
        raise ConfigError(
            f"{source}: the remote cache URL {problem} (see ADR-0051)", variable=source
        )
    return url


def chosen_remote_cache(option: str | None, environ: Mapping[str, str]) -> str | None:
    """The shared cache a command uses: `--remote-cache` when given, else
    `CODEGENIE_REMOTE_CACHE` when set and non-empty, else none; checked, naming where it came
    from (`gather` and `portfolio gather` both call this)."""
    if option is not None:
        return check_remote_cache(option, source=REMOTE_CACHE_OPTION)
    value = environ.get(REMOTE_CACHE_VARIABLE, "")
    return check_remote_cache(value, source=REMOTE_CACHE_VARIABLE) if value else None


@attrs.frozen(kw_only=True)
class OpenedRepo:
    """An opened repository: its port, its absolute root, and the cache directory chosen for it."""

    repo: RepoFiles
    root: str
    cache_dir: str


def open_repository(ports: PortFactory, path: str, request: GatherRequest) -> OpenedRepo:
    """Open `path` (its git answers may start in the background) and name the cache directory."""
    chosen = request.cache_dir or ports.default_cache_dir()
    cache_off = request.cache_mode == "off"
    repo, root = ports.open_repo(path, cache_dir=None if cache_off else chosen)
    return OpenedRepo(repo=repo, root=root, cache_dir=chosen)
