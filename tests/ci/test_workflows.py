"""What the committed GitHub workflows must say: jobs, the fence first, the matrix, timeouts, the
fork guard on the bench comment, the nightly gate's settings, no pytest-xdist anywhere, no test
lane that may fail without failing the run, and every bench script run by the bench lane."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tests.ci.workflow_model import (
    WORKFLOWS_DIR,
    Job,
    Step,
    Workflow,
    continue_on_error_uses,
    load_workflow,
    parse_workflow,
    scripts_run,
    workflow_xdist_uses,
    xdist_uses,
)

ROOT = Path(__file__).resolve().parents[2]
CI = load_workflow("ci.yml")
NIGHTLY = load_workflow("bench-nightly.yml")
REQUIRED_JOBS = {
    "fence",
    "lint",
    "typecheck",
    "contract-freeze",
    "unit",
    "property",
    "integration",
    "portfolio",
    "adversarial",
    "bench",
}
PYTHONS = ["3.11", "3.12", "3.13"]  # every Python the classifiers name (issue #15)
FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository"


def runs(job: Job) -> str:
    return "\n".join(step.run or "" for step in job.steps)


def step_running(job: Job, fragment: str) -> Step:
    matching = [step for step in job.steps if fragment in (step.run or "")]
    assert len(matching) == 1, f"expected one step running {fragment!r}, found {len(matching)}"
    return matching[0]


def test_ci_has_every_required_job() -> None:
    assert set(CI.jobs) == REQUIRED_JOBS


def test_ci_runs_on_pushes_to_main_and_on_pull_requests() -> None:
    assert CI.on.events == {"push", "pull_request"}
    assert CI.on.push_branches == ("main",)


def test_every_job_but_the_fence_waits_for_the_fence() -> None:
    needs = {job_id: job.needs for job_id, job in CI.jobs.items()}

    assert needs == {job_id: (() if job_id == "fence" else ("fence",)) for job_id in REQUIRED_JOBS}


@pytest.mark.parametrize("job_id", sorted(REQUIRED_JOBS - {"bench"}))
def test_every_test_job_runs_the_python_matrix(job_id: str) -> None:
    job = CI.jobs[job_id]

    assert job.strategy is not None
    assert job.strategy.matrix == {"python-version": PYTHONS}
    setup = [s for s in job.steps if (s.uses or "").startswith("actions/setup-python@")]
    assert [s.with_["python-version"] for s in setup] == ["${{ matrix.python-version }}"]


@pytest.mark.parametrize(
    ("workflow", "job_id"),
    [(CI, job_id) for job_id in sorted(CI.jobs)]
    + [(NIGHTLY, job_id) for job_id in sorted(NIGHTLY.jobs)],
)
def test_every_job_has_a_timeout(workflow: Workflow, job_id: str) -> None:
    timeout = workflow.jobs[job_id].timeout_minutes

    assert isinstance(timeout, int)
    assert 0 < timeout <= 120


def test_every_action_is_pinned_to_a_release() -> None:
    uses = [step.uses for wf in (CI, NIGHTLY) for _, step in wf.steps() if step.uses]

    assert uses
    assert all(re.fullmatch(r"[\w.-]+/[\w.-]+@v[0-9]+", u) for u in uses), uses


def test_the_fence_checks_layers_the_process_ban_and_the_light_core() -> None:
    fence = runs(CI.jobs["fence"])

    assert "lint-imports" in fence
    assert "ruff check --select TID251" in fence
    assert "tests/unit/test_fence.py" in fence


def test_lint_and_typecheck_run_their_tools() -> None:
    assert "ruff check ." in runs(CI.jobs["lint"])
    assert "ruff format --check ." in runs(CI.jobs["lint"])
    assert "pyright" in runs(CI.jobs["typecheck"])


def test_the_contract_freeze_runs_the_snapshot_check() -> None:
    assert "python scripts/regen_probe_contract_snapshot.py --check" in runs(
        CI.jobs["contract-freeze"]
    )


@pytest.mark.parametrize(
    ("job_id", "directory"),
    [
        ("unit", "tests/unit"),
        ("property", "tests/property"),
        ("integration", "tests/integration"),
        ("portfolio", "tests/portfolio"),
        ("adversarial", "tests/adversarial"),
    ],
)
def test_each_suite_job_runs_its_directory(job_id: str, directory: str) -> None:
    assert re.search(rf"python -m pytest [^\n]*{re.escape(directory)}\b", runs(CI.jobs[job_id]))


def test_integration_installs_the_real_tools_and_refuses_to_skip() -> None:
    job = CI.jobs["integration"]
    commands = runs(job)

    assert job.env["CODEGENIE_REQUIRE_TOOLS"] == "1"
    for tool in ("strace", "busybox-static", "docker", "docker info"):
        assert tool in commands
    assert "npm install -g @sourcegraph/scip-typescript @sourcegraph/scip-python" in commands


def test_the_bench_job_is_advisory_and_uploads_its_results() -> None:
    bench = CI.jobs["bench"]
    upload = [s for s in bench.steps if (s.uses or "").startswith("actions/upload-artifact@")]

    assert bench.continue_on_error is True
    assert "python benches/bench_portfolio_walltime.py" in runs(bench)
    assert len(upload) == 1
    assert upload[0].if_ == "always()"


def test_the_bench_comment_is_posted_only_from_the_repository_itself() -> None:
    bench = CI.jobs["bench"]
    comment = step_running(bench, "--comment-from")

    assert comment.if_ == FORK_GUARD
    assert comment.env["GH_TOKEN"] == "${{ github.token }}"
    assert isinstance(bench.permissions, dict)
    assert bench.permissions["pull-requests"] == "write"


def test_a_fork_pull_request_gets_a_warning_instead_of_a_comment() -> None:
    warning = step_running(CI.jobs["bench"], "::warning")

    assert warning.if_ is not None
    assert FORK_GUARD.replace("==", "!=") in warning.if_


def test_the_nightly_bench_is_scheduled_dispatchable_and_pinned() -> None:
    assert NIGHTLY.on.events == {"schedule", "workflow_dispatch"}
    assert [s.cron for s in NIGHTLY.on.schedule] == ["0 4 * * *"]
    assert [job.runs_on for job in NIGHTLY.jobs.values()] == ["ubuntu-24.04"]
    assert isinstance(NIGHTLY.permissions, dict)
    assert NIGHTLY.permissions["pull-requests"] == "write"


def test_the_nightly_bench_forces_two_cpus_and_runs_the_gating_bench() -> None:
    (job,) = NIGHTLY.jobs.values()

    assert job.env["CODEGENIE_FORCE_CPU_COUNT"] == "2"
    assert "python benches/bench_portfolio_walltime_hosted_runner.py" in runs(job)


# ---- no pytest-xdist, anywhere ------------------------------------------------------------------
def test_no_workflow_uses_xdist() -> None:
    assert [(wf.name, workflow_xdist_uses(wf)) for wf in (CI, NIGHTLY)] == [
        ("ci", []),
        ("bench-nightly", []),
    ]


def test_every_workflow_file_is_modelled() -> None:
    files = sorted(p.name for p in WORKFLOWS_DIR.glob("*.y*ml"))

    assert files == ["bench-nightly.yml", "ci.yml"]


def test_pytest_configuration_does_not_use_xdist() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    addopts = tomllib.loads(pyproject)["tool"]["pytest"]["ini_options"].get("addopts", "")

    assert xdist_uses(f"pytest {addopts}") == []
    assert xdist_uses(pyproject) == []


UNIT_COMMAND = "python -m pytest tests/unit tests/ci -q"
PLANTS = {
    "-n4": UNIT_COMMAND.replace(" -q", " -n4 -q"),
    "-n 4": UNIT_COMMAND.replace(" -q", " -n 4 -q"),
    "-n auto": UNIT_COMMAND.replace(" -q", " -n auto -q"),
    "--numprocesses": UNIT_COMMAND.replace(" -q", " --numprocesses 4 -q"),
    "xdist plugin": "python -m pip install pytest-xdist && " + UNIT_COMMAND,
}


@pytest.mark.parametrize("form", sorted(PLANTS))
def test_each_xdist_form_planted_into_a_copy_of_ci_is_caught(form: str) -> None:
    text = (WORKFLOWS_DIR / "ci.yml").read_text(encoding="utf-8")
    assert text.count(UNIT_COMMAND) == 1, "the unit job's command moved; update UNIT_COMMAND"

    planted = parse_workflow(text.replace(UNIT_COMMAND, PLANTS[form]))

    assert workflow_xdist_uses(planted) != []


@pytest.mark.parametrize("addopts", ["-n4", "-n 4", "-n auto", "--numprocesses=4", "-p xdist"])
def test_xdist_hidden_in_pytest_addopts_is_caught(addopts: str) -> None:
    text = (WORKFLOWS_DIR / "ci.yml").read_text(encoding="utf-8")
    planted_env = '  PYTHONDONTWRITEBYTECODE: "1"\n  PYTEST_ADDOPTS: "' + addopts + '"\n'

    planted = parse_workflow(text.replace('  PYTHONDONTWRITEBYTECODE: "1"\n', planted_env, 1))

    assert planted.env["PYTEST_ADDOPTS"] == addopts
    assert workflow_xdist_uses(planted) != []


# ---- test lanes cannot pass by failing quietly --------------------------------------------------
TEST_LANES = sorted(REQUIRED_JOBS - {"bench"})  # bench alone is advisory (ADR-0013)
CI_TEXT = (WORKFLOWS_DIR / "ci.yml").read_text(encoding="utf-8")


def test_no_test_lane_or_step_may_continue_on_error() -> None:
    assert continue_on_error_uses(CI, TEST_LANES) == []
    assert continue_on_error_uses(NIGHTLY, sorted(NIGHTLY.jobs)) == []  # the nightly gate, too


UNIT_JOB_HEAD = "  unit:\n    needs: [fence]\n"
UNIT_STEP = "      - name: Unit and workflow tests\n"
CONTINUE_PLANTS = {
    "job, true": (UNIT_JOB_HEAD, UNIT_JOB_HEAD + "    continue-on-error: true\n"),
    "job, expression": (
        UNIT_JOB_HEAD,
        UNIT_JOB_HEAD + "    continue-on-error: ${{ matrix.python-version == '3.12' }}\n",
    ),
    "step": (UNIT_STEP, UNIT_STEP + "        continue-on-error: true\n"),
}


@pytest.mark.parametrize("where", sorted(CONTINUE_PLANTS))
def test_continue_on_error_planted_into_a_copy_of_ci_is_caught(where: str) -> None:
    anchor, planted_text = CONTINUE_PLANTS[where]
    assert CI_TEXT.count(anchor) == 1, "the unit job moved; update the anchors"

    planted = parse_workflow(CI_TEXT.replace(anchor, planted_text))

    assert continue_on_error_uses(planted, TEST_LANES) != []


@pytest.mark.parametrize(("job_id", "bound"), [("unit", 10), ("portfolio", 10)])
def test_the_unit_and_portfolio_lanes_time_out_within_ten_minutes(job_id: str, bound: int) -> None:
    timeout = CI.jobs[job_id].timeout_minutes

    assert timeout is not None
    assert 0 < timeout <= bound


# ---- every bench runs in the bench lane ---------------------------------------------------------
BENCH_SCRIPTS = sorted(
    p.relative_to(ROOT).as_posix() for p in (ROOT / "benches").glob("bench_*.py")
)


def test_the_bench_lane_runs_every_bench_script() -> None:
    assert BENCH_SCRIPTS
    assert sorted(scripts_run(CI.jobs["bench"], BENCH_SCRIPTS)) == BENCH_SCRIPTS


def test_a_bench_added_later_is_run_without_editing_the_workflow() -> None:
    added = ["benches/bench_parser_linearity.py", "benches/bench_scenario_linearity.py"]

    assert scripts_run(CI.jobs["bench"], [*BENCH_SCRIPTS, *added]) >= set(added)


BENCH_LOOP = "for bench in benches/bench_*.py; do"
BENCH_PLANTS = {
    "a listed loop": (BENCH_LOOP, "for bench in benches/bench_cli_startup.py; do"),
    "a wider skip": (
        "benches/bench_portfolio_walltime.py) continue",
        "benches/bench_portfolio_walltime*.py) continue",
    ),
    "a loop that runs nothing": ('python "$bench"', 'echo "$bench"'),
}


@pytest.mark.parametrize("plant", sorted(BENCH_PLANTS))
def test_a_bench_left_out_of_a_copy_of_the_bench_lane_is_caught(plant: str) -> None:
    anchor, replacement = BENCH_PLANTS[plant]
    assert CI_TEXT.count(anchor) == 1, "the bench loop moved; update the anchors"

    planted = parse_workflow(CI_TEXT.replace(anchor, replacement))

    assert sorted(scripts_run(planted.jobs["bench"], BENCH_SCRIPTS)) != BENCH_SCRIPTS
