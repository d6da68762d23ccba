"""The .NET workspace reader: solutions, project references and central package versions.

Rule 1: a solution (`*.sln`) lists its projects as `Project("{type}") = "Name", "path", "{id}"`
lines (paths with `\\`); each project whose file is in the repository is a member (its
directory), one that is not is `unmatched` with a reason. Members depend on the members their
`<ProjectReference>`s name.
Rule 2: NuGet's central package management: a `<PackageReference>` without a version takes the
`<PackageVersion>` of the nearest `Directory.Packages.props` in its directory or an ancestor (the
file MSBuild imports); the inventory records it as the effective spec. No such version is a
reason, since NuGet itself would refuse the project.
"""

from __future__ import annotations

import posixpath
import re

import attrs

from codegenie_core.parsers.dotnet import parse_central_versions
from codegenie_core.parsers.inventory import Declared, Reason, Workspace
from codegenie_core.parsers.manifest_model import DotnetProject
from codegenie_core.probes.layer_a.inputs import InputProblem
from codegenie_core.probes.layer_a.workspace_model import WorkspaceFacts, WorkspaceInput

__all__ = ["dotnet_workspaces"]

# Project("{FAE04EC0-...}") = "Name", "src\Name\Name.csproj", "{GUID}"
_SLN_PROJECT = re.compile(r'^Project\("[^"]*"\)\s*=\s*"[^"]*",\s*"([^"]+)"', re.M)
_PROJECT_FILES = (".csproj", ".fsproj", ".vbproj")


def dotnet_workspaces(view: WorkspaceInput) -> WorkspaceFacts:
    projects: dict[str, DotnetProject] = {
        path: manifest
        for path, manifest in view.manifests.get("dotnet", {}).items()
        if isinstance(manifest, DotnetProject)
    }
    if not projects:
        return WorkspaceFacts()
    problems: list[InputProblem] = []
    reasons: list[Reason] = []
    workspaces = [
        w
        for sln in view.files
        if sln.endswith(".sln")
        if (w := _solution(view, sln, projects, problems, reasons))
    ]
    central = _central_versions(view, problems)
    rewrites: dict[tuple[str, str, str], Declared] = {}
    for path, project in projects.items():
        member = posixpath.dirname(path) or "."
        for dependency in project.dependencies:
            if dependency.spec:
                continue
            version = _nearest(central, member, dependency.name)
            if version is None:
                reasons.append(
                    Reason(
                        subject=f"{path}: {dependency.name}",
                        reason="a PackageReference without a version, and no "
                        "Directory.Packages.props gives one",
                    )
                )
                continue
            rewrites[(path, dependency.name, dependency.scope)] = Declared(
                ecosystem="nuget",
                manifest=path,
                member=member,
                dependency=dependency,
                effective_spec=version,
            )
    return WorkspaceFacts(
        workspaces=tuple(workspaces),
        rewrites=rewrites,
        reasons=tuple(reasons),
        problems=tuple(problems),
    )


def _solution(
    view: WorkspaceInput,
    sln: str,
    projects: dict[str, DotnetProject],
    problems: list[InputProblem],
    reasons: list[Reason],
) -> Workspace | None:
    text = view.read_text(sln)
    if isinstance(text, InputProblem):
        problems.append(text)
        return None
    written = [m.group(1) for m in _SLN_PROJECT.finditer(text)]
    members: list[str] = []
    unmatched: list[str] = []
    for entry in written:
        if not entry.endswith(_PROJECT_FILES):
            continue  # solution folders and other project kinds are not package projects
        relative = entry.replace("\\", "/")
        path = posixpath.normpath(posixpath.join(posixpath.dirname(sln), relative))
        if path in projects:
            members.append(posixpath.dirname(path) or ".")
        else:
            unmatched.append(entry)
            reasons.append(
                Reason(subject=sln, reason=f"project {entry!r} is not in the repository")
            )
    member_set = set(members)
    depends = {
        posixpath.dirname(path) or ".": tuple(
            sorted({posixpath.dirname(r) or "." for r in project.project_references} & member_set)
        )
        for path, project in projects.items()
        if (posixpath.dirname(path) or ".") in member_set
    }
    return Workspace(
        tool="dotnet",
        root=sln,
        patterns=tuple(written),
        members=tuple(sorted(member_set)),
        unmatched=tuple(unmatched),
        depends={k: v for k, v in sorted(depends.items()) if v},
    )


@attrs.frozen
class _Central:
    directory: str
    versions: dict[str, str]


def _central_versions(view: WorkspaceInput, problems: list[InputProblem]) -> dict[str, _Central]:
    found: dict[str, _Central] = {}
    for path in view.files:
        if posixpath.basename(path) != "Directory.Packages.props":
            continue
        text = view.read_text(path)
        if isinstance(text, InputProblem):
            problems.append(text)
            continue
        parsed = parse_central_versions(text)
        problems.extend(
            InputProblem(path=path, message=p.message, line=p.line, column=p.column)
            for p in parsed.problems
        )
        if parsed.value is not None:
            directory = posixpath.dirname(path) or "."
            found[directory] = _Central(directory=directory, versions=parsed.value)
    return found


def _nearest(central: dict[str, _Central], member: str, name: str) -> str | None:
    """Rule 2: the version the nearest Directory.Packages.props gives `name`, or None."""
    directory: str = member
    while True:
        props = central.get(directory)
        if props is not None:
            return props.versions.get(name)
        if directory == ".":
            return None
        directory = posixpath.dirname(directory) or "."
