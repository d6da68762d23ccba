"""The seccomp profile `--seccomp-profile` writes: what the scenarios' profiling passes observed,
plus the documented base set the container runtime and the init need (ADR-0067).

Rule 1: the profile denies by default (`SCMP_ACT_ERRNO`) and allows, by name, every syscall a
profiling pass observed from the workload's first `execve` on, and `RUNTIME_BASE_SYSCALLS`: what
the runtime (runc, crun) calls after it installs the filter and before the workload's `execve`,
and what the scenario's init (docker's tini, podman's catatonit) calls. Neither is under strace:
the base set is a documented list, and the live tests prove it by re-running the scenarios under
the profile.
Rule 2: architectures are the host's native one and its compat ones (the trace runs locally).
Rule 3: the profile's text is a pure function of the syscall names and the machine: sorted
names, sorted keys, one trailing newline, so the same observation writes the same bytes.
Rule 4: each traced image gets its own profile file, named from its Dockerfile's repository path
made safe as one file name (ADR-0074): the path is the repository's words, so it is flattened,
stripped of every character outside a small set and bounded; two Dockerfiles never share a file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence

from codegenie_core.parsers.strace_counts import SyscallCount

# After the filter is installed: runc 1.1's init (Go runtime, the exec fifo, closing fds through
# /proc/self/fd, the final execve) and the init process as pid 1 (fork the workload, reap it,
# forward signals to its process group).
_RUNTIME_AFTER_FILTER = """
    capget capset close close_range epoll_ctl epoll_pwait execve execveat exit exit_group fcntl
    fstat fstatfs futex getdents64 getpid gettid madvise mmap munmap nanosleep newfstatat openat
    prctl read rt_sigaction rt_sigprocmask rt_sigreturn sched_yield sigaltstack statfs tgkill write
"""
_INIT_AND_STATIC_START = """
    arch_prctl brk clone clone3 fork getppid getpgrp getrandom getuid ioctl kill mprotect prlimit64
    readlink rseq rt_sigtimedwait set_robust_list set_tid_address setpgid vfork wait4 waitid
    getsid setsid signalfd signalfd4
"""
RUNTIME_BASE_SYSCALLS: tuple[str, ...] = tuple(
    sorted(set(_RUNTIME_AFTER_FILTER.split()) | set(_INIT_AND_STATIC_START.split()))
)

# the libseccomp names of a machine's native and compat architectures (`uname -m` spelling)
ARCHITECTURES: dict[str, tuple[str, ...]] = {
    "x86_64": ("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
    "aarch64": ("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"),
    "arm64": ("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"),
    "armv7l": ("SCMP_ARCH_ARM",),
    "ppc64le": ("SCMP_ARCH_PPC64LE",),
    "s390x": ("SCMP_ARCH_S390X", "SCMP_ARCH_S390"),
    "riscv64": ("SCMP_ARCH_RISCV64",),
}
PROFILE_DIRECTORY = "seccomp"
MAX_STEM_CHARS = 120  # a profile file's name before `.json` (Rule 4)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
NO_OUTPUT_NOTE = "seccomp profile: pass --output DIR to write it as seccomp/<dockerfile>.json"


def architectures(machine: str) -> tuple[str, ...]:
    """The profile's `architectures` for a machine; () for one this table does not know (the
    engine then applies the profile to the native architecture alone)."""
    return ARCHITECTURES.get(machine, ())


def profile_names(observed: Iterable[SyscallCount]) -> tuple[str, ...]:
    """Every syscall the profile allows: the observed ones and the base set (Rule 1)."""
    return tuple(sorted({c.name for c in observed} | set(RUNTIME_BASE_SYSCALLS)))


def profile_text(names: Iterable[str], arches: Iterable[str]) -> str:
    """The Docker/OCI seccomp profile allowing `names` (Rule 3)."""
    profile = {
        "defaultAction": "SCMP_ACT_ERRNO",
        "architectures": list(arches),
        "syscalls": [{"names": sorted(set(names)), "action": "SCMP_ACT_ALLOW"}],
    }
    return json.dumps(profile, indent=2, sort_keys=True) + "\n"


def profile_file_name(dockerfile: str) -> str:
    """`seccomp/<dockerfile>.json` (Rule 4): the Dockerfile's repo path with `/` as `_`, every
    character outside `[A-Za-z0-9._-]` as `_`, no leading dot, at most `MAX_STEM_CHARS` long (a
    longer stem is cut and ends with a digest of the whole path)."""
    flat = _UNSAFE.sub("_", dockerfile.replace("/", "_")).lstrip(".") or "Dockerfile"
    if len(flat) > MAX_STEM_CHARS:
        flat = flat[: MAX_STEM_CHARS - 13] + "-" + _short_digest(dockerfile)
    return f"{PROFILE_DIRECTORY}/{flat}.json"


def profile_file_names(dockerfiles: Sequence[str]) -> tuple[str, ...]:
    """Each Dockerfile's profile file, in order, all different (Rule 4): a name another
    Dockerfile's path already flattened to (`a/b_Dockerfile` and `a_b/Dockerfile`) gets a digest
    of its own path before `.json`."""
    names: list[str] = []
    for dockerfile in dockerfiles:
        name = profile_file_name(dockerfile)
        if name in names:
            name = f"{name.removesuffix('.json')}-{_short_digest(dockerfile)}.json"
        names.append(name)
    return tuple(names)


def _short_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:12]
