"""The system clock, behind the `Clock` port."""

from __future__ import annotations

import datetime
import time

from codegenie_core.ports import Clock


class SystemClock:
    """Monotonic time for durations, UTC wall time for timestamps."""

    def monotonic(self) -> float:
        return time.monotonic()

    def utc_now_iso(self) -> str:
        now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        return now.isoformat().replace("+00:00", "Z")


_CONFORMS: type[Clock] = SystemClock
