"""The adapters' logging: loguru, imported at the first message that is let through.

Rule 1: adapters are silent until `enable(level)` is called (the CLI does, per -v/-q; a library user
may), which is loguru's "a library disables itself" convention without importing loguru, and
without depending on import order.
Rule 2: a message below the enabled level is dropped before loguru is imported, so a quiet warm
gather never pays for loguru (and the asyncio it imports); see ADR-0017.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

LEVELS = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "SUCCESS": 25, "WARNING": 30, "ERROR": 40}


class _State:
    """What `enable` set, and loguru once imported. One per process, guarded by `lock`."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.threshold: int | None = None  # None: disabled (Rule 1)
        self.configure: Callable[[Any], None] | None = None
        self.logger: Any = None


_STATE = _State()


def enable(level: str = "DEBUG", configure: Callable[[Any], None] | None = None) -> None:
    """Let messages at `level` and above through; `configure(logger)` runs once, when loguru is
    next needed (the CLI adds its stderr sink there)."""
    with _STATE.lock:
        _STATE.threshold = LEVELS[level]
        _STATE.configure = configure
        _STATE.logger = None  # configure again on the next message


def is_enabled_for(level: str) -> bool:
    threshold = _STATE.threshold
    return threshold is not None and LEVELS[level] >= threshold


def _emit(level: str, message: str, args: tuple[object, ...]) -> None:
    if not is_enabled_for(level):
        return
    with _STATE.lock:
        if _STATE.logger is None:
            from loguru import logger

            logger.enable("codegenie_adapters")
            if _STATE.configure is not None:
                _STATE.configure(logger)
            _STATE.logger = logger
        logger = _STATE.logger
    logger.opt(depth=2).log(level, message, *args)


def debug(message: str, *args: object) -> None:
    _emit("DEBUG", message, args)


def info(message: str, *args: object) -> None:
    _emit("INFO", message, args)


def warning(message: str, *args: object) -> None:
    _emit("WARNING", message, args)
