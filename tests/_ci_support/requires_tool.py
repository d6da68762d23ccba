"""`@requires_tool("docker")`: a test that needs a real tool.

Rule 1: where the tool is missing the test is skipped with a reason starting `SKIPPED LOUD`, and a
warning is issued once per missing tool per session, so a skip is never silent.
Rule 2: with `CODEGENIE_REQUIRE_TOOLS=1` (as `.ci/run` sets) a missing tool fails the test instead,
so CI can never go green by skipping the real tests.
Rule 3: it is a pytest mark, so it composes with `parametrize` and with other marks.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import warnings

import pytest

REQUIRE_TOOLS_VARIABLE = "CODEGENIE_REQUIRE_TOOLS"
MARK_NAME = "requires_tool"
# The tools already warned about, kept on the session's config: "once per session" must not
# become "once per process" when sessions share an interpreter (pytester, IDE re-runs).
_WARNED = pytest.StashKey[set[str]]()


def requires_tool(*tools: str) -> pytest.MarkDecorator:
    """Mark a test as needing every one of `tools` (docker, strace, git, busybox, scip-typescript,
    scip-python, nginx, linux, ray, chromium)."""
    assert tools, "name at least one tool"
    return getattr(pytest.mark, MARK_NAME)(*tools)


DEBIAN_IMAGE = "debian:bookworm-slim"  # built by scripts/build_debian_image (ADR-0069)


@functools.cache
def tool_problem(tool: str) -> str | None:
    """Why `tool` cannot be used here, or None when it can."""
    match tool:
        case "linux":
            return None if sys.platform.startswith("linux") else f"not Linux ({sys.platform})"
        case "docker":
            if shutil.which("docker") is None:
                return "the docker CLI is not on PATH"
            try:
                probe = subprocess.run(
                    ["docker", "info", "--format", "{{.ServerVersion}}"],
                    capture_output=True,
                    timeout=20,
                    stdin=subprocess.DEVNULL,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                return "`docker info` did not answer within 20 s"
            if probe.returncode != 0:
                return "the docker daemon does not answer: " + probe.stderr.decode()[-200:]
            return None
        case "debian-image":
            engine = tool_problem("docker")
            if engine is not None:
                return engine
            inspected = subprocess.run(
                ["docker", "image", "inspect", "--format", "{{.Id}}", DEBIAN_IMAGE],
                capture_output=True,
                timeout=20,
                stdin=subprocess.DEVNULL,
                check=False,
            )
            if inspected.returncode != 0:
                return f"{DEBIAN_IMAGE} is not on docker: run scripts/build_debian_image"
            return None
        case "podman":
            if shutil.which("podman") is None:
                return "podman is not on PATH (apt-get install podman catatonit)"
            answered = subprocess.run(
                ["podman", "version", "--format", "{{.Client.Version}}"],
                capture_output=True,
                timeout=20,
                stdin=subprocess.DEVNULL,
                check=False,
            )
            if answered.returncode != 0:
                return "`podman version` fails: " + answered.stderr.decode()[-200:]
            return None
        case "busybox":
            for candidate in ("/bin/busybox", "/usr/bin/busybox"):
                if os.path.isfile(candidate):
                    return None
            return "busybox-static is not installed"
        case "ray":
            # The `ray` extra (a Python package, not a binary): importable in this interpreter.
            import importlib.util

            if importlib.util.find_spec("ray") is None:
                return "ray is not importable: pip install -e '.[dev]' (the dev extra has ray)"
            return None
        case "nginx":
            return nginx_problem()
        case "chromium":
            return chromium_problem()
        case "cloc":
            found = shutil.which("cloc")
            return None if found is not None else "cloc is not on PATH (apt-get install cloc)"
        case _:
            return None if shutil.which(tool) is not None else f"{tool} is not on PATH"


def nginx_binary() -> str | None:
    """nginx on PATH, or where Debian puts it (/usr/sbin is not on every user's PATH)."""
    found = shutil.which("nginx")
    if found is None and os.access("/usr/sbin/nginx", os.X_OK):
        found = "/usr/sbin/nginx"
    return found


def nginx_problem() -> str | None:
    """Why no nginx with WebDAV PUT (the remote cache's live tests) can be started here."""
    binary = nginx_binary()
    if binary is None:
        return "nginx is not installed (apt-get install nginx)"
    try:
        built = subprocess.run(
            [binary, "-V"], capture_output=True, timeout=20, stdin=subprocess.DEVNULL, check=False
        )
    except subprocess.TimeoutExpired:
        return "`nginx -V` did not answer within 20 s"
    if b"--with-http_dav_module" not in built.stderr + built.stdout:
        return "this nginx is built without the WebDAV module (http_dav_module)"
    return None


def chromium_binary() -> str | None:
    """Debian's `chromium` (the portfolio page's browser test), or another distribution's name."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found is not None:
            return found
    return None


def chromium_problem() -> str | None:
    """Why no headless Chromium can be started here."""
    binary = chromium_binary()
    if binary is None:
        return "chromium is not installed (apt-get install chromium)"
    try:
        answered = subprocess.run(
            [binary, "--version"], capture_output=True, timeout=60, stdin=subprocess.DEVNULL,
            check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return "`chromium --version` did not answer within 60 s"
    if answered.returncode != 0:
        return "`chromium --version` fails: " + answered.stderr.decode(errors="replace")[-200:]
    return None


def must_require_tools() -> bool:
    return os.environ.get(REQUIRE_TOOLS_VARIABLE, "") == "1"


def enforce(item: pytest.Item) -> None:
    """Skip loudly, or fail under CODEGENIE_REQUIRE_TOOLS=1, when a required tool is missing."""
    for mark in item.iter_markers(name=MARK_NAME):
        for tool in mark.args:
            problem = tool_problem(str(tool))
            if problem is None:
                continue
            if must_require_tools():
                pytest.fail(
                    f"{REQUIRE_TOOLS_VARIABLE}=1 and required tool {tool!r} is missing: {problem}",
                    pytrace=False,
                )
            warned = item.config.stash.setdefault(_WARNED, set())
            if tool not in warned:
                warned.add(str(tool))
                warnings.warn(
                    f"SKIPPED LOUD: tests needing {tool!r} are skipped: {problem}", stacklevel=1
                )
            pytest.skip(f"SKIPPED LOUD: requires {tool!r}: {problem}")
