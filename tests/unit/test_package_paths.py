"""`parsers.package_paths` (ADR-0074): which installed package a traced path belongs to."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.parsers.package_paths import (
    MAX_PATH_CHARS,
    EcosystemSeen,
    PackageSeen,
    PathSeen,
    Refused,
    package_of,
)
from tests.strategies import forged_package_paths, package_paths


def _code(ecosystem: str, name: str) -> PackageSeen:
    return PackageSeen(ecosystem=ecosystem, name=name, evidence="code")  # type: ignore[arg-type]  # Literal from a test table


@pytest.mark.parametrize(
    ("path", "seen"),
    [
        ("/usr/lib/python3/dist-packages/requests/__init__.py", _code("pypi", "requests")),
        ("/venv/lib/python3.11/site-packages/Foo_Bar/x.py", _code("pypi", "foo-bar")),
        ("/v/site-packages/six.py", _code("pypi", "six")),
        (
            "/v/site-packages/_cffi_backend.cpython-311-x86_64-linux-gnu.so",
            _code("pypi", "cffi-backend"),
        ),
        ("/v/site-packages/__pycache__/six.cpython-311.pyc", _code("pypi", "six")),
        ("/v/site-packages/numpy.libs/libgfortran.so.5", _code("pypi", "numpy")),
        (
            "/v/site-packages/zope.interface-5.0-py3.11.egg/zope/x.py",
            _code("pypi", "zope-interface"),
        ),
        (
            "/v/site-packages/Typing_Extensions-4.9.0.dist-info/METADATA",
            PackageSeen(ecosystem="pypi", name="typing-extensions", evidence="metadata"),
        ),
        (
            "/v/site-packages/tiny.egg-info/PKG-INFO",
            PackageSeen(ecosystem="pypi", name="tiny", evidence="metadata"),
        ),
        ("/v/site-packages/distutils-precedence.pth", EcosystemSeen(ecosystem="pypi")),
        ("/v/site-packages", EcosystemSeen(ecosystem="pypi")),
        ("/app/node_modules/express/index.js", _code("npm", "express")),
        ("node_modules/@types/node/index.d.ts", _code("npm", "@types/node")),
        ("/app/node_modules/a/node_modules/b/lib/x.js", _code("npm", "b")),
        (
            "/app/node_modules/.pnpm/left-pad@1.3.0/node_modules/left-pad/index.js",
            _code("npm", "left-pad"),
        ),
        ("/app/node_modules/.package-lock.json", EcosystemSeen(ecosystem="npm")),
        ("/app/node_modules/.bin/tsc", EcosystemSeen(ecosystem="npm")),
        (
            "/app/node_modules/left-pad/package.json",
            PackageSeen(ecosystem="npm", name="left-pad", evidence="metadata"),
        ),
        ("/app/node_modules/@scope", EcosystemSeen(ecosystem="npm")),
        ("/etc/passwd", None),
        ("/srv/my-site-packages-notes.txt", None),
    ],
)
def test_a_path_names_the_package_its_layout_says(path: str, seen: PathSeen | None) -> None:
    assert package_of(path) == seen


@pytest.mark.parametrize(
    "path",
    [
        "/app/node_modules/../../etc/passwd",
        "/usr/lib/python3/site-packages/../../../x.py",
        "/app/node_modules/x/../../y/z.js",
        "/v/site-packages/evil;rm -rf/x.py",
        "/app/node_modules/@s$cope/n/x.js",
        "/app/node_modules/" + "a" * 300 + "/x.js",
        "/v/site-packages/x/" + "y/" * 300 + "z.py",
        "/node_modules/" + "x" * MAX_PATH_CHARS,
    ],
)
def test_a_forged_or_malformed_package_path_is_refused(path: str) -> None:
    assert isinstance(package_of(path), Refused)


@given(package_paths())
def test_any_installed_package_path_maps_back_to_its_package(case: tuple[str, str, str]) -> None:
    path, ecosystem, name = case
    assert package_of(path) == _code(ecosystem, name)


@given(forged_package_paths())
def test_a_path_with_dot_dot_is_never_a_package(path: str) -> None:
    assert not isinstance(package_of(path), PackageSeen | EcosystemSeen)


@given(st.text(max_size=300))
def test_any_text_is_answered_without_raising(text: str) -> None:
    package_of(text)
    package_of("/node_modules/" + text)
    package_of("/site-packages/" + text + "/x.py")
