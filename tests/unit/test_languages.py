"""The pure language and origin tables."""

from __future__ import annotations

import pytest

from codegenie_core.languages import has_no_extension, language_of, origin_of


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("src/app.py", "Python"),
        ("web/App.TSX", "TypeScript"),
        ("Dockerfile", "Dockerfile"),
        ("deploy/Dockerfile.prod", "Dockerfile"),
        ("images/api.dockerfile", "Dockerfile"),
        ("Makefile", "Makefile"),
        ("ci/Jenkinsfile", "Groovy"),
        ("CMakeLists.txt", "CMake"),
        ("notes.txt", None),
        (".gitignore", None),
        ("LICENSE", None),
        ("archive.tar.gz", None),
    ],
)
def test_a_language_comes_from_the_name_then_the_extension(path: str, language: str | None) -> None:
    assert language_of(path) == language


@pytest.mark.parametrize(
    ("path", "origin"),
    [
        ("vendor/github.com/x/y.go", "vendored"),
        ("web/node_modules/react/index.js", "vendored"),
        ("third_party/lib/dist/x.min.js", "vendored"),  # vendored beats generated
        ("static/app.min.js", "generated"),
        ("api/service_pb2.py", "generated"),
        ("api/service.pb.go", "generated"),
        ("src/schema.generated.ts", "generated"),
        ("package-lock.json", "generated"),
        ("sub/go.sum", "generated"),
        ("dist/bundle.js", "generated"),
        (".codegenie/index/scip-python/index.scip", "generated"),
        ("src/vendors.py", "source"),
        ("src/build_tools.py", "source"),
        ("package.json", "source"),
    ],
)
def test_vendored_beats_generated_beats_source(path: str, origin: str) -> None:
    assert origin_of(path) == origin


def test_only_a_name_without_a_dot_or_a_known_name_is_extension_less() -> None:
    names = ["bin/tool", "LICENSE", ".gitignore", "a/.envrc", "x.py", "Makefile", "Dockerfile"]
    assert [has_no_extension(name) for name in names] == [
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]
