"""The CLI in-process, against fakes handed to the composition root."""

from __future__ import annotations

import datetime
import gc
import json
import os
import signal
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner

from codegenie_adapters.collector import GATHER_THRESHOLDS
from codegenie_adapters.documents import to_json, to_yaml, write_outputs
from codegenie_adapters.fakes import (
    FakeClock,
    FakeRepo,
    InMemoryCache,
    InMemoryKeyLog,
    ScriptedYaml,
)
from codegenie_adapters.serde import plain_data
from codegenie_cli import run
from codegenie_cli.main import cli
from codegenie_core import coordinator, session
from codegenie_core.cache_keys import InputTables
from codegenie_core.config import GatherConfig
from codegenie_core.cpu_budget import FORCE_CPU_COUNT_VARIABLE
from codegenie_core.errors import RepoError
from codegenie_core.key_changes import KeyLog
from codegenie_core.maintenance import EngineAbsent, EngineSwept, SweepResult
from codegenie_core.ports import CacheStore, Clock, GitState, RepoFiles, YamlReader
from codegenie_core.probe import Envelope, ProbeContext, Skip
from codegenie_core.registry import RegisteredProbe
from tests.as_nobody import needs_root, run_as_nobody, shared_dir
from tests.support import CountSlice, registry_of, scripted, threshold_recording_registry


@attrs.define
class FakeAdapters:
    """Every adapter the CLI builds, as fakes; `repos` maps a REPO argument to a repository."""

    repos: dict[str, FakeRepo] = attrs.field(factory=dict[str, FakeRepo])
    # The suite's strict reads (tests/conftest.py) reach the fake environment too (ADR-0030).
    env: dict[str, str] = attrs.field(
        factory=lambda: {"CODEGENIE_STRICT_READS": os.environ.get("CODEGENIE_STRICT_READS", "")}
    )
    cache: InMemoryCache = attrs.field(factory=InMemoryCache)
    keys: InMemoryKeyLog = attrs.field(factory=InMemoryKeyLog)
    clock_: Clock = attrs.field(factory=FakeClock)
    cleaned: int = 0
    sweep: SweepResult = attrs.field(
        factory=lambda: EngineSwept(engine="docker", containers=0, volumes=0, images=0)
    )
    sweeps: list[tuple[str, bool]] = attrs.field(factory=list[tuple[str, bool]])
    clones: int = 0
    clone_removals: list[tuple[str, float | None]] = attrs.field(
        factory=list[tuple[str, float | None]]
    )
    admin_roots: list[str] = attrs.field(factory=list[str])
    remotes: list[str | None] = attrs.field(factory=list[str | None])

    def environ(self) -> Mapping[str, str]:
        return self.env

    def cpu_count(self) -> int | None:
        return 2

    def open_repo(self, path: str, *, cache_dir: str | None) -> tuple[RepoFiles, str]:
        if path not in self.repos:
            raise RepoError(f"REPO {path!r} does not exist", path=path)
        return self.repos[path], f"/somewhere/{path}"

    def open_cache(
        self, path: str, *, max_bytes: int, remote_cache: str | None = None
    ) -> CacheStore | None:
        self.remotes.append(remote_cache)
        return self.cache

    def key_log(self, cache_dir: str, root: str) -> KeyLog | None:
        return self.keys

    def default_cache_dir(self) -> str:
        return "/nonexistent/cache"

    def yaml(self) -> YamlReader:
        return ScriptedYaml()

    def clock(self) -> Clock:
        return self.clock_

    def index_reader(self, root: str, cache_dir: str) -> None:
        return None

    def indexer(self, root: str, config: object, cache_dir: str) -> None:
        return None

    def containers(self, root: str, config: object) -> None:
        return None

    def image_digest_resolver(self, containers: object, repo: RepoFiles, root: str) -> None:
        return None

    def to_plain(self, value: object) -> object:
        return plain_data(value)

    def dump(self, document: object, fmt: str) -> str:
        return to_yaml(document) if fmt == "yaml" else to_json(document)

    def write_outputs(self, directory: str, files: Mapping[str, str]) -> list[str]:
        return write_outputs(directory, files)

    def cache_admin(self, root: str) -> InMemoryCache:
        self.admin_roots.append(root)
        return self.cache

    def sweep_engine(self, engine: str, *, everything: bool) -> SweepResult:
        self.sweeps.append((engine, everything))
        return self.sweep

    def remove_clones(self, root: str, *, unused_since: float | None) -> int:
        self.clone_removals.append((root, unused_since))
        return self.clones

    def cleanup(self) -> None:
        self.cleaned += 1


