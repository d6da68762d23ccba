"""GitHub Actions for the `ci` probe: workflows, jobs (matrix, services, container), composite
actions, and the local reusable workflows and actions they call, linked to their files.

Rule 1: under YAML 1.1 the key `on` reads as the boolean True; both spellings are the trigger key.
Rule 2: what has no meaningful order is sorted (triggers, needs, jobs by id); runs-on labels,
step actions, matrix axes and their values keep the order they are written in.
Rule 3: a matrix (or one of its axes, or its include/exclude) given as a runtime expression
(`${{ fromJSON(...) }}`) is kept verbatim in `Matrix.expressions`, with a reason: its values are
known only when the workflow runs, so the system is graded "medium" (ADR-0037).
Rule 4: a `./` reference resolves to a file among the probe's reads (a workflow, or
`DIR/action.yml|yaml`); one that does not is a listed `Reference` (and "medium"); a remote one is
a listed `Reference` only.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Set
from typing import Literal, cast

import attrs

from codegenie_core.probes.layer_a.ci_common import (
    MAX_ITEMS,
    Reference,
    compact,
    is_expression,
    items,
    mapping,
    string,
    strings,
)

ActionKind = Literal["action", "local", "docker"]


@attrs.frozen(kw_only=True)
class ActionRef:
    """A `uses:` value: `owner/repo[/path]@ref`, `./local/path` or `docker://image`."""

    uses: str  # as written
    kind: ActionKind
    name: str  # owner/repo[/path], the local path, or the image
    ref: str | None  # the tag, branch or commit after "@"; None for local and docker refs
    resolved: str | None = None  # for a local ref: the repository file it names (Rule 4)


@attrs.frozen(kw_only=True)
class Matrix:
    """`strategy.matrix`: axes -> values as written, include/exclude, and expressions (Rule 3)."""

    axes: dict[str, tuple[str, ...]]
    include: tuple[dict[str, str], ...] = ()
    exclude: tuple[dict[str, str], ...] = ()
    expressions: dict[str, str] = attrs.field(factory=dict[str, str])  # part -> verbatim
    reasons: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Service:
    image: str | None
    ports: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class WorkflowJob:
    name: str | None
    runs_on: tuple[str, ...]  # labels in written order; an expression is kept verbatim
    runs_on_group: str | None
    needs: tuple[str, ...]
    calls: ActionRef | None  # a reusable workflow called with job-level `uses:`
    actions: tuple[ActionRef, ...]  # step-level `uses:`, in step order
    matrix: Matrix | None = None
    services: dict[str, Service] = attrs.field(factory=dict[str, Service])  # by name, sorted
    container: str | None = None  # the job container's image


@attrs.frozen(kw_only=True)
class Workflow:
    name: str | None
    triggers: tuple[str, ...]
    jobs: dict[str, WorkflowJob]  # by job id, sorted


@attrs.frozen(kw_only=True)
class CompositeAction:
    """A local action's `action.yml`: how it runs, and the actions its steps use."""

    name: str | None
    using: str | None  # runs.using: composite, node20, docker
    image: str | None  # runs.image of a docker action
    actions: tuple[ActionRef, ...]


def read_workflow(document: object) -> tuple[Workflow | None, list[str]]:
    """A GitHub Actions workflow from its YAML data, and messages about what did not fit."""
    messages: list[str] = []
    data = mapping(document)
    if data is None:
        return None, ["a workflow must be a YAML mapping"]
    # Rule 1: YAML 1.1 reads the bare key `on` as True.
    on = data.get("on", data.get(True))
    if on is None:
        messages.append("workflow has no 'on' triggers")
    jobs: dict[str, WorkflowJob] = {}
    raw_jobs = mapping(data.get("jobs"))
    if raw_jobs is None:
        messages.append("workflow has no 'jobs' mapping")
    else:
        for job_id, raw in raw_jobs.items():
            job = mapping(raw)
            if job is None:
                messages.append(f"job {job_id!r} is not a mapping")
                continue
            jobs[str(job_id)] = _job(str(job_id), job, messages)
    return (
        Workflow(
            name=string(data.get("name")), triggers=_triggers(on), jobs=dict(sorted(jobs.items()))
        ),
        messages,
    )


