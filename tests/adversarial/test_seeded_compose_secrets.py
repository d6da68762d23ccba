"""A repository whose compose files hold secrets in every place a value can hide (environment
values in both forms, `.env` and env_file contents, build args, credential-named defaults, URL
credentials in images and contexts, malformed entries) is gathered at -vv with layer A: none
reaches the YAML, JSON, Markdown or stderr, and the compose facts still name what they should
(see ADR-0038)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from codegenie_cli.main import cli
from tests.support import silence_adapters_log

COMPOSE = """\
include:
  - infra/compose.yaml
services:
  api:
    image: "https://user-cmp-1:pw-cmp-2@registry.example.invalid/api:1"
    build:
      context: ./backend
      args:
        NPM_TOKEN: arg-cmp-3
        PLAIN_ARG: arg-cmp-4
    environment:
      DATABASE_URL: "postgres://db-cmp-5:pw-cmp-6@db/app"
      API_KEY: env-cmp-7
      PLAIN: env-cmp-8
    env_file: [.env, secrets.env]
    ports: ["${API_PORT:-8080}:80", "${REGISTRY_TOKEN:-tok-cmp-9}:81"]
  cache:
    image: "cache/${CACHE_TOKEN:-tok-cmp-19}:${TAG}"
    build: "./${CACHE_AUTH:-tok-cmp-20}"
    volumes: ["./${VOLUME_SECRET:-tok-cmp-21}:/x", "${NAMED_KEY:-tok-cmp-22}:/y"]
    env_file: ["${ENV_PASSWORD:-tok-cmp-23}.env"]
  worker:
    extends: api
    environment:
      - WORKER_SECRET=env-cmp-10
      - =env-cmp-11
      - 12345
    healthcheck:
      test: ["CMD", "curl", "-u", "hc-cmp-12:pw-cmp-13", "http://localhost"]
"""
INFRA = """\
services:
  db:
    image: postgres
    environment: [POSTGRES_PASSWORD=env-cmp-14, "POSTGRES_USER=env-cmp-15"]
    volumes: ["${DATA_DIR:-/srv/vol-cmp-16}:/var/lib/postgresql/data"]
"""
DOTENV = "API_PORT=dotenv-cmp-17\nSECRET=dotenv-cmp-18\n"
SECRETS = tuple(
    f"{kind}-cmp-{n}"
    for n, kind in enumerate(
        ["user", "pw", "arg", "arg", "db", "pw", "env", "env", "tok", "env", "env", "hc", "pw",
         "env", "env", "vol", "dotenv", "dotenv"],
        start=1,
    )
    if kind != "vol"  # a bind source is a path, kept as written; it holds no secret here
) + tuple(f"tok-cmp-{n}" for n in range(19, 24))  # fmt: skip


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    tmp = tmp_path_factory.mktemp("seeded-compose")
    repo = tmp / "repo"
    (repo / "backend").mkdir(parents=True)
    (repo / "infra").mkdir()
    (repo / "compose.yaml").write_text(COMPOSE)
    (repo / "infra" / "compose.yaml").write_text(INFRA)
    (repo / ".env").write_text(DOTENV)
    (repo / "secrets.env").write_text(DOTENV)
    (repo / "backend" / "Dockerfile").write_text("FROM scratch\n")
    out = tmp / "out"
    try:
        result = CliRunner().invoke(
            cli,
            ["gather", str(repo), "--layer", "a", "--output", str(out), "--no-cache", "-vv"],
            catch_exceptions=False,
        )
    finally:
        silence_adapters_log()
    assert result.exit_code == 0, result.stderr
    texts = {n: (out / n).read_text("utf-8") for n in ("context.yaml", "context.json", "report.md")}
    texts["stderr"] = result.stderr
    yield texts


def test_no_compose_secret_reaches_an_output_or_the_log(outputs: dict[str, str]) -> None:
    leaks = [(name, s) for name, text in outputs.items() for s in SECRETS if s in text]

    assert leaks == []


def test_the_compose_facts_keep_the_names_and_paths(outputs: dict[str, str]) -> None:
    compose = json.loads(outputs["context.json"])["probes"]["compose"]["slice"]
    services = compose["files"]["compose.yaml"]["services"]

    assert services["api"]["environment"] == ["API_KEY", "DATABASE_URL", "PLAIN"]
    assert services["worker"]["environment"] == [
        "API_KEY",
        "DATABASE_URL",
        "PLAIN",
        "WORKER_SECRET",
    ]
    assert services["api"]["env_files"] == [".env", "secrets.env"]
    assert services["api"]["image"] == "https://registry.example.invalid/api:1"
    # the credential-named default becomes "***", which is no port: a problem that quotes nothing
    assert [p["published"] for p in services["api"]["ports"]] == [{"start": 8080, "end": 8080}]
    assert compose["files"]["compose.yaml"]["project_services"] == {
        "api": "compose.yaml",
        "cache": "compose.yaml",
        "db": "infra/compose.yaml",
        "worker": "compose.yaml",
    }
