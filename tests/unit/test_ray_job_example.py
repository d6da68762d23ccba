"""docs/ray-job.yaml, the README's KubeRay example, stays a command the CLI accepts (ADR-0064)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import click
from ruamel.yaml import YAML

from codegenie_cli.main import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "ray-job.yaml"


def load() -> Any:
    return YAML(typ="safe").load(EXAMPLE.read_text())


def test_the_ray_job_runs_a_portfolio_gather_the_cli_parses() -> None:
    job = load()
    assert (job["apiVersion"], job["kind"]) == ("ray.io/v1", "RayJob")
    argv = shlex.split(job["spec"]["entrypoint"])
    assert argv[:3] == ["codegenie-cli", "portfolio", "gather"]
    group = cli.get_command(click.Context(cli), "portfolio")  # imported when named (ADR-0091)
    assert isinstance(group, click.Group)
    context = group.commands["gather"].make_context("gather", argv[3:])
    assert context.params["executor_name"] == "ray"
    assert context.params["ray_address"] == "auto"


def test_only_the_engine_group_offers_the_docker_resource_and_the_head_runs_no_gather() -> None:
    cluster = load()["spec"]["rayClusterSpec"]
    assert cluster["headGroupSpec"]["rayStartParams"]["num-cpus"] == "0"
    offers = {
        group["groupName"]: '\\"docker\\"' in group["rayStartParams"].get("resources", "")
        or '"docker"' in group["rayStartParams"].get("resources", "")
        for group in cluster["workerGroupSpecs"]
    }
    assert offers == {"static": False, "engine": True}