def read_action(document: object) -> tuple[CompositeAction | None, list[str]]:
    """A local action's metadata file (`action.yml`), and messages about what did not fit."""
    data = mapping(document)
    if data is None:
        return None, ["an action must be a YAML mapping"]
    runs = mapping(data.get("runs"))
    if runs is None:
        return CompositeAction(name=string(data.get("name")), using=None, image=None, actions=()), [
            "action has no 'runs' mapping"
        ]
    messages: list[str] = []
    actions = _step_actions(runs.get("steps"), "the action", messages)
    return (
        CompositeAction(
            name=string(data.get("name")),
            using=string(runs.get("using")),
            image=string(runs.get("image")),
            actions=actions,
        ),
        messages,
    )


def parse_uses(uses: str) -> ActionRef:
    """Split a `uses:` value (GitHub's three forms) into kind, name and ref."""
    if uses.startswith("docker://"):
        return ActionRef(uses=uses, kind="docker", name=uses.removeprefix("docker://"), ref=None)
    if uses.startswith("./"):
        return ActionRef(uses=uses, kind="local", name=uses, ref=None)
    name, at, ref = uses.partition("@")
    return ActionRef(uses=uses, kind="action", name=name, ref=ref if at else None)


def _triggers(on: object) -> tuple[str, ...]:
    # on = event-name / [ event-name, ... ] / { event-name: config-or-null, ... }
    if isinstance(on, str):
        return (on,)
    listed = items(on)
    if listed is not None:
        return tuple(sorted({str(e) for e in listed}))
    table = mapping(on)
    if table is not None:
        return tuple(sorted(str(e) for e in table))
    return ()


def _step_actions(steps: object, where: str, messages: list[str]) -> tuple[ActionRef, ...]:
    listed = items(steps)
    if listed is None:
        if steps is not None:
            messages.append(f"{where} has 'steps' that are not a list")
        return ()
    found: list[ActionRef] = []
    for step in listed:
        table = mapping(step)
        uses = string(table.get("uses")) if table is not None else None
        if uses is not None:
            found.append(parse_uses(uses))
    return tuple(found)


def _job(job_id: str, job: Mapping[object, object], messages: list[str]) -> WorkflowJob:
    runs_on = job.get("runs-on")
    group: str | None = None
    labels: tuple[str, ...]
    table = mapping(runs_on)
    if table is not None:
        # runs-on = { group: name, labels: label / [ label, ... ] }
        group = string(table.get("group"))
        labels = strings(table.get("labels"))
    else:
        labels = strings(runs_on)
    uses = string(job.get("uses"))
    calls = parse_uses(uses) if uses is not None else None
    if calls is None and runs_on is None:
        messages.append(f"job {job_id!r} has neither 'runs-on' nor 'uses'")
    strategy = mapping(job.get("strategy"))
    raw_matrix = strategy.get("matrix") if strategy is not None else None
    return WorkflowJob(
        name=string(job.get("name")),
        runs_on=labels,
        runs_on_group=group,
        needs=tuple(sorted(set(strings(job.get("needs"))))),
        calls=calls,
        actions=_step_actions(job.get("steps"), f"job {job_id!r}", messages),
        matrix=None if raw_matrix is None else read_matrix(raw_matrix, job_id, messages),
        services=_services(job.get("services"), job_id, messages),
        container=_image_of(job.get("container")),
    )


