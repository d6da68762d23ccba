"""Context documents built from literals, holding the facts `codegenie_core.policy` reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def document(
    *,
    inventory: Sequence[tuple[str, str, str | None]] = (),
    dockerfile_images: Sequence[str] = (),
    compose_images: Mapping[str, str] | None = None,
    indexes: Sequence[tuple[str, str]] = (),
    confidence: Mapping[str, str] | None = None,
    failed: Mapping[str, str] | None = None,
    trace: Mapping[str, object] | None = None,
    trace_skip: str | None = None,
    binaries: Sequence[str] = (),
    schema_version: int = 1,
) -> dict[str, object]:
    """A document as `codegenie-cli gather --format json` writes one (only the fields read)."""

    def ran(slice_data: object, level: str = "high", notes: Sequence[str] = ()) -> object:
        return {
            "layer": "a",
            "outcome": "ran",
            "confidence": level,
            "schema_version": 1,
            "notes": list(notes),
            "slice": slice_data,
        }

    probes: dict[str, object] = {}
    for name, level in (confidence or {}).items():
        probes[name] = ran({}, level, notes=[f"{name} is {level}"])
    for name, message in (failed or {}).items():
        probes[name] = {"outcome": "failed", "error": {"type": "ProbeError", "message": message}}
    probes["manifests"] = ran(
        {
            "inventory": [
                {"ecosystem": eco, "name": name, "resolved": resolved, "manifest": "m.txt"}
                for eco, name, resolved in inventory
            ]
        }
    )
    probes["dockerfile"] = ran(
        {
            "dockerfiles": {
                "Dockerfile": {
                    "stages": [
                        {"base": {"kind": "image", "written": ref, "resolved": ref}}
                        for ref in dockerfile_images
                    ]
                    + [{"base": {"kind": "scratch", "written": "scratch", "resolved": "scratch"}}]
                }
            }
        }
    )
    probes["compose"] = ran(
        {
            "files": {
                "compose.yaml": {
                    "services": {s: {"image": i} for s, i in (compose_images or {}).items()}
                }
            }
        }
    )
    probes["index_health"] = ran(
        {
            "indexes": [
                {"kind": kind} if kind == "Missing" else {"kind": kind, "index_path": path}
                for path, kind in indexes
            ]
        }
    )
    if trace_skip is not None:
        probes["runtime_trace"] = {
            "outcome": "skipped",
            "reason": {"kind": trace_skip, "message": f"because {trace_skip}"},
        }
    elif trace is not None or binaries:
        probes["runtime_trace"] = ran(
            {
                "status": "traced",
                "trace_coverage_confidence": "high",
                "binaries_executed": list(binaries),
                **(trace or {}),
            }
        )
    return {
        "schema_version": schema_version,
        "generator": {"name": "codegenie", "version": "0.1.0"},
        "repo": {"name": "demo", "git": None},
        "probes": probes,
    }
