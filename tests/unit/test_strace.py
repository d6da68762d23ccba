"""The strace parser: each production of the trace grammar, on literal lines."""

# Trace lines are quoted verbatim as strace writes them, however long:
# ruff: noqa: E501

from __future__ import annotations

from codegenie_core.parsers.strace import (
    Connect,
    Execution,
    ProcessExit,
    decode_string,
    parse_strace,
    parse_strace_bytes,
    split_args,
)

BUSYBOX_TRACE = """\
11    execve("/bin/sh", ["/bin/sh", "-c", "cat /etc/passwd; nc 127.0.0.1 9"], 0x7fff6f50b538 /* 4 vars */) = 0
11    clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x143c2690) = 12
12    execve("/proc/self/exe", ["cat", "/etc/passwd"], 0x143c4b68 /* 6 vars */) = 0
12    openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = -1 ENOENT (No such file or directory)
12    +++ exited with 1 +++
11    clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x143c2690) = 14
14    execve("/proc/self/exe", ["nc", "127.0.0.1", "9"], 0x143c4b88 /* 6 vars */) = 0
14    connect(3, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 ECONNREFUSED (Connection refused)
14    +++ exited with 1 +++
11    +++ exited with 3 +++
"""


def test_busybox_self_exe_reexec_is_attributed_to_the_parents_binary() -> None:
    facts = parse_strace(BUSYBOX_TRACE.splitlines())
    assert facts.binaries_executed == ("/bin/sh",)
    assert facts.executions == (
        Execution(binary="/bin/sh", argv0="/bin/sh", argc=3),
        Execution(binary="/bin/sh", argv0="cat", argc=2),
        Execution(binary="/bin/sh", argv0="nc", argc=3),
    )


def test_enoent_open_is_looked_for_not_found_and_connect_is_recorded_with_its_errno() -> None:
    facts = parse_strace(BUSYBOX_TRACE.splitlines())
    assert facts.looked_for_not_found == ("/etc/passwd",)
    assert facts.files_read == ()
    assert facts.network_connects == (
        Connect(family="AF_INET", address="127.0.0.1", port=9, outcome="ECONNREFUSED"),
    )


def test_exit_lines_give_each_pids_exit_code() -> None:
    facts = parse_strace(BUSYBOX_TRACE.splitlines())
    assert facts.exits == (
        ProcessExit(pid=11, how="exited", code=3),
        ProcessExit(pid=12, how="exited", code=1),
        ProcessExit(pid=14, how="exited", code=1),
    )


def test_killed_by_signal_is_an_exit_with_the_signal_name() -> None:
    facts = parse_strace(
        ["7 +++ killed by SIGKILL (core dumped) +++", "8 +++ killed by SIGTERM +++"]
    )
    assert facts.exits == (
        ProcessExit(pid=7, how="killed", signal="SIGKILL"),
        ProcessExit(pid=8, how="killed", signal="SIGTERM"),
    )


def test_unfinished_call_is_joined_with_its_resumption() -> None:
    lines = [
        '5 openat(AT_FDCWD, "/etc/hosts", O_RDONLY <unfinished ...>',
        '6 openat(AT_FDCWD, "/tmp/out", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3',
        "5 <... openat resumed>) = 4",
    ]
    facts = parse_strace(lines)
    assert (facts.files_read, facts.files_written) == (("/etc/hosts",), ("/tmp/out",))
    assert facts.unfinished_calls == 0


def test_an_unfinished_call_never_resumed_is_counted_not_guessed() -> None:
    facts = parse_strace(['5 openat(AT_FDCWD, "/etc/hosts", O_RDONLY <unfinished ...>'])
    assert (facts.files_read, facts.unfinished_calls) == ((), 1)


def test_path_search_failures_come_before_the_exec_that_succeeds() -> None:
    lines = [
        '3 execve("/usr/local/sbin/node", ["node", "app.js"], 0x1 /* 9 vars */) = -1 ENOENT (No such file or directory)',
        '3 execve("/usr/local/bin/node", ["node", "app.js"], 0x1 /* 9 vars */) = 0',
    ]
    facts = parse_strace(lines)
    assert facts.binaries_executed == ("/usr/local/bin/node",)
    assert facts.looked_for_not_found == ("/usr/local/sbin/node",)


def test_write_flags_and_creat_make_files_written() -> None:
    lines = [
        '1 open("/var/log/a", O_RDWR) = 3',
        '1 creat("/tmp/b", 0644) = 4',
        '1 openat(AT_FDCWD, "/tmp/c", O_WRONLY|O_APPEND) = 5',
        '1 openat2(AT_FDCWD, "/etc/d", {flags=O_RDONLY|O_CLOEXEC, resolve=0}, 24) = 6',
    ]
    facts = parse_strace(lines)
    assert facts.files_written == ("/tmp/b", "/tmp/c", "/var/log/a")
    assert facts.files_read == ("/etc/d",)


def test_successfully_opened_shared_objects_are_libraries_loaded() -> None:
    lines = [
        '2 openat(AT_FDCWD, "/lib/x86_64-linux-gnu/tls/libc.so.6", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)',
        '2 openat(AT_FDCWD, "/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY|O_CLOEXEC) = 3',
        '2 openat(AT_FDCWD, "/usr/lib/libfoo.so", O_RDONLY|O_CLOEXEC) = 3',
    ]
    facts = parse_strace(lines)
    assert facts.shared_libraries == ("/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/libfoo.so")
    assert facts.looked_for_not_found == ("/lib/x86_64-linux-gnu/tls/libc.so.6",)


