"""Equality of plain data as JSON gives it back, for tests: value, type and key order."""

from __future__ import annotations

import math
from typing import cast


def same_json(a: object, b: object) -> bool:
    """Equal in value, type and key order (NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(cast("float", b))
    if isinstance(a, dict):
        x, y = cast("dict[object, object]", a), cast("dict[object, object]", b)
        return list(x) == list(y) and all(same_json(x[k], y[k]) for k in x)
    if isinstance(a, list):
        x, y = cast("list[object]", a), cast("list[object]", b)
        return len(x) == len(y) and all(same_json(i, j) for i, j in zip(x, y, strict=True))
    return a == b
