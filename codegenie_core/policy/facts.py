"""The facts gates and diffs judge, read from a context document as plain data (Rule 1 of the
package): probe outcomes and confidences, the inventory, base images, index health, the trace.

Rule 1: a document is checked once (`check_document`): a mapping from codegenie whose
`schema_version` this version reads; anything else is a `DocumentError` naming the source.
Rule 2: the readers are total over a checked document: a probe absent, skipped or of an unexpected
shape yields no facts, never an exception (a hand-edited document is still input).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import cast

import attrs

from codegenie_core.errors import DocumentError
from codegenie_core.report.context import CONTEXT_SCHEMA_VERSION

Plain = Mapping[str, object]


def as_map(value: object) -> Plain:
    """`value` when it is a mapping with string keys (as JSON gives), else an empty one."""
    if isinstance(value, Mapping):
        return cast("Plain", value)
    return {}


def as_list(value: object) -> list[object]:
    return cast("list[object]", value) if isinstance(value, list) else []


def as_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def check_document(document: object, source: str) -> Plain:
    """`document` as a codegenie context document this version reads (Rule 1)."""
    data = as_map(document)
    version = data.get("schema_version")
    if as_map(data.get("generator")).get("name") != "codegenie" or not isinstance(version, int):
        raise DocumentError(f"{source}: not a codegenie context document", path=source)
    if version > CONTEXT_SCHEMA_VERSION:
        raise DocumentError(
            f"{source}: written by a newer codegenie (schema_version {version}; this one reads "
            f"up to {CONTEXT_SCHEMA_VERSION})",
            path=source,
        )
    return data


def probes(document: Plain) -> Iterator[tuple[str, Plain]]:
    """Each probe's entry, in document order."""
    for name, entry in as_map(document.get("probes")).items():
        yield name, as_map(entry)


def probe_slice(document: Plain, probe: str) -> Plain:
    return as_map(as_map(as_map(document.get("probes")).get(probe)).get("slice"))


@attrs.frozen(kw_only=True)
class Dependency:
    """One inventory entry: purl type, name, resolved version (None: not resolved)."""

    ecosystem: str
    name: str
    resolved: str | None
    manifest: str


def dependencies(document: Plain) -> Iterator[Dependency]:
    for item in as_list(probe_slice(document, "manifests").get("inventory")):
        entry = as_map(item)
        ecosystem, name = as_str(entry.get("ecosystem")), as_str(entry.get("name"))
        if ecosystem is None or name is None:
            continue
        yield Dependency(
            ecosystem=ecosystem,
            name=name,
            resolved=as_str(entry.get("resolved")),
            manifest=as_str(entry.get("manifest")) or "",
        )


@attrs.frozen(kw_only=True)
class BaseImage:
    """A base image named by a Dockerfile stage (`PATH#stage N`) or a compose service
    (`PATH#SERVICE`), as resolved after ARG / variable substitution."""

    where: str
    ref: str


def base_images(document: Plain) -> Iterator[BaseImage]:
    for path, dockerfile in as_map(probe_slice(document, "dockerfile").get("dockerfiles")).items():
        for index, stage in enumerate(as_list(as_map(dockerfile).get("stages"))):
            base = as_map(as_map(stage).get("base"))
            ref = as_str(base.get("resolved")) or as_str(base.get("written"))
            if base.get("kind") == "image" and ref:
                yield BaseImage(where=f"{path}#stage {index}", ref=ref)
    for path, compose in as_map(probe_slice(document, "compose").get("files")).items():
        for service, body in as_map(as_map(compose).get("services")).items():
            ref = as_str(as_map(body).get("image"))
            if ref:
                yield BaseImage(where=f"{path}#{service}", ref=ref)


@attrs.frozen(kw_only=True)
class IndexState:
    """One judged index: its path (`(none found)` for Missing) and health kind."""

    path: str
    kind: str


def index_states(document: Plain) -> Iterator[IndexState]:
    for item in as_list(probe_slice(document, "index_health").get("indexes")):
        entry = as_map(item)
        kind = as_str(entry.get("kind"))
        if kind is not None:
            yield IndexState(path=as_str(entry.get("index_path")) or "(none found)", kind=kind)


def confidence(entry: Plain) -> str:
    """A probe's standing in one word: its confidence when it produced a slice, else its
    outcome (`skipped`, `failed`)."""
    value = as_str(entry.get("confidence"))
    return value if value is not None else as_str(entry.get("outcome")) or "unknown"


TRACE_PROBE = "runtime_trace"


def trace_unavailable(document: Plain) -> str | None:
    """Why the runtime trace in `document` traced nothing, or None when it traced or is absent
    or did not apply (no Dockerfile: nothing to trace)."""
    entry = as_map(as_map(document.get("probes")).get(TRACE_PROBE))
    if not entry:
        return None
    outcome = entry.get("outcome")
    if outcome == "skipped":
        reason = as_map(entry.get("reason"))
        if reason.get("kind") == "not_applicable":
            return None
        return f"skipped: {as_str(reason.get('message')) or reason.get('kind')}"
    if outcome == "failed":
        return f"failed: {as_str(as_map(entry.get('error')).get('message')) or ''}"
    trace = as_map(entry.get("slice"))
    status = as_str(trace.get("status"))
    if status is not None and status != "traced":
        return f"status {status}"
    if trace.get("trace_coverage_confidence") == "unavailable":
        return "trace coverage unavailable"
    return None


def connect_text(value: object) -> str:
    entry = as_map(value)
    port = entry.get("port")
    where = f"{entry.get('address')}" + ("" if port is None else f":{port}")
    return f"{entry.get('family')} {where} {entry.get('outcome')}"
