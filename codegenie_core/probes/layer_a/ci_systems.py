"""CircleCI, Azure Pipelines, Buildkite, Travis CI and Bitbucket Pipelines for the `ci` probe:
their jobs (or steps) and the images they run in, from each configuration's plain data.

Rule 1: each reader takes the YAML data and two lists it appends to: `messages` (what did not
fit the system's documented shape: the file gave partial facts) and `caps` (what the reader
recognised but cannot know from the file alone, such as an orb's executor or an Azure template:
the system is at most "medium", ADR-0037).
Rule 2: jobs keep their written order where the system runs them in that order (Buildkite,
Bitbucket steps, CircleCI workflow jobs), and are sorted by name where it does not (CircleCI jobs).
"""

from __future__ import annotations

import attrs

from codegenie_core.probes.layer_a.ci_common import (
    MAX_ITEMS,
    items,
    mapping,
    string,
    strings,
    text,
)


def _image(value: object) -> str | None:
    # image = name / { name: name, ... } / { image: name, ... }
    table = mapping(value)
    if table is None:
        return string(value)
    return string(table.get("name")) or string(table.get("image"))


# ---- CircleCI: .circleci/config.yml ----------------------------------------------------------


@attrs.frozen(kw_only=True)
class CircleJob:
    docker: tuple[str, ...]  # images, the primary first
    machine: str | None  # a machine image, or "true" for the default
    macos: str | None  # the Xcode version
    executor: str | None  # a named executor (its images resolved when it is defined here)


@attrs.frozen(kw_only=True)
class CircleConfig:
    version: str | None
    jobs: dict[str, CircleJob]  # sorted
    workflows: dict[str, tuple[str, ...]]  # workflow -> jobs in written order
    orbs: dict[str, str]  # alias -> orb reference, sorted


def _circle_runner(table: object) -> CircleJob:
    job = mapping(table) or {}
    docker = tuple(i for d in items(job.get("docker")) or [] if (i := _image(d)) is not None)
    machine_raw = job.get("machine")
    machine = _image(machine_raw) if mapping(machine_raw) is not None else text(machine_raw)
    macos = mapping(job.get("macos"))
    executor_raw = job.get("executor")
    executor = _image(executor_raw) if mapping(executor_raw) is not None else string(executor_raw)
    return CircleJob(
        docker=docker,
        machine=machine if machine_raw is not None else None,
        macos=text(macos.get("xcode")) if macos is not None else None,
        executor=executor,
    )


def read_circleci(document: object, messages: list[str], caps: list[str]) -> CircleConfig | None:
    data = mapping(document)
    if data is None:
        messages.append("the configuration must be a YAML mapping")
        return None
    executors = {
        str(k): _circle_runner(v) for k, v in (mapping(data.get("executors")) or {}).items()
    }
    jobs: dict[str, CircleJob] = {}
    raw_jobs = mapping(data.get("jobs"))
    if raw_jobs is None:
        messages.append("no 'jobs' mapping")
    for name, raw in list((raw_jobs or {}).items())[:MAX_ITEMS]:
        if mapping(raw) is None:
            messages.append(f"job {name!r} is not a mapping")
            continue
        job = _circle_runner(raw)
        if job.executor is not None and job.executor in executors:
            named = executors[job.executor]
            job = attrs.evolve(job, docker=named.docker, machine=named.machine, macos=named.macos)
        elif job.executor is not None:
            caps.append(f"job {name!r}: the executor {job.executor!r} is defined outside the file")
        jobs[str(name)] = job
    workflows: dict[str, tuple[str, ...]] = {}
    for name, raw in (mapping(data.get("workflows")) or {}).items():
        flow = mapping(raw)
        if flow is None:
            continue  # `version: 2` sits among the workflows
        names: list[str] = []
        for entry in items(flow.get("jobs")) or []:
            # entry = job-name / { job-name: { requires: [...], ... } }
            table = mapping(entry)
            names.extend(str(k) for k in table) if table is not None else names.extend(
                strings(entry)
            )
        workflows[str(name)] = tuple(names)
    orbs = {str(k): text(v) or "" for k, v in (mapping(data.get("orbs")) or {}).items()}
    return CircleConfig(
        version=text(data.get("version")),
        jobs=dict(sorted(jobs.items())),
        workflows=workflows,
        orbs=dict(sorted(orbs.items())),
    )


# ---- Azure Pipelines: azure-pipelines.yml ----------------------------------------------------


@attrs.frozen(kw_only=True)
class AzureJob:
    name: str
    stage: str | None
    vm_image: str | None
    pool: str | None  # a named agent pool
    container: str | None  # the image (a container resource resolved)


