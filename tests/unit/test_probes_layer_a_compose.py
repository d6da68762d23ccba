"""The `compose` probe: compose files by path, services, include and extends, graded confidence."""

from __future__ import annotations

import pytest

from codegenie_adapters.serde import envelope_from_json, envelope_to_json
from codegenie_core.cache_keys import declared_inputs_for
from codegenie_core.parsers.compose_values import PortSpan
from codegenie_core.probe import Envelope, NotApplicable
from codegenie_core.probes.layer_a.compose import (
    MAX_DEPTH,
    ComposeFile,
    ComposeProbe,
    ComposeSlice,
    IncludeRef,
)
from tests.unit.layer_a_support import context, portfolio_context

PROBE = ComposeProbe()


def run(files: dict[str, str | bytes], unreadable: dict[str, str] | None = None) -> Envelope:
    envelope = PROBE.run(context(files, unreadable))
    assert isinstance(envelope, Envelope)
    return envelope


def compose_file(envelope: Envelope, path: str) -> ComposeFile:
    slice_ = envelope.slice
    assert isinstance(slice_, ComposeSlice)
    return slice_.files[path]


def messages(envelope: Envelope) -> list[str]:
    return [p.message for p in envelope.slice.problems]


def test_every_compose_file_name_at_any_depth_is_reported_by_path() -> None:
    files: dict[str, str | bytes] = {
        "compose.yaml": "services: {}\n",
        "compose.yml": "services: {}\n",
        "ops/docker-compose.yml": "services: {}\n",
        "ops/docker-compose.override.yaml": "services: {}\n",
        "deploy/compose.prod.yml": "services: {}\n",
        "deploy/other.yml": "services: {}\n",
        ".env": "SECRET=1\n",
    }

    envelope = run(files)

    assert list(envelope.slice.files) == [
        "compose.yaml",
        "compose.yml",
        "deploy/compose.prod.yml",
        "ops/docker-compose.override.yaml",
        "ops/docker-compose.yml",
    ]
    assert (envelope.confidence, envelope.notes) == ("high", ())


def test_no_compose_file_is_not_applicable() -> None:
    ctx = context({"Dockerfile": "FROM a\n"})

    assert PROBE.applies(ctx) is False
    assert isinstance(PROBE.run(ctx), NotApplicable)


def test_the_probe_reads_only_files_its_cache_key_covers() -> None:
    ctx = context({"compose.yaml": "include: [x/compose.yaml]\n", "x/compose.yaml": "{}\n"})
    envelope = PROBE.run(ctx)
    covered = {path for path, _digest in declared_inputs_for(PROBE, ctx.repo)}

    assert isinstance(envelope, Envelope)
    assert set(envelope.slice.files) <= covered


def test_build_contexts_link_to_the_dockerfile_by_repository_path() -> None:
    envelope = run(
        {
            "deploy/compose.yaml": (
                "services:\n"
                "  api: {build: ../backend}\n"
                "  web: {build: {context: ../frontend, dockerfile: web.Dockerfile, target: prod}}\n"
                "  gone: {build: ../missing}\n"
                "  odd: {build: {context: ../backend, dockerfile: build/Dockerfile-dev}}\n"
                "  far: {build: ../../outside}\n"
                "  abs: {build: /srv/app}\n"
                "  git: {build: 'https://github.com/o/r.git#main'}\n"
                "  inline: {build: {context: ., dockerfile_inline: 'FROM a'}}\n"
            ),
            "backend/Dockerfile": "FROM a\n",
            "frontend/web.Dockerfile": "FROM b\n",
        }
    )

    services = compose_file(envelope, "deploy/compose.yaml").services
    links = {
        name: (s.build.context_place, s.build.dockerfile, s.build.dockerfile_status)
        for name, s in services.items()
        if s.build is not None
    }
    assert links == {
        "abs": ("absolute", None, "outside"),
        "api": ("inside", "backend/Dockerfile", "present"),
        "far": ("outside", None, "outside"),
        "git": ("remote", None, "outside"),
        "gone": ("inside", "missing/Dockerfile", "missing"),
        "inline": ("inside", None, "inline"),
        "odd": ("inside", "backend/build/Dockerfile-dev", "unchecked"),
        "web": ("inside", "frontend/web.Dockerfile", "present"),
    }
    assert services["web"].build is not None and services["web"].build.target == "prod"
    assert envelope.confidence == "high"


