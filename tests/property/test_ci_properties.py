"""Properties of the `ci` readers: total on any plain data or text, and reporting what they
refuse (the workflow reader, the GitLab extends resolver, the Jenkinsfile scanner)."""

from __future__ import annotations

from typing import cast

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.probes.layer_a.ci import parse_uses, read_workflow
from codegenie_core.probes.layer_a.ci_common import strings
from codegenie_core.probes.layer_a.ci_gitlab import GLOBAL_KEYWORDS, resolve_pipeline
from codegenie_core.probes.layer_a.ci_jenkins import scan_jenkinsfile
from tests.strategies import (
    gitlab_jobs_data,
    jenkinsfile_code,
    jenkinsfile_text,
    workflow_data,
)


@given(workflow_data)
def test_reading_a_workflow_never_raises_and_sorts_what_has_no_order(data: object) -> None:
    workflow, messages = read_workflow(data)

    assert workflow is not None or messages
    if workflow is not None:
        assert list(workflow.triggers) == sorted(workflow.triggers)
        assert list(workflow.jobs) == sorted(workflow.jobs)
        assert all(list(job.needs) == sorted(job.needs) for job in workflow.jobs.values())


@given(st.text(max_size=40))
def test_a_uses_value_is_kept_verbatim_and_its_parts_rebuild_it(uses: str) -> None:
    ref = parse_uses(uses)

    rebuilt = {
        "docker": "docker://" + ref.name,
        "local": ref.name,
        "action": ref.name + ("@" + ref.ref if ref.ref is not None else ""),
    }[ref.kind]
    assert (ref.uses, rebuilt) == (uses, uses)


@given(gitlab_jobs_data)
def test_resolving_gitlab_extends_never_raises_and_reports_every_unknown_parent(
    data: dict[str, object],
) -> None:
    messages: list[str] = []

    pipeline = resolve_pipeline(data, messages)

    jobs = {
        name: cast("dict[object, object]", job)
        for name, job in data.items()
        if name not in GLOBAL_KEYWORDS and isinstance(job, dict)
    }
    assert set(pipeline.jobs) == {n for n in jobs if not n.startswith(".")}
    assert set(pipeline.templates) == {n for n in jobs if n.startswith(".")}
    for name, job in jobs.items():
        for parent in strings(job.get("extends")):
            if parent == name:
                assert any(m.startswith("extends cycle:") for m in messages)
            elif parent not in jobs:
                assert f"job {name!r} extends {parent!r}, which is not defined" in messages
    for name, value in data.items():
        if name not in GLOBAL_KEYWORDS and not isinstance(value, dict):
            assert f"job {name!r} is not a mapping" in messages


@given(jenkinsfile_text)
def test_scanning_a_jenkinsfile_never_raises_and_grades_what_it_found(text: str) -> None:
    read = scan_jenkinsfile(text)

    assert read.scripted == (not read.pipeline.declarative)
    if "pipeline" not in text:
        assert read.scripted and read.pipeline.stages == ()


@given(jenkinsfile_code)
def test_unbalanced_brackets_in_plain_code_are_always_reported(text: str) -> None:
    read = scan_jenkinsfile(text)

    depth, balanced = 0, True
    for c in text:
        depth += {"{": 1, "(": 1, "}": -1, ")": -1}.get(c, 0)
        balanced = balanced and depth >= 0
    if not balanced or depth != 0:
        assert read.messages
