"""pyproject.toml (PEP 621, PEP 735, Poetry) and requirements files."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core.parsers.manifest_model import Dependency, ManifestProblem, pep503
from codegenie_core.parsers.python_manifest import (
    parse_pyproject,
    parse_requirement,
    parse_requirements_txt,
)

PEP621 = """
[project]
name = "My_Service.API"
version = "2.0.1"
requires-python = ">=3.11"
dependencies = [
  "requests[socks,security] >=2.31, <3",
  "tomli>=2; python_version < '3.11'",
  "pkg @ https://example.com/pkg-1.0.tar.gz",
]

[project.optional-dependencies]
docs = ["Sphinx==7.3.7"]

[dependency-groups]
test = ["pytest>=8", {include-group = "docs"}]
"""

POETRY = """
[tool.poetry]
name = "worker"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.11"
Redis = "^5.0"
pydantic = { version = "^2.7", extras = ["email"], markers = "sys_platform == 'linux'" }
shared = { path = "../shared" }
multi = [{ version = "<2", python = "<3.12" }, { version = ">=2", python = ">=3.12" }]

[tool.poetry.dev-dependencies]
black = "^24"

[tool.poetry.group.lint.dependencies]
ruff = "^0.6"
"""


def test_pep503_normalizes_case_and_separator_runs() -> None:
    assert [pep503(n) for n in ("My_Service.API", "a--b__c", "Flask")] == [
        "my-service-api",
        "a-b-c",
        "flask",
    ]


def test_pep621_project_table() -> None:
    manifest = parse_pyproject(PEP621).value

    assert manifest is not None
    assert (manifest.kind, manifest.name, manifest.version, manifest.requires_python) == (
        "pep621",
        "my-service-api",
        "2.0.1",
        ">=3.11",
    )
    assert manifest.dependencies == (
        Dependency(name="sphinx", spec="==7.3.7", scope="extra:docs", groups=("extra:docs",)),
        Dependency(name="pytest", spec=">=8", scope="group:test", groups=("group:test",)),
        Dependency(name="pkg", spec="@ https://example.com/pkg-1.0.tar.gz", scope="runtime"),
        Dependency(
            name="requests", spec=">=2.31, <3", scope="runtime", extras=("security", "socks")
        ),
        Dependency(name="tomli", spec=">=2", scope="runtime", marker="python_version < '3.11'"),
    )


def test_poetry_dependencies_with_tables_lists_and_groups() -> None:
    manifest = parse_pyproject(POETRY).value

    assert manifest is not None
    assert (manifest.kind, manifest.name, manifest.requires_python) == ("poetry", "worker", "^3.11")
    assert manifest.dependencies == (
        Dependency(name="black", spec="^24", scope="dev", groups=("group:dev",)),
        Dependency(name="ruff", spec="^0.6", scope="group:lint", groups=("group:lint",)),
        Dependency(name="multi", spec="<2 | >=2", scope="runtime"),
        Dependency(
            name="pydantic",
            spec="^2.7",
            scope="runtime",
            extras=("email",),
            marker="sys_platform == 'linux'",
        ),
        Dependency(name="redis", spec="^5.0", scope="runtime"),
        Dependency(name="shared", spec="path:../shared", scope="runtime"),
    )


def test_a_pyproject_with_only_tool_config_is_kind_other() -> None:
    manifest = parse_pyproject("[tool.ruff]\nline-length = 100\n").value

    assert manifest is not None and (manifest.kind, manifest.dependencies) == ("other", ())


def test_a_toml_syntax_error_has_line_and_column() -> None:
    parsed = parse_pyproject('[project]\nname = "x"\nversion = \n')

    assert parsed.value is None
    assert [(p.line, p.column) for p in parsed.problems] == [(3, 11)]


def test_a_dependency_that_is_not_pep508_is_a_problem() -> None:
    parsed = parse_pyproject('[project]\nname = "x"\ndependencies = ["not a requirement", 3]\n')

    assert parsed.problems == (
        ManifestProblem(message="not a PEP 508 requirement: 'not a requirement'"),
        ManifestProblem(message="not a PEP 508 requirement: 3"),
    )


REQUIREMENTS = """\
# Runtime pins
-r base.txt
--constraint constraints.txt
--index-url https://pypi.example.com/simple
Django>=4.2,<5  # LTS
requests[socks]==2.32.3 ; python_version >= "3.8" \\
    --hash=sha256:abc
-e git+https://github.com/acme/lib.git#egg=acme_lib
./vendored/pkg
zope.interface
"""


def test_requirements_comments_includes_markers_extras_and_continuations() -> None:
    parsed = parse_requirements_txt(REQUIREMENTS)

    assert parsed.value is not None
    assert parsed.value.includes == ("-r base.txt", "-c constraints.txt")
    assert parsed.value.dependencies == (
        Dependency(name="./vendored/pkg", spec="./vendored/pkg", scope="requirements"),
        Dependency(
            name="acme-lib",
            spec="editable git+https://github.com/acme/lib.git#egg=acme_lib",
            scope="requirements",
        ),
        Dependency(name="django", spec=">=4.2,<5", scope="requirements"),
        Dependency(
            name="requests",
            spec="==2.32.3",
            scope="requirements",
            extras=("socks",),
            marker='python_version >= "3.8"',
        ),
        Dependency(name="zope-interface", spec="", scope="requirements"),
    )
    assert parsed.problems == (
        ManifestProblem(message="requirement without a project name: './vendored/pkg'", line=9),
    )


def test_an_unknown_option_and_a_non_requirement_are_problems_with_lines() -> None:
    parsed = parse_requirements_txt("--frobnicate\nflask\nthis is prose\n")

    assert parsed.problems == (
        ManifestProblem(message="unknown option '--frobnicate'", line=1),
        ManifestProblem(message="not a requirement: 'this is prose'", line=3),
    )


def test_a_hash_sign_inside_a_url_is_not_a_comment() -> None:
    dependency = parse_requirement("pkg @ https://h/x.whl#sha256=1", scope="runtime")

    assert dependency == Dependency(name="pkg", spec="@ https://h/x.whl#sha256=1", scope="runtime")


def test_a_named_url_requirement_in_a_requirements_file_keeps_its_name() -> None:
    parsed = parse_requirements_txt("pkg@https://h/pkg.whl\nother @ file:///x\n")

    assert parsed.value is not None and parsed.problems == ()
    assert parsed.value.dependencies == (
        Dependency(name="other", spec="@ file:///x", scope="requirements"),
        Dependency(name="pkg", spec="@https://h/pkg.whl", scope="requirements"),
    )


@given(st.text(alphabet=st.sampled_from("aZz09-_.-ßİǅ"), max_size=12))
def test_pep503_is_the_definition_for_every_name_already_normal_or_not(name: str) -> None:
    assert pep503(name) == re.sub(r"[-_.]+", "-", name).lower()