def test_ports_depends_on_environment_names_profiles_and_healthchecks() -> None:
    envelope = run(
        {
            "compose.yaml": (
                "services:\n"
                "  api:\n"
                "    image: example/api:1\n"
                "    ports: ['8080:80', {target: 443, published: '8443', protocol: udp}, 1-65535]\n"
                "    depends_on: {db: {condition: service_healthy}, cache: null}\n"
                "    environment: [A=1, B, 'C=x=y']\n"
                "    env_file: [.env, {path: ./local.env, required: false}]\n"
                "    profiles: [debug]\n"
                "    healthcheck: {test: [CMD, curl, -f, http://x], interval: 30s, retries: 3}\n"
                "  db:\n"
                "    image: postgres\n"
                "    depends_on: [cache]\n"
                "    environment: {POSTGRES_PASSWORD: pw, Z: ~}\n"
                "    healthcheck: {test: pg_isready}\n"
                "  cache: {image: redis, healthcheck: {disable: true}}\n"
            )
        }
    )

    services = compose_file(envelope, "compose.yaml").services
    api = services["api"]
    assert [(p.published, p.target, p.protocol) for p in api.ports] == [
        (PortSpan(start=8080, end=8080), PortSpan(start=80, end=80), "tcp"),
        (PortSpan(start=8443, end=8443), PortSpan(start=443, end=443), "udp"),
        (None, PortSpan(start=1, end=65535), "tcp"),
    ]
    assert api.depends_on == {"cache": "service_started", "db": "service_healthy"}
    assert services["db"].depends_on == {"cache": "service_started"}
    assert (api.environment, services["db"].environment) == (
        ("A", "B", "C"),
        ("POSTGRES_PASSWORD", "Z"),
    )
    assert api.env_files == (".env", "./local.env")
    assert api.profiles == ("debug",)
    assert [s.healthcheck.kind if s.healthcheck else None for s in services.values()] == [
        "exec",
        "none",
        "shell",
    ]
    assert api.healthcheck is not None and (api.healthcheck.interval, api.healthcheck.retries) == (
        "30s",
        3,
    )
    assert envelope.confidence == "high"


@pytest.mark.parametrize(
    "include",
    [
        "include: sub/compose.yaml",
        "include: [sub/compose.yaml]",
        "include: [{path: sub/compose.yaml}]",
        "include: [{path: [sub/compose.yaml]}]",
    ],
)
def test_every_include_form_adds_the_included_services_to_the_project(include: str) -> None:
    envelope = run(
        {
            "compose.yaml": f"{include}\nservices: {{web: {{image: w}}}}\n",
            "sub/compose.yaml": "services: {db: {image: d}}\n",
        }
    )

    root = compose_file(envelope, "compose.yaml")
    assert root.includes == (
        IncludeRef(written="sub/compose.yaml", path="sub/compose.yaml", status="read"),
    )
    assert root.project_services == {"db": "sub/compose.yaml", "web": "compose.yaml"}
    assert envelope.confidence == "high"


@pytest.mark.parametrize(
    ("target", "files", "status"),
    [
        ("missing/compose.yaml", {}, "missing"),
        ("../../compose.yaml", {}, "outside"),
        ("/etc/compose.yaml", {}, "outside"),
        ("${DIR}/compose.yaml", {}, "unresolved"),
        ("infra/db.yaml", {"infra/db.yaml": "services: {}\n"}, "not-read"),
        ("bad/compose.yaml", {"bad/compose.yaml": "services: [\n"}, "failed"),
        ("list/compose.yaml", {"list/compose.yaml": "- a\n"}, "failed"),
    ],
)
def test_an_include_that_cannot_be_followed_is_a_reason_that_grades_medium(
    target: str, files: dict[str, str | bytes], status: str
) -> None:
    envelope = run({"compose.yaml": f"include: ['{target}']\nservices: {{}}\n", **files})

    root = compose_file(envelope, "compose.yaml")
    assert [ref.status for ref in root.includes] == [status]
    assert f"include {target!r} is {status}" in messages(envelope)
    assert envelope.confidence in ("medium", "low")


