"""The `dockerfile` probe: every Dockerfile by path, graded confidence, the default run."""

from __future__ import annotations

from codegenie_adapters.serde import envelope_from_json, envelope_to_json
from codegenie_core.cache_keys import declared_inputs_for
from codegenie_core.probe import Envelope, NotApplicable
from codegenie_core.probes.layer_a.dockerfile import (
    DefaultRun,
    DockerfileProbe,
    DockerfileSlice,
    is_dockerfile,
    root_default_run,
)
from codegenie_core.probes.layer_a.inputs import InputProblem
from tests.unit.layer_a_support import context, portfolio_context

PROBE = DockerfileProbe()


def run(files: dict[str, str | bytes], unreadable: dict[str, str] | None = None) -> Envelope:
    envelope = PROBE.run(context(files, unreadable))
    assert isinstance(envelope, Envelope)
    return envelope


def test_every_dockerfile_form_at_any_depth_is_reported_by_path() -> None:
    files = {
        "Dockerfile": "FROM a\n",
        "svc/api.Dockerfile": "FROM b\n",
        "svc/Dockerfile.dev": "FROM c\n",
        "deep/er/Dockerfile": "FROM d\n",
        "Dockerfile.dockerignore": "node_modules\n",
        "README.md": "FROM e\n",
    }

    envelope = run(files)

    assert list(envelope.slice.dockerfiles) == [
        "Dockerfile",
        "deep/er/Dockerfile",
        "svc/Dockerfile.dev",
        "svc/api.Dockerfile",
    ]
    assert (envelope.confidence, envelope.notes) == ("high", ())


def test_the_probe_reads_only_files_its_cache_key_covers() -> None:
    ctx = context({"Dockerfile": "FROM a\n", "x/Dockerfile": "FROM b\n", "y.txt": ""})
    envelope = PROBE.run(ctx)
    covered = {path for path, _digest in declared_inputs_for(PROBE, ctx.repo)}

    assert isinstance(envelope, Envelope)
    assert set(envelope.slice.dockerfiles) <= covered


def test_no_dockerfile_is_not_applicable() -> None:
    ctx = context({"src/main.rs": "fn main() {}\n"})

    assert (PROBE.applies(ctx), PROBE.run(ctx)) == (
        False,
        NotApplicable(reason="no Dockerfile in the repository"),
    )


def test_problems_lower_confidence_to_medium_with_a_note() -> None:
    envelope = run({"Dockerfile": "FROM a\nFETCH x\n", "b/Dockerfile": "FROM b\n"})

    assert envelope.confidence == "medium"
    assert envelope.notes == ("partial facts from 1 of 2 (see problems): Dockerfile",)


def test_an_unreadable_dockerfile_is_a_problem_value_and_lowers_confidence() -> None:
    envelope = run({"Dockerfile": "FROM a\n"}, unreadable={"b/Dockerfile": "permission denied"})

    assert envelope.slice.unreadable == (
        InputProblem(path="b/Dockerfile", message="unreadable: permission denied"),
    )
    assert envelope.confidence == "low"


def test_a_dockerfile_that_is_not_utf8_is_a_problem() -> None:
    envelope = PROBE.run(context({"Dockerfile": b"FROM \xff\n"}))

    assert isinstance(envelope, Envelope)
    assert envelope.slice.unreadable == (
        InputProblem(path="Dockerfile", message="not UTF-8 text (byte 5): invalid start byte"),
    )


def test_python_service_fixture_default_run() -> None:
    envelope = PROBE.run(portfolio_context("python-service"))

    assert isinstance(envelope, Envelope)
    assert root_default_run(envelope.slice) == DefaultRun(
        argv=("gunicorn", "--bind", "0.0.0.0:8000", "inventory.app:app"),
        entrypoint=("gunicorn", "--bind", "0.0.0.0:8000"),
        cmd=("inventory.app:app",),
        healthcheck=(
            "python",
            "-c",
            "import urllib.request; "
            "urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)",
        ),
        user="inventory",
        workdir="/app",
        inherits_from_image=True,
    )


def test_go_cli_fixture_resolves_build_args_in_every_from() -> None:
    envelope = PROBE.run(portfolio_context("go-cli"))

    assert isinstance(envelope, Envelope)
    facts = envelope.slice.dockerfiles["Dockerfile"]
    assert [(s.name, s.base.kind, s.base.resolved) for s in facts.stages] == [
        ("build", "image", "golang:1.22.4-alpine"),
        ("test", "stage", "build"),
        (None, "image", "gcr.io/distroless/static-debian12:nonroot"),
    ]
    assert envelope.confidence == "high"


def test_root_default_run_is_none_without_a_root_dockerfile() -> None:
    envelope = run({"svc/Dockerfile": "FROM a\nCMD x\n"})

    assert root_default_run(envelope.slice) is None


def test_the_slice_round_trips_through_the_cache_serializer() -> None:
    envelope = PROBE.run(portfolio_context("python-service"))
    assert isinstance(envelope, Envelope)

    assert envelope_from_json(envelope_to_json(envelope), DockerfileSlice) == envelope


def test_containerfiles_at_any_depth_are_read_and_their_ignore_files_are_not() -> None:
    files = {
        "Containerfile": "FROM a\n",
        "svc/api.Containerfile": "FROM b\n",
        "svc/Containerfile.dev": "FROM c\n",
        "Containerfile.containerignore": "node_modules\n",
        "svc/.containerignore": "x\n",
    }

    envelope = run(files)

    assert list(envelope.slice.dockerfiles) == [
        "Containerfile",
        "svc/Containerfile.dev",
        "svc/api.Containerfile",
    ]
    assert [is_dockerfile(p) for p in sorted(files)] == [True, False, False, True, True]


def test_a_stage_arg_resolves_expose_in_the_probe_slice() -> None:
    envelope = run({"Dockerfile": "FROM a\nARG PORT=8080\nEXPOSE ${PORT}\nEXPOSE $OTHER\n"})

    facts = envelope.slice.dockerfiles["Dockerfile"]
    assert facts.stages[0].args == ("PORT",)
    assert facts.final is not None
    assert [(p.start, p.protocol) for p in facts.final.exposed] == [(8080, "tcp")]
    assert [u.written for u in facts.final.unresolved] == ["$OTHER"]
    assert envelope.confidence == "high"
