"""Generate an npm workspace whose `package-lock.json` (lockfileVersion 3) pins N packages.

`generate(packages, members)` returns the files (relative path -> text): the root manifest, one
manifest per member (`packages/m<i>`) and the lockfile. Every tenth package is a nested copy
(`node_modules/p<i>/node_modules/q<i>`), so resolution walks up as well as finding hoisted ones;
each package requires the next two, so the graph is connected and edges are real.
"""

from __future__ import annotations

import json


def _name(i: int) -> str:
    return f"@bench/p{i}" if i % 7 == 0 else f"p{i}"


def generate(packages: int, members: int) -> dict[str, str]:
    hoisted = [i for i in range(packages) if i % 10 != 9]
    nested = [i for i in range(packages) if i % 10 == 9]
    table: dict[str, object] = {
        "": {
            "name": "bench-root",
            "workspaces": ["packages/*"],
            "dependencies": {_name(i): "^1.0.0" for i in hoisted[:20]},
        }
    }
    files: dict[str, str] = {}
    for m in range(members):
        deps = (
            {_name(hoisted[(m * 13 + k) % len(hoisted)]): "^1.0.0" for k in range(5)}
            if hoisted
            else {}
        )
        manifest = {"name": f"m{m}", "version": "1.0.0", "dependencies": deps}
        files[f"packages/m{m}/package.json"] = json.dumps(manifest, indent=2)
        table[f"packages/m{m}"] = manifest
        table[f"node_modules/m{m}"] = {"resolved": f"packages/m{m}", "link": True}
    for position, i in enumerate(hoisted):
        after = hoisted[position + 1 : position + 3]
        table[f"node_modules/{_name(i)}"] = {
            "version": f"1.{i % 50}.{i % 7}",
            "resolved": f"https://registry.npmjs.org/{_name(i)}/-/p{i}-1.0.0.tgz",
            "integrity": f"sha512-{i:064x}",
            "dev": i % 3 == 0,
            "dependencies": {_name(j): "^1.0.0" for j in after},
        }
    for i in nested:
        parent = hoisted[i % len(hoisted)] if hoisted else i
        table[f"node_modules/{_name(parent)}/node_modules/q{i}"] = {
            "version": "2.0.0",
            "resolved": f"https://registry.npmjs.org/q{i}/-/q{i}-2.0.0.tgz",
            "integrity": f"sha512-{i:064x}",
        }
    root = {"name": "bench-root", "workspaces": ["packages/*"]}
    files["package.json"] = json.dumps(root, indent=2)
    lock = {"name": "bench-root", "lockfileVersion": 3, "requires": True, "packages": table}
    files["package-lock.json"] = json.dumps(lock, indent=2) + "\n"
    return files
