"""Go's resolved dependencies: go.mod requires, go.sum lines, go.work workspaces.

The rules are the Go modules reference's (go.dev/ref/mod):
Rule 1: a `require` names the version minimal version selection picked: the go command keeps
go.mod's requirements at the selected versions ("the go command automatically updates go.mod
... to record the selected versions", #go-mod-file-updates), and from `go 1.17` on "the go.mod
file includes an explicit require directive for every module that provides any package
transitively imported by a package or test in the main module", marked `// indirect` when the
main module does not import it (#graph-pruning). So a require is `Declared.pinned`, and
`// indirect` is `direct=False`. Below 1.17 indirect requirements may be missing: a reason.
Rule 2: `replace old [v] => new [v]` (#go-mod-file-replace): a replacement with a version on the
left replaces only that version and wins over one without; "if the path on the right side of the
arrow is an absolute or relative path (beginning with ./ or ../), it is interpreted as the local
file path" (`source="path:<dir>"`, relative to the file's directory); otherwise the module is
resolved to the right side's version. go.work's replaces "override replaces of the same module
or module version in workspace modules" (#go-work-file-replace).
Rule 3: go.sum has one line per `module version[/go.mod] hash` (#go-sum-files); the go command
refuses to use a module whose checksum is missing, so a required module@version (after
replacement; directory replacements have none) with no line is a reason.
Rule 4: go.work (#go-work-file) has `go`, `toolchain`, `godebug`, `use` and `replace`
directives, each single or in a `( ... )` block, by go.mod's lexical grammar; a `use` directory
is a workspace module when it has a go.mod, else a reason. A require of another workspace
module resolves to that directory (`source="workspace:<dir>"`).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence

import attrs

from codegenie_core.parsers.gomod import directives, parse_replace
from codegenie_core.parsers.inventory import Declared, Reason, Workspace
from codegenie_core.parsers.lock_model import member_dir
from codegenie_core.parsers.manifest_model import (
    Dependency,
    GoModule,
    GoReplace,
    ManifestProblem,
    Parsed,
)

__all__ = [
    "GoSum",
    "GoSumLine",
    "GoWork",
    "GoWorkspaceFacts",
    "go_declared",
    "go_workspaces",
    "parse_go_sum",
    "parse_go_work",
    "render_go_sum",
    "render_go_work",
]

_WORK_VERBS = frozenset({"go", "toolchain", "godebug", "use", "replace"})


@attrs.frozen(kw_only=True)
class GoSumLine:
    module: str
    version: str
    go_mod: bool  # the line is the checksum of the module's go.mod only (`version/go.mod`)
    hash: str


@attrs.frozen(kw_only=True)
class GoSum:
    lines: tuple[GoSumLine, ...]  # sorted


@attrs.frozen(kw_only=True)
class GoWork:
    go: str | None
    toolchain: str | None
    uses: tuple[str, ...]  # as written, in file order
    replaces: tuple[GoReplace, ...]


def parse_go_sum(text: str) -> Parsed[GoSum]:
    """Rule 3: one `module version[/go.mod] hash` per line; any other line is a problem."""
    lines: list[GoSumLine] = []
    problems: list[ManifestProblem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split()
        if not fields:
            continue
        if len(fields) != len(("module", "version", "hash")):
            problems.append(ManifestProblem(message="not a go.sum line", line=number))
            continue
        module, version, digest = fields
        go_mod = version.endswith("/go.mod")
        lines.append(
            GoSumLine(
                module=module,
                version=version.removesuffix("/go.mod"),
                go_mod=go_mod,
                hash=digest,
            )
        )
    ordered = sorted(lines, key=lambda x: (x.module, x.version, x.go_mod, x.hash))
    return Parsed(value=GoSum(lines=tuple(ordered)), problems=tuple(problems))


def render_go_sum(value: GoSum) -> str:
    return "".join(
        f"{x.module} {x.version}{'/go.mod' if x.go_mod else ''} {x.hash}\n" for x in value.lines
    )


def parse_go_work(text: str) -> Parsed[GoWork]:
    """Rule 4: go.work by go.mod's line grammar (an unknown verb or malformed line is a problem
    and parsing goes on)."""
    problems: list[ManifestProblem] = []
    go = toolchain = None
    uses: list[str] = []
    replaces: list[GoReplace] = []
    for number, verb, args, _comment, _raw in directives(text, _WORK_VERBS, problems):
        match verb:
            case "go" if len(args) == 1:
                go = args[0]
            case "toolchain" if len(args) == 1:
                toolchain = args[0]
            case "use" if len(args) == 1:
                uses.append(args[0])
            case "godebug":
                pass  # known, and not a fact this reader reports
            case "replace" if (replace := parse_replace(args)) is not None:
                replaces.append(replace)
            case _:
                problems.append(ManifestProblem(message=f"malformed {verb} directive", line=number))
    return Parsed(
        value=GoWork(go=go, toolchain=toolchain, uses=tuple(uses), replaces=tuple(replaces)),
        problems=tuple(problems),
    )


def render_go_work(value: GoWork) -> str:
    out: list[str] = []
    if value.go is not None:
        out.append(f"go {value.go}\n")
    if value.toolchain is not None:
        out.append(f"toolchain {value.toolchain}\n")
    if value.uses:
        out.append("use (\n" + "".join(f"\t{u}\n" for u in value.uses) + ")\n")
    out.extend(f"replace {r.old} => {r.new}\n" for r in value.replaces)
    return "".join(out)


def _dir(path: str) -> str:
    return posixpath.dirname(path) or "."


def _replacement(
    dependency: Dependency, replaces: Sequence[tuple[str, GoReplace]]
) -> tuple[str, GoReplace] | None:
    """Rule 2: the replace for a required module@version (with the file it is written in):
    the first list wins (go.work before go.mod), a versioned left side before a bare one."""
    exact = f"{dependency.name} {dependency.spec}"
    for wanted in (exact, dependency.name):
        for written_in, replace in replaces:
            if replace.old == wanted:
                return written_in, replace
    return None


def _is_directory(new: str) -> bool:
    return new.startswith(("./", "../", "/")) or new in (".", "..")


def go_declared(
    path: str,
    module: GoModule,
    work: tuple[str, GoWork] | None = None,
    workspace_modules: Mapping[str, str] | None = None,
) -> list[Declared]:
    """Rules 1, 2 and 4: a go.mod's requires as declared dependencies (under `work`, the go.work
    governing it, with the workspace's module paths -> their directories)."""
    replaces = [(work[0], r) for r in work[1].replaces] if work is not None else []
    replaces.extend((path, r) for r in module.replaces)
    out: list[Declared] = []
    for dependency in module.dependencies:
        declared = Declared(
            ecosystem="golang",
            manifest=path,
            member=_dir(path),
            dependency=dependency,
            pinned=dependency.spec,
            direct=not dependency.indirect,
        )
        member = (workspace_modules or {}).get(dependency.name)
        found = _replacement(dependency, replaces)
        if member is not None and member != _dir(path):
            declared = attrs.evolve(
                declared, source=f"workspace:{member}", notes=("a module of the go.work workspace",)
            )
        elif found is not None:
            written_in, replace = found
            target = replace.new.split(" ")
            if len(target) == 1 and _is_directory(target[0]):
                where = member_dir(written_in, target[0])
                declared = attrs.evolve(
                    declared,
                    effective_spec=replace.new,
                    source=f"path:{where}" if where is not None else None,
                    notes=(f"replaced by the directory {replace.new} ({written_in})",)
                    + (() if where is not None else ("the directory is outside the repository",)),
                )
            elif len(target) == len(("module", "version")):
                declared = attrs.evolve(
                    declared,
                    effective_spec=replace.new,
                    pinned=target[1],
                    notes=(f"replaced by {replace.new} ({written_in})",),
                )
        out.append(declared)
    return out


