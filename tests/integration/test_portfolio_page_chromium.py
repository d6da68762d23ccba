"""The portfolio page in a real headless Chromium: it renders (a screenshot that is not blank,
with the charts' bar colour in it), its tables are in the DOM, and it makes no network request
(Chromium's own NetLog, read for the page's requests; a control page shows the check can fail)."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from codegenie_cli.main import cli
from tests._ci_support.requires_tool import chromium_binary, requires_tool
from tests.unit.portfolio_support import generated_store

pytestmark = [pytest.mark.integration, requires_tool("chromium")]

BAR_COLOUR = (0x3B, 0x6E, 0xA5)  # the charts' fill (codegenie_adapters.portfolio_html)
_REMOTE = "http://codegenie-page-test.invalid/pixel.png"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("page")
    store = generated_store(root / "portfolio.sqlite", 24, failed=(5,))
    out = root / "page"
    result = CliRunner().invoke(
        cli, ["portfolio", "report", "--store", str(store), "--html", str(out)],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def _chromium(tmp_path: Path, url: str, *extra: str) -> subprocess.CompletedProcess[bytes]:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    command = [
        str(chromium_binary()),
        "--headless",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        f"--user-data-dir={profile}",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # and should anything slip through, no DNS
        "--window-size=1280,2000",
        *extra,
        url,
    ]
    env = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run(
        command, capture_output=True, timeout=240, stdin=subprocess.DEVNULL, env=env, check=False
    )


def _pixels(png: bytes) -> set[tuple[int, ...]]:
    """Every colour in an 8-bit RGB or RGBA PNG (standard library only: zlib and the filters)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = data
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    colours: set[tuple[int, ...]] = set()
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + best) & 0xFF
        if row % 4 == 0:  # every fourth row is plenty to find the colours
            colours.update(tuple(line[i : i + 3]) for i in range(0, stride, channels))
        previous = line
    return colours


def _page_requests(netlog: Path) -> list[str]:
    """The URLs the page asked the network for: NetLog's URL_REQUEST_START_JOB events made in
    the page's (file://) network isolation key, other than file: URLs. Chromium's own background
    requests have another key and are left out."""
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls: list[str] = []
    for event in log["events"]:
        params = event.get("params") or {}
        if event["type"] != start or "file://" not in str(params.get("network_isolation_key")):
            continue
        url = str(params.get("url", ""))
        if not url.startswith("file:"):
            urls.append(url)
    return urls


def test_the_page_renders_a_non_blank_screenshot_with_its_charts(
    page: Path, tmp_path: Path
) -> None:
    shot = tmp_path / "page.png"
    done = _chromium(tmp_path, (page / "index.html").as_uri(), f"--screenshot={shot}")
    assert done.returncode == 0, done.stderr[-2000:]
    png = shot.read_bytes()
    assert len(png) > 20_000
    colours = _pixels(png)
    assert len(colours) > 20  # text, borders and bars: not one flat colour
    assert BAR_COLOUR in colours  # the SVG bars were drawn


def test_the_dom_holds_every_table_and_chart(page: Path, tmp_path: Path) -> None:
    done = _chromium(tmp_path, (page / "index.html").as_uri(), "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout.decode("utf-8")
    for section in ("base-images", "languages", "ecosystems", "index-health", "failures"):
        assert f'<table id="{section}-table-1">' in dom, section
        assert f'data-table="{section}-table-1"' in dom, section
    assert '<table id="versions-table-1">' in dom
    assert "<td>node:" in dom
    assert dom.count("<rect ") >= 10
    assert 'href="repositories-1.html"' in dom


def test_the_page_makes_no_network_request(page: Path, tmp_path: Path) -> None:
    netlog = tmp_path / "page.netlog"
    done = _chromium(
        tmp_path, (page / "index.html").as_uri(), f"--log-net-log={netlog}", "--dump-dom"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert _page_requests(netlog) == []


def test_the_pages_csp_blocks_a_remote_load_the_check_would_see(page: Path, tmp_path: Path) -> None:
    """Control: a copy of the page without its CSP, with a remote image, is seen requesting it;
    the same image in the page with its CSP is never requested."""
    text = (page / "index.html").read_text(encoding="utf-8")
    planted = text.replace("<body>", f'<body><img src="{_REMOTE}" alt="">', 1)
    head, _, rest = planted.partition('<meta http-equiv="Content-Security-Policy"')
    bare = head + rest.partition(">")[2]
    (page / "control-csp.html").write_text(planted, encoding="utf-8")
    (page / "control-bare.html").write_text(bare, encoding="utf-8")
    try:
        seen: dict[str, list[str]] = {}
        for name in ("control-csp", "control-bare"):
            netlog = tmp_path / f"{name}.netlog"
            done = _chromium(
                tmp_path, (page / f"{name}.html").as_uri(), f"--log-net-log={netlog}", "--dump-dom"
            )
            assert done.returncode == 0, done.stderr[-2000:]
            seen[name] = _page_requests(netlog)
    finally:
        (page / "control-csp.html").unlink()
        (page / "control-bare.html").unlink()
    assert seen["control-bare"] == [_REMOTE]
    assert seen["control-csp"] == []
