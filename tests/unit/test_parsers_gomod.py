"""go.mod by its line grammar: directives, blocks, comments, replace, problems."""

from __future__ import annotations

from codegenie_core.parsers.gomod import parse_go_mod
from codegenie_core.parsers.manifest_model import Dependency, GoReplace, ManifestProblem

GO_MOD = """\
// The greet CLI.
module github.com/example/greet // trailing comment

go 1.22.1
toolchain go1.22.4

require github.com/spf13/cobra v1.8.0

require (
\tgolang.org/x/text v0.15.0
\tgithub.com/spf13/pflag v1.0.5 // indirect
\t"example.com/quoted path" v0.1.0
)

exclude golang.org/x/net v0.1.0

replace (
\tgolang.org/x/text v0.15.0 => golang.org/x/text v0.14.0
\texample.com/local => ../local
)

retract v1.0.0 // published by mistake
"""


def test_module_go_and_toolchain() -> None:
    module = parse_go_mod(GO_MOD).value

    assert module is not None
    assert (module.module, module.go, module.toolchain) == (
        "github.com/example/greet",
        "1.22.1",
        "go1.22.4",
    )


def test_require_lines_and_blocks_with_indirect_marks() -> None:
    module = parse_go_mod(GO_MOD).value

    assert module is not None
    assert module.dependencies == (
        Dependency(name="github.com/spf13/pflag", spec="v1.0.5", scope="indirect", indirect=True),
        Dependency(name="example.com/quoted path", spec="v0.1.0", scope="require"),
        Dependency(name="github.com/spf13/cobra", spec="v1.8.0", scope="require"),
        Dependency(name="golang.org/x/text", spec="v0.15.0", scope="require"),
    )


def test_replace_and_exclude_are_noted() -> None:
    module = parse_go_mod(GO_MOD).value

    assert module is not None
    assert module.replaces == (
        GoReplace(old="example.com/local", new="../local"),
        GoReplace(old="golang.org/x/text v0.15.0", new="golang.org/x/text v0.14.0"),
    )
    assert module.excludes == ("golang.org/x/net v0.1.0",)


def test_the_fixture_grammar_reads_without_problems() -> None:
    assert parse_go_mod(GO_MOD).problems == ()


def test_unknown_directives_malformed_lines_and_unclosed_blocks_are_problems() -> None:
    parsed = parse_go_mod("module m\nfrobnicate x\nrequire a\nrequire (\n\tb v1\n")

    assert parsed.problems == (
        ManifestProblem(message="unknown directive 'frobnicate'", line=2),
        ManifestProblem(message="malformed require directive: 'require a'", line=3),
        ManifestProblem(message="require block is not closed with ')'", line=4),
    )
    assert parsed.value is not None
    assert parsed.value.dependencies == (Dependency(name="b", spec="v1", scope="require"),)


def test_a_go_mod_without_module_is_a_problem() -> None:
    assert parse_go_mod("go 1.21\n").problems == (ManifestProblem(message="no module directive"),)
