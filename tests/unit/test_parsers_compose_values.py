"""Compose values: interpolation without an environment, ports kept as ranges, volumes, paths."""

from __future__ import annotations

import pytest

from codegenie_core.parsers.compose_values import (
    ComposePort,
    ComposeVolume,
    Interpolated,
    PortSpan,
    interpolate,
    resolve_path,
    short_port,
    short_volume,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", Interpolated(written="plain", text="plain")),
        ("$$HOME", Interpolated(written="$$HOME", text="$HOME")),
        ("${PORT:-8080}", Interpolated(written="${PORT:-8080}", text="8080")),
        ("${PORT-80}0", Interpolated(written="${PORT-80}0", text="800")),
        ("${A:-${B:-x}}y", Interpolated(written="${A:-${B:-x}}y", text="xy")),
        ("$PORT", Interpolated(written="$PORT", text=None, unresolved=("PORT",))),
        ("${PORT}", Interpolated(written="${PORT}", text=None, unresolved=("PORT",))),
        ("${P:?needed}", Interpolated(written="${P:?needed}", text=None, unresolved=("P",))),
        ("${P:+alt}", Interpolated(written="${P:+alt}", text=None, unresolved=("P",))),
        ("${P%x}", Interpolated(written="${P%x}", text=None, unresolved=("${P%x}",))),
        ("${OPEN", Interpolated(written="${OPEN", text=None, unresolved=("${OPEN",))),
        ("a$", Interpolated(written="a$", text="a$")),
    ],
)
def test_interpolation_uses_only_the_files_own_defaults(value: str, expected: Interpolated) -> None:
    assert interpolate(value) == expected


def test_a_credential_named_default_is_substituted_redacted() -> None:
    assert interpolate("registry.example/${REGISTRY_TOKEN:-hunter2}/app").text == (
        "registry.example/***/app"
    )


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("x/${REGISTRY_TOKEN:-hunter2}/app", "x/${REGISTRY_TOKEN:-***}/app"),
        ("${DB_PASSWORD-hunter2}", "${DB_PASSWORD-***}"),
        ("${API_KEY:?hunter2 is required}", "${API_KEY:?***}"),
        ("${SECRET:-${OTHER:-hunter2}}:${PORT:-80}", "${SECRET:-***}:${PORT:-80}"),
        ("${AUTH_HEADER", "${AUTH_HEADER"),
        ("${TOKEN}", "${TOKEN}"),
        ("${PORT:-8080}", "${PORT:-8080}"),
    ],
)
def test_a_credential_named_default_is_redacted_in_the_text_kept_as_written(
    value: str, written: str
) -> None:
    assert interpolate(value).written == written


def test_url_credentials_are_stripped_from_written_and_resolved_text() -> None:
    result = interpolate("https://user:hunter2@registry.example/app")

    assert (result.written, result.text) == (
        "https://registry.example/app",
        "https://registry.example/app",
    )


def spans(port: ComposePort | None) -> tuple[object, ...]:
    assert port is not None
    return (port.host_ip, port.published, port.target, port.protocol)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3000", (None, None, PortSpan(start=3000, end=3000), "tcp")),
        (3000, (None, None, PortSpan(start=3000, end=3000), "tcp")),
        ("8000:80", (None, PortSpan(start=8000, end=8000), PortSpan(start=80, end=80), "tcp")),
        (
            "127.0.0.1:5000-5010:5000-5010/udp",
            ("127.0.0.1", PortSpan(start=5000, end=5010), PortSpan(start=5000, end=5010), "udp"),
        ),
        ("127.0.0.1::22", ("127.0.0.1", None, PortSpan(start=22, end=22), "tcp")),
        (
            "[::1]:6001:6001",
            ("::1", PortSpan(start=6001, end=6001), PortSpan(start=6001, end=6001), "tcp"),
        ),
        ("1-65535", (None, None, PortSpan(start=1, end=65535), "tcp")),
        (
            "${WEB:-8080}:80",
            (None, PortSpan(start=8080, end=8080), PortSpan(start=80, end=80), "tcp"),
        ),
    ],
)
def test_short_ports_keep_ranges_as_ranges(value: str | int, expected: tuple[object, ...]) -> None:
    port, why = short_port(value)

    assert why is None
    assert spans(port) == expected


def test_an_unresolved_port_is_kept_as_written() -> None:
    assert short_port("${WEB_PORT}:80") == (
        ComposePort(written="${WEB_PORT}:80", target=None, unresolved=("WEB_PORT",)),
        None,
    )


@pytest.mark.parametrize("value", ["http", "70000", "1:2:3:4", "5-2", "[::1:80", "a:80"])
def test_a_port_that_is_not_one_gives_a_reason(value: str) -> None:
    port, why = short_port(value)

    assert port is None and why is not None


@pytest.mark.parametrize(
    ("value", "place", "path"),
    [
        ("backend", "inside", "svc/backend"),
        (".", "inside", "svc"),
        ("../frontend", "inside", "frontend"),
        ("../../elsewhere", "outside", None),
        ("/srv/app", "absolute", None),
        ("~/app", "absolute", None),
        ("C:\\app", "absolute", None),
        ("https://github.com/o/r.git#main", "remote", None),
        ("${CTX}", "unresolved", None),
    ],
)
def test_paths_resolve_inside_the_repository_or_say_why_not(
    value: str, place: str, path: str | None
) -> None:
    resolved = resolve_path("svc", value)

    assert (resolved.place, resolved.path) == (place, path)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "db-data:/var/lib/db",
            ComposeVolume(kind="volume", source="db-data", target="/var/lib/db"),
        ),
        ("/cache", ComposeVolume(kind="anonymous", source=None, target="/cache")),
        (
            "./src:/app:ro",
            ComposeVolume(kind="bind", source="./src", target="/app", read_only=True),
        ),
        (
            "/var/run/docker.sock:/var/run/docker.sock",
            ComposeVolume(
                kind="bind",
                source="/var/run/docker.sock",
                target="/var/run/docker.sock",
                host_outside_repo=True,
            ),
        ),
        (
            "../../up:/x",
            ComposeVolume(kind="bind", source="../../up", target="/x", host_outside_repo=True),
        ),
        (
            "${DATA_DIR:-./data:x}:/data:ro",
            ComposeVolume(
                kind="bind", source="${DATA_DIR:-./data:x}", target="/data", read_only=True
            ),
        ),
        ("${VOL:-cache}:/c", ComposeVolume(kind="volume", source="${VOL:-cache}", target="/c")),
        (
            "${DATA}:/data",
            ComposeVolume(kind="bind", source="${DATA}", target="/data", unresolved=("DATA",)),
        ),
    ],
)
def test_short_volumes_say_named_bind_or_anonymous_and_flag_host_paths(
    value: str, expected: ComposeVolume
) -> None:
    assert short_volume("svc", value) == expected
