"""The adapters' lazy logging: silent until enabled, level-filtered before loguru is imported."""

from __future__ import annotations

import subprocess
import sys

from loguru import logger

from codegenie_adapters import log
from tests.support import silence_adapters_log


def test_a_disabled_or_filtered_message_never_imports_loguru() -> None:
    code = (
        "import sys\n"
        "from codegenie_adapters import log\n"
        "log.warning('nobody listens')\n"
        "log.enable('WARNING')\n"
        "log.debug('below the level')\n"
        "print('loguru' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False\n"


def test_an_enabled_message_reaches_loguru_with_its_arguments_formatted() -> None:
    seen: list[str] = []
    log.enable("INFO", configure=lambda lg: None)
    sink = logger.add(lambda m: seen.append(f"{m.record['level'].name} {m.record['message']}"))
    try:
        log.info("cache at {}", "/tmp/x")
        log.debug("dropped")
    finally:
        logger.remove(sink)
        silence_adapters_log()
    assert seen == ["INFO cache at /tmp/x"]


def test_the_configure_hook_runs_once_per_enable() -> None:
    calls: list[object] = []
    log.enable("WARNING", configure=calls.append)
    try:
        log.warning("one")
        log.warning("two")
    finally:
        silence_adapters_log()
    assert len(calls) == 1
