"""The inventory join equals the reference join it replaced (ADR-0086), on arbitrary locks and
declarations: the same entries, edges and reasons, in the same order."""

from __future__ import annotations

from hypothesis import given, settings

from codegenie_core.parsers.inventory import join
from tests.reference_join import reference_join
from tests.strategies import JoinInputs, join_inputs


# a difference in scope propagation shows in 1-7% of examples (the mutants ADR-0086 tried)
@settings(max_examples=300)
@given(join_inputs())
def test_the_join_equals_the_reference_join(inputs: JoinInputs) -> None:
    declared, locks, lock_of = inputs
    assert join(declared, locks, lock_of) == reference_join(declared, locks, lock_of)
