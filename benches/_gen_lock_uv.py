"""A uv workspace whose `uv.lock` pins `packages` packages, for the lockfile linearity bench.

`generate(packages, members)` returns relative path -> text: a virtual root `pyproject.toml`
with `[tool.uv.workspace] members = ["packages/*"]`, one member per `packages/mNNN/pyproject.toml`
and the `uv.lock` (version 1) pinning the registry packages, each depending on the next few,
plus the virtual root and one editable package per member: `packages` counts them all, so the
lock has exactly `packages` `[[package]]` tables (`packages` must exceed `members`).
"""

from __future__ import annotations


def _name(i: int) -> str:
    return f"pkg-{i:05d}"


def generate(packages: int, members: int) -> dict[str, str]:
    assert packages > members, "the root and the members are packages of the lock"
    member_names = [f"m{m:03d}" for m in range(members)]
    registry = packages - members - 1
    files: dict[str, str] = {
        "pyproject.toml": '[project]\nname = "bench-root"\nversion = "0.0.0"\n'
        "dependencies = []\n\n"
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n',
    }
    direct: dict[str, list[str]] = {m: [] for m in member_names}
    for i in range(registry):
        if member_names:
            direct[member_names[i % members]].append(_name(i))
    lock = ["version = 1", "revision = 2", 'requires-python = ">=3.11"', "", "[manifest]"]
    lock.append("members = [" + ", ".join(f'"{n}"' for n in ["bench-root", *member_names]) + "]")
    lock += ["", "[[package]]", 'name = "bench-root"', 'version = "0.0.0"']
    lock += ['source = { virtual = "." }', ""]
    for member in member_names:
        deps = direct[member][:50]
        files[f"packages/{member}/pyproject.toml"] = (
            f'[project]\nname = "{member}"\nversion = "0.1.0"\ndependencies = [\n'
            + "".join(f'    "{d}>=1",\n' for d in deps)
            + "]\n"
        )
        lock += ["[[package]]", f'name = "{member}"', 'version = "0.1.0"']
        lock.append(f'source = {{ editable = "packages/{member}" }}')
        lock.append("dependencies = [")
        lock += [f'    {{ name = "{d}" }},' for d in deps]
        lock += ["]", ""]
    for i in range(registry):
        lock += ["[[package]]", f'name = "{_name(i)}"', f'version = "1.{i % 7}.{i}"']
        lock.append('source = { registry = "https://pypi.org/simple" }')
        nexts = [_name(j) for j in range(i + 1, min(i + 4, registry))]
        if nexts:
            lock.append("dependencies = [")
            lock += [f'    {{ name = "{n}" }},' for n in nexts]
            lock.append("]")
        lock.append(
            f'wheels = [{{ url = "https://files.pythonhosted.org/{_name(i)}-1.0-py3-none-any.whl",'
            f' hash = "sha256:{i:064x}", size = {1000 + i} }}]'
        )
        lock.append("")
    files["uv.lock"] = "\n".join(lock)
    return files