@pytest.fixture(autouse=True)
def test_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = registry_of(
        (scripted("count", declared_inputs=("**/*.py", "git-head:<resolved>")), "light"),
        (scripted("after", needs=("count",), declared_inputs=("README.md",)), "light"),
    )
    monkeypatch.setattr(run, "registry", lambda layers=None: registry)


def adapters() -> FakeAdapters:
    repo = FakeRepo(
        name="demo",
        files={"app/main.py": b"print('hi')\n", "README.md": b"# demo\n"},
        git=GitState(head="a" * 40, branch="main", dirty=False),
        history=["a" * 40],
    )
    return FakeAdapters(repos={"demo": repo})


def invoke(fakes: FakeAdapters, *args: str):
    return CliRunner().invoke(cli, list(args), obj=fakes, catch_exceptions=False)


def test_gather_prints_the_context_as_yaml_on_stdout() -> None:
    result = invoke(adapters(), "gather", "demo")
    assert result.exit_code == 0
    assert result.stdout.startswith("%YAML 1.1\n---\nschema_version: 1\n")
    assert "  count:\n" in result.stdout


def test_gather_as_json_is_a_document_with_every_probe_outcome() -> None:
    result = invoke(adapters(), "gather", "demo", "--format", "json")
    document = json.loads(result.stdout)
    assert document["repo"] == {
        "name": "demo",
        "git": {"head": "a" * 40, "branch": "main", "dirty": False},
    }
    assert {name: entry["outcome"] for name, entry in document["probes"].items()} == {
        "count": "ran",
        "after": "ran",
    }
    # `count` reads `**/*.py`: its view of the repository lists a.py, not README.md (ADR-0030).
    assert document["probes"]["count"]["slice"] == {"files": 1, "upstream": []}


def test_a_second_gather_says_the_probes_came_from_the_cache_with_their_key_prefix() -> None:
    fakes = adapters()
    first = json.loads(invoke(fakes, "gather", "demo", "--format", "json").stdout)
    second = json.loads(invoke(fakes, "gather", "demo", "--format", "json").stdout)
    assert second["probes"]["count"]["outcome"] == "cached"
    assert second["probes"]["count"]["cache_key"] == first["probes"]["count"]["cache_key"]
    assert len(second["probes"]["count"]["cache_key"]) == 12


def test_no_cache_runs_every_probe_again() -> None:
    fakes = adapters()
    invoke(fakes, "gather", "demo")
    document = json.loads(invoke(fakes, "gather", "demo", "--no-cache", "--format", "json").stdout)
    assert document["probes"]["count"]["outcome"] == "ran"


def test_the_markdown_report_has_a_summary_and_a_confidence_section() -> None:
    report = invoke(adapters(), "gather", "demo", "--format", "md").stdout
    assert "## Summary" in report
    assert "| count | A | ran | high |" in report
    assert "## Confidence" in report
    assert "- **count**: **high**" in report


