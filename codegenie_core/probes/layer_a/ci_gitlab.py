"""GitLab CI for the `ci` probe: `.gitlab-ci.yml` with its local includes followed, hidden jobs
used as templates, `extends` resolved, and every job's stage, image, services, needs and rules.

Rule 1 (includes): `include:` takes a string (a local path, or a URL for a remote file), a mapping
or a list of either. `local` files are followed when they are among the probe's reads, depth
first, each at most once (GitLab ignores a duplicate include); a file that includes one of its
includers is a cycle, a problem. `project`, `remote`, `template` and `component` are listed as
references and not followed; an include outside the reads is listed too (it cannot be read:
ADR-0030). Either caps the system at "medium": the pipeline holds jobs the probe did not see.
At most `MAX_INCLUDES` (GitLab's own limit, 150) files are followed.
Rule 2 (merging, GitLab's "merge details" for `extends` and `include`): hashes are deep-merged,
the later (the including file; the extending job; the later entry of an `extends:` list) wins
key by key; arrays and scalars are replaced whole, never concatenated. `deep_merge` implements
exactly that, bounded by `MAX_DEPTH` and a node budget.
Rule 3 (extends): a job's `extends` (a name or a list) is resolved parent first, each parent fully
resolved itself, at most `MAX_EXTENDS_DEPTH` (11, GitLab's limit) levels; a cycle or an unknown
parent is a problem and the chain stops there.
Rule 4 (jobs): a top-level key that is not a global keyword is a job; one starting with `.` is
hidden (a template), listed but not a job. A job without `stage` is in `test`; without `image` it
takes `default: image` (or the deprecated top-level `image`) unless `inherit: default` says no.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Set

import attrs

from codegenie_core.probes.layer_a.ci_common import (
    MAX_ITEMS,
    Reference,
    items,
    mapping,
    string,
    strings,
    text,
)

MAX_INCLUDES = 150
MAX_EXTENDS_DEPTH = 11
MAX_DEPTH = 32
MERGE_BUDGET = 200_000
GLOBAL_KEYWORDS = frozenset(
    {"default", "include", "stages", "variables", "workflow", "image", "services", "cache",
     "before_script", "after_script", "types", "spec"}
)  # fmt: skip
DEFAULT_STAGES = ("build", "test", "deploy")  # GitLab's stages when `stages:` is absent
Data = Mapping[object, object]
# A loader answers a repository path with its YAML data, or a problem message.
Loader = Callable[[str], "object | LoadProblem"]


@attrs.frozen(kw_only=True)
class LoadProblem:
    message: str


@attrs.frozen(kw_only=True)
class GitlabJob:
    stage: str
    image: str | None
    services: tuple[str, ...]
    needs: tuple[str, ...]
    has_rules: bool
    has_only: bool
    has_except: bool
    when: str | None
    extends: tuple[str, ...]  # the parents it names, as written


@attrs.frozen(kw_only=True)
class GitlabPipeline:
    stages: tuple[str, ...]
    stages_declared: bool  # False: GitLab's default stages
    default_image: str | None
    jobs: dict[str, GitlabJob]  # by name, sorted
    templates: tuple[str, ...]  # hidden jobs, sorted
    includes: tuple[str, ...]  # the local files followed, in the order they were read


@attrs.frozen(kw_only=True)
class GitlabRead:
    """What reading one GitLab configuration gave."""

    pipeline: GitlabPipeline | None
    messages: tuple[str, ...]  # problems with the configuration
    references: tuple[Reference, ...]
    caps: tuple[str, ...]  # reasons the system is at most "medium" (Rule 1)


@attrs.define
class _Budget:
    left: int = MERGE_BUDGET
    exhausted: bool = False

    def spend(self, nodes: int) -> bool:
        self.left -= nodes
        if self.left < 0:
            self.exhausted = True
        return not self.exhausted


def deep_merge(base: object, over: object, budget: _Budget | None = None, depth: int = 0) -> object:
    """GitLab's merge (Rule 2): mappings merged key by key with `over` winning, anything else
    (arrays included) replaced by `over`."""
    spent = budget if budget is not None else _Budget()
    left, right = mapping(base), mapping(over)
    if left is None or right is None or depth >= MAX_DEPTH:
        return over
    if not spent.spend(len(left) + len(right)):
        return over  # the budget is spent: the rest is replaced, and `read_gitlab` says so
    merged: dict[object, object] = dict(left)
    for key, value in right.items():
        merged[key] = deep_merge(merged[key], value, spent, depth + 1) if key in merged else value
    return merged


def read_gitlab(
    entry: str, document: object, load: Loader, covered: Callable[[str], bool], listed: Set[str]
) -> GitlabRead:
    """The pipeline the entry file and its local includes make (Rules 1-4). `covered` says
    whether a path is among the probe's reads; `listed` are the read files that exist."""
    state = _Includes(load=load, covered=covered, listed=listed)
    data = state.expand(entry, document, (entry,))
    if data is None:
        return GitlabRead(
            pipeline=None, messages=("the configuration must be a YAML mapping",),
            references=(), caps=(),
        )  # fmt: skip
    pipeline = resolve_pipeline(data, state.messages, state.budget)
    pipeline = attrs.evolve(pipeline, includes=tuple(state.followed))
    if state.budget.exhausted:
        state.messages.append(f"merging stopped after {MERGE_BUDGET:,} nodes")
    return GitlabRead(
        pipeline=pipeline,
        messages=tuple(state.messages),
        references=tuple(state.references),
        caps=tuple(state.caps),
    )


