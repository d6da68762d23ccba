"""Properties of the scenario validator: one entry per scenario, and a bad one fails only itself."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.probes.layer_c.scenarios import InvalidScenario, parse_scenarios
from tests.strategies import scenario_items

_FIELD_WORDS = {
    "name": "'name'",
    "argv": "'argv'[",
    "shell": "'shell'",
    "env-name": "'env' name",
    "env-value": "'env' value",
}


@st.composite
def scenario_files(draw: st.DrawFn) -> list[tuple[dict[str, object], str | None]]:
    count = draw(st.integers(min_value=0, max_value=6))
    return [draw(scenario_items(index)) for index in range(count)]


@given(scenario_files())
def test_each_scenario_is_its_own_result_and_a_nul_fails_only_its_own(
    drawn: list[tuple[dict[str, object], str | None]],
) -> None:
    parsed = parse_scenarios({"scenarios": [item for item, _ in drawn]}, "")

    assert isinstance(parsed, tuple) and len(parsed) == len(drawn)
    for index, (entry, (item, poisoned)) in enumerate(zip(parsed, drawn, strict=True)):
        if poisoned is None:
            assert not isinstance(entry, InvalidScenario), entry
            assert (entry.name, entry.origin) == (item["name"], "repo")
        else:
            assert isinstance(entry, InvalidScenario)
            message = entry.problem.message
            assert message.startswith(f"scenarios[{index}]")
            assert _FIELD_WORDS[poisoned] in message and "NUL" in message
