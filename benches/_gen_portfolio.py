"""Generate portfolio context documents shaped like the goldens, deterministically, for the store
bench and the store's example-query tests.

Document `i` is a golden (tests/portfolio/goldens, in turn) renamed `repo-<i>`, with one or two
Dockerfiles whose base images are drawn from a realistic mix, an inventory of `deps` packages
(npm, pypi, go) whose lodash pin varies, an index-health entry that is Fresh, Stale or Missing,
and the gather's probe counts. Which documents carry a given fact is a pure function of `i`
(`seeded_node16`, `lodash_version`, `health_kind`), so a test knows the answer to each question.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

GOLDENS = Path(__file__).resolve().parents[1] / "tests" / "portfolio" / "goldens"
_TEMPLATES: tuple[dict[str, Any], ...] = tuple(
    json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLDENS.glob("*.json"))
)
_OTHER_BASES = (
    ("node", "20-alpine"),
    ("node", "18"),
    ("python", "3.12-slim"),
    ("golang", "1.22.4-alpine"),
    ("eclipse-temurin", "21-jre"),
    ("nginx", "1.27-alpine"),
    ("node", "16.20-bullseye"),
)
LODASH_VERSIONS = ("4.17.15", "4.17.19", "4.17.20", "4.17.21", "4.17.21", "3.10.1", None)
_NPM = ("react", "express", "axios", "typescript", "tslib", "chalk", "debug", "ms", "semver")
_PYPI = ("requests", "pydantic", "fastapi", "numpy", "pytest", "attrs", "click", "rich")
_GO = ("github.com/spf13/cobra", "golang.org/x/sys", "github.com/stretchr/testify")


def seeded_node16(i: int) -> bool:
    """Document `i` builds FROM node:16 (exactly that tag) in its first Dockerfile."""
    return i % 37 == 5


def lodash_version(i: int) -> str | None:
    """The lodash version document `i` resolves (None: it has no lodash)."""
    return LODASH_VERSIONS[(i * 7) % len(LODASH_VERSIONS)]


def health_kind(i: int) -> str:
    return ("Fresh", "Stale", "Missing", "Missing", "Fresh")[i % 5]


def _base(image: str, tag: str) -> dict[str, Any]:
    return {
        "kind": "image", "written": f"{image}:{tag}", "resolved": f"{image}:{tag}",
        "registry": None, "name": image, "tag": tag, "digest": None, "stage": None,
        "platform": None,
    }  # fmt: skip


def _dockerfiles(i: int, rng: random.Random) -> dict[str, Any]:
    files: dict[str, Any] = {}
    for n in range(1 + (i % 3 == 0)):
        image, tag = ("node", "16") if n == 0 and seeded_node16(i) else rng.choice(_OTHER_BASES)
        stage = {"index": 0, "name": None, "line": 1, "base": _base(image, tag), "args": []}
        files["Dockerfile" if n == 0 else f"services/s{n}/Dockerfile"] = {
            "directives": {}, "build_args": {}, "stages": [stage], "final": {}, "problems": [],
        }  # fmt: skip
    return files


def _package(ecosystem: str, name: str, version: str, direct: bool) -> dict[str, Any]:
    purl_type = {"npm": "npm", "pypi": "pypi", "go": "golang"}[ecosystem]
    manifest = {"npm": "package.json", "pypi": "pyproject.toml", "go": "go.mod"}[ecosystem]
    return {
        "ecosystem": ecosystem, "name": name, "spec": f"^{version}", "effective_spec": None,
        "resolved": version, "purl": f"pkg:{purl_type}/{name}@{version}", "direct": direct,
        "scope": "runtime", "manifest": manifest, "lockfile": None, "member": ".",
        "source": None, "reasons": [],
    }  # fmt: skip


def _inventory(i: int, deps: int, rng: random.Random) -> list[dict[str, Any]]:
    packages: list[dict[str, Any]] = []
    lodash = lodash_version(i)
    if lodash is not None:
        packages.append(_package("npm", "lodash", lodash, True))
    for n in range(deps - len(packages)):
        ecosystem = rng.choice(("npm", "npm", "pypi", "go"))
        pool = {"npm": _NPM, "pypi": _PYPI, "go": _GO}[ecosystem]
        name = f"{rng.choice(pool)}-{n}" if n >= len(pool) else pool[n % len(pool)]
        version = f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 20)}"
        packages.append(_package(ecosystem, name, version, n < deps // 4))
    return packages


def _health(i: int) -> dict[str, Any]:
    kind = health_kind(i)
    if kind == "Missing":
        return {"searched": ["index.scip"], "kind": "Missing"}
    coverage = {"source_files": 40, "indexed_source_files": 40, "missing": [], "missing_count": 0}
    entry: dict[str, Any] = {
        "kind": kind, "index_path": "index.scip", "indexer": "scip-typescript",
        "basis": "sidecar", "coverage": coverage,
    }  # fmt: skip
    if kind == "Stale":
        entry |= {"last_indexed": "abc123", "commits_behind": 1 + i % 9, "changed_count": 3}
        entry |= {"changed_files": ["src/a.ts"], "mismatched_definitions": 0}
    return entry


def document(i: int, *, deps: int = 40, seed: int = 13) -> dict[str, Any]:
    """Portfolio document number `i`."""
    rng = random.Random(seed * 1_000_003 + i)
    doc = copy.deepcopy(_TEMPLATES[i % len(_TEMPLATES)])
    doc["repo"]["name"] = f"repo-{i:05d}"
    probes = doc["probes"]
    dockerfile = probes["dockerfile"] = {"layer": "a", "version": 3, "outcome": "ran"}
    dockerfile["slice"] = {"dockerfiles": _dockerfiles(i, rng), "unreadable": []}
    probes["manifests"]["slice"]["inventory"] = _inventory(i, deps, rng)
    probes["index_health"]["slice"] = {"indexes": [_health(i)], "searched": ["index.scip"]}
    cached = i % 4 == 0
    ran = doc["gather"]["ran"] + doc["gather"]["cached"]
    doc["gather"] |= {"ran": 0 if cached else ran, "cached": ran if cached else 0}
    return doc
