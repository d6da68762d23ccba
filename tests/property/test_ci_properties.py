"""Properties of the workflow reader: total on any plain data, and sorted where order is free."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.probes.layer_a.ci import parse_uses, read_workflow
from tests.strategies import workflow_data


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