@attrs.define
class _Includes:
    load: Loader
    covered: Callable[[str], bool]
    listed: Set[str]
    followed: list[str] = attrs.field(factory=list[str])
    messages: list[str] = attrs.field(factory=list[str])
    references: list[Reference] = attrs.field(factory=list[Reference])
    caps: list[str] = attrs.field(factory=list[str])
    budget: _Budget = attrs.field(factory=_Budget)

    def expand(self, path: str, document: object, stack: tuple[str, ...]) -> Data | None:
        data = mapping(document)
        if data is None:
            return None
        merged: object = {}
        for kind, target in _include_entries(data.get("include"), path, self.messages):
            if kind == "local":
                part = self._local(path, target, stack)
                if part is not None:
                    merged = deep_merge(merged, part, self.budget)
            else:
                self.references.append(
                    Reference(source=path, target=target, kind=f"gitlab-{kind}",
                              reason="not followed: outside the repository")
                )  # fmt: skip
                self.caps.append(f"{path}: jobs from the {kind} include {target!r} are not known")
        own = {k: v for k, v in data.items() if k != "include"}
        result = mapping(deep_merge(merged, own, self.budget))
        assert result is not None  # merging a mapping over a mapping gives a mapping
        return result

    def _local(self, source: str, target: str, stack: tuple[str, ...]) -> Data | None:
        path = posixpath.normpath(target.lstrip("/"))
        if path in stack:
            self.messages.append("include cycle: " + " -> ".join((*stack, path)))
            return None
        if path in self.followed or path == stack[0]:
            return None  # GitLab ignores a duplicate include
        if len(self.followed) >= MAX_INCLUDES:
            self.messages.append(f"more than {MAX_INCLUDES} includes; {path!r} not followed")
            return None
        if path.startswith("..") or not self.covered(path):
            self.references.append(
                Reference(source=source, target=target, kind="outside-reads",
                          reason="the file is outside the files this probe reads (ADR-0030)")
            )  # fmt: skip
            self.caps.append(f"{source}: the local include {target!r} is not among the reads")
            return None
        if path not in self.listed:
            self.messages.append(f"{source}: the local include {target!r} is not in the repository")
            return None
        self.followed.append(path)
        loaded = self.load(path)
        if isinstance(loaded, LoadProblem):
            self.messages.append(f"{path}: {loaded.message}")
            return None
        part = self.expand(path, loaded, (*stack, path))
        if part is None:
            self.messages.append(f"{path}: an included file must be a YAML mapping")
        return part


def _include_entries(raw: object, path: str, messages: list[str]) -> list[tuple[str, str]]:
    # include = entry / [ entry, ... ];  entry = path-or-url / { local|project|remote|template|
    # component: value, ... }  (a `project` entry's `file` may be a list)
    if raw is None:
        return []
    listed = items(raw)
    found: list[tuple[str, str]] = []
    for entry in listed if listed is not None else [raw]:
        if isinstance(entry, str):
            remote = entry.startswith(("http://", "https://"))
            found.append(("remote" if remote else "local", entry))
            continue
        table = mapping(entry)
        kinds = [
            k
            for k in ("local", "project", "remote", "template", "component")
            if table and k in table
        ]
        if table is None or len(kinds) != 1:
            messages.append(
                f"{path}: an include entry is not one of local/project/remote/template/component"
            )
            continue
        kind = kinds[0]
        value = text(table[kind]) or ""
        if kind == "project":
            files = strings(table.get("file")) or ("",)
            found.extend(("project", f"{value}:{f}") for f in files)
        else:
            found.append((kind, value))
    return found


