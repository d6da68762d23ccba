"""Go's resolved dependencies (codegenie_core.parsers.go_inventory): requires as pinned selected
versions, replaces, go.sum lines, go.work workspaces; round-trip and never-raises properties."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from codegenie_core.parsers.go_inventory import (
    GoSum,
    GoSumLine,
    GoWork,
    go_declared,
    go_workspaces,
    parse_go_sum,
    parse_go_work,
    render_go_sum,
    render_go_work,
)
from codegenie_core.parsers.gomod import parse_go_mod
from codegenie_core.parsers.manifest_model import GoModule, GoReplace
from tests.strategies import go_module_paths, go_sum_lines, go_versions, go_work_dirs


def _module(text: str) -> GoModule:
    parsed = parse_go_mod(text)
    assert parsed.value is not None
    return parsed.value


GO_MOD = """module example.com/app

go 1.22

require (
\tgithub.com/a/direct v1.2.0
\tgithub.com/b/local v0.3.0
\tgithub.com/c/versioned v1.0.0
\tgithub.com/d/indirect v0.1.0 // indirect
)

replace github.com/b/local => ../outside-or-not
replace github.com/c/versioned v1.0.0 => github.com/c/fork v1.0.1
replace github.com/c/versioned => github.com/c/versioned v9.9.9
"""


def test_requires_are_pinned_indirect_is_not_direct_and_replaces_apply() -> None:
    declared = {d.dependency.name: d for d in go_declared("svc/go.mod", _module(GO_MOD))}
    direct = declared["github.com/a/direct"]
    assert (direct.pinned, direct.direct, direct.source, direct.member) == (
        "v1.2.0",
        True,
        None,
        "svc",
    )
    assert not declared["github.com/d/indirect"].direct
    local = declared["github.com/b/local"]
    assert (local.source, local.effective_spec) == ("path:outside-or-not", "../outside-or-not")
    # a replace naming the version wins over one without
    versioned = declared["github.com/c/versioned"]
    assert (versioned.pinned, versioned.effective_spec) == ("v1.0.1", "github.com/c/fork v1.0.1")
    # a directory leaving the repository: no source, and a note saying so
    outside = go_declared("go.mod", _module(GO_MOD))
    assert next(d for d in outside if d.dependency.name == "github.com/b/local").source is None


def test_go_sum_lines_missing_for_a_required_module_version_are_reasons() -> None:
    module = _module(GO_MOD)
    go_sum = (
        "github.com/a/direct v1.2.0/go.mod h1:x=\n"
        "github.com/c/fork v1.0.1 h1:y=\n"
        "github.com/d/indirect v0.0.9 h1:z=\n"
    )
    facts = go_workspaces({"go.mod": module}, ["go.mod", "go.sum"], {"go.sum": go_sum})
    assert [(r.subject, r.reason) for r in facts.reasons] == [
        ("go.mod: github.com/d/indirect", "go.sum has no line for github.com/d/indirect@v0.1.0")
    ]
    rewritten = facts.rewrites[("go.mod", "github.com/d/indirect", "indirect")]
    assert rewritten.notes == ("go.sum has no line for github.com/d/indirect@v0.1.0",)
    missing = go_workspaces({"go.mod": module}, ["go.mod"], {})
    assert [r.reason for r in missing.reasons] == [
        "no go.sum beside it: 3 required module(s) have no checksum"
    ]


def test_an_old_go_directive_is_a_reason_indirect_modules_may_be_absent() -> None:
    facts = go_workspaces(
        {"go.mod": _module("module m\n\ngo 1.16\n\nrequire x.io/y v1.0.0\n")},
        ["go.mod", "go.sum"],
        {"go.sum": "x.io/y v1.0.0 h1:a=\n"},
    )
    assert [r.reason.split(":")[0] for r in facts.reasons] == ["go 1.16 < 1.17"]


def test_go_work_uses_single_and_block_form_replaces_and_members() -> None:
    work = parse_go_work(
        'go 1.22\ntoolchain go1.22.4\n\nuse (\n\t./a\n\t"./b" // quoted\n)\nuse ./gone\n'
        "godebug default=go1.21\nreplace x.io/y v1.0.0 => ./y\nbogus line\n"
    )
    assert work.value == GoWork(
        go="1.22",
        toolchain="go1.22.4",
        uses=("./a", "./b", "./gone"),
        replaces=(GoReplace(old="x.io/y v1.0.0", new="./y"),),
    )
    assert [(p.message, p.line) for p in work.problems] == [("unknown directive 'bogus'", 11)]
    modules = {
        "a/go.mod": _module(
            "module ex.com/a\n\ngo 1.22\n\nrequire (\n\tex.com/b v0.0.0\n\tx.io/y v1.0.0\n)\n"
            "replace x.io/y => x.io/y v1.5.0\n"
        ),
        "b/go.mod": _module("module ex.com/b\n\ngo 1.22\n"),
    }
    text = render_go_work(work.value) if work.value is not None else ""
    facts = go_workspaces(modules, [*modules, "go.work"], {"go.work": text})
    (workspace,) = facts.workspaces
    assert (workspace.tool, workspace.root, workspace.members, workspace.unmatched) == (
        "go",
        "go.work",
        ("a", "b"),
        ("./gone",),
    )
    assert workspace.depends == {"a": ("b",)}
    b = facts.rewrites[("a/go.mod", "ex.com/b", "require")]
    assert b.source == "workspace:b"
    # go.work's replace overrides the module's own replace of the same module
    y = facts.rewrites[("a/go.mod", "x.io/y", "require")]
    assert (y.source, y.pinned) == ("path:y", "v1.0.0")
    assert "go.work: ./gone" in {r.subject for r in facts.reasons}


@settings(max_examples=60)
@given(go_sum_lines)
def test_go_sum_round_trip(lines: list[tuple[str, str, bool, str]]) -> None:
    value = GoSum(
        lines=tuple(
            sorted(
                {GoSumLine(module=m, version=v, go_mod=g, hash=h) for m, v, g, h in lines},
                key=lambda x: (x.module, x.version, x.go_mod, x.hash),
            )
        )
    )
    assert parse_go_sum(render_go_sum(value)).value == value


@settings(max_examples=60)
@given(
    st.none() | st.sampled_from(["1.21", "1.22.3"]),
    st.lists(go_work_dirs, max_size=4),
    st.lists(
        st.tuples(
            go_module_paths, st.none() | go_versions, go_work_dirs | go_module_paths, go_versions
        ),
        max_size=3,
    ),
)
def test_go_work_round_trip(
    go: str | None, uses: list[str], replaces: list[tuple[str, str | None, str, str]]
) -> None:
    value = GoWork(
        go=go,
        toolchain=None,
        uses=tuple(uses),
        replaces=tuple(
            GoReplace(
                old=f"{old} {v}" if v else old,
                new=new if new.startswith("./") else f"{new} {nv}",
            )
            for old, v, new, nv in replaces
        ),
    )
    parsed = parse_go_work(render_go_work(value))
    assert (parsed.value, parsed.problems) == (value, ())


@settings(max_examples=100)
@given(st.text(max_size=300))
def test_go_sum_and_go_work_never_raise_and_report_problems(text: str) -> None:
    for parsed in (parse_go_sum(text), parse_go_work(text)):
        assert parsed.value is not None
        for problem in parsed.problems:
            assert problem.line is None or problem.line >= 1
    go_workspaces({}, ["go.work", "go.sum"], {"go.work": text, "go.sum": text})