def test_output_writes_three_files_and_leaves_no_temp_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(adapters(), "gather", "demo", "--output", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert sorted(os.listdir(out)) == ["context.json", "context.yaml", "report.md"]
    assert json.loads((out / "context.json").read_text())["schema_version"] == 1


def test_quiet_prints_nothing_but_errors(tmp_path: Path) -> None:
    result = invoke(adapters(), "gather", "demo", "-q", "--output", str(tmp_path / "out"))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_without_quiet_the_written_files_are_named(tmp_path: Path) -> None:
    result = invoke(adapters(), "gather", "demo", "--output", str(tmp_path / "out"))
    assert result.stderr.startswith("codegenie-cli: wrote ")


def test_verbose_prints_one_line_per_probe_with_outcome_ms_and_key_prefix() -> None:
    fakes = adapters()
    first = invoke(fakes, "gather", "demo", "-v", "--format", "json")
    second = invoke(fakes, "gather", "demo", "-v", "--format", "json")
    keys = {name: p["cache_key"] for name, p in json.loads(second.stdout)["probes"].items()}

    def lines(stderr: str) -> list[str]:
        return sorted(line for line in stderr.splitlines() if " ms " in line)

    assert lines(first.stderr) == [
        f"codegenie-cli: after ran 0 ms {keys['after']}",
        f"codegenie-cli: count ran 0 ms {keys['count']}",
    ]
    assert lines(second.stderr) == [
        f"codegenie-cli: after cached 0 ms {keys['after']}",
        f"codegenie-cli: count cached 0 ms {keys['count']}",
    ]


def test_a_probe_line_names_skipped_and_failed_outcomes_without_a_key() -> None:
    from codegenie_cli.main import probe_line
    from codegenie_core.outcomes import Failed, Skipped
    from codegenie_core.probe import NotApplicable

    skipped = Skipped(probe="s", reason=NotApplicable(reason="no"), duration_ms=3)
    failed = Failed(probe="f", error_type="E", message="m", duration_ms=7)
    assert (probe_line(skipped), probe_line(failed)) == (
        "codegenie-cli: s skipped 3 ms -",
        "codegenie-cli: f failed 7 ms -",
    )


def test_output_dash_is_refused_with_one_line() -> None:
    result = invoke(adapters(), "gather", "demo", "-o", "-")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("codegenie-cli: error: --output -: use --format to print to stdout\n")


_GATHER_AS_NOBODY = """
try:
    main(["gather", sys.argv[1], "--no-cache"])
except SystemExit as stop:
    sys.exit(stop.code)
"""


@needs_root
def test_an_unreadable_repo_as_non_root_is_one_error_line_and_exit_two() -> None:
    prelude = (
        "import sys\n"
        "import codegenie_adapters.cache_location, codegenie_adapters.local_repo, "
        "codegenie_adapters.log, codegenie_cli.run, codegenie_cli.wiring, loguru\n"
        "from codegenie_cli.main import main"
    )
    with shared_dir() as root:
        (root / "repo").mkdir()
        (root / "repo" / "a.py").write_text("x = 1\n")
        os.chmod(root / "repo", 0o000)  # nobody may not list it
        out = run_as_nobody(prelude, _GATHER_AS_NOBODY, str(root / "repo"))
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr == (
        f"codegenie-cli: error: repository path cannot be read: {root / 'repo'}: "
        "Permission denied\n"
    )


def test_a_missing_repo_is_one_line_and_exit_two() -> None:
    result = invoke(adapters(), "gather", "nowhere")
    assert result.exit_code == 2
    assert result.stderr == "codegenie-cli: error: REPO 'nowhere' does not exist\n"


def test_an_unknown_probe_lists_the_valid_names() -> None:
    result = invoke(adapters(), "gather", "demo", "--probe", "nope")
    assert result.exit_code == 2
    assert (
        result.stderr == "codegenie-cli: error: unknown probe 'nope'; valid names: after, count\n"
    )


@pytest.mark.parametrize("raw", ["", "two", "0", "-1", "1.5"])
def test_a_bad_forced_cpu_count_is_one_line_naming_the_variable(raw: str) -> None:
    fakes = adapters()
    fakes.env[FORCE_CPU_COUNT_VARIABLE] = raw
    result = invoke(fakes, "gather", "demo")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert FORCE_CPU_COUNT_VARIABLE in result.stderr


def test_a_bad_layer_list_is_exit_two() -> None:
    result = invoke(adapters(), "gather", "demo", "--layer", "a,x")
    assert result.exit_code == 2
    assert "--layer" in result.stderr


def test_explain_key_prints_inputs_tokens_and_the_key_without_running() -> None:
    fakes = adapters()
    result = invoke(fakes, "gather", "demo", "--explain-key", "count")
    lines = result.stdout.splitlines()
    assert lines[0] == "probe: count (version 1, slice schema 1)"
    assert lines[1].startswith("key: ")
    assert "inputs: 1 files" in lines
    assert f"  git-head:<resolved> = {'a' * 40}" in lines
    assert fakes.cache.puts == []


def test_explain_key_as_json_holds_the_same_facts_as_its_text() -> None:
    text = invoke(adapters(), "gather", "demo", "--explain-key", "count").stdout.splitlines()
    data = json.loads(
        invoke(adapters(), "gather", "demo", "--explain-key", "count", "--format", "json").stdout
    )
    assert (data["probe"], data["probe_version"], data["schema_version"]) == ("count", 1, 1)
    assert f"key: {data['key']}" == text[1]
    assert [f"  {i['digest']}  {i['path']}" for i in data["inputs"]] == text[
        3 : 3 + len(data["inputs"])
    ]
    assert {"name": "git-head", "declared": "git-head:<resolved>", "value": "a" * 40} in data[
        "tokens"
    ]
    assert data["upstream"] == []


def test_explain_key_as_json_says_null_for_an_unresolved_token_and_lists_upstream_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry = registry_of(
        (scripted("base"), "light"),
        (
            scripted(
                "top", needs=("base",), declared_inputs=("README.md", "image-digest:<resolved>")
            ),
            "light",
        ),
    )
    monkeypatch.setattr(run, "registry", lambda layers=None: registry)
    result = invoke(adapters(), "gather", "demo", "--explain-key", "top", "--format", "json")
    data = json.loads(result.stdout)
    assert [u["probe"] for u in data["upstream"]] == ["base"]
    assert len(data["upstream"][0]["key"]) == 64
    digest = next(t for t in data["tokens"] if t["name"] == "image-digest")
    assert digest["value"] is None
    text = invoke(adapters(), "gather", "demo", "--explain-key", "top").stdout.splitlines()
    assert "  image-digest:<resolved> = (unresolved)" in text
    assert f"  base = {data['upstream'][0]['key']}" in text


def test_explain_key_prints_a_config_token_with_the_value_the_options_gave(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry = registry_of(
        (scripted("trace", declared_inputs=("README.md", "config:trace_argv")), "light")
    )
    monkeypatch.setattr(run, "registry", lambda layers=None: registry)
    plain = invoke(adapters(), "gather", "demo", "--explain-key", "trace")
    full = invoke(adapters(), "gather", "demo", "--explain-key", "trace", "--trace-argv")
    assert "  config:trace_argv = false" in plain.stdout.splitlines()
    assert "  config:trace_argv = true" in full.stdout.splitlines()
    assert plain.stdout.splitlines()[1] != full.stdout.splitlines()[1]  # the key lines


def test_interruption_exits_130_and_writes_nothing(tmp_path: Path) -> None:
    class InterruptingClock(FakeClock):
        def monotonic(self) -> float:
            raise KeyboardInterrupt

    fakes = adapters()
    fakes.clock_ = InterruptingClock()
    out = tmp_path / "out"
    result = invoke(fakes, "gather", "demo", "--output", str(out))
    assert result.exit_code == 130
    assert not out.exists()
    assert fakes.cleaned == 1


class SignallingClock(FakeClock):
    """Sends this process `signum` when the gather first reads the clock, as `kill` would."""

    def __init__(self, signum: int) -> None:
        super().__init__()
        self.signum = signum

    def monotonic(self) -> float:
        os.kill(os.getpid(), self.signum)
        return super().monotonic()


@pytest.fixture
def signals_recorded() -> Iterator[list[int]]:
    """Handlers that only record, so a signal the CLI failed to handle cannot kill the tests."""
    seen: list[int] = []
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.getsignal(signum) for signum in handled}
    for signum in handled:
        signal.signal(signum, lambda number, frame: seen.append(number))
    yield seen
    for signum, before in previous.items():
        signal.signal(signum, before)


@pytest.mark.parametrize(
    ("signum", "code", "line"),
    [
        (signal.SIGINT, 130, "codegenie-cli: interrupted; no output was written\n"),
        (signal.SIGTERM, 143, "codegenie-cli: terminated by SIGTERM; no output was written\n"),
        (signal.SIGHUP, 129, "codegenie-cli: terminated by SIGHUP; no output was written\n"),
    ],
    ids=["SIGINT", "SIGTERM", "SIGHUP"],
)
def test_sigint_sigterm_and_sighup_clean_up_write_nothing_and_exit_128_plus_signal(
    tmp_path: Path, signals_recorded: list[int], signum: int, code: int, line: str
) -> None:
    fakes = adapters()
    fakes.clock_ = SignallingClock(signum)
    out = tmp_path / "out"
    result = invoke(fakes, "gather", "demo", "--output", str(out))
    assert (result.exit_code, result.stderr) == (code, line)
    assert not out.exists()
    assert fakes.cleaned == 1
    assert signals_recorded == []  # the CLI handled it, and put the handlers back afterwards
    os.kill(os.getpid(), signum)
    assert signals_recorded == [signum]


def test_a_second_signal_during_cleanup_does_not_cut_it_short(
    tmp_path: Path, signals_recorded: list[int]
) -> None:
    @attrs.define
    class SignalledAgainInCleanup(FakeAdapters):
        finished: int = 0

        def cleanup(self) -> None:
            super().cleanup()
            os.kill(os.getpid(), signal.SIGTERM)
            self.finished += 1

    base = adapters()
    fakes = SignalledAgainInCleanup(repos=base.repos, clock_=SignallingClock(signal.SIGHUP))
    result = invoke(fakes, "gather", "demo", "--output", str(tmp_path / "out"))
    assert (result.exit_code, fakes.finished) == (129, 1)
    assert signals_recorded == []


def test_probes_lists_name_layer_heaviness_and_inputs() -> None:
    listing = invoke(adapters(), "probes").stdout.splitlines()
    assert listing[0].split() == ["NAME", "LAYER", "HEAVINESS", "DECLARED", "INPUTS"]
    assert [line.split()[:3] for line in listing[1:]] == [
        ["after", "A", "light"],
        ["count", "A", "light"],
    ]
    assert listing[2].endswith("**/*.py, git-head:<resolved>")


def test_version_prints_the_package_version() -> None:
    from codegenie_core import __version__

    assert invoke(adapters(), "--version").stdout == f"codegenie-cli, version {__version__}\n"


@attrs.frozen(kw_only=True)
class WhenSlice:
    at: datetime.datetime  # JSON cannot write it


def test_a_slice_json_cannot_write_fails_its_probe_and_the_gather_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def stamped(ctx: ProbeContext) -> Envelope:
        moment = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
        return Envelope(
            probe="when", schema_version=1, confidence="high", slice=WhenSlice(at=moment)
        )

    registry = registry_of(
        (scripted("count"), "light"),
        (scripted("when", behaviour=stamped, slice_type=WhenSlice), "light"),
    )
    monkeypatch.setattr(run, "registry", lambda layers=None: registry)
    fakes = adapters()
    result = invoke(fakes, "gather", "demo", "--format", "yaml")
    document = json.loads(invoke(fakes, "gather", "demo", "--format", "json").stdout)
    assert result.exit_code == 0
    assert document["probes"]["count"]["outcome"] == "cached"  # the second gather
    failed = document["probes"]["when"]  # never cached: it failed again, not from a stale entry
    assert failed["outcome"] == "failed"
    assert "cannot be written to the context document" in failed["error"]["message"]


def _recording_registry(monkeypatch: pytest.MonkeyPatch) -> list[GatherConfig]:
    seen: list[GatherConfig] = []

    def record(ctx: ProbeContext) -> Envelope:
        seen.append(ctx.config)
        return Envelope(
            probe="trace", schema_version=1, confidence="high", slice=CountSlice(files=0)
        )

    registry = registry_of((scripted("trace", layer="c", behaviour=record), "heavy"))
    monkeypatch.setattr(run, "registry", lambda layers=None: registry)
    return seen


def test_keep_images_and_build_network_reach_the_gather_config(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = _recording_registry(monkeypatch)
    invoke(adapters(), "gather", "demo", "--no-cache")
    invoke(adapters(), "gather", "demo", "--no-cache", "--keep-images", "--build-network", "none")
    assert [(c.keep_images, c.build_network) for c in seen] == [
        (False, "default"),
        (True, "none"),
    ]


def test_an_unknown_build_network_is_bad_usage() -> None:
    result = invoke(adapters(), "gather", "demo", "--build-network", "host")
    assert result.exit_code == 2


@pytest.mark.parametrize(("command", "everything"), [("clear", True), ("gc", False)])
def test_cache_clear_and_gc_also_sweep_the_engine(
    command: str, everything: bool, tmp_path: Path
) -> None:
    fakes = adapters()
    fakes.sweep = EngineSwept(
        engine="podman", containers=1, volumes=2, images=3, problems=("volume prune: refused",)
    )
    result = invoke(fakes, "cache", command, "--cache-dir", str(tmp_path), "--engine", "podman")
    assert result.exit_code == 0
    assert fakes.sweeps == [("podman", everything)]
    assert result.stdout.splitlines()[1:] == [
        "podman: removed 1 containers, 2 volumes, 3 images labelled codegenie.trace=1",
        "podman: problem: volume prune: refused",
    ]


def test_cache_clear_without_an_engine_skips_that_part_in_one_line(tmp_path: Path) -> None:
    fakes = adapters()
    fakes.sweep = EngineAbsent(engine="docker", reason="docker is not on PATH")
    result = invoke(fakes, "cache", "clear", "--cache-dir", str(tmp_path))
    assert (result.exit_code, result.stdout.splitlines()[1:]) == (
        0,
        ["docker: skipped (docker is not on PATH)"],
    )


def test_cache_stats_clear_and_gc_run_against_the_injected_cache() -> None:
    fakes = adapters()
    invoke(fakes, "gather", "demo", "--cache-dir", "/chosen")
    stored = fakes.cache.stats()
    assert stored.entries == 2
    stats = invoke(fakes, "cache", "stats", "--cache-dir", "/chosen").stdout
    assert stats == f"cache: /chosen\nentries: 2\nbytes: {stored.bytes}\n"
    as_json = invoke(fakes, "cache", "stats", "--cache-dir", "/chosen", "--format", "json")
    assert json.loads(as_json.stdout) == {
        "cache_dir": "/chosen",
        "entries": 2,
        "bytes": stored.bytes,
        "remote": None,
        "remote_problem": None,
    }
    gc = invoke(fakes, "cache", "gc", "--cache-dir", "/chosen").stdout.splitlines()[0]
    assert gc == "evicted 0 entries (0 bytes) from /chosen"
    cleared = invoke(fakes, "cache", "clear").stdout.splitlines()[0]
    assert cleared == "removed 2 entries from /nonexistent/cache"
    assert (fakes.cache.entries, fakes.admin_roots) == (
        {},
        ["/chosen", "/chosen", "/chosen", "/nonexistent/cache"],
    )


@attrs.define
class PortRecorder(FakeAdapters):
    """Fake adapters that record which optional ports the CLI asked to build."""

    built: list[str] = attrs.field(factory=list[str])

    def index_reader(self, root: str, cache_dir: str) -> None:
        self.built.append("index_reader")

    def indexer(self, root: str, config: object, cache_dir: str) -> None:
        self.built.append("indexer")

    def containers(self, root: str, config: object) -> None:
        self.built.append("containers")

    def image_digest_resolver(self, containers: object, repo: RepoFiles, root: str) -> None:
        self.built.append("image_digest")


def test_the_cli_builds_only_the_ports_the_plan_names(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = registry_of(
        (scripted("plain", ports=frozenset({"repo"})), "light"),
        (scripted("indexed", ports=frozenset({"repo", "index_reader"}), layer="b"), "light"),
    )
    monkeypatch.setattr(run, "registry", lambda layers=None: registry)
    fakes = PortRecorder(repos=adapters().repos)

    invoke(fakes, "gather", "demo", "--probe", "plain")
    only_plain = list(fakes.built)
    invoke(fakes, "gather", "demo", "--probe", "indexed")

    assert only_plain == []
    assert fakes.built == ["index_reader"]


def test_codegenie_strict_reads_makes_a_sloppy_probe_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    def sloppy(ctx: ProbeContext) -> Envelope | Skip:
        ctx.repo.read_bytes("README.md")
        return Envelope(
            probe="sloppy", schema_version=1, confidence="high", slice=CountSlice(files=0)
        )

    registry = registry_of(
        (scripted("sloppy", behaviour=sloppy, declared_inputs=("**/*.py",)), "light")
    )
    monkeypatch.setattr(run, "registry", lambda layers=None: registry)
    outcomes = {}
    for value in ("1", "0"):
        fakes = adapters()
        fakes.env["CODEGENIE_STRICT_READS"] = value
        document = json.loads(invoke(fakes, "gather", "demo", "--format", "json").stdout)
        outcomes[value] = document["probes"]["sloppy"]["outcome"]

    assert outcomes == {"1": "failed", "0": "ran"}


def test_a_malformed_strict_reads_value_is_a_config_error() -> None:
    fakes = adapters()
    fakes.env["CODEGENIE_STRICT_READS"] = "yes"

    result = CliRunner().invoke(cli, ["gather", "demo"], obj=fakes)

    assert result.exit_code == 2
    assert "CODEGENIE_STRICT_READS must be 1 or 0" in result.stderr


def test_explain_miss_names_what_changed_since_the_probe_s_last_entry() -> None:
    fakes = adapters()
    first = invoke(fakes, "gather", "demo", "--explain-miss", "count")
    assert "codegenie-cli: count: no earlier entry for this repository (a first gather)" in (
        first.stderr.splitlines()
    )
    fakes.repos["demo"].files["app/main.py"] = b"print('changed')\n"
    fakes.repos["demo"].files["app/new.py"] = b"print('new')\n"
    second = invoke(fakes, "gather", "demo", "--explain-miss", "count").stderr.splitlines()
    assert "codegenie-cli:   changed  app/main.py" in second
    assert "codegenie-cli:   added    app/new.py" in second
    assert any(line.startswith("codegenie-cli:   upstream") for line in second) is False
    assert not any(line.startswith("codegenie-cli: after") for line in second)  # not asked, no -v
    warm = invoke(fakes, "gather", "demo", "--explain-miss", "count")
    assert "count:" not in warm.stderr  # a hit is no miss


def test_verbose_gives_one_line_per_missed_probe() -> None:
    fakes = adapters()
    invoke(fakes, "gather", "demo")
    fakes.repos["demo"].files["README.md"] = b"# changed\n"
    lines = invoke(fakes, "gather", "demo", "-v").stderr.splitlines()
    assert "codegenie-cli: after missed: 1 changed (README.md)" in lines
    assert not any(line.startswith("codegenie-cli: count missed") for line in lines)


def test_a_failed_probe_records_no_explanation_so_the_next_miss_still_compares_with_the_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fail: list[bool] = []

    def sometimes(ctx: ProbeContext) -> Envelope | Skip:
        if fail:
            raise RuntimeError("broke")
        return Envelope(probe="p", schema_version=1, confidence="high", slice=CountSlice(files=1))

    registry = registry_of(
        (scripted("p", behaviour=sometimes, declared_inputs=("**/*.py",)), "light")
    )
    monkeypatch.setattr(run, "registry", lambda layers=None: registry)
    fakes = adapters()
    invoke(fakes, "gather", "demo")
    assert fakes.keys.records == ["p"]
    fail.append(True)
    fakes.repos["demo"].files["app/main.py"] = b"print(2)\n"
    invoke(fakes, "gather", "demo")
    assert fakes.keys.records == ["p"]  # no entry written, nothing recorded
    fail.clear()
    fakes.repos["demo"].files["app/other.py"] = b"print(3)\n"
    lines = invoke(fakes, "gather", "demo", "--explain-miss", "p").stderr.splitlines()
    assert "codegenie-cli:   changed  app/main.py" in lines  # against the last ENTRY's inputs
    assert "codegenie-cli:   added    app/other.py" in lines


def test_no_cache_records_and_explains_nothing() -> None:
    fakes = adapters()
    result = invoke(fakes, "gather", "demo", "--no-cache", "--explain-miss", "count", "-v")
    assert "missed" not in result.stderr and "earlier entry" not in result.stderr
    assert fakes.keys.records == []


@pytest.mark.parametrize(
    ("path", "why"),
    [("../Dockerfile", "the path leaves the repository"), ("nope/Dockerfile", "no such file")],
)
def test_a_dockerfile_option_outside_the_repo_or_missing_is_one_line_and_exit_two(
    path: str, why: str
) -> None:
    result = invoke(adapters(), "gather", "demo", "--dockerfile", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"codegenie-cli: error: --dockerfile {path!r}: {why}")
    assert result.stderr.count("\n") == 1


def test_cache_clear_removes_every_portfolio_clone_and_gc_those_unused_for_30_days() -> None:
    fakes = FakeAdapters(clones=2)
    cleared = invoke(fakes, "cache", "clear", "--cache-dir", "/chosen").stdout.splitlines()
    assert cleared[1] == "removed 2 portfolio clones"
    before = time.time()
    collected = invoke(fakes, "cache", "gc", "--cache-dir", "/chosen").stdout.splitlines()
    assert collected[1] == "removed 2 portfolio clones unused for 30 days"
    (root, everything), (gc_root, since) = fakes.clone_removals
    assert (root, everything, gc_root) == ("/chosen", None, "/chosen")
    assert since is not None and before - 30 * 86400 - 5 <= since <= time.time() - 30 * 86400


def test_a_gather_holds_the_collector_back_and_gives_its_thresholds_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry, seen = threshold_recording_registry()
    monkeypatch.setattr(run, "registry", lambda layers=None: registry)
    before = gc.get_threshold()
    assert invoke(adapters(), "gather", "demo", "--no-cache").exit_code == 0
    assert seen == [GATHER_THRESHOLDS] != [before]  # ADR-0086
    assert gc.get_threshold() == before


def test_a_gather_drafts_its_keys_once_before_the_ports_are_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # ADR-0095: the draft starts as soon as the plan is known, not after the ports' contexts (the
    # layer B and C ports, the image-digest resolver) are built; the gather uses those tables.
    order: list[str] = []
    made = coordinator.drafted_tables
    built = session.probe_context

    def drafted(repo: RepoFiles, plan: Sequence[RegisteredProbe]) -> InputTables:
        order.append("draft")
        return made(repo, plan)

    def context(*args: Any) -> ProbeContext:
        order.append("ports")
        return built(*args)

    monkeypatch.setattr(session, "drafted_tables", drafted)
    monkeypatch.setattr(coordinator, "drafted_tables", drafted)
    monkeypatch.setattr(session, "probe_context", context)
    assert invoke(adapters(), "gather", "demo").exit_code == 0
    assert order == ["draft", "ports"]
