"""The coordinator's CPU budget: how many light probes may run at once.

Rule 1: `CODEGENIE_FORCE_CPU_COUNT`, when present, must be a positive decimal integer written with
ASCII digits only; anything else raises `ValueError` naming the variable.
Rule 2: the function is pure: the environment mapping and the fallback count are arguments.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

FORCE_CPU_COUNT_VARIABLE = "CODEGENIE_FORCE_CPU_COUNT"

# positive-integer = %x31-39 *DIGIT   ; ASCII only, no sign, no spaces, no leading zero
_POSITIVE_INTEGER = re.compile(r"[1-9][0-9]*", re.ASCII)


def effective_cpu_count(environ: Mapping[str, str], fallback: int | None) -> int:
    """The CPU budget: the forced count when set, else `fallback or 1` (pass `os.cpu_count()`)."""
    raw = environ.get(FORCE_CPU_COUNT_VARIABLE)
    if raw is None:
        return fallback if fallback is not None and fallback > 0 else 1
    if _POSITIVE_INTEGER.fullmatch(raw) is None:
        raise ValueError(
            f"{FORCE_CPU_COUNT_VARIABLE} must be a positive integer such as 2, got {raw!r}"
        )
    return int(raw)
