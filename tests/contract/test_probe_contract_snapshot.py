"""The contract freeze: the snapshot script detects drift, passes when clean, rejects a
ProbeContext field outside the allowlist, and the committed snapshot matches the built-ins."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest

from codegenie_core.probe import Envelope, ProbeContext, Skip
from codegenie_core.registry import ProbeRegistry, register_probe
from codegenie_core.spec import ProbeSpec

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "regen_probe_contract_snapshot.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regen_probe_contract_snapshot", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


regen = load_script()


@attrs.frozen(kw_only=True)
class Port:
    number: int
    protocol: str | None


@attrs.frozen(kw_only=True)
class ServiceSlice:
    name: str
    ports: tuple[Port, ...]


@attrs.frozen(kw_only=True)
class ServiceSliceWithOwner:
    name: str
    ports: tuple[Port, ...]
    owner: str | None


def private_registry(
    *,
    version: int = 1,
    extra_input: str | None = None,
    slice_type: type[Any] = ServiceSlice,
    schema_version: int = 1,
) -> ProbeRegistry:
    registry = ProbeRegistry()

    @register_probe(registry=registry)
    class ServiceProbe:
        spec = ProbeSpec(
            name="service",
            version=version,
            layer="a",
            timeout_s=5.0,
            reads=("service.toml",) + ((extra_input,) if extra_input else ()),
            slice_type=slice_type,
            schema_version=schema_version,
        )

        def applies(self, ctx: ProbeContext) -> bool:
            return True

        def run(self, ctx: ProbeContext) -> Envelope | Skip:
            return Envelope(
                probe=self.spec.name,
                schema_version=1,
                confidence="high",
                slice=ServiceSlice(name="s", ports=()),
            )

    del ServiceProbe  # registered; the registry holds the instance
    return registry


def run(argv: list[str], **kwargs: Any) -> int:
    return int(regen.main(argv, **kwargs))


def test_a_freshly_written_snapshot_checks_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = tmp_path / "snapshot.json"

    written = run(["--snapshot", str(snapshot)], registry=private_registry())
    checked = run(["--check", "--snapshot", str(snapshot)], registry=private_registry())

    assert (written, checked) == (0, 0)
    assert "the probe contract matches" in capsys.readouterr().out


def test_a_changed_probe_version_is_drift_with_a_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = tmp_path / "snapshot.json"
    run(["--snapshot", str(snapshot)], registry=private_registry(version=1))
    capsys.readouterr()

    checked = run(["--check", "--snapshot", str(snapshot)], registry=private_registry(version=2))

    out = capsys.readouterr().out
    assert checked == 1
    assert '-      "version": 1' in out
    assert '+      "version": 2' in out


def test_a_new_declared_input_is_drift(tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json"
    run(["--snapshot", str(snapshot)], registry=private_registry())

    checked = run(
        ["--check", "--snapshot", str(snapshot)], registry=private_registry(extra_input="*.lock")
    )

    assert checked == 1


def test_a_slice_changed_without_a_schema_version_bump_is_refused_citing_adr_0020(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = tmp_path / "snapshot.json"
    run(["--snapshot", str(snapshot)], registry=private_registry())
    before = snapshot.read_text(encoding="utf-8")
    capsys.readouterr()

    changed = private_registry(slice_type=ServiceSliceWithOwner)
    refused = [
        run([*mode, "--snapshot", str(snapshot)], registry=changed) for mode in ([], ["--check"])
    ]
    err = capsys.readouterr().err
    bumped = private_registry(slice_type=ServiceSliceWithOwner, schema_version=2)
    written = run(["--snapshot", str(snapshot)], registry=bumped)

    assert refused == [1, 1]
    assert "service changed but its schema_version did not" in err and "ADR-0020" in err
    assert written == 0 and snapshot.read_text(encoding="utf-8") != before


def test_a_new_slice_field_is_drift_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = tmp_path / "snapshot.json"
    run(["--snapshot", str(snapshot)], registry=private_registry())
    capsys.readouterr()

    checked = run(
        ["--check", "--snapshot", str(snapshot)],
        registry=private_registry(slice_type=ServiceSliceWithOwner, schema_version=2),
    )

    added = [line for line in capsys.readouterr().out.splitlines() if line.startswith("+")]
    assert checked == 1
    assert any('"name": "owner"' in line for line in added)


def test_a_missing_snapshot_is_drift(tmp_path: Path) -> None:
    checked = run(
        ["--check", "--snapshot", str(tmp_path / "absent.json")], registry=private_registry()
    )

    assert checked == 1


def test_a_context_field_outside_the_allowlist_is_rejected_citing_adr_0006(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    allowlist = regen._PROBE_CONTEXT_FIELD_ALLOWLIST - {"image_digest_resolver"}

    code = run(
        ["--check", "--snapshot", str(tmp_path / "s.json")],
        registry=private_registry(),
        allowlist=allowlist,
    )

    err = capsys.readouterr().err
    assert code == 2
    assert "image_digest_resolver" in err
    assert "ADR-0030" in err


def test_the_allowlist_is_exactly_the_current_context_fields() -> None:
    assert {f.name for f in attrs.fields(ProbeContext)} == regen._PROBE_CONTEXT_FIELD_ALLOWLIST


def test_the_snapshot_records_the_nested_slice_schema(tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json"
    run(["--snapshot", str(snapshot)], registry=private_registry())

    text = snapshot.read_text(encoding="utf-8")

    assert '"root": "ServiceSlice"' in text
    assert '"type": "tuple[Port, ...]"' in text
    assert '"type": "str | None"' in text


def test_the_committed_snapshot_matches_the_builtin_probes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run(["--check"])

    assert code == 0, capsys.readouterr().out
