"""The prober's output read as one `PortProbe` per port, and the ports wired into scenarios
(ADR-0066)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters.container_flags import network_flags, render_policy
from codegenie_adapters.fakes import FakeClock, FakeContainerRunner, FakeRepo, ScriptedYaml
from codegenie_core.config import GatherConfig
from codegenie_core.parsers.port_probe import MAX_HEADER_CHARS, parse_prober_output
from codegenie_core.probe import Envelope, ProbeContext
from codegenie_core.probes.layer_c.model import TRACE_POLICY, ImageConfig
from codegenie_core.probes.layer_c.runtime_trace import RuntimeTraceProbe, RuntimeTraceSlice
from codegenie_core.values.container import PORT_PROBE_POLICY, PortProbe

OUTPUT = """codegenie-port 8080 open 420
codegenie-hdr 8080 HTTP/1.0 200 OK
codegenie-hdr 8080 Server: codegenie-fixture/1.0 Python/3.11.2
codegenie-hdr 8080 Content-Type: application/json
codegenie-port 9000 open 10
codegenie-port 5432 closed
noise the prober never prints
"""


def test_http_listening_closed_and_unreported_ports() -> None:
    assert parse_prober_output(OUTPUT, (8080, 9000, 5432, 7)) == (
        PortProbe(
            port=8080,
            state="http",
            first_listen_ms=420,
            http_status=200,
            server="codegenie-fixture/1.0 Python/3.11.2",
            content_type="application/json",
        ),
        PortProbe(port=9000, state="listening", first_listen_ms=10),
        PortProbe(port=5432, state="closed"),
        PortProbe(port=7, state="closed", detail="the prober did not report it"),
    )


def test_a_header_value_is_cut_and_kept_printable() -> None:
    text = "codegenie-port 1 open 0\ncodegenie-hdr 1 HTTP/1.1 404 x\n"
    text += "codegenie-hdr 1 server: \x1b[31m" + "a" * 500 + "\n"
    (probe,) = parse_prober_output(text, (1,))
    assert (probe.state, probe.http_status) == ("http", 404)
    assert probe.server == "[31m" + "a" * (MAX_HEADER_CHARS - 4)


@given(st.text(max_size=2000), st.lists(st.integers(1, 65535), max_size=8))
def test_any_output_gives_one_probe_per_port_in_order(text: str, ports: list[int]) -> None:
    probes = parse_prober_output(text, ports)
    assert [p.port for p in probes] == ports
    assert all(len(p.server) <= MAX_HEADER_CHARS for p in probes)
    assert all(p.state in ("http", "listening", "closed") for p in probes)


def test_the_internal_network_without_its_name_renders_no_network_at_all() -> None:
    assert network_flags("internal", "codegenie-trace-x") == ("--network=codegenie-trace-x",)
    assert network_flags("internal") == ("--network=none",)
    rendered = render_policy(PORT_PROBE_POLICY, "docker", internal_network="n")
    assert rendered == ("--network=n", *render_policy(TRACE_POLICY, "docker")[1:])


def test_the_default_scenario_probes_the_exposed_ports_on_the_internal_network() -> None:
    runner = FakeContainerRunner(image=ImageConfig(cmd=("/app",), exposed_tcp_ports=(8080, 9000)))
    ctx = ProbeContext(
        repo=FakeRepo(files={"Dockerfile": b"FROM scratch\nEXPOSE 8080\n"}),
        config=GatherConfig(),
        clock=FakeClock(),
        yaml=ScriptedYaml(),
        containers=runner,
        image_digest_resolver=lambda: "scratch",
    )
    result = RuntimeTraceProbe().run(ctx)
    assert isinstance(result, Envelope) and isinstance(result.slice, RuntimeTraceSlice)
    assert [(name, policy.network) for name, policy in runner.policies] == [
        ("default", "internal"),
        ("help", "none"),
        ("version", "none"),
        ("shell", "none"),
    ]
    assert runner.ports == [("default", (8080, 9000))]
