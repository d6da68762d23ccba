"""A repository seeded with secrets in every place one can hide (remote URLs, scenario env values
and argv, Dockerfile ARG/ENV) is gathered at -vv: none reaches the YAML, JSON, Markdown or stderr
(see ADR-0024)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from codegenie_cli.main import cli
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import commit_all, git, init_repo, isolate_git_config
from tests.support import silence_adapters_log

NEEDS = requires_tool("git", "docker", "strace", "busybox", "linux")

REMOTES = {
    "userinfo": "https://user-remote-1:pw-remote-2@git.example.invalid/o/r.git",
    "user": "https://user-remote-3@git.example.invalid/o/r.git",
    "query": "https://git.example.invalid/o/r.git?access_token=tok-remote-4",
    "fragment": "https://git.example.invalid/o/r.git#frag-remote-5",
    "ssh": "ssh://user-remote-6:pw-remote-7@git.example.invalid:2222/o/r.git",
    "scp": "user-remote-8:pw-remote-9@git.example.invalid:o/r.git?access_token=tok-remote-10",
    "helper": "hg::https://user-remote-11:pw-remote-12@git.example.invalid/r",
    "ext": "ext::ssh -o Token=tok-remote-13 git.example.invalid %S r",
    "ipv6": "ssh://user-remote-14@[::1]:2222/o/r.git",
}
SCENARIOS = """\
scenarios:
  - name: seeded
    argv: ["/bin/sh", "-c", "exit 0", "argv-tok-15", "--password=argv-tok-16"]
    env:
      API_TOKEN: env-tok-17
      DB_URL: "postgres://db-user-18:env-tok-19@db.example.invalid/x"
"""
DOCKERFILE = """\
FROM scratch
ARG NPM_TOKEN=df-arg-tok-20
ENV API_SECRET=df-env-tok-21
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENTRYPOINT ["/bin/sh", "-c", "exit 0"]
"""
SECRETS = (
    *(f"{kind}-remote-{n}" for kind in ("user", "pw", "tok", "frag") for n in range(1, 15)),
    "argv-tok-15", "argv-tok-16", "env-tok-17", "db-user-18", "env-tok-19",
)  # fmt: skip
DOCKERFILE_SECRETS = ("df-arg-tok-20", "df-env-tok-21")


@attrs.frozen(kw_only=True)
class Gathered:
    outputs: dict[str, str]  # file name (and "stderr") -> its text


def _leaks(gathered: Gathered, secrets: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(n, s) for n, text in gathered.outputs.items() for s in secrets if s in text]


@pytest.fixture(scope="module")
def gathered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gathered]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate_git_config(monkeypatch)
        tmp = tmp_path_factory.mktemp("seeded")
        repo = init_repo(tmp / "repo")
        (repo / "Dockerfile").write_text(DOCKERFILE)
        (repo / ".codegenie").mkdir()
        (repo / ".codegenie" / "scenarios.yaml").write_text(SCENARIOS)
        # requires_tool("busybox") has checked that one of these exists
        source = next(p for p in (Path("/bin/busybox"), Path("/usr/bin/busybox")) if p.exists())
        shutil.copy(source, repo / "busybox")
        commit_all(repo, "seeded")
        for name, url in REMOTES.items():
            git(repo, "remote", "add", name, url)
        out = tmp / "out"
        try:
            result = CliRunner().invoke(
                cli, ["gather", str(repo), "--output", str(out), "--no-cache", "-vv"],
                catch_exceptions=False,
            )  # fmt: skip
        finally:
            silence_adapters_log()  # the -vv sink wrote to the runner's stream, gone now
        assert result.exit_code == 0, result.stderr
        outputs = {n: (out / n).read_text("utf-8") for n in ("context.yaml", "context.json")}
        outputs["report.md"] = (out / "report.md").read_text("utf-8")
        outputs["stderr"] = result.stderr
        yield Gathered(outputs=outputs)
        trace = json.loads(outputs["context.json"])["probes"]["runtime_trace"]
        image = trace.get("slice", {}).get("image_ref", "")
        if image:  # content-tagged and unique to these secrets: nobody else uses it
            subprocess.run(["docker", "image", "rm", "-f", image], capture_output=True, check=False)


@NEEDS
def test_the_gather_traced_and_logged_the_engine_command_lines(gathered: Gathered) -> None:
    document = json.loads(gathered.outputs["context.json"])
    remotes = document["probes"]["git"]["slice"]["remotes"]
    scenarios = document["probes"]["runtime_trace"]["slice"]["scenarios"]
    seeded = next(s for s in scenarios if s["name"] == "seeded")
    stderr = gathered.outputs["stderr"]
    assert (len(remotes), seeded["env_names"], seeded["outcome"]) == (
        len(REMOTES), ["API_TOKEN", "DB_URL"], "completed",
    )  # fmt: skip
    assert ("--env=API_TOKEN=***" in stderr, "'/bin/sh', '<4 arguments hidden" in stderr) == (
        True, True,
    )  # fmt: skip


@NEEDS
def test_no_remote_or_scenario_secret_reaches_an_output_or_the_log(gathered: Gathered) -> None:
    assert _leaks(gathered, SECRETS) == []


# Not marked xfail: today no slice carries ARG/ENV values at all, so the strict xfail the brief
# asked for would XPASS; as a plain test it guards the ARG/ENV facts branch i10-parsers adds.
@NEEDS
def test_no_dockerfile_arg_or_env_secret_reaches_an_output_or_the_log(gathered: Gathered) -> None:
    assert _leaks(gathered, DOCKERFILE_SECRETS) == []
