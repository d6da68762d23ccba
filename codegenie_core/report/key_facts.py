"""The few facts per probe a person reads first: a short line each, from the slice as plain data.

Rule 1: one small pure function per built-in slice, reading the document's plain data (what the
context file holds), so the terminal table, `diff` and the portfolio can all show the same lines
from a document alone; a probe without a function here (an entry-point probe) shows none.
Rule 2: every line is one line: repository strings pass through `one_line` (control, format and
separator characters shown as visible escapes, ADR-0025's Rule 2), and a line is cut at
`MAX_FACT_CHARS`, so a forged name cannot move a terminal's cursor or widen a table.
Rule 3: a fact function never raises on a slice of an unexpected shape (a cached entry written by
an older version): a field that is missing or of another type is left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping

from codegenie_core.report.context import PlainData
from codegenie_core.report.escape import one_line

__all__ = ["MAX_FACT_CHARS", "MAX_FACTS", "key_facts"]

MAX_FACT_CHARS = 72
MAX_FACTS = 4
_MAX_NAMES = 4


def key_facts(probe: str, slice_data: PlainData) -> tuple[str, ...]:
    """At most `MAX_FACTS` one-line facts about `probe`'s slice (none for an unknown probe)."""
    fact = _FACTS.get(probe)
    if fact is None or not isinstance(slice_data, dict):
        return ()
    record: dict[str, PlainData] = dict(slice_data)  # pyright: ignore[reportUnknownArgumentType]  # plain data
    return tuple(_cut(one_line(line)) for line in fact(record)[:MAX_FACTS])


def _cut(line: str) -> str:
    return line if len(line) <= MAX_FACT_CHARS else line[: MAX_FACT_CHARS - 1] + "…"


def _records(value: PlainData) -> list[dict[str, PlainData]]:
    if not isinstance(value, list):
        return []
    items: list[PlainData] = list(value)  # pyright: ignore[reportUnknownArgumentType]  # plain data
    return [dict(item) for item in items if isinstance(item, dict)]  # pyright: ignore[reportUnknownArgumentType]  # plain data


def _mapping(value: PlainData) -> dict[str, PlainData]:
    return dict(value) if isinstance(value, dict) else {}  # pyright: ignore[reportUnknownArgumentType]  # plain data


def _strings(value: PlainData) -> list[str]:
    if not isinstance(value, list):
        return []
    items: list[PlainData] = list(value)  # pyright: ignore[reportUnknownArgumentType]  # plain data
    return [item for item in items if isinstance(item, str)]


def _int(value: PlainData) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:_MAX_NAMES])
    return shown + (f" and {len(names) - _MAX_NAMES} more" if len(names) > _MAX_NAMES else "")


_LINE_KINDS = ("code", "comment", "blank")


def _languages(s: Mapping[str, PlainData]) -> list[str]:
    rows = _records(s.get("languages"))
    out: list[str] = []
    if isinstance(primary := s.get("primary"), str):
        out.append(f"primary: {primary}")
    if rows:
        parts = [
            f"{r.get('language')} {_int(r.get('files'))} files {_int(r.get('code'))} code"
            for r in rows[:3]
        ]
        out.append(", ".join(parts) + (f", +{len(rows) - 3} more" if len(rows) > 3 else ""))
        code, comment, blank = (sum(_int(r.get(k)) for r in rows) for k in _LINE_KINDS)
        out.append(f"lines: {code} code, {comment} comment, {blank} blank")
    vendored = _int(_mapping(s.get("vendored")).get("files"))
    generated = _int(_mapping(s.get("generated")).get("files"))
    if vendored or generated:
        out.append(f"vendored {vendored} files, generated {generated} files")
    return out


def _manifests(s: Mapping[str, PlainData]) -> list[str]:
    out: list[str] = []
    if ecosystems := _strings(s.get("ecosystems")):
        out.append(f"ecosystems: {_names(ecosystems)}")
    inventory = _records(s.get("inventory"))
    if inventory or "inventory" in s:
        direct = sum(1 for entry in inventory if entry.get("direct") is True)
        resolved = sum(1 for entry in inventory if entry.get("resolved") is not None)
        out.append(f"{len(inventory)} dependencies ({direct} direct), {resolved} resolved")
    locks = [str(lock.get("path", lock.get("format", "?"))) for lock in _records(s.get("locks"))]
    if lockfiles := _strings(s.get("lockfiles")) or locks:
        out.append(f"lockfiles: {_names(lockfiles)}")
    if problems := _records(s.get("problems")) or _strings(s.get("problems")):
        out.append(f"{len(problems)} problems")
    return out


