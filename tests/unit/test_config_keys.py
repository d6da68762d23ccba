"""Every option that changes a fact is in the key: each `GatherConfig` field and each `gather`
option either changes the keys of exactly the probes whose slices it shapes, or is declared as
shaping no slice, with the reason (see ADR-0028)."""

from __future__ import annotations

from typing import Any

import attrs
import click
import pytest
from click.testing import CliRunner

from codegenie_adapters.fakes import (
    FakeClock,
    FakeContainerRunner,
    FakeIndexReader,
    FakeRepo,
    InMemoryCache,
    ScriptedYaml,
)
from codegenie_cli import main, run, wiring
from codegenie_core.cache_keys import config_fields_of, key_for
from codegenie_core.config import NOT_IN_ANY_KEY, GatherConfig
from codegenie_core.coordinator import gather
from codegenie_core.errors import CacheKeyError
from codegenie_core.ports import GitState
from codegenie_core.probe import ProbeContext
from codegenie_core.probes import load_builtin_probes
from codegenie_core.probes.layer_c.model import ImageConfig
from codegenie_core.probes.layer_c.runtime_trace import RuntimeTraceProbe
from codegenie_core.registry import DEFAULT_REGISTRY, RegisteredProbe
from codegenie_core.request import OpenedRepo
from codegenie_core.spec import ProbeSpec
from tests.support import registry_of, scripted

FIELDS = attrs.fields(GatherConfig)
REPO = FakeRepo(
    name="demo",
    files={
        "Dockerfile": b"FROM scratch\n",
        "src/main.ts": b"export const x = 1;\n",
        "app.py": b"print(1)\n",
        "index.scip": b"an index",
    },
    git=GitState(head="a" * 40, branch="main", dirty=False),
    history=["a" * 40],
)


def _builtin_probes() -> list[ProbeSpec]:
    load_builtin_probes()
    return [r.spec for r in DEFAULT_REGISTRY]


def _other_value(field: attrs.Attribute[Any]) -> object:
    """A value of `field` other than its default, chosen by the default's type."""
    default = field.default
    match default:
        case bool():
            return not default
        case str():
            return default + "-other"
        case int() | float():
            return default + 1
        case None:
            return 1.5
        case tuple():
            return (*default, "other")  # pyright: ignore[reportUnknownVariableType] -- a field default
        case frozenset():
            return frozenset(sorted(map(str, default))[:1])  # pyright: ignore[reportUnknownArgumentType] -- a field default
        case _:
            raise AssertionError(
                f"GatherConfig.{field.name}: teach _other_value a value of {type(default)!r}"
            )


def _keys(config: GatherConfig) -> dict[str, str]:
    ctx = ProbeContext(
        repo=REPO,
        config=config,
        clock=FakeClock(),
        yaml=ScriptedYaml(),
        index_reader=FakeIndexReader(),
    )
    return {probe.name: key_for(probe, REPO, ctx).hex for probe in _builtin_probes()}


@pytest.mark.parametrize("field", FIELDS, ids=[f.name for f in FIELDS])
def test_each_config_field_changes_exactly_the_keys_of_the_probes_naming_it_or_is_declared_keyless(
    field: attrs.Attribute[Any],
) -> None:
    naming = sorted(p.name for p in _builtin_probes() if field.name in config_fields_of(p.reads))
    if field.name in NOT_IN_ANY_KEY:
        assert naming == [], f"{field.name} is declared keyless yet {naming} name it"
    else:
        assert naming, (
            f"GatherConfig.{field.name} is in no key: name it with 'config:{field.name}' in the "
            "declared inputs of every probe whose slice it shapes, or add it to "
            "codegenie_core.config.NOT_IN_ANY_KEY with the reason (see ADR-0028)"
        )
    before = _keys(GatherConfig())
    after = _keys(attrs.evolve(GatherConfig(), **{field.name: _other_value(field)}))
    changed = sorted(name for name in before if before[name] != after[name])
    assert changed == naming


def test_the_keyless_declarations_name_real_fields_and_give_a_reason() -> None:
    names = {f.name for f in FIELDS}
    assert set(NOT_IN_ANY_KEY) <= names
    assert all(reason.strip() for reason in NOT_IN_ANY_KEY.values())