def _go_version_below_1_17(go: str | None) -> bool:
    if go is None:
        return True  # go.mod without `go` is read as go 1.16 (#go-mod-file-go)
    parts = go.split(".")
    try:
        major, minor = int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        return False
    return (major, minor) < (1, 17)


def _checksummed(declared: Declared) -> tuple[str, str] | None:
    """Rule 3: the module@version go.sum must hold for a requirement, None for a directory."""
    if declared.source is not None:
        return None  # a directory replacement or a workspace module: no checksum
    if declared.effective_spec is not None:
        new_module, _, new_version = declared.effective_spec.partition(" ")
        return (new_module, new_version) if new_version else None  # a directory: no checksum
    return declared.dependency.name, declared.dependency.spec


@attrs.frozen(kw_only=True)
class GoWorkspaceFacts:
    workspaces: tuple[Workspace, ...]
    rewrites: dict[tuple[str, str, str], Declared]
    reasons: tuple[Reason, ...]
    problems: tuple[tuple[str, ManifestProblem], ...]  # (path, problem)


def go_workspaces(
    modules: Mapping[str, GoModule], files: Sequence[str], texts: Mapping[str, str]
) -> GoWorkspaceFacts:
    """Rules 1-4 over the parsed go.mod files (by path), the repository's files, and the text
    of each readable go.sum and go.work."""
    problems: list[tuple[str, ManifestProblem]] = []
    reasons: list[Reason] = []
    present = set(files)
    workspaces: list[Workspace] = []
    work_of: dict[str, tuple[str, GoWork]] = {}  # go.mod path -> its go.work
    paths_of: dict[str, dict[str, str]] = {}  # go.work path -> module path -> directory
    for work_path in sorted(p for p in texts if posixpath.basename(p) == "go.work"):
        parsed = parse_go_work(texts[work_path])
        problems.extend((work_path, p) for p in parsed.problems)
        work = parsed.value
        if work is None:
            continue
        members: list[str] = []
        unmatched: list[str] = []
        for use in work.uses:
            directory = member_dir(work_path, use)
            gomod = "go.mod" if directory == "." else f"{directory}/go.mod"
            if directory is None or gomod not in present:
                unmatched.append(use)
                reasons.append(
                    Reason(subject=f"{work_path}: {use}", reason="a `use` directory with no go.mod")
                )
                continue
            members.append(directory)
            work_of[gomod] = (work_path, work)
        by_module = {
            m.module: _dir(p)
            for p, m in modules.items()
            if work_of.get(p, ("",))[0] == work_path and m.module is not None
        }
        paths_of[work_path] = by_module
        depends = {
            _dir(p): tuple(
                sorted(
                    {by_module[d.name] for d in m.dependencies if d.name in by_module} - {_dir(p)}
                )
            )
            for p, m in modules.items()
            if work_of.get(p, ("",))[0] == work_path
        }
        workspaces.append(
            Workspace(
                tool="go",
                root=work_path,
                patterns=work.uses,
                members=tuple(sorted(set(members))),
                unmatched=tuple(unmatched),
                depends={k: v for k, v in sorted(depends.items()) if v},
            )
        )
    rewrites: dict[tuple[str, str, str], Declared] = {}
    for path, module in sorted(modules.items()):
        work = work_of.get(path)
        base = go_declared(path, module)
        declared = go_declared(path, module, work, paths_of.get(work[0]) if work else None)
        if _go_version_below_1_17(module.go) and module.dependencies:
            reasons.append(
                Reason(
                    subject=path,
                    reason=f"go {module.go or '(none)'} < 1.17: go.mod need not list every "
                    "indirect dependency, so some modules may be absent",
                )
            )
        go_sum_path = "go.sum" if _dir(path) == "." else f"{_dir(path)}/go.sum"
        go_sum = parse_go_sum(texts[go_sum_path]) if go_sum_path in texts else None
        if go_sum is not None:
            problems.extend((go_sum_path, p) for p in go_sum.problems)
        wanted = [(i, key) for i, d in enumerate(declared) if (key := _checksummed(d)) is not None]
        if go_sum is None or go_sum.value is None:
            if wanted:
                reasons.append(
                    Reason(
                        subject=path,
                        reason=f"no go.sum beside it: {len(wanted)} required module(s) have no "
                        "checksum",
                    )
                )
        else:
            index = {(x.module, x.version) for x in go_sum.value.lines}
            for i, key in wanted:
                if key in index:
                    continue
                note = f"go.sum has no line for {key[0]}@{key[1]}"
                d = declared[i]
                reasons.append(Reason(subject=f"{path}: {d.dependency.name}", reason=note))
                declared[i] = attrs.evolve(d, notes=(*d.notes, note))
        for before, after in zip(base, declared, strict=True):
            if before != after:
                dependency = after.dependency
                rewrites[(path, dependency.name, dependency.scope)] = after
    return GoWorkspaceFacts(
        workspaces=tuple(workspaces),
        rewrites=rewrites,
        reasons=tuple(reasons),
        problems=tuple(problems),
    )
