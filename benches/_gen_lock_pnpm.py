"""A pnpm (lockfile 9.0) workspace whose `pnpm-lock.yaml` pins `packages` packages, for benches.

`generate(packages, members)` returns the files (repository path -> text): the root
`package.json`, `pnpm-workspace.yaml` (members `packages/*` and a default catalog), one
`package.json` per member, and the lockfile. Deterministic: equal arguments give equal texts.
Package i (`pkg-i@1.<i // 1000>.<i % 1000>`) depends on packages 2i+1 and 2i+2 (a binary tree, so
every package is reached); every third package carries a peer suffix in its snapshot id. Member j
declares `pkg-j` (through the catalog for j == 0) and, for j > 0, member j-1 by `workspace:*`.
"""

from __future__ import annotations

import json

__all__ = ["generate"]


def _version(i: int) -> str:
    return f"1.{i // 1000}.{i % 1000}"


def _snapshot_id(i: int) -> str:
    peer = "(peer-host@1.0.0)" if i % 3 == 2 else ""
    return f"pkg-{i}@{_version(i)}{peer}"


def _member_name(j: int) -> str:
    return f"@bench/m{j}"


def _spec(i: int) -> str:
    return f"^{_version(i)}"


def generate(packages: int, members: int) -> dict[str, str]:
    """The files of a workspace of `members` members whose lockfile pins `packages` packages."""
    assert packages >= 1 and members >= 1, "a workspace with at least one member and package"
    direct = [j % packages for j in range(members)]
    files: dict[str, str] = {
        "package.json": json.dumps({"name": "bench-root", "private": True}, indent=2) + "\n",
        "pnpm-workspace.yaml": "packages:\n  - 'packages/*'\n\ncatalog:\n"
        f"  pkg-{direct[0]}: '{_spec(direct[0])}'\n",
    }
    importers = ["  .: {}\n"]
    for j in range(members):
        dependencies: dict[str, str] = {f"pkg-{direct[j]}": _spec(direct[j])}
        entries = [f"      pkg-{direct[j]}:\n", "", ""]
        if j == 0:
            dependencies[f"pkg-{direct[j]}"] = "catalog:"
            entries[1] = "        specifier: 'catalog:'\n"
        else:
            entries[1] = f"        specifier: '{_spec(direct[j])}'\n"
        entries[2] = f"        version: {_snapshot_id(direct[j]).partition('@')[2]}\n"
        if j > 0:
            dependencies[_member_name(j - 1)] = "workspace:*"
            entries += [
                f"      '{_member_name(j - 1)}':\n",
                "        specifier: workspace:*\n",
                f"        version: link:../m{j - 1}\n",
            ]
        manifest = {"name": _member_name(j), "version": f"0.{j}.0", "dependencies": dependencies}
        files[f"packages/m{j}/package.json"] = json.dumps(manifest, indent=2) + "\n"
        importers.append(
            f"\n  packages/m{j}:\n    dependencies:\n{''.join(_sorted_blocks(entries))}"
        )
    metadata: list[str] = []
    snapshots: list[str] = []
    for i in range(packages):
        integrity = f"sha512-{i:086d}=="
        metadata.append(f"\n  pkg-{i}@{_version(i)}:\n    resolution: {{integrity: {integrity}}}\n")
        children = [c for c in (2 * i + 1, 2 * i + 2) if c < packages]
        if children:
            lines = "".join(
                f"      pkg-{c}: {_snapshot_id(c).partition('@')[2]}\n" for c in children
            )
            snapshots.append(f"\n  {_snapshot_id(i)}:\n    dependencies:\n{lines}")
        else:
            snapshots.append(f"\n  {_snapshot_id(i)}: {{}}\n")
    files["pnpm-lock.yaml"] = (
        "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n"
        "  excludeLinksFromLockfile: false\n\nimporters:\n\n"
        + "".join(importers)
        + "\npackages:\n"
        + "".join(metadata)
        + "\nsnapshots:\n"
        + "".join(snapshots)
    )
    return files


def _sorted_blocks(lines: list[str]) -> list[str]:
    """The importer's dependency blocks (three lines each) in name order, as pnpm writes them."""
    blocks = ["".join(lines[k : k + 3]) for k in range(0, len(lines), 3)]
    return sorted(blocks, key=lambda block: block.strip().strip("'"))