@attrs.frozen(kw_only=True)
class AzurePipeline:
    stages: tuple[str, ...]
    jobs: tuple[AzureJob, ...]  # in written order
    templates: tuple[str, ...]  # templates named, not followed


def _pool(value: object, inherited: tuple[str | None, str | None]) -> tuple[str | None, str | None]:
    # pool = name / { name: name, vmImage: image, demands: ... }
    if value is None:
        return inherited
    table = mapping(value)
    if table is None:
        return None, string(value)
    return string(table.get("vmImage")), string(table.get("name"))


def read_azure(document: object, messages: list[str], caps: list[str]) -> AzurePipeline | None:
    data = mapping(document)
    if data is None:
        messages.append("the configuration must be a YAML mapping")
        return None
    containers: dict[str, str] = {}
    resources = mapping(data.get("resources")) or {}
    for entry in items(resources.get("containers")) or []:
        table = mapping(entry) or {}
        alias, image = string(table.get("container")), string(table.get("image"))
        if alias is not None and image is not None:
            containers[alias] = image
    templates: list[str] = []
    jobs: list[AzureJob] = []
    stages: list[str] = []
    top_pool = _pool(data.get("pool"), (None, None))

    def read_jobs(raw: object, stage: str | None, pool: tuple[str | None, str | None]) -> None:
        for entry in items(raw) or []:
            table = mapping(entry)
            if table is None:
                messages.append("a job entry is not a mapping")
                continue
            if "template" in table:
                templates.append(text(table["template"]) or "")
                continue
            name = text(table.get("job")) or text(table.get("deployment")) or "?"
            vm_image, pool_name = _pool(table.get("pool"), pool)
            container_raw = table.get("container")
            image = _image(container_raw)
            jobs.append(
                AzureJob(
                    name=name, stage=stage, vm_image=vm_image, pool=pool_name,
                    container=containers.get(image, image) if image is not None else None,
                )
            )  # fmt: skip

    if "stages" in data:
        for entry in items(data.get("stages")) or []:
            table = mapping(entry)
            if table is None:
                messages.append("a stage entry is not a mapping")
                continue
            if "template" in table:
                templates.append(text(table["template"]) or "")
                continue
            stage = text(table.get("stage")) or "?"
            stages.append(stage)
            read_jobs(table.get("jobs"), stage, _pool(table.get("pool"), top_pool))
    elif "jobs" in data:
        read_jobs(data.get("jobs"), None, top_pool)
    elif "steps" in data:  # one implicit job
        jobs.append(AzureJob(name="(implicit)", stage=None, vm_image=top_pool[0], pool=top_pool[1],
                             container=_image(data.get("container"))))  # fmt: skip
    else:
        messages.append("no 'stages', 'jobs' or 'steps'")
    if "extends" in data:
        templates.append(text((mapping(data["extends"]) or {}).get("template")) or "")
    caps.extend(f"the template {t!r} is not followed" for t in templates)
    return AzurePipeline(stages=tuple(stages), jobs=tuple(jobs), templates=tuple(templates))


# ---- Buildkite: .buildkite/pipeline.yml ------------------------------------------------------


@attrs.frozen(kw_only=True)
class BuildkiteStep:
    kind: str  # command, wait, block, input, trigger, group
    label: str | None
    has_command: bool
    images: tuple[str, ...]  # from the docker and docker-compose plugins
    plugins: tuple[str, ...]  # as written, e.g. "docker#v5.9.0"


@attrs.frozen(kw_only=True)
class BuildkitePipeline:
    steps: tuple[BuildkiteStep, ...]  # in written order, a group's steps after it


def read_buildkite(
    document: object, messages: list[str], caps: list[str]
) -> BuildkitePipeline | None:
    del caps  # nothing in a pipeline file is known only elsewhere (dynamic uploads aside)
    data = mapping(document)
    raw = data.get("steps") if data is not None else document
    if items(raw) is None:
        messages.append("no 'steps' list")
        return None
    found: list[BuildkiteStep] = []

    def read(steps: object, depth: int) -> None:
        for entry in items(steps) or []:
            if isinstance(entry, str):  # "wait", "block"
                found.append(
                    BuildkiteStep(kind=entry, label=None, has_command=False, images=(), plugins=())
                )
                continue
            table = mapping(entry)
            if table is None:
                messages.append("a step is not a mapping")
                continue
            kind = next(
                (k for k in ("wait", "block", "input", "trigger", "group") if k in table), "command"
            )
            label = text(table.get("label")) or text(table.get("name"))
            if kind in ("block", "input", "trigger", "group") and label is None:
                label = text(table.get(kind))
            names: list[str] = []
            images: list[str] = []
            for plugin in items(table.get("plugins")) or []:
                spec = mapping(plugin)
                for key, config in (spec or {}).items() if spec is not None else [(plugin, None)]:
                    names.append(str(key))
                    if str(key).split("#")[0].split("/")[-1] in ("docker", "docker-compose"):
                        image = string((mapping(config) or {}).get("image"))
                        if image is not None:
                            images.append(image)
            found.append(
                BuildkiteStep(
                    kind=kind, label=label,
                    has_command="command" in table or "commands" in table,
                    images=tuple(images), plugins=tuple(names),
                )
            )  # fmt: skip
            if kind == "group" and depth == 0:
                read(table.get("steps"), 1)

    read(raw, 0)
    return BuildkitePipeline(steps=tuple(found[:MAX_ITEMS]))


