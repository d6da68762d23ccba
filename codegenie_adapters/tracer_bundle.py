"""The tracer bundle: the host's strace with its ELF loader and shared libraries, copied into one
directory that is mounted read-only into the traced container (see ADR-0011).

Rule 1: the bundle's own loader is run explicitly, with `--library-path` pointing into the bundle,
so the tracer works in any image whatever its libc (scratch, musl, glibc of another version).
Rule 2: a strace that cannot be found, versioned or bundled is a reason string, never an exception.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import attrs

from codegenie_adapters.exec import run_external_cli

MOUNT = "/cg-tracer"
SECCOMP_BPF_SINCE = (5, 3)  # strace learned --seccomp-bpf in 5.3

# ldd-line = TAB name " => " path " (0x" HEX ")"   ; a library, found
#          / TAB name " => not found"              ; a library, missing
#          / TAB path " (0x" HEX ")"               ; the ELF interpreter (or the vdso, no path)
_LDD_LIBRARY = re.compile(r"^\s*(\S+) => (/\S+) \(0x[0-9a-fA-F]+\)\s*$")
_LDD_MISSING = re.compile(r"^\s*(\S+) => not found\s*$")
_LDD_INTERPRETER = re.compile(r"^\s*(/\S+) \(0x[0-9a-fA-F]+\)\s*$")
# version-line = "strace -- version " 1*DIGIT "." 1*DIGIT ...
_VERSION = re.compile(r"version (\d+)\.(\d+)", re.ASCII)


@attrs.frozen(kw_only=True)
class LddOutput:
    interpreter: str | None
    libraries: tuple[str, ...]
    missing: tuple[str, ...]


@attrs.frozen(kw_only=True)
class TracerBundle:
    directory: str
    loader: str | None  # the interpreter's file name inside the bundle; None for a static strace
    strace_version: str
    seccomp_bpf: bool

    def command(self) -> tuple[str, ...]:
        """How to start the bundled strace inside the container (Rule 1)."""
        if self.loader is None:
            return (f"{MOUNT}/strace",)
        return (f"{MOUNT}/{self.loader}", "--library-path", f"{MOUNT}/lib", f"{MOUNT}/strace")


def parse_ldd(text: str) -> LddOutput:
    """The interpreter and libraries `ldd` lists (an empty result for a static binary)."""
    interpreter: str | None = None
    libraries: list[str] = []
    missing: list[str] = []
    for line in text.splitlines():
        if (found := _LDD_LIBRARY.match(line)) is not None:
            libraries.append(found.group(2))
        elif (absent := _LDD_MISSING.match(line)) is not None:
            missing.append(absent.group(1))
        elif (loader := _LDD_INTERPRETER.match(line)) is not None:
            interpreter = loader.group(1)
    return LddOutput(interpreter=interpreter, libraries=tuple(libraries), missing=tuple(missing))


def parse_strace_version(text: str) -> tuple[int, int] | None:
    match = _VERSION.search(text)
    return None if match is None else (int(match.group(1)), int(match.group(2)))


def build_bundle(strace: str) -> TracerBundle | str:
    """Copy `strace` (a name on PATH or a path) and what it loads into a fresh temporary
    directory; the caller removes it. A string says why it could not be done."""
    path = shutil.which(strace)
    if path is None:
        return f"{strace!r} is not installed (not found on PATH)"
    version_run = run_external_cli([path, "-V"], timeout_s=10)
    version = parse_strace_version(version_run.stdout.decode("utf-8", "replace"))
    if not version_run.ok or version is None:
        return f"{path} -V did not report a version: {version_run.stderr_tail(300)}"
    ldd_run = run_external_cli(["ldd", path], timeout_s=10)
    if ldd_run.not_found:
        return "ldd is not installed, so strace's libraries cannot be found for bundling"
    ldd = parse_ldd(ldd_run.stdout.decode("utf-8", "replace"))
    if ldd.missing:
        return f"strace needs libraries the host lacks: {', '.join(ldd.missing)}"
    directory = Path(tempfile.mkdtemp(prefix="codegenie-tracer-"))
    (directory / "lib").mkdir()
    shutil.copy(path, directory / "strace")
    loader: str | None = None
    if ldd.interpreter is not None:
        loader = Path(ldd.interpreter).name
        shutil.copy(ldd.interpreter, directory / loader)  # copy() follows symlinks: real files
    for library in ldd.libraries:
        shutil.copy(library, directory / "lib" / Path(library).name)
    directory.chmod(0o755)
    return TracerBundle(
        directory=str(directory),
        loader=loader,
        strace_version=f"{version[0]}.{version[1]}",
        seccomp_bpf=version >= SECCOMP_BPF_SINCE,
    )
