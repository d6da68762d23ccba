"""Properties of the manifest parsers: total on any text, and round trips through the formats."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.parsers.cargo_manifest import parse_cargo_toml
from codegenie_core.parsers.gomod import parse_go_mod
from codegenie_core.parsers.manifest_model import Dependency, pep503
from codegenie_core.parsers.maven_pom import parse_pom
from codegenie_core.parsers.npm_manifest import parse_package_json
from codegenie_core.parsers.python_manifest import (
    parse_pyproject,
    parse_requirement,
    parse_requirements_txt,
)
from tests.strategies import (
    go_module_paths,
    go_versions,
    npm_names,
    npm_specs,
    python_extras,
    python_markers,
    python_names,
    python_specs,
)

any_text = st.text(max_size=300) | st.text(
    alphabet="[]{}()\"'=<>/#:;,.-_ \n\tabcv01@$!", max_size=300
)


@given(any_text)
def test_every_manifest_parser_is_total(text: str) -> None:
    for parse in (
        parse_package_json,
        parse_pyproject,
        parse_requirements_txt,
        parse_go_mod,
        parse_cargo_toml,
        parse_pom,
    ):
        parsed = parse(text)
        assert all(p.line is None or p.line >= 1 for p in parsed.problems)


@given(any_text)
def test_parsing_is_deterministic(text: str) -> None:
    assert parse_requirements_txt(text) == parse_requirements_txt(text)
    assert parse_go_mod(text) == parse_go_mod(text)


@given(python_names, python_extras, python_specs, python_markers)
def test_a_written_requirement_reads_back(
    name: str, extras: list[str], spec: str, marker: str | None
) -> None:
    text = name + (f"[{','.join(extras)}]" if extras else "") + spec
    text += f"; {marker}" if marker else ""

    assert parse_requirement(text, scope="runtime") == Dependency(
        name=pep503(name),
        spec=spec,
        scope="runtime",
        extras=tuple(sorted(extras)),
        marker=marker,
    )


@given(st.dictionaries(go_module_paths, go_versions, max_size=6), st.booleans())
def test_a_written_go_mod_reads_back(requires: dict[str, str], as_block: bool) -> None:
    lines = ["module example.com/m", "", "go 1.22"]
    if as_block:
        lines += ["require (", *(f"\t{path} {version}" for path, version in requires.items()), ")"]
    else:
        lines += [f"require {path} {version} // indirect" for path, version in requires.items()]
    parsed = parse_go_mod("\n".join(lines) + "\n")

    assert parsed.problems == ()
    assert parsed.value is not None
    assert {(d.name, d.spec, d.indirect) for d in parsed.value.dependencies} == {
        (path, version, not as_block) for path, version in requires.items()
    }


@given(
    st.dictionaries(npm_names, npm_specs, max_size=5),
    st.dictionaries(npm_names, npm_specs, max_size=5),
)
def test_dependencies_written_as_json_read_back(
    runtime: dict[str, str], dev: dict[str, str]
) -> None:
    text = json.dumps({"name": "x", "dependencies": runtime, "devDependencies": dev})
    manifest = parse_package_json(text).value

    assert manifest is not None
    assert {(d.name, d.spec, d.scope) for d in manifest.dependencies} == {
        *((n, s, "runtime") for n, s in runtime.items()),
        *((n, s, "dev") for n, s in dev.items()),
    }
