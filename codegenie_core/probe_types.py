"""The small closed vocabularies shared by probes, configuration and reports."""

from __future__ import annotations

from typing import Literal

Layer = Literal["a", "b", "c"]
Heaviness = Literal["light", "heavy"]
Confidence = Literal["high", "medium", "low"]

LAYERS: tuple[Layer, ...] = ("a", "b", "c")
HEAVINESS: tuple[Heaviness, ...] = ("light", "heavy")
CONFIDENCE_ORDER: tuple[Confidence, ...] = ("high", "medium", "low")
