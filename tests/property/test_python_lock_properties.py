"""Python lockfile and static manifest readers: round trips, and never raising on any text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.parsers.lock_model import Lock
from codegenie_core.parsers.manifest_model import Parsed
from codegenie_core.parsers.pdm_lock import parse_pdm_lock
from codegenie_core.parsers.pipfile_lock import parse_pipfile_lock
from codegenie_core.parsers.poetry_lock import parse_poetry_lock
from codegenie_core.parsers.python_setup import parse_pipfile, parse_setup_cfg, parse_setup_py
from codegenie_core.parsers.uv_lock import parse_uv_lock
from tests.strategies import (
    PythonLockRows,
    edited_texts,
    python_lock_rows,
    render_pdm_lock,
    render_pipfile_lock,
    render_poetry_lock,
    render_uv_lock,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles"
Reader = Callable[[str, object], Parsed[Lock]]
FORMATS: list[tuple[str, Reader, Callable[[PythonLockRows], str], bool]] = [
    ("poetry.lock", parse_poetry_lock, render_poetry_lock, True),
    ("uv.lock", parse_uv_lock, render_uv_lock, True),
    ("pdm.lock", parse_pdm_lock, render_pdm_lock, True),
    ("Pipfile.lock", parse_pipfile_lock, render_pipfile_lock, False),  # pipenv records no edges
]


def _seen(lock: Lock) -> PythonLockRows:
    return sorted(
        (p.name, p.version, tuple(sorted(r.name for r in p.dependencies))) for p in lock.packages
    )


@given(python_lock_rows(), st.sampled_from(FORMATS))
def test_a_rendered_lock_parses_back_to_its_packages_and_requirements(
    rows: PythonLockRows, fmt: tuple[str, Reader, Callable[[PythonLockRows], str], bool]
) -> None:
    path, read, render, edges = fmt
    parsed = read(path, render(rows))

    assert parsed.problems == ()
    assert parsed.value is not None
    expected = sorted((n, v, d if edges else ()) for n, v, d in rows)
    assert _seen(parsed.value) == expected
    assert parsed.value.known_version


LOCK_TEXTS = [
    (name, reader, (FIXTURES / directory / name).read_text(encoding="utf-8"))
    for directory, name, reader in [
        ("poetry-2", "poetry.lock", parse_poetry_lock),
        ("poetry-1", "poetry.lock", parse_poetry_lock),
        ("uv", "uv.lock", parse_uv_lock),
        ("pdm", "pdm.lock", parse_pdm_lock),
        ("pipfile", "Pipfile.lock", parse_pipfile_lock),
    ]
]


@given(
    st.sampled_from(LOCK_TEXTS).flatmap(
        lambda item: st.tuples(st.just(item), edited_texts(item[2]) | st.text(max_size=200))
    )
)
def test_a_lock_reader_never_raises_on_mutated_or_arbitrary_text(
    case: tuple[tuple[str, Reader, str], str],
) -> None:
    (name, read, _), text = case
    parsed = read(name, text)

    assert parsed.value is not None or parsed.problems


MANIFEST_TEXTS = [
    (parse_setup_cfg, "[metadata]\nname = a\n[options]\ninstall_requires =\n    b>=1\n    c==2\n"),
    (parse_setup_py, "from setuptools import setup\nsetup(name='a', install_requires=['b>=1'])\n"),
    (
        parse_pipfile,
        '[packages]\nb = "*"\nc = {version = "==2"}\n[requires]\npython_version = "3"\n',
    ),
]


@given(
    st.sampled_from(MANIFEST_TEXTS).flatmap(
        lambda item: st.tuples(st.just(item[0]), edited_texts(item[1]) | st.text(max_size=200))
    )
)
def test_a_static_manifest_reader_never_raises_on_mutated_or_arbitrary_text(
    case: tuple[Callable[[str], Parsed[object]], str],
) -> None:
    parse, text = case
    parsed = parse(text)

    assert parsed.value is not None or parsed.problems