def test_an_unreadable_include_target_grades_medium() -> None:
    envelope = run(
        {
            "compose.yaml": "include: [a/compose.yaml]\n",
            "a/compose.yaml": "{}\n",
            "b/compose.yaml": "{}\n",
        },
        unreadable={"a/compose.yaml": "permission denied"},
    )

    assert [r.status for r in compose_file(envelope, "compose.yaml").includes] == ["failed"]
    assert envelope.confidence == "medium"


def test_include_cycles_are_read_once_and_reported() -> None:
    envelope = run(
        {
            "compose.yaml": "include: [b/compose.yaml]\nservices: {a: {}}\n",
            "b/compose.yaml": "include: [../compose.yaml]\nservices: {b: {}}\n",
        }
    )

    root = compose_file(envelope, "compose.yaml")
    assert root.project_services == {"a": "compose.yaml", "b": "b/compose.yaml"}
    assert any("reached again" in m for m in messages(envelope))


def test_include_depth_is_bounded() -> None:
    files: dict[str, str | bytes] = {
        f"d{i}/compose.yaml": f"include: [../d{i + 1}/compose.yaml]\nservices: {{s{i}: {{}}}}\n"
        for i in range(MAX_DEPTH + 4)
    }
    files[f"d{MAX_DEPTH + 4}/compose.yaml"] = "services: {}\n"

    envelope = run(files)

    top = compose_file(envelope, "d0/compose.yaml")
    assert len(top.project_services) == MAX_DEPTH + 1
    assert any("deeper than" in m for m in messages(envelope))


def test_extends_in_the_same_file_merges_as_the_spec_says() -> None:
    envelope = run(
        {
            "compose.yaml": (
                "services:\n"
                "  base:\n"
                "    build: ./app\n"
                "    ports: ['80:80']\n"
                "    environment: {A: '1', B: '2'}\n"
                "    volumes: ['./one:/data', 'cache:/cache']\n"
                "    depends_on: [db]\n"
                "    healthcheck: {test: [CMD, a], interval: 5s}\n"
                "  web:\n"
                "    extends: base\n"
                "    ports: ['443:443']\n"
                "    environment: [C=3]\n"
                "    volumes: ['./two:/data']\n"
                "    healthcheck: {test: [CMD-SHELL, b]}\n"
                "  db: {image: postgres}\n"
            ),
            "app/Dockerfile": "FROM a\n",
        }
    )

    web = compose_file(envelope, "compose.yaml").services["web"]
    assert web.extends == "base"
    assert web.build is not None and web.build.dockerfile == "app/Dockerfile"
    assert [p.written for p in web.ports] == ["80:80", "443:443"]
    assert web.environment == ("A", "B", "C")
    assert [(v.source, v.target) for v in web.volumes] == [("cache", "/cache"), ("./two", "/data")]
    assert web.depends_on == {}  # never shared through extends
    assert web.healthcheck is not None
    assert (web.healthcheck.kind, web.healthcheck.interval) == ("shell", "5s")
    assert envelope.confidence == "high"


def test_extends_from_another_file_resolves_the_bases_paths_against_its_own_file() -> None:
    envelope = run(
        {
            "compose.yaml": (
                "services:\n  api:\n    extends: {file: common/compose.base.yaml, service: app}\n"
            ),
            "common/compose.base.yaml": "services:\n  app: {build: ../backend, image: x}\n",
            "backend/Dockerfile": "FROM a\n",
        }
    )

    api = compose_file(envelope, "compose.yaml").services["api"]
    assert api.extends == "common/compose.base.yaml#app"
    assert api.build is not None
    assert (api.build.context_path, api.build.dockerfile_status) == ("backend", "present")