def test_failures_other_than_enoent_are_kept_apart_with_their_errno() -> None:
    facts = parse_strace(
        ['1 openat(AT_FDCWD, "/root/.ssh", O_RDONLY) = -1 EACCES (Permission denied)']
    )
    assert (facts.failed_opens, facts.looked_for_not_found) == ((("/root/.ssh", "EACCES"),), ())


def test_inet6_and_unix_socket_addresses_are_parsed() -> None:
    lines = [
        '1 connect(3, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 EINPROGRESS (Operation now in progress)',
        '1 connect(4, {sa_family=AF_UNIX, sun_path="/var/run/docker.sock"}, 110) = 0',
        '1 connect(5, {sa_family=AF_UNIX, sun_path=@"abstract"}, 12) = 0',
    ]
    facts = parse_strace(lines)
    assert facts.network_connects == (
        Connect(family="AF_INET6", address="::1", port=443, outcome="EINPROGRESS"),
        Connect(family="AF_UNIX", address="/var/run/docker.sock", port=None, outcome="ok"),
        Connect(family="AF_UNIX", address="@abstract", port=None, outcome="ok"),
    )


def test_argv_beyond_argv0_and_every_environment_value_stay_out_by_default() -> None:
    line = '9 execve("/app/run", ["/app/run", "--token=s3cret"], ["API_KEY=hunter2"]) = 0'
    facts = parse_strace([line])
    assert facts.executions == (Execution(binary="/app/run", argv0="/app/run", argc=2),)
    assert "s3cret" not in repr(facts) and "hunter2" not in repr(facts)


def test_full_argv_is_kept_only_when_asked_and_environments_never() -> None:
    line = '9 execve("/app/run", ["/app/run", "--token=s3cret"], ["API_KEY=hunter2"]) = 0'
    facts = parse_strace([line], keep_argv=True)
    assert facts.executions[0].argv == ("/app/run", "--token=s3cret")
    assert "hunter2" not in repr(facts)


def test_escapes_decode_to_the_bytes_they_name() -> None:
    assert decode_string(r'"a\nb\"c\\d\x41\101\0"') == ('a\nb"c\\dAA\x00', False)


def test_a_truncated_string_is_flagged() -> None:
    assert decode_string('"/very/long/pa"...') == ("/very/long/pa", True)
    facts = parse_strace(['1 openat(AT_FDCWD, "/very/long/pa"..., O_RDONLY) = 3'])
    assert (facts.files_read, facts.truncated_strings) == (("/very/long/pa",), True)


def test_non_utf8_bytes_in_a_path_become_printable_escapes() -> None:
    facts = parse_strace([r'1 openat(AT_FDCWD, "/tmp/\377x", O_RDONLY) = 3'])
    assert facts.files_read == ("/tmp/\\xffx",)


def test_a_trace_cut_mid_line_counts_the_cut_line_and_keeps_the_rest() -> None:
    data = b'1 openat(AT_FDCWD, "/etc/a", O_RDONLY) = 3\n1 openat(AT_FDCWD, "/et'
    facts = parse_strace_bytes(data)
    assert (facts.files_read, facts.unparsed_lines) == (("/etc/a",), 1)


def test_lines_without_a_pid_prefix_are_read_as_one_process() -> None:
    facts = parse_strace(
        ['execve("/bin/true", ["true"], 0x1 /* 1 var */) = 0', "+++ exited with 0 +++"]
    )
    assert facts.binaries_executed == ("/bin/true",)
    assert facts.exits == (ProcessExit(pid=0, how="exited", code=0),)


def test_signal_lines_and_vanished_calls_carry_no_facts() -> None:
    lines = [
        "4 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=5} ---",
        '4 execve("/bin/x", ["x"], 0x1 /* 0 vars */) = ?',
    ]
    facts = parse_strace(lines)
    assert (facts.binaries_executed, facts.unparsed_lines) == ((), 0)


def test_split_args_respects_quotes_and_brackets() -> None:
    text = '"a, b", ["c", "d,e"], {x=1, y=2}, 3'
    assert split_args(text) == ['"a, b"', '["c", "d,e"]', "{x=1, y=2}", "3"]


def test_a_failure_cut_before_its_errno_is_not_taken_for_a_success() -> None:
    facts = parse_strace(['1 execve("/bin/x", ["x"], 0x1 /* 0 vars */) = -1'])
    assert (facts.binaries_executed, facts.unparsed_lines) == ((), 1)


def test_a_lone_surrogate_in_a_callers_text_is_kept_printable_not_raised() -> None:
    facts = parse_strace(
        ['1 open("\ud800/etc/a", O_RDONLY) = 5', '1 open("/b\\x41", O_RDONLY) = 6']
    )
    assert facts.files_read == ("/bA", "\\ud800/etc/a")


def test_a_resumed_clone_and_exec_keep_their_pid_when_joined_to_their_start() -> None:
    lines = [
        '5 execve("/bin/busybox", ["sh"], 0x1 /* 1 var */) = 0',
        "5 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>",
        "5 <... clone resumed>) = 6",
        '6 execve("/proc/self/exe", ["cat", "/x"] <unfinished ...>',
        "6 <... execve resumed>, 0x2 /* 1 var */) = 0",
    ]

    facts = parse_strace(lines)

    assert facts.binaries_executed == ("/bin/busybox",)
    assert facts.executions[-1] == Execution(binary="/bin/busybox", argv0="sh", argc=1)
    assert Execution(binary="/bin/busybox", argv0="cat", argc=2) in facts.executions
    assert parse_strace_bytes("\n".join(lines).encode()) == facts
    assert facts.unfinished_calls == 0