def test_the_options_behind_the_issue_are_in_their_probes_keys() -> None:
    naming = {
        field: sorted(p.name for p in _builtin_probes() if field in config_fields_of(p.reads))
        for field in ("trace_argv", "index_paths")
    }
    assert naming == {"trace_argv": ["runtime_trace"], "index_paths": ["index_health"]}


def test_a_config_token_naming_no_field_is_rejected_at_registration() -> None:
    with pytest.raises(CacheKeyError, match="names no GatherConfig field"):
        registry_of((scripted("bad", declared_inputs=("config:no_such_field",)), "light"))


def _cli_args(param: click.Parameter) -> list[str]:
    """Command-line words that set `param` to something other than its default."""
    assert isinstance(param, click.Option), param
    flag = param.opts[-1]
    if param.is_flag:
        return [flag]
    if isinstance(param.type, click.Choice):
        choices = [str(c) for c in param.type.choices]
        return [flag, next(c for c in choices if c != param.default)]
    if param.multiple:
        return [flag, "other"]
    if param.name == "layers":
        return [flag, "a"]
    raise AssertionError(f"--{param.name}: teach _cli_args a value for it")


GATHER_PARAMS = main.gather.params


@pytest.mark.parametrize("param", GATHER_PARAMS, ids=[str(p.name) for p in GATHER_PARAMS])
def test_each_gather_option_reaches_its_config_field_or_is_declared_keyless(
    param: click.Parameter, monkeypatch: pytest.MonkeyPatch
) -> None:
    fields = attrs.fields_dict(GatherConfig)
    name = str(param.name)
    if name in OPTIONS_NOT_IN_ANY_KEY:
        assert name not in fields, f"--{name} sets GatherConfig.{name}; it cannot be keyless"
        return
    assert name in fields, (
        f"gather option {name!r} reaches no GatherConfig field: make it one (and key it), or add "
        "it to codegenie_cli.run.OPTIONS_NOT_IN_ANY_KEY with the reason (see ADR-0028)"
    )
    seen: list[run.GatherOptions] = []

    def capture(adapters: object, options: run.GatherOptions, **_: object) -> run.GatherRun:
        seen.append(options)
        return run.GatherRun(rendered={"yaml": ""}, written=(), outcomes=())

    def no_repository(*_: object, **__: object) -> OpenedRepo:
        # a repository holding the one file a path option names (`--dockerfile other` is checked)
        return OpenedRepo(repo=FakeRepo(files={"other": b""}), root="/demo", cache_dir="/cache")

    monkeypatch.setattr(wiring, "open_repository", no_repository)
    monkeypatch.setattr(run, "gather", capture)
    result = CliRunner().invoke(
        main.cli, ["gather", "demo", "-q", *_cli_args(param)], obj=_NoAdapters()
    )
    assert result.exit_code == 0, result.output
    (options,) = seen
    assert getattr(options.request.config, name) != fields[name].default


OPTIONS_NOT_IN_ANY_KEY = run.OPTIONS_NOT_IN_ANY_KEY


def test_the_keyless_options_are_all_options_of_gather() -> None:
    assert set(OPTIONS_NOT_IN_ANY_KEY) <= {p.name for p in GATHER_PARAMS}


class _NoAdapters:
    def environ(self) -> dict[str, str]:
        return {}

    def cleanup(self) -> None:
        pass


def test_a_plain_gather_after_a_trace_argv_gather_is_not_served_its_full_argv() -> None:
    runner = FakeContainerRunner(image=ImageConfig(cmd=("/bin/app", "serve")))
    repo = FakeRepo(files={"Dockerfile": b"FROM scratch\nCMD x\n"})
    plan = [RegisteredProbe(probe=RuntimeTraceProbe(), spec=RuntimeTraceProbe.spec, source="test")]
    cache = InMemoryCache()

    def gathered(trace_argv: bool) -> str:
        ctx = ProbeContext(
            repo=repo,
            config=GatherConfig(trace_argv=trace_argv),
            clock=FakeClock(),
            yaml=ScriptedYaml(),
            containers=runner,
            image_digest_resolver=lambda: "scratch",
        )
        result = gather(
            plan, base_ctx=ctx, cache=cache, cache_mode="use", cpu_budget=1, clock=FakeClock()
        )
        return type(result.outcomes[0]).__name__

    assert [gathered(True), gathered(False), gathered(False)] == ["Ran", "Ran", "Cached"]
