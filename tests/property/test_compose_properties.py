"""The compose reader over any plain data: it never raises, and it reports every file it reads."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.probe import Envelope
from codegenie_core.probes.layer_a.compose import ComposeProbe
from tests.strategies import compose_documents
from tests.unit.layer_a_support import context

PATHS = ("compose.yaml", "sub/compose.yaml", "docker-compose.override.yml")


@given(st.lists(compose_documents, min_size=1, max_size=3))
def test_the_compose_reader_never_raises_and_reports_every_file(documents: list[object]) -> None:
    files: dict[str, str | bytes] = {
        path: json.dumps(document) for path, document in zip(PATHS, documents, strict=False)
    }

    envelope = ComposeProbe().run(context(files))

    assert isinstance(envelope, Envelope)
    problem_paths = {problem.path for problem in envelope.slice.problems}
    assert set(files) == set(envelope.slice.files) | problem_paths
    if envelope.confidence == "high":
        assert not envelope.slice.problems
    else:
        assert envelope.notes