def resolve_pipeline(
    document: object, messages: list[str], budget: _Budget | None = None
) -> GitlabPipeline:
    """Jobs, templates and stages of a merged configuration (Rules 3 and 4)."""
    spent = budget if budget is not None else _Budget()
    found = mapping(document)
    if found is None:
        messages.append("the configuration must be a YAML mapping")
    data: Data = found if found is not None else {}
    raw_jobs: dict[str, Data] = {}
    for key, value in list(data.items())[: MAX_ITEMS * 4]:
        name = str(key)
        if name in GLOBAL_KEYWORDS:
            continue
        job = mapping(value)
        if job is None:
            messages.append(f"job {name!r} is not a mapping")
            continue
        raw_jobs[name] = job
    resolved = resolve_extends(raw_jobs, messages, spent)
    default = mapping(data.get("default")) or {}
    default_image = _image(default.get("image", data.get("image")))
    stages_raw = data.get("stages")
    jobs = {
        name: _job(raw_jobs[name], job, default_image)
        for name, job in resolved.items()
        if not name.startswith(".")
    }
    return GitlabPipeline(
        stages=strings(stages_raw) if stages_raw is not None else DEFAULT_STAGES,
        stages_declared=stages_raw is not None,
        default_image=default_image,
        jobs=dict(sorted(jobs.items())),
        templates=tuple(sorted(n for n in raw_jobs if n.startswith("."))),
        includes=(),
    )


def resolve_extends(
    jobs: Mapping[str, object], messages: list[str], budget: _Budget | None = None
) -> dict[str, Data]:
    """Every job (a mapping; other values are dropped) with its `extends` merged in (Rules 2
    and 3); `extends` itself removed."""
    spent = budget if budget is not None else _Budget()
    raw_jobs = {name: job for name, value in jobs.items() if (job := mapping(value)) is not None}
    done: dict[str, Data] = {}

    def resolve(name: str, chain: tuple[str, ...]) -> Data:
        if name in done:
            return done[name]
        job = raw_jobs[name]
        own = {k: v for k, v in job.items() if k != "extends"}
        merged: object = {}
        for parent in strings(job.get("extends")):
            if parent in chain or parent == name:
                messages.append("extends cycle: " + " -> ".join((*chain, name, parent)))
            elif parent not in raw_jobs:
                messages.append(f"job {name!r} extends {parent!r}, which is not defined")
            elif len(chain) + 1 >= MAX_EXTENDS_DEPTH:
                messages.append(f"job {name!r}: extends deeper than {MAX_EXTENDS_DEPTH} levels")
            else:
                merged = deep_merge(merged, resolve(parent, (*chain, name)), spent)
        result = mapping(deep_merge(merged, own, spent))
        assert result is not None  # a mapping merged over a mapping
        done[name] = result
        return result

    return {name: resolve(name, ()) for name in raw_jobs}


def _image(value: object) -> str | None:
    # image = name / { name: name, entrypoint: [...], ... }
    table = mapping(value)
    return string(table.get("name")) if table is not None else string(value)


def _job(raw: Data, job: Data, default_image: str | None) -> GitlabJob:
    inherit = mapping(job.get("inherit"))
    inherited = inherit.get("default", True) if inherit is not None else True
    takes_default = inherited is True or (isinstance(inherited, list) and "image" in inherited)
    image = (
        _image(job.get("image")) if "image" in job else (default_image if takes_default else None)
    )
    services = tuple(s for v in items(job.get("services")) or [] if (s := _image(v)) is not None)
    needs: list[str] = []
    for need in items(job.get("needs")) or []:
        # need = job-name / { job: name, artifacts: bool, optional: bool } / { pipeline: ... }
        table = mapping(need)
        name = string(table.get("job")) if table is not None else string(need)
        if name is not None:
            needs.append(name)
    return GitlabJob(
        stage=string(job.get("stage")) or "test",
        image=image,
        services=services,
        needs=tuple(sorted(set(needs))),
        has_rules="rules" in job,
        has_only="only" in job,
        has_except="except" in job,
        when=text(job.get("when")) if "when" in job else None,
        extends=strings(raw.get("extends")),
    )
