"""Reading ldd and strace -V output for the tracer bundle."""

from __future__ import annotations

from codegenie_adapters.tracer_bundle import (
    LddOutput,
    TracerBundle,
    parse_ldd,
    parse_strace_version,
)

LDD = """\
\tlinux-vdso.so.1 (0x00007ffaa26a3000)
\tlibunwind-ptrace.so.0 => /lib/x86_64-linux-gnu/libunwind-ptrace.so.0 (0x00007ffaa268c000)
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007ffaa221e000)
\tlibgone.so.1 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007ffaa26a5000)
"""


def test_ldd_output_gives_the_interpreter_libraries_and_missing_ones() -> None:
    assert parse_ldd(LDD) == LddOutput(
        interpreter="/lib64/ld-linux-x86-64.so.2",
        libraries=(
            "/lib/x86_64-linux-gnu/libunwind-ptrace.so.0",
            "/lib/x86_64-linux-gnu/libc.so.6",
        ),
        missing=("libgone.so.1",),
    )


def test_a_static_binary_has_no_interpreter_and_no_libraries() -> None:
    assert parse_ldd("\tnot a dynamic executable\n") == LddOutput(
        interpreter=None, libraries=(), missing=()
    )


def test_the_strace_version_is_read_from_its_banner() -> None:
    assert parse_strace_version("strace -- version 6.1\nCopyright (c) 1991-2022") == (6, 1)
    assert parse_strace_version("no banner") is None


def test_the_bundle_runs_its_own_loader_unless_strace_is_static() -> None:
    dynamic = TracerBundle(
        directory="/tmp/b", loader="ld-linux-x86-64.so.2", strace_version="6.1", seccomp_bpf=True
    )
    static = TracerBundle(directory="/tmp/b", loader=None, strace_version="6.1", seccomp_bpf=True)
    assert dynamic.command() == (
        "/cg-tracer/ld-linux-x86-64.so.2",
        "--library-path",
        "/cg-tracer/lib",
        "/cg-tracer/strace",
    )
    assert static.command() == ("/cg-tracer/strace",)
