"""Properties of the npm-family lockfile readers: yarn v1 and JSONC renderings read back to what
was rendered; every reader is total on arbitrary and near-valid text (problems, never raises)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.parsers.bun_lock import parse_bun_lock
from codegenie_core.parsers.jsonc import loads_jsonc
from codegenie_core.parsers.manifest_model import ManifestProblem
from codegenie_core.parsers.npm_lock import parse_npm_lock
from codegenie_core.parsers.yarn_lock import parse_yarn_lock
from tests.strategies import (
    json_values,
    jsonc_renderings,
    mutated_texts,
    render_yarn_v1,
    yarn_v1_entries,
)

LOCKS = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles"
SAMPLES = {
    "package-lock.json": (LOCKS / "package-lock" / "v3" / "package-lock.json").read_text(),
    "yarn.lock": (LOCKS / "yarn" / "v1" / "yarn.lock").read_text(),
    "berry/yarn.lock": (LOCKS / "yarn" / "berry" / "yarn.lock").read_text(),
    "bun.lock": (LOCKS / "bun" / "v1" / "bun.lock").read_text(),
}
READERS = {
    "package-lock.json": parse_npm_lock,
    "yarn.lock": parse_yarn_lock,
    "berry/yarn.lock": parse_yarn_lock,
    "bun.lock": parse_bun_lock,
}


@given(yarn_v1_entries())
def test_a_rendered_yarn_v1_lock_reads_back_to_its_entries(
    entries: list[dict[str, object]],
) -> None:
    parsed = parse_yarn_lock("yarn.lock", render_yarn_v1(entries))
    assert parsed.problems == () and parsed.value is not None
    assert parsed.value.known_version
    got = {
        p.id: (p.name, p.version, p.descriptors, {r.name: r.spec for r in p.dependencies})
        for p in parsed.value.packages
    }
    want: dict[str, object] = {}
    for entry in entries:
        descriptors = cast("tuple[str, ...]", entry["descriptors"])
        want[", ".join(descriptors)] = (
            entry["name"],
            entry["version"],
            descriptors,
            entry["dependencies"],
        )
    assert got == want


@given(st.data(), json_values)
def test_jsonc_with_comments_and_trailing_commas_reads_back_to_its_value(
    data: st.DataObject, value: object
) -> None:
    text = data.draw(jsonc_renderings(value))
    assert loads_jsonc(text) == value


@given(st.sampled_from(sorted(SAMPLES)), st.data())
def test_every_reader_is_total_on_near_valid_text(name: str, data: st.DataObject) -> None:
    text = data.draw(mutated_texts(SAMPLES[name]))
    parsed = READERS[name](name, text)
    assert parsed.value is not None or parsed.problems


@given(st.sampled_from(sorted(SAMPLES)), st.text(max_size=200))
def test_every_reader_is_total_on_arbitrary_text(name: str, text: str) -> None:
    parsed = READERS[name](name, text)
    assert parsed.value is not None or parsed.problems


@given(st.one_of(st.text(max_size=80), json_values.map(json.dumps)))
def test_jsonc_is_json_on_json_and_total_on_anything(text: str) -> None:
    converted = loads_jsonc(text)  # a value or a problem, never an exception
    try:
        expected: object = json.loads(text)
    except ValueError:
        return
    assert not isinstance(converted, ManifestProblem) and converted == expected
