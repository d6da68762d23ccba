"""Properties of the strace parser: order-independence across pids, totality, and agreement of
the fast path with the general grammar it replaced (tests/reference_strace.py, ADR-0053)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from benches.bench_strace_parser import generate as generate_trace
from codegenie_core.parsers.strace import (
    _Attribution,  # pyright: ignore[reportPrivateUsage] -- the table is what is compared
    _State,  # pyright: ignore[reportPrivateUsage] -- the table is what is compared
    parse_strace,
    parse_strace_bytes,
)
from tests.reference_parsers import reference_binary_before
from tests.reference_strace import reference_parse_strace
from tests.strategies import (
    attribution_execs,
    attribution_links,
    strace_differential_lines,
    trace_bodies,
)

PIDS = (10, 11, 12, 13)


@st.composite
def per_pid_traces(draw: st.DrawFn) -> dict[int, list[str]]:
    return {pid: [f"{pid} {b}" for b in draw(trace_bodies(PIDS))] for pid in PIDS}


def _interleave(data: st.DataObject, traces: dict[int, list[str]]) -> list[str]:
    queues = {pid: list(lines) for pid, lines in traces.items() if lines}
    out: list[str] = []
    while queues:
        pid = data.draw(st.sampled_from(sorted(queues)))
        out.append(queues[pid].pop(0))
        if not queues[pid]:
            del queues[pid]
    return out


@given(per_pid_traces(), st.data())
def test_facts_are_the_same_for_any_interleaving_of_whole_per_pid_lines(
    traces: dict[int, list[str]], data: st.DataObject
) -> None:
    in_pid_order = [line for pid in PIDS for line in traces[pid]]
    shuffled = _interleave(data, traces)
    assert parse_strace(shuffled) == parse_strace(in_pid_order)


@given(st.text())
def test_the_parser_never_raises_on_any_text(text: str) -> None:
    facts = parse_strace(text.splitlines())
    assert facts.unparsed_lines >= 0


@given(st.binary())
def test_the_parser_never_raises_on_any_bytes(data: bytes) -> None:
    facts = parse_strace_bytes(data)
    assert facts.unparsed_lines >= 0


@given(per_pid_traces(), st.integers(min_value=0, max_value=400))
def test_a_trace_cut_anywhere_still_parses(traces: dict[int, list[str]], cut: int) -> None:
    text = "\n".join(line for pid in PIDS for line in traces[pid])
    facts = parse_strace(text[:cut].split("\n"))
    assert set(facts.binaries_executed) <= set(parse_strace(text.split("\n")).binaries_executed) | {
        "/proc/self/exe"
    }


@given(attribution_execs, attribution_links)
def test_memoised_attribution_equals_walking_up_afresh(
    execs: dict[int, list[str]], links: dict[int, tuple[int, int]]
) -> None:
    state = _State(keep_argv=False)
    state.execs = {pid: [(path, "a", 1, None) for path in paths] for pid, paths in execs.items()}
    state.parent = dict(links)
    attribution = _Attribution(state)

    for pid in range(1, 7):
        for count in range(6):
            expected = reference_binary_before(state.execs, state.parent, pid, count)
            assert attribution.binary_before(pid, count) == expected, (pid, count)


@settings(max_examples=1000)
@given(strace_differential_lines(), st.booleans())
def test_the_fast_path_gives_what_the_general_grammar_gave_on_any_lines(
    lines: list[str], keep_argv: bool
) -> None:
    facts = parse_strace(lines, keep_argv=keep_argv)
    try:
        expected = reference_parse_strace(lines, keep_argv=keep_argv)
    except UnicodeEncodeError:  # the old parser raised on a lone surrogate; the new one must not
        return
    assert facts == expected


@given(st.lists(st.text(max_size=60), max_size=6))
def test_the_fast_path_gives_what_the_general_grammar_gave_on_any_text(lines: list[str]) -> None:
    assert parse_strace(lines) == reference_parse_strace(lines)


@given(per_pid_traces(), st.data())
def test_the_fast_path_gives_what_the_general_grammar_gave_on_interleaved_traces(
    traces: dict[int, list[str]], data: st.DataObject
) -> None:
    lines = _interleave(data, traces)
    assert parse_strace(lines) == reference_parse_strace(lines)


def test_the_bench_trace_parses_as_the_general_grammar_parses_it() -> None:
    lines = generate_trace(3000)
    assert len(set(lines)) > 2500
    assert parse_strace(lines) == reference_parse_strace(lines)
