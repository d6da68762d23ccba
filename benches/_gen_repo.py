"""Generate the benchmarks' big repository, deterministically, and commit it to git.

The same `--files`, `--seed` and `--avg-bytes` always give the same bytes, the same tree and the
same commit id (fixed author, committer and dates), so runs on different days and machines compare.
Default: 20,000 files, about 100 MB, mixed languages and sizes, with a package.json, a Dockerfile,
a requirements.txt, a go.mod and some GitHub workflows. A directory already generated with the same
parameters is reused (a marker in .git records them).

    python benches/_gen_repo.py DIR [--files N] [--seed S] [--avg-bytes B]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

DEFAULT_FILES = 20_000
DEFAULT_AVG_BYTES = 5_000
FIXED_DATE = "2026-01-01T00:00:00+00:00"
_MARKER = "codegenie-bench-params.json"

# extension -> a line template; {n} and {w} vary per line so files differ and compress honestly.
_LANGUAGES: dict[str, str] = {
    ".py": "def f_{n}(x):\n    return x * {n} + len('{w}')\n",
    ".ts": "export function f{n}(x: number): number {{ return x * {n}; }} // {w}\n",
    ".js": "module.exports.f{n} = (x) => x * {n}; // {w}\n",
    ".go": "func F{n}(x int) int {{ return x * {n} }} // {w}\n",
    ".rs": "pub fn f{n}(x: u64) -> u64 {{ x * {n} }} // {w}\n",
    ".java": "    static int f{n}(int x) {{ return x * {n}; }} // {w}\n",
    ".md": "Paragraph {n} explains {w} in some detail, as documentation does.\n",
    ".json": '{{"id": {n}, "name": "{w}"}}\n',
    ".txt": "line {n}: {w}\n",
}
_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india")
_DIRS = ("src", "lib", "pkg", "internal", "app", "web", "docs", "tests", "scripts", "tools")

_FIXED_FILES: dict[str, str] = {
    "package.json": json.dumps(
        {"name": "bench-repo", "version": "1.0.0", "dependencies": {"left-pad": "1.3.0"}}, indent=2
    )
    + "\n",
    "Dockerfile": "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nUSER app\nEXPOSE 8080\n"
    'CMD ["python", "-m", "app"]\n',
    "requirements.txt": "attrs==23.2.0\nclick==8.1.7\n",
    "go.mod": "module example.com/bench\n\ngo 1.22\n",
    ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n",
    ".github/workflows/release.yml": "name: release\non:\n  push:\n    tags: ['v*']\njobs:\n"
    "  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make release\n",
    ".gitignore": "node_modules/\n__pycache__/\n",
}


def _size(rng: random.Random, avg_bytes: int) -> int:
    """Most files small, some medium, a few large; the mean is about `avg_bytes`."""
    # The mixture's mean is 1.48 x its base (0.8 x 0.55 + 0.18 x 3 + 0.02 x 25).
    avg_bytes = avg_bytes * 100 // 148
    roll = rng.random()
    if roll < 0.80:
        return rng.randint(avg_bytes // 10, avg_bytes)
    if roll < 0.98:
        return rng.randint(avg_bytes, avg_bytes * 5)
    return rng.randint(avg_bytes * 10, avg_bytes * 40)


def _content(rng: random.Random, extension: str, size: int) -> bytes:
    template = _LANGUAGES[extension]
    lines: list[str] = []
    total = 0
    while total < size:
        line = template.format(n=rng.randint(0, 10**6), w=rng.choice(_WORDS))
        lines.append(line)
        total += len(line)
    return "".join(lines).encode()[:size]


def plan(files: int, *, seed: int = 0, avg_bytes: int = DEFAULT_AVG_BYTES) -> dict[str, bytes]:
    """The repository as relative path -> bytes (pure: no disk)."""
    rng = random.Random(seed)
    tree: dict[str, bytes] = {p: c.encode() for p, c in _FIXED_FILES.items()}
    extensions = sorted(_LANGUAGES)
    index = 0
    while len(tree) < files:
        depth = rng.randint(1, 4)
        dirs = [rng.choice(_DIRS)] + [f"d{rng.randint(0, 40)}" for _ in range(depth - 1)]
        extension = rng.choice(extensions)
        path = "/".join([*dirs, f"f{index}{extension}"])
        tree[path] = _content(rng, extension, _size(rng, avg_bytes))
        index += 1
    return dict(sorted(tree.items())[:files])


def generate(root: Path, files: int, *, seed: int = 0, avg_bytes: int = DEFAULT_AVG_BYTES) -> int:
    """Write and commit the repository at `root` (reused when already made with these
    parameters); returns its total size in bytes."""
    params = {"files": files, "seed": seed, "avg_bytes": avg_bytes, "format": 2}
    marker = root / ".git" / _MARKER
    if marker.is_file() and json.loads(marker.read_text()).get("params") == params:
        return int(json.loads(marker.read_text())["bytes"])
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    total = 0
    for path, data in plan(files, seed=seed, avg_bytes=avg_bytes).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        total += len(data)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
        "GIT_AUTHOR_DATE": FIXED_DATE,
        "GIT_COMMITTER_DATE": FIXED_DATE,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    for argv in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "--no-gpg-sign", "-m", "generated bench repository"],
    ):
        subprocess.run(argv, cwd=root, env=env, check=True, stdin=subprocess.DEVNULL)
    marker.write_text(json.dumps({"params": params, "bytes": total}))
    return total


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--files", type=int, default=DEFAULT_FILES)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--avg-bytes", type=int, default=DEFAULT_AVG_BYTES)
    args = parser.parse_args(argv)
    total = generate(args.root, args.files, seed=args.seed, avg_bytes=args.avg_bytes)
    print(json.dumps({"root": str(args.root), "files": args.files, "bytes": total}))


if __name__ == "__main__":
    main()
