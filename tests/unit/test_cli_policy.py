"""`gather --fail-on` and `diff` through the CLI, in-process against fakes (ADR-0058, ADR-0060)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from codegenie_adapters.fakes import FakeRepo
from codegenie_cli import run
from codegenie_cli.main import cli
from codegenie_core.ports import GitState
from codegenie_core.probe import Envelope, ProbeContext
from tests.policy_documents import document
from tests.support import CountSlice, registry_of, scripted
from tests.unit.test_cli import FakeAdapters


def shaky(ctx: ProbeContext) -> Envelope:
    return Envelope(
        probe="shaky", schema_version=1, confidence="low", slice=CountSlice(files=0),
        notes=("could not tell",),
    )  # fmt: skip


def broken(ctx: ProbeContext) -> Envelope:
    raise ValueError("it broke")


@pytest.fixture(autouse=True)
def test_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = registry_of(
        (scripted("count", declared_inputs=("**/*.py",)), "light"),
        (scripted("shaky", behaviour=shaky, declared_inputs=("**/*.py",)), "light"),
        (scripted("broken", behaviour=broken, declared_inputs=("**/*.py",)), "light"),
    )
    monkeypatch.setattr(run, "registry", lambda layers=None: registry)


def fakes() -> FakeAdapters:
    repo = FakeRepo(
        name="demo",
        files={"app/main.py": b"print('hi')\n"},
        git=GitState(head="a" * 40, branch="main", dirty=False),
        history=["a" * 40],
    )
    return FakeAdapters(repos={"demo": repo})


def invoke(adapters: FakeAdapters | None, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj=adapters, catch_exceptions=False)


def test_a_held_condition_exits_3_after_writing_the_documents(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(fakes(), "gather", "demo", "-o", str(out), "--fail-on", "low-confidence")
    assert result.exit_code == 3
    assert sorted(os.listdir(out)) == ["context.json", "context.yaml", "report.md"]
    assert result.stderr.splitlines()[-1] == (
        "codegenie-cli: fail-on low-confidence: probe shaky has low confidence (could not tell)"
    )


def test_each_held_condition_is_one_line_and_the_document_is_still_printed() -> None:
    result = invoke(
        fakes(), "gather", "demo", "--format", "json", "--fail-on", "low-confidence,failed-probe"
    )
    assert result.exit_code == 3
    assert json.loads(result.stdout)["probes"]["broken"]["outcome"] == "failed"
    assert [line.split(":")[1] for line in result.stderr.splitlines()] == [
        " fail-on low-confidence",
        " fail-on failed-probe",
    ]


def test_conditions_that_do_not_hold_leave_exit_0() -> None:
    result = invoke(
        fakes(), "gather", "demo", "--fail-on", "stale-index", "--fail-on", "base-image:*"
    )
    assert (result.exit_code, result.stderr) == (0, "")


def test_a_malformed_condition_exits_2_before_the_gather_runs() -> None:
    # "nowhere" is no repository: a gather would fail on it; the condition is judged first.
    result = invoke(fakes(), "gather", "nowhere", "--fail-on", "low-confidence,dependency:x<")
    assert result.exit_code == 2
    assert result.stderr.startswith("codegenie-cli: error: --fail-on 'dependency:x<': expected")
    assert len(result.stderr.splitlines()) == 1


def write(path: Path, data: object) -> str:
    path.write_text(json.dumps(data))
    return str(path)


def test_diff_of_two_files_prints_a_table(tmp_path: Path) -> None:
    old = write(tmp_path / "old.json", document(inventory=[("npm", "lodash", "4.17.20")]))
    new = write(tmp_path / "new.json", document(inventory=[("npm", "lodash", "4.17.21")]))
    result = invoke(None, "diff", old, new)
    assert result.exit_code == 0
    assert "dependencies bumped (1)\n  npm:lodash  4.17.20 -> 4.17.21\n" in result.stdout


def test_diff_reads_yaml_documents_and_prints_json(tmp_path: Path) -> None:
    from codegenie_adapters.documents import to_yaml

    old = tmp_path / "old.yaml"
    old.write_text(to_yaml(document(dockerfile_images=["node:18"])))
    new = write(tmp_path / "new.json", document(dockerfile_images=["node:20"]))
    result = invoke(None, "diff", str(old), new, "--format", "json")
    assert json.loads(result.stdout)["base_images"] == [
        {"subject": "Dockerfile#stage 0", "old": "node:18", "new": "node:20"}
    ]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (json.dumps({"name": "package.json"}), "not a codegenie context document"),
        (json.dumps(document(schema_version=2)), "written by a newer codegenie"),
        ("{not json", "invalid JSON"),
        ("a: [", "not JSON or YAML"),
    ],
)
def test_diff_refuses_what_is_not_a_document_it_reads_in_one_line(
    tmp_path: Path, content: str, why: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    good = write(tmp_path / "good.json", document())
    result = invoke(None, "diff", good, str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"codegenie-cli: error: {bad}: ")
    assert why in result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "args", [["one.json"], ["a", "b", "c"], ["--rev", "A", "repo"], ["--rev", "A", "--rev", "B"]]
)
def test_diff_with_the_wrong_arguments_is_a_usage_error(args: list[str]) -> None:
    result = invoke(None, "diff", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("codegenie-cli: error: diff ")