@pytest.mark.parametrize(
    ("compose", "extra", "reason"),
    [
        ("services: {a: {extends: a}}", {}, "closes a cycle"),
        ("services: {a: {extends: b}, b: {extends: a}}", {}, "closes a cycle"),
        ("services: {a: {extends: nope}}", {}, "not a service there"),
        ("services: {a: {extends: {file: gone/compose.yaml, service: x}}}", {}, "is missing"),
        ("services: {a: {extends: {file: ../../x.yml, service: x}}}", {}, "is outside"),
        (
            "services: {a: {extends: {file: common.yml, service: x}}}",
            {"common.yml": "{}"},
            "not-read",
        ),
        ("services: {a: {extends: {service: [1]}}}", {}, "needs a service name"),
    ],
)
def test_an_extends_that_cannot_be_followed_is_a_reason_that_grades_medium(
    compose: str, extra: dict[str, str | bytes], reason: str
) -> None:
    envelope = run({"compose.yaml": compose + "\n", **extra})

    assert any(reason in m for m in messages(envelope)), messages(envelope)
    assert envelope.confidence == "medium"


def test_a_long_extends_chain_is_cut() -> None:
    chain = "".join(f"  s{i}: {{extends: s{i + 1}}}\n" for i in range(3 * MAX_DEPTH))
    envelope = run({"compose.yaml": f"services:\n{chain}  s{3 * MAX_DEPTH}: {{image: x}}\n"})

    assert any("longer than" in m for m in messages(envelope))


@pytest.mark.parametrize(
    "text",
    [
        "- just a list\n",
        "services: [a, b]\n",
        "services: {a: 1, b: [x], c: null}\n",
        "services: {a: {ports: 80, volumes: x, environment: 1, depends_on: 3, profiles: x}}\n",
        "services: {a: {ports: [[1], {target: x}, true], volumes: [1, {type: weird}]}}\n",
        "services: {a: {build: [1], image: [2], healthcheck: [3], env_file: 4}}\n",
        "services: {a: {healthcheck: {test: 5}, environment: [1, '=x']}}\n",
        "include: 5\nservices: {}\n",
        "include: [{path: 5}, 7]\n",
        "services: {a: {depends_on: {b: 1}}}\n",
        "services: {a: {extends: 5}}\n",
        "[" * 200 + "]" * 200 + "\n",
        "a: &x [*x]\n",
        "services: {a: {build: {context: 1}}}\n",
    ],
)
def test_hostile_shapes_are_problems_never_exceptions(text: str) -> None:
    envelope = run({"compose.yaml": text})

    assert envelope.confidence in ("medium", "low")
    assert envelope.slice.problems


def test_a_huge_port_range_stays_one_value() -> None:
    envelope = run({"compose.yaml": "services: {a: {ports: ['1-65535:1-65535/udp']}}\n"})

    (port,) = compose_file(envelope, "compose.yaml").services["a"].ports
    assert (port.published, port.target) == (
        PortSpan(start=1, end=65535),
        PortSpan(start=1, end=65535),
    )


def test_polyglot_fixture_compose_project() -> None:
    envelope = PROBE.run(portfolio_context("polyglot-monorepo"))
    assert isinstance(envelope, Envelope)

    root = envelope.slice.files["compose.yaml"]
    assert root.project_services == {
        "db": "infra/docker-compose.db.yml",
        "web": "compose.yaml",
        "worker": "compose.yaml",
    }
    worker = root.services["worker"]
    assert worker.build is not None
    assert (worker.build.dockerfile, worker.build.dockerfile_status) == (
        "services/worker/Dockerfile.worker",
        "present",
    )
    dev = envelope.slice.files["compose.dev.yaml"].services["web-dev"]
    assert dev.extends == "compose.yaml#web"
    assert [v.host_outside_repo for v in dev.volumes] == [False, True]
    assert envelope.confidence == "high"


def test_the_slice_round_trips_through_the_cache_serializer() -> None:
    envelope = PROBE.run(portfolio_context("polyglot-monorepo"))
    assert isinstance(envelope, Envelope)

    assert envelope_from_json(envelope_to_json(envelope), ComposeSlice) == envelope
