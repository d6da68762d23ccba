"""`load_lock_toml`: rtoml's speed, tomllib's answers (ADR-0048)."""

from __future__ import annotations

import datetime
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import rtoml

from codegenie_core.parsers import lock_toml
from codegenie_core.parsers.cargo_lock import read_cargo_lock
from codegenie_core.parsers.lock_model import Lock
from codegenie_core.parsers.lock_toml import load_lock_toml, rtoml_agrees
from codegenie_core.parsers.manifest_model import ManifestProblem, Parsed, load_toml
from codegenie_core.parsers.pdm_lock import parse_pdm_lock
from codegenie_core.parsers.poetry_lock import parse_poetry_lock
from codegenie_core.parsers.uv_lock import parse_uv_lock

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles"
LOCKS = sorted(
    path
    for name in ("Cargo.lock", "uv.lock", "poetry.lock", "pdm.lock")
    for path in FIXTURES.rglob(name)
)


@pytest.mark.parametrize("path", LOCKS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_lockfile_fixtures_are_read_by_rtoml_with_tomllib_values(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = path.read_text(encoding="utf-8")
    expected = tomllib.loads(text)

    def no_tomllib(_text: str) -> object:
        raise AssertionError("tomllib was used")

    monkeypatch.setattr(tomllib, "loads", no_tomllib)
    assert load_lock_toml(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a = {b = 1,}",  # trailing comma in an inline table
        "a = {b = 1\n}",  # newline directly inside an inline table
        "a = [{b = [1],\nc = 2}]",
        'a = {b = "}",\nc = "{"}',  # brackets in strings do not hide the newline
        'a = """x""\\"""y"""\nb = {c = 1,\nd = 2}',  # an escaped quote inside a quote run
        'a = "\\e"',
        'a = "\\x41"',
        "a = 07:32",  # a time without seconds
        "a = 1979-05-27T07:32Z",
    ],
)
def test_toml_1_1_additions_are_tomllibs_problems(text: str) -> None:
    assert rtoml.loads(text)  # rtoml reads each of them
    problem = load_lock_toml(text)
    assert isinstance(problem, ManifestProblem)
    assert problem == load_toml(text)


def test_escaped_backslashes_before_e_and_x_are_read_by_rtoml() -> None:
    text = "a = \"C:\\\\x\\\\e\"\nb = 'lit'\n"
    assert rtoml_agrees(text)
    assert load_lock_toml(text) == {"a": "C:\\x\\e", "b": "lit"}


def test_datetimes_carry_tomllibs_timezone_class() -> None:
    loaded = load_lock_toml("a = 1979-05-27T07:32:00-08:00\nb = 1979-05-27T07:32:00Z\n")
    assert not isinstance(loaded, ManifestProblem)
    assert loaded == tomllib.loads("a = 1979-05-27T07:32:00-08:00\nb = 1979-05-27T07:32:00Z\n")
    for value in loaded.values():
        assert isinstance(value, datetime.datetime)
        assert type(value.tzinfo) is datetime.timezone


def test_an_rtoml_error_gives_tomllibs_problem_and_coordinates() -> None:
    assert load_lock_toml("[a]\n[a]\n") == ManifestProblem(
        message="Cannot declare ('a',) twice", line=2, column=3
    )


def test_anything_rtoml_raises_falls_back_to_tomllib(monkeypatch: pytest.MonkeyPatch) -> None:
    class Panic(BaseException):  # what pyo3 raises for a Rust panic
        pass

    def panics(_text: str) -> object:
        raise Panic

    monkeypatch.setattr(rtoml, "loads", panics)
    assert load_lock_toml('a = "b"\n') == {"a": "b"}


def test_an_interrupt_inside_rtoml_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(_text: str) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(rtoml, "loads", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load_lock_toml('a = "b"\n')


def test_without_rtoml_tomllib_reads_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rtoml", None)  # `import rtoml` now raises ImportError
    text = (FIXTURES / "uv" / "uv.lock").read_text(encoding="utf-8")
    assert load_lock_toml(text) == tomllib.loads(text)
    assert isinstance(load_lock_toml("a = {b = 1,}"), ManifestProblem)


def test_a_lone_surrogate_is_read_as_tomllib_reads_it() -> None:
    assert load_lock_toml('a = "\ud800"') == {"a": "\ud800"}


def test_a_huge_string_is_read() -> None:
    text = 'a = "' + "x" * 20_000_000 + '"\n'
    assert load_lock_toml(text) == {"a": "x" * 20_000_000}


def test_nesting_past_the_cap_is_never_given_to_rtoml() -> None:
    assert rtoml_agrees("a = " + "[" * 20 + "]" * 20)
    assert not rtoml_agrees("a = " + "[" * 40 + "]" * 40)
    assert not rtoml_agrees("a = " + "{b = " * 40 + "1" + "}" * 40)


HOSTILE = {
    "arrays": "'a = ' + '[' * 100_000 + ']' * 100_000",
    "unclosed arrays": "'a = ' + '[' * 100_000",
    "inline tables": "'a = ' + '{b = ' * 100_000 + '1' + '}' * 100_000",
    "mixed": "'a = ' + '[{b = ' * 50_000 + '1' + '}]' * 50_000",
    # past rtoml's recursion limit; tomllib's dotted keys are quadratic, so 5,000 and not 100,000
    "dotted keys": "'.'.join(['a'] * 5_000) + ' = 1'",
    "dotted header": "'[' + '.'.join(['a'] * 100_000) + ']'",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_deep_nesting_never_kills_the_process(name: str) -> None:
    # in a thread, as probes run: a Rust stack overflow would abort the whole interpreter
    child = (
        "import threading\n"
        "from codegenie_core.parsers.lock_toml import load_lock_toml\n"
        "from codegenie_core.parsers.manifest_model import ManifestProblem\n"
        f"text = {HOSTILE[name]}\n"
        "out = []\n"
        "t = threading.Thread(target=lambda: out.append(load_lock_toml(text)))\n"
        "t.start(); t.join()\n"
        "print('problem' if isinstance(out[0], ManifestProblem) else 'value')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() in {"problem", "value"}


def test_the_rtoml_module_is_imported_lazily() -> None:
    assert lock_toml.__dict__.get("rtoml") is None


@pytest.mark.parametrize(
    ("relative", "reader"),
    [
        ("cargo/v4/Cargo.lock", read_cargo_lock),
        ("uv/uv.lock", parse_uv_lock),
        ("poetry-2/poetry.lock", parse_poetry_lock),
        ("pdm/pdm.lock", parse_pdm_lock),
    ],
)
def test_the_four_toml_lock_readers_read_through_rtoml(
    relative: str, reader: Callable[[str, object], Parsed[Lock]], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (FIXTURES / relative).read_text(encoding="utf-8")
    expected = reader(relative, text)
    assert expected.value is not None

    def no_tomllib(_text: str) -> object:
        raise AssertionError("tomllib was used")

    monkeypatch.setattr(tomllib, "loads", no_tomllib)
    assert reader(relative, text) == expected
