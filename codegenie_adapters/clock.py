"""The system clock, behind the `Clock` port."""

from __future__ import annotations

import time

from codegenie_core.ports import Clock


class SystemClock:
    """Monotonic time for durations and deadlines."""

    def monotonic(self) -> float:
        return time.monotonic()


_CONFORMS: type[Clock] = SystemClock
