"""Which installed package a path a traced process read belongs to: Python's `site-packages` /
`dist-packages` and Node's `node_modules` layouts, read from the path alone (ADR-0074).

Rule 1: a path is the traced image's words, never a host path: it is only split and compared,
never opened or resolved. A path with a `..` component, longer than `MAX_PATH_CHARS` or deeper
than `MAX_COMPONENTS` is `Refused` whole (a forged `node_modules/../../x` names no package); empty
and `.` components are dropped, as the kernel would.
Rule 2: Python. The component after the last `site-packages` or `dist-packages` is the package:
`NAME-VERSION.dist-info` / `NAME[-VERSION...].egg-info` give a distribution name (metadata, not
code: `importlib.metadata` reads every one of them), `NAME-VERSION...egg`, auditwheel's
`NAME.libs/...`, a directory `NAME/...`,
a module file `NAME.py` / `NAME.*.so` / `NAME.pyc`, or `__pycache__/NAME.*.pyc` give an import
name (code). Both are compared to distributions by their PEP 503 form. The import name is taken
as the distribution's name: it is not always so (`yaml` is PyYAML's, `attr` is attrs'), since a
`top_level.txt` or `RECORD` inside the image is not available here.
Rule 3: Node. The component after the last `node_modules` is the package, `@scope/name` when it
starts with `@`; a component starting with `.` (`.bin`, `.pnpm`, `.package-lock.json`) is none.
The innermost `node_modules` wins, so nested installs and pnpm's `.pnpm/x@1/node_modules/x` name
the package whose file was read. A package needs a file below its directory.
Rule 4: a name outside its ecosystem's grammar (below) is `Refused`, never a package.
"""

from __future__ import annotations

import re
from typing import Literal

import attrs

from codegenie_core.parsers.manifest_model import pep503

__all__ = [
    "MAX_COMPONENTS",
    "MAX_PATH_CHARS",
    "EcosystemSeen",
    "PackageSeen",
    "PathSeen",
    "Refused",
    "package_of",
]

MAX_PATH_CHARS = 4096  # PATH_MAX: a longer path is no path a process opened
MAX_COMPONENTS = 256
PYTHON_DIRS = frozenset({"site-packages", "dist-packages"})
NODE_DIR = "node_modules"

Ecosystem = Literal["pypi", "npm"]
Evidence = Literal["code", "metadata"]

# PEP 508 name = letter-or-digit *( letter-or-digit / "-" / "_" / "." ) letter-or-digit
_DIST_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,198}[A-Za-z0-9])?", re.ASCII)
# import name = identifier (ASCII: an installed top-level package or module)
_IMPORT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,199}", re.ASCII)
# npm name part = 1*214 of lower-case letters, digits, "-", ".", "_", "~" (upper case: legacy
# names), not starting with "." or "_"
_NPM_PART = re.compile(r"[A-Za-z0-9~-][A-Za-z0-9._~-]{0,213}", re.ASCII)
_MODULE_SUFFIXES = (".py", ".pyc", ".so", ".pyd")


@attrs.frozen(kw_only=True)
class PackageSeen:
    """A path inside one installed package: its ecosystem, its normal name (PEP 503 for Python,
    as written for npm) and whether the file read was its code or only its metadata."""

    ecosystem: Ecosystem
    name: str
    evidence: Evidence


@attrs.frozen(kw_only=True)
class EcosystemSeen:
    """A path under the ecosystem's package directory that names no package (a `.pth` file,
    `node_modules/.package-lock.json`): the image has that layout, nothing more."""

    ecosystem: Ecosystem


@attrs.frozen(kw_only=True)
class Refused:
    """A path that looked like a package path but cannot be trusted as one (Rule 1, Rule 4)."""

    reason: str


PathSeen = PackageSeen | EcosystemSeen | Refused


def package_of(path: str) -> PathSeen | None:
    """What `path` shows of an installed package; None for a path outside every package
    directory. Total: never raises."""
    if not any(marker in path for marker in (*PYTHON_DIRS, NODE_DIR)):
        return None
    if len(path) > MAX_PATH_CHARS:
        return Refused(reason=f"longer than {MAX_PATH_CHARS} characters")
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if len(parts) > MAX_COMPONENTS:
        return Refused(reason=f"deeper than {MAX_COMPONENTS} components")
    if ".." in parts:
        return Refused(reason="it holds a '..' component")
    python = max((i for i, part in enumerate(parts) if part in PYTHON_DIRS), default=-1)
    node = max((i for i, part in enumerate(parts) if part == NODE_DIR), default=-1)
    if python < 0 and node < 0:
        return None  # the marker was part of a longer name (`my-site-packages-notes.txt`)
    if node > python:
        return _node(parts[node + 1 :])
    return _python(parts[python + 1 :])


def _python(rest: list[str]) -> PathSeen:
    """Rule 2, on the components after the package directory."""
    if not rest:
        return EcosystemSeen(ecosystem="pypi")
    top = rest[0]
    for suffix in (".dist-info", ".egg-info"):
        if top.endswith(suffix):
            return _python_name(top.removesuffix(suffix).split("-")[0], _DIST_NAME, "metadata")
    if top.endswith(".egg"):
        return _python_name(top.removesuffix(".egg").split("-")[0], _DIST_NAME, "code")
    if top.endswith(".libs") and len(rest) > 1:  # auditwheel's bundled libraries: its code
        return _python_name(top.removesuffix(".libs"), _DIST_NAME, "code")
    if top == "__pycache__":
        if len(rest) < 2 or not rest[1].endswith(".pyc"):
            return EcosystemSeen(ecosystem="pypi")
        return _python_name(rest[1].split(".")[0], _IMPORT_NAME, "code")
    if len(rest) > 1:  # a file inside a package directory
        return _python_name(top, _IMPORT_NAME, "code")
    if top.endswith(_MODULE_SUFFIXES):  # a top-level module file
        return _python_name(top.split(".")[0], _IMPORT_NAME, "code")
    return EcosystemSeen(ecosystem="pypi")  # `*.pth`, a README, a stray file


def _python_name(name: str, grammar: re.Pattern[str], evidence: Evidence) -> PathSeen:
    """A private module's leading and trailing `_` are no part of a distribution name
    (`_cffi_backend` is compared as `cffi-backend`)."""
    if grammar.fullmatch(name) is None or not name.strip("_"):
        return Refused(reason=f"{name[:80]!r} is no Python package name")
    return PackageSeen(ecosystem="pypi", name=pep503(name.strip("_")), evidence=evidence)


def _node(rest: list[str]) -> PathSeen:
    """Rule 3, on the components after the innermost `node_modules`."""
    if not rest or rest[0].startswith("."):
        return EcosystemSeen(ecosystem="npm")
    if rest[0].startswith("@"):
        if len(rest) < 3:  # `@scope/name` and a file inside it
            return EcosystemSeen(ecosystem="npm")
        scope, name = rest[0][1:], rest[1]
        if _NPM_PART.fullmatch(scope) is None or _NPM_PART.fullmatch(name) is None:
            return Refused(reason=f"{(rest[0] + '/' + rest[1])[:80]!r} is no npm package name")
        return PackageSeen(ecosystem="npm", name=f"@{scope}/{name}".lower(), evidence="code")
    if len(rest) < 2:
        return EcosystemSeen(ecosystem="npm")
    if _NPM_PART.fullmatch(rest[0]) is None:
        return Refused(reason=f"{rest[0][:80]!r} is no npm package name")
    evidence: Evidence = "metadata" if rest[1:] == ["package.json"] else "code"
    return PackageSeen(ecosystem="npm", name=rest[0].lower(), evidence=evidence)