# ---- Travis CI: .travis.yml ------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TravisJob:
    name: str | None
    stage: str | None
    os: str | None
    dist: str | None
    language: str | None


@attrs.frozen(kw_only=True)
class TravisConfig:
    language: str | None
    os: tuple[str, ...]
    dist: str | None
    include: tuple[TravisJob, ...]  # jobs.include (or matrix.include), in written order


def read_travis(document: object, messages: list[str], caps: list[str]) -> TravisConfig | None:
    del caps
    data = mapping(document)
    if data is None:
        messages.append("the configuration must be a YAML mapping")
        return None
    jobs = mapping(data.get("jobs")) or mapping(data.get("matrix")) or {}
    include: list[TravisJob] = []
    for entry in items(jobs.get("include")) or []:
        table = mapping(entry)
        if table is None:
            messages.append("a jobs.include entry is not a mapping")
            continue
        include.append(
            TravisJob(
                name=text(table.get("name")), stage=text(table.get("stage")),
                os=text(table.get("os")), dist=text(table.get("dist")),
                language=text(table.get("language")),
            )
        )  # fmt: skip
    return TravisConfig(
        language=text(data.get("language")),
        os=strings(data.get("os")),
        dist=text(data.get("dist")),
        include=tuple(include),
    )


# ---- Bitbucket Pipelines: bitbucket-pipelines.yml --------------------------------------------


@attrs.frozen(kw_only=True)
class BitbucketStep:
    pipeline: str  # "default", "branches:main", "pull-requests:**", "custom:deploy", ...
    name: str | None
    image: str | None  # the step's image, else the file's
    services: tuple[str, ...]


@attrs.frozen(kw_only=True)
class BitbucketPipelines:
    image: str | None
    steps: tuple[BitbucketStep, ...]  # in written order
    services: dict[str, str | None]  # definitions.services: name -> image (None: built in)


def read_bitbucket(
    document: object, messages: list[str], caps: list[str]
) -> BitbucketPipelines | None:
    del caps
    data = mapping(document)
    if data is None:
        messages.append("the configuration must be a YAML mapping")
        return None
    image = _image(data.get("image"))
    definitions = mapping(data.get("definitions")) or {}
    services = {
        str(k): _image(v)
        for k, v in list((mapping(definitions.get("services")) or {}).items())[:MAX_ITEMS]
    }
    steps: list[BitbucketStep] = []

    def read(pipeline: str, entries: object, depth: int) -> None:
        for entry in items(entries) or []:
            table = mapping(entry) or {}
            step = mapping(table.get("step"))
            if step is not None:
                steps.append(
                    BitbucketStep(
                        pipeline=pipeline, name=text(step.get("name")),
                        image=_image(step.get("image")) or image,
                        services=strings(step.get("services")),
                    )
                )  # fmt: skip
            elif depth < 2 and "parallel" in table:
                parallel = table["parallel"]
                read(pipeline, (mapping(parallel) or {}).get("steps", parallel), depth + 1)
            elif depth < 2 and mapping(table.get("stage")) is not None:
                read(pipeline, (mapping(table.get("stage")) or {}).get("steps"), depth + 1)
            else:
                messages.append(f"pipeline {pipeline!r}: an entry that is not a step")

    pipelines = mapping(data.get("pipelines"))
    if pipelines is None:
        messages.append("no 'pipelines' mapping")
    for group, value in (pipelines or {}).items():
        if str(group) == "default":
            read("default", value, 0)
            continue
        for pattern, entries in list((mapping(value) or {}).items())[:MAX_ITEMS]:
            read(f"{group}:{pattern}", entries, 0)
    return BitbucketPipelines(
        image=image, steps=tuple(steps[:MAX_ITEMS]), services=dict(sorted(services.items()))
    )