def _dockerfile(s: Mapping[str, PlainData]) -> list[str]:
    files = _mapping(s.get("dockerfiles"))
    out: list[str] = []
    for path, facts in list(files.items())[:2]:
        record = _mapping(facts)
        stages = _records(record.get("stages"))
        bases = [
            str(base.get("resolved") or base.get("written"))
            for stage in stages
            if (base := _mapping(stage.get("base"))).get("kind") == "image"
        ]
        user = _mapping(record.get("final")).get("user")
        tail = f", user {user}" if isinstance(user, str) else ""
        out.append(f"{path}: {len(stages)} stages, FROM {_names(bases) or '—'}{tail}")
    if len(files) > 2:
        out.append(f"and {len(files) - 2} more Dockerfiles")
    return out


def _compose(s: Mapping[str, PlainData]) -> list[str]:
    files = _mapping(s.get("files"))
    services = sorted(
        {name for f in files.values() for name in _mapping(_mapping(f).get("services"))}
    )
    return [f"{len(files)} files: {_names(sorted(files))}", f"services: {_names(services) or '—'}"]


def _ci(s: Mapping[str, PlainData]) -> list[str]:
    systems = _mapping(s.get("systems"))
    graded = [f"{name} ({_mapping(v).get('confidence', '?')})" for name, v in systems.items()]
    workflows = _mapping(s.get("workflows"))
    out = [f"systems: {_names(graded) or '—'}"]
    if workflows:
        out.append(f"{len(workflows)} GitHub workflows")
    return out


def _git(s: Mapping[str, PlainData]) -> list[str]:
    head = s.get("head")
    branch = s.get("branch")
    state = "dirty" if s.get("dirty") is True else "clean"
    where = branch if isinstance(branch, str) else "detached HEAD"
    out = [f"{where} at {head[:12] if isinstance(head, str) else 'unborn'}, {state}"]
    remotes = [
        f"{r.get('name')}: {r.get('url', r.get('host', '?'))}" for r in _records(s.get("remotes"))
    ]
    if remotes:
        out.append(_names(remotes))
    return out


def _index_health(s: Mapping[str, PlainData]) -> list[str]:
    states: Counter[str] = Counter(
        str(i.get("kind", "?")).lower() for i in _records(s.get("indexes"))
    )
    return [", ".join(f"{count} {state}" for state, count in sorted(states.items())) or "no index"]


def _scip_index(s: Mapping[str, PlainData]) -> list[str]:
    return [f"{key}: {value}" for key, value in s.items() if isinstance(value, str | int)][:2]


def _runtime_trace(s: Mapping[str, PlainData]) -> list[str]:
    out = [f"{s.get('status', '?')}, coverage {s.get('trace_coverage_confidence', '?')}"]
    scenarios = _records(s.get("scenarios"))
    if scenarios:
        out.append(f"{len(scenarios)} scenarios")
    binaries = _strings(s.get("binaries_executed"))
    connects = s.get("network_connects")
    if binaries or connects:
        count = len(connects) if isinstance(connects, list) else 0  # pyright: ignore[reportUnknownArgumentType]  # plain data
        out.append(f"{len(binaries)} binaries executed, {count} network connects")
    return out


def _loaded_dependencies(s: Mapping[str, PlainData]) -> list[str]:
    """How many declared dependencies some scenario loaded, and which none was seen loading
    (ADR-0074: "not observed", never "unused")."""
    deps = _records(s.get("dependencies"))
    by_status: dict[str, list[str]] = {}
    for dep in deps:
        by_status.setdefault(str(dep.get("status", "?")), []).append(str(dep.get("name", "?")))
    order = ("loaded", "metadata-read", "not-observed", "not-applicable")
    counts = ", ".join(f"{len(by_status[k])} {k}" for k in order if k in by_status)
    scenarios = len(_strings(s.get("scenarios")))
    coverage = s.get("trace_coverage_confidence", "?")
    out = [f"{counts or 'no declared dependency'} ({scenarios} scenarios, coverage {coverage})"]
    if unseen := by_status.get("not-observed"):
        out.append(f"not observed: {_names(unseen)}")
    if loaded := by_status.get("loaded"):
        out.append(f"loaded: {_names(loaded)}")
    return out


_FACTS: Mapping[str, Callable[[Mapping[str, PlainData]], list[str]]] = {
    "languages": _languages,
    "manifests": _manifests,
    "dockerfile": _dockerfile,
    "compose": _compose,
    "ci": _ci,
    "git": _git,
    "index_health": _index_health,
    "scip_index": _scip_index,
    "runtime_trace": _runtime_trace,
    "loaded_dependencies": _loaded_dependencies,
}