def read_matrix(raw: object, job_id: str, messages: list[str]) -> Matrix:
    """`strategy.matrix` as written (Rule 3); at most `MAX_ITEMS` values per list."""
    if is_expression(raw):
        reason = f"job {job_id!r}: the matrix is an expression, known only at run time"
        return Matrix(axes={}, expressions={"matrix": str(raw)}, reasons=(reason,))
    table = mapping(raw)
    if table is None:
        messages.append(f"job {job_id!r} has a matrix that is not a mapping")
        return Matrix(axes={})
    axes: dict[str, tuple[str, ...]] = {}
    expressions: dict[str, str] = {}
    lists: dict[str, tuple[dict[str, str], ...]] = {"include": (), "exclude": ()}
    for key, value in list(table.items())[:MAX_ITEMS]:
        part = str(key)
        if is_expression(value):
            expressions[part] = str(value)
            continue
        listed = items(value)
        if listed is None:
            messages.append(f"job {job_id!r}: matrix {part!r} is not a list")
            continue
        if len(cast("list[object]", value)) > MAX_ITEMS:
            messages.append(f"job {job_id!r}: matrix {part!r} has over {MAX_ITEMS} entries")
        if part in lists:
            lists[part] = tuple(_combination(entry) for entry in listed)
        else:
            axes[part] = tuple(compact(v) for v in listed)
    if len(table) > MAX_ITEMS:
        messages.append(f"job {job_id!r}: the matrix has over {MAX_ITEMS} axes")
    reasons = tuple(
        f"job {job_id!r}: matrix {part!r} is an expression, known only at run time"
        for part in expressions
    )
    return Matrix(
        axes=axes,
        include=lists["include"],
        exclude=lists["exclude"],
        expressions=expressions,
        reasons=reasons,
    )


def _combination(entry: object) -> dict[str, str]:
    table = mapping(entry)
    if table is None:
        return {"": compact(entry)}
    return {str(k): compact(v) for k, v in list(table.items())[:MAX_ITEMS]}


def _image_of(value: object) -> str | None:
    # container = image / { image: image, ... }
    table = mapping(value)
    return string(table.get("image")) if table is not None else string(value)


def _services(raw: object, job_id: str, messages: list[str]) -> dict[str, Service]:
    table = mapping(raw)
    if table is None:
        if raw is not None:
            messages.append(f"job {job_id!r} has 'services' that are not a mapping")
        return {}
    found: dict[str, Service] = {}
    for name, value in list(table.items())[:MAX_ITEMS]:
        spec = mapping(value)
        ports = strings(spec.get("ports")) if spec is not None else ()
        found[str(name)] = Service(image=_image_of(value), ports=ports)
    return dict(sorted(found.items()))


# ---- linking local references (Rule 4) -------------------------------------------------------


def local_target(uses: str) -> str | None:
    """The repository path a `./` reference names (a workflow file, or an action directory),
    or None when it climbs out of the repository. `./` is relative to the repository root,
    whichever file says it."""
    path = posixpath.normpath(uses.removeprefix("./"))
    if path == ".." or path.startswith(("../", "/")):
        return None
    return path


def resolve(
    source: str, ref: ActionRef, available: Set[str], *, is_workflow: bool
) -> tuple[ActionRef, Reference | None]:
    """The ref with `resolved` set when it names a file among the reads; else why not."""
    if ref.kind == "docker":
        return ref, None
    if ref.kind == "action":
        kind = "remote-workflow" if is_workflow else "remote-action"
        return ref, Reference(
            source=source, target=ref.uses, kind=kind, reason="outside the repository"
        )
    target = local_target(ref.uses)
    if target is None:
        return ref, Reference(
            source=source,
            target=ref.uses,
            kind="outside-repo",
            reason="climbs out of the repository",
        )
    candidates = (target,) if is_workflow else (f"{target}/action.yml", f"{target}/action.yaml")
    for candidate in candidates:
        if candidate in available:
            return attrs.evolve(ref, resolved=candidate), None
    return ref, Reference(
        source=source,
        target=ref.uses,
        kind="unfollowed-local",
        reason=f"no {' or '.join(candidates)} among the files this probe reads",
    )


def matrix_reasons(path: str, workflow: Workflow) -> list[str]:
    return [
        f"{path}: {reason}"
        for job in workflow.jobs.values()
        if job.matrix is not None
        for reason in job.matrix.reasons
    ]
