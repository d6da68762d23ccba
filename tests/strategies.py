"""Hypothesis strategies shared by the property tests; each section names the module it serves."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, cast

import attrs
from hypothesis import strategies as st

from codegenie_core.config import GatherConfig
from codegenie_core.parsers.inventory import Declared
from codegenie_core.parsers.lock_model import Importer, Lock, LockedPackage, LockedRef
from codegenie_core.parsers.manifest_model import Dependency
from codegenie_core.probes.layer_c.model import ContainerPolicy
from codegenie_core.schedule import Task
from codegenie_core.verdicts import Threshold

# ---- codegenie_core.verdicts ---------------------------------------------------------------
measurement_keys = st.sampled_from(["cold_p50_s", "warm_p50_s", "warm_p95_s", "cold_p95_s", "rss"])
positive_seconds = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False)
measurements = st.dictionaries(measurement_keys, positive_seconds, max_size=5)
sample_runs = st.lists(positive_seconds, min_size=7, max_size=15)


@st.composite
def thresholds(draw: st.DrawFn) -> Threshold:
    """A valid `Threshold`: comment <= fail whenever both are set; any may opt out (None)."""
    comment = draw(st.none() | st.floats(min_value=0, max_value=500))
    floor = 0.0 if comment is None else comment
    fail = draw(st.none() | st.floats(min_value=floor, max_value=floor + 1000))
    p95 = draw(st.none() | st.floats(min_value=0, max_value=1000))
    return Threshold(comment_pct=comment, fail_pct=fail, fail_p95_s=p95)


# ---- codegenie_core.cache_keys ---------------------------------------------------------------
# Path segments from a small alphabet, so globs and files collide often enough to be interesting;
# "." and ".." never arrive through the RepoFiles port, so they are not generated.
path_segments = st.text(alphabet="abAB._-1", min_size=1, max_size=3).filter(
    lambda s: s not in {".", ".."}
)
repo_paths = st.lists(path_segments, min_size=1, max_size=3).map("/".join)
repo_files = st.dictionaries(repo_paths, st.binary(max_size=8), max_size=8)
glob_segments = st.one_of(
    path_segments,
    st.sampled_from(["*", "**", "*.a", "a*", "?", "[ab]*", "[!a]*"]),
)
repo_globs = st.lists(glob_segments, min_size=1, max_size=3).map("/".join)
token_values = st.text(max_size=6)  # any str, lone surrogates included


# ---- codegenie_adapters.git_index / codegenie_core.probes.layer_a.git -------------------------
# File names as git prints them with -z: any bytes but NUL and "/" within a segment; decoded the
# way the adapter decodes them (os.fsdecode), so non-UTF-8 names are included.
git_name_segments = st.binary(min_size=1, max_size=6).filter(
    lambda b: b"\0" not in b and b"/" not in b and b not in (b".", b"..")
)
git_paths = st.lists(git_name_segments, min_size=1, max_size=3).map(b"/".join)
git_object_ids = st.sampled_from([40, 64]).flatmap(
    lambda n: st.text(alphabet="0123456789abcdef", min_size=n, max_size=n)
)
git_modes = st.sampled_from(["100644", "100755", "120000", "160000"])
status_codes = st.sampled_from(
    [" M", "M ", "MM", "A ", "AM", " D", "D ", "R ", "RM", "C ", "??", "UU", "AA", "DD", " T"]
)


# ---- codegenie_core.redact ---------------------------------------------------------------------
# Every secret starts with "Q" and is drawn from an alphabet hosts, ports, paths, schemes and
# transports never use (upper case, RFC 3986 sub-delims, and ":", "@", "?", "#", which a careless
# URL carries unescaped), so "a secret appears in the output" can only mean it leaked.
_SECRET_ALPHABET = "ABCDEFGHJKLMNPRUVWXYZ!$&'()*+,;=~_:@?#"
url_passwords = st.text(alphabet=_SECRET_ALPHABET, min_size=1, max_size=10).map(lambda s: "QP" + s)
url_users = st.text(alphabet="abcdefghijklmnopqrstuvwxyz._-", max_size=6).map(lambda s: "QU" + s)
url_percent_encoded = st.sampled_from(["%40", "%3A", "%2F", "%23", "%3F", "%25"])
url_userinfos = st.one_of(
    url_users,
    st.tuples(url_users, url_passwords).map(":".join),
    st.tuples(url_users, url_percent_encoded, url_passwords).map("".join),
    url_passwords.map(lambda p: ":" + p),  # no user, a password only
)
url_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
url_hosts = st.one_of(
    url_names.map(lambda h: h + ".example"),
    st.sampled_from(["10.0.0.7", "[::1]", "[2001:db8::7]", "[fe80::1%25eth0]", "localhost"]),
)
url_ports = st.sampled_from(["", ":22", ":8080", ":2222"])
# Paths never hold "?", "#" or ":" (a path's ":" would make an scp-like host ambiguous).
url_paths = st.text(alphabet="abcdefghijklmnopqrstuvwxyz/._-@~%0123456789", max_size=12)
url_schemes = st.sampled_from(
    ["https", "http", "ssh", "git+ssh", "ssh+git", "git", "ftp", "ftps", "HTTPS", "SSH"]
)
url_queries = st.one_of(
    st.just(""),
    url_passwords.map(lambda s: "?access_token=" + s),
    st.tuples(url_names, url_passwords).map(lambda q: f"?{q[0]}={q[1]}&x=1"),
)
url_fragments = st.one_of(st.just(""), url_passwords.map(lambda s: "#" + s))
url_transports = st.sampled_from(["", "hg::", "remote-x::", "persistent-https::", "a+b.c::"])


@attrs.frozen(kw_only=True)
class RemoteUrl:
    """A remote URL git accepts, what `strip_credentials` must make of it, and its secrets."""

    url: str
    expected: str
    secrets: tuple[str, ...]


def _secrets_of(*parts: str) -> tuple[str, ...]:
    return tuple(p for p in parts if p)


@st.composite
def remote_urls(draw: st.DrawFn) -> RemoteUrl:
    """One remote in each form git accepts: `scheme://`, scp-like, bracketed scp-like, local
    path, `<transport>::<address>` around them, and `ext::<command>`."""
    form = draw(st.sampled_from(["scheme", "file", "scp", "bracketed", "local", "ext"]))
    userinfo = draw(st.one_of(st.just(""), url_userinfos))
    if form == "scp":  # git's scp-like grammar has no password; a careless one holds no ?, #
        userinfo = userinfo.replace("?", "").replace("#", "")
    at = userinfo + "@" if userinfo else ""
    host, port, path = draw(url_hosts), draw(url_ports), draw(url_paths)
    query, fragment = draw(url_queries), draw(url_fragments)
    secrets = _secrets_of(userinfo, query, fragment)
    transport = draw(url_transports)
    if form == "ext":
        command = draw(st.sampled_from(["ssh", "git-remote-x", "/usr/bin/helper"]))
        url = f"ext::{command} -o Token={draw(url_passwords)} {host} %S '{path}'"
        return RemoteUrl(url=url, expected=f"ext::{command} ...", secrets=(url.split("=")[1],))
    if form == "scheme":
        scheme, slashed = draw(url_schemes), "/" + path
        kept = f"{scheme}://{host}{port}{slashed}"
        url = f"{scheme}://{at}{host}{port}{slashed}{query}{fragment}"
    elif form == "file":
        kept = f"file:///{path}"
        url = f"file://{at}/{path}{query}{fragment}"
    elif form == "scp":
        kept = f"{host}:{path}"
        url = f"{at}{host}:{path}{query}{fragment}"
    elif form == "bracketed":  # git's `[user@host:port]:path`
        kept = f"[{host.strip('[]')}{port}]:{path}"
        url = f"[{at}{host.strip('[]')}{port}]:{path}{query}{fragment}"
    else:
        secrets = ()  # a local path is a file name, kept whole: it has no user-info or query
        kept = url = draw(st.sampled_from(["/srv/", "./", "../"])) + path
    return RemoteUrl(url=transport + url, expected=transport + kept, secrets=secrets)


# ---- codegenie_core.parsers.strace -------------------------------------------------------------
# Per-pid trace bodies from a small vocabulary, so paths and binaries repeat across pids; a clone
# names a child pid of the same family, so /proc/self/exe attribution crosses pids.
trace_paths = st.sampled_from(
    ["/bin/sh", "/etc/passwd", "/lib/libc.so.6", "/tmp/x", "/usr/bin/env"]
)


@st.composite
def trace_bodies(draw: st.DrawFn, pids: tuple[int, ...]) -> list[str]:
    """One pid's lines in order (without the pid prefix)."""
    bodies: list[str] = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        path = draw(trace_paths)
        kind = draw(st.integers(min_value=0, max_value=7))
        if kind == 0:
            bodies.append(f'execve("{path}", ["{path}", "-x"], 0x1 /* 2 vars */) = 0')
        elif kind == 1:
            bodies.append(f'execve("{path}", ["a"], 0x1 /* 2 vars */) = -1 ENOENT (No such file)')
        elif kind == 2:
            bodies.append('execve("/proc/self/exe", ["cat", "/x"], 0x2 /* 3 vars */) = 0')
        elif kind == 3:
            flags = draw(st.sampled_from(["O_RDONLY", "O_WRONLY|O_CREAT", "O_RDONLY|O_DIRECTORY"]))
            bodies.append(f'openat(AT_FDCWD, "{path}", {flags}) = 3')
        elif kind == 4:
            bodies.append(f'openat(AT_FDCWD, "{path}", O_RDONLY <unfinished ...>')
            bodies.append("<... openat resumed>) = -1 ENOENT (No such file or directory)")
        elif kind == 5:
            port = draw(st.integers(min_value=1, max_value=3))
            address = f'sin_port=htons({port}), sin_addr=inet_addr("127.0.0.1")'
            bodies.append(f"connect(3, {{sa_family=AF_INET, {address}}}, 16) = 0")
        elif kind == 6:
            bodies.append(f"clone(child_stack=NULL, flags=SIGCHLD) = {draw(st.sampled_from(pids))}")
        else:
            bodies.append(f"+++ exited with {draw(st.integers(min_value=0, max_value=3))} +++")
    return bodies


# Whole lines for the fast-path/general-grammar differential (ADR-0053): each form the fast path
# recognises, in pid-prefixed and bare variants, then cut, spliced with the characters its patterns
# key on (quotes, backslashes, parentheses, "=", CR), or replaced by any text, so lines just inside
# and just outside every fast pattern are drawn often.
_strace_names = st.sampled_from(
    ["/etc/a", "/lib/libc.so.6", "/lib/libx.so", "/d", "/a,b(c)", "/p\\n\\x41\\101", '/q\\"r', ""]
)
_strace_forms = (
    'openat(AT_FDCWD, "{s}", {f}) = 3',
    'openat(AT_FDCWD, "{s}", {f}, 0644) = -1 {e} (Some text)',
    'openat(3, "{s}"..., {f}) = 4',
    'open("{s}", {f}) = 5',
    'open("{s}", {f}) = -1 {e} (No such file or directory)',
    'creat("{s}", 0644) = 6',
    'openat2(AT_FDCWD, "{s}", {{flags={f}}}, 24) = 7',
    'execve("{s}", ["{s}", "-x"], 0x7ffd0 /* 3 vars */) = 0',
    'execve("{s}", [], 0x1 /* 1 var */) = -1 {e} (No such file or directory)',
    'execve("{s}", ["a", ...], ["K=v"]) = 0',
    'execveat(3, "{s}", ["b"], 0x1 /* 0 vars */, 0) = 0',
    'connect(3, {{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("{s}")}}, 16) = 0',
    'connect(3, {{sa_family=AF_INET, sin_port=htons(81), sin_addr=inet_addr("1.2.3.4")}}, 16)'
    " = -1 {e} (Refused)",
    'connect(4, {{sa_family=AF_UNIX, sun_path="{s}"}}, 110) = 0',
    "clone(child_stack=NULL, flags=SIGCHLD) = {n}",
    "clone3({{flags=CLONE_VM, exit_signal=SIGCHLD}}, 88) = {n}",
    "vfork() = {n}",
    'read(3, "{s}"..., 832) = 832',
    "mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, -1, 0) = 0x7f0000",
    "close(3) = -1 {e} (Bad file descriptor)",
    "brk(NULL) = -1",
    "exit_group(0) = ?",
    'openat(AT_FDCWD, "{s}", {f} <unfinished ...>',
    "<... openat resumed>) = 3",
    "+++ exited with {n} +++",
    "--- SIGCHLD {{si_signo=SIGCHLD}} ---",
)
_strace_splices = st.sampled_from(
    ["", ")", ") = ", " = 1", "=", '"', "\\", "(", ",", " ", "\r", "\ud800", "\udcff", "..."]
)

_strace_endings = st.sampled_from([" = 1", ") = 2", "=", " <unfinished ...>", "\r", "\n", "\r\n"])


@st.composite
def strace_differential_lines(draw: st.DrawFn) -> list[str]:
    """Trace lines near and across the fast path's edges (see above)."""
    lines: list[str] = []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        form = draw(st.sampled_from(_strace_forms))
        body = form.format(
            s=draw(_strace_names),
            f=draw(st.sampled_from(["O_RDONLY", "O_RDWR|O_CREAT", "O_RDONLY|O_DIRECTORY"])),
            e=draw(st.sampled_from(["ENOENT", "EACCES"])),
            n=draw(st.sampled_from(["12", "13", "0"])),
        )
        prefix = draw(st.sampled_from(["12 ", "13  ", "", "x ", "12"]))
        line = prefix + body
        edit = draw(st.integers(min_value=0, max_value=5))
        if edit == 1:
            cut = draw(st.integers(min_value=0, max_value=len(line)))
            line = line[:cut] + draw(_strace_splices) + line[cut:]
        elif edit == 2:
            line = line[: draw(st.integers(min_value=0, max_value=len(line)))]
        elif edit == 3:
            line = draw(st.text(max_size=40))
        elif edit == 4:  # a second result after the first: the general grammar's split is the last
            line += draw(_strace_endings)
        lines.append(line)
    return lines


# ---- codegenie_core.parsers.dockerfile (layer A) --------------------------------------------
# Lines assembled from the Dockerfile's lexical pieces (keywords, escapes, comments, heredoc
# markers, quotes, variables), so generated texts hit continuations and heredocs often.
_dockerfile_pieces = st.sampled_from(
    [
        "FROM",
        "RUN",
        "CMD",
        "ENV",
        "ARG",
        "COPY",
        "USER",
        "HEALTHCHECK",
        "from",
        "ONBUILD",
        " ",
        "\t",
        "\\",
        "`",
        "#",
        "# escape=`",
        "# syntax=x",
        "<<EOF",
        "<<-EOF",
        "<<'E'",
        "EOF",
        "E",
        '["a", "b"]',
        "[",
        '"',
        "'",
        "$A",
        "${A:-b}",
        "=",
        "AS",
        "x",
        "8080/udp",
        "\r",
    ]
)
dockerfile_lines = st.lists(_dockerfile_pieces, max_size=6).map("".join)
dockerfile_texts = st.lists(dockerfile_lines, max_size=12).map("\n".join) | st.text(max_size=200)


# ---- codegenie_core.probes.layer_b (SCIP symbols, sidecars, indexes) ----------------------------
scip_simple_names = st.text(alphabet="abcXYZ019_$+-", min_size=1, max_size=6)
scip_any_names = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=6
)
scip_suffixes = st.sampled_from(
    ["namespace", "type", "term", "meta", "macro", "method", "type-parameter", "parameter"]
)
# A header part never starts with a space: after the separator, "  " reads as an escaped space
# (so the grammar, and SCIP's own parser, cannot tell a leading space from a separator).
scip_header_parts = st.text(alphabet="ab .-@/", min_size=1, max_size=5).filter(
    lambda s: not s.startswith(" ")
)


@st.composite
def scip_sidecars(draw: st.DrawFn) -> object:
    """Any `IndexSidecar` codegenie could write."""
    from codegenie_core.probes.layer_b.model import IndexSidecar

    text = st.text(max_size=20)
    maybe_int = st.none() | st.integers(min_value=-(2**31), max_value=2**31)
    return IndexSidecar(
        indexer=draw(st.sampled_from(["scip-typescript", "scip-python"])),
        indexer_version=draw(text),
        last_indexed=draw(
            st.none() | st.text(alphabet="0123456789abcdef", min_size=40, max_size=40)
        ),
        argv=tuple(draw(st.lists(text, max_size=4))),
        exit_status=draw(maybe_int),
        timed_out=draw(st.booleans()),
        document_count=draw(st.none() | st.integers(min_value=0, max_value=10**6)),
        stderr_tail=draw(text),
        started_at=draw(text),
        ended_at=draw(text),
        work_tree=tuple(sorted(draw(st.dictionaries(text, text, max_size=3)).items())),
    )


# (symbol, symbol_roles, range) occurrences and (path, occurrences) documents for index_bytes
scip_occurrences = st.tuples(
    st.sampled_from(["local 1", "scip-typescript npm . . `a.ts`/f().", "x y z w A#"]),
    st.integers(min_value=0, max_value=63),
    st.lists(st.integers(min_value=0, max_value=500), min_size=3, max_size=4).map(tuple),
)
scip_documents = st.lists(
    st.tuples(
        st.text(alphabet="abc/._", min_size=1, max_size=8),
        st.lists(scip_occurrences, max_size=6),
    ),
    max_size=6,
)


# ---- SCIP messages for the decoder's agreement with protobuf (ADR-0032) -----------------------
# Built with protoc's standard generated module (imported when drawn, so other tests never load
# protobuf). Every field of the subset is drawn, not only those codegenie reads, so the decoder
# meets the others as fields to skip; int32s span the whole range (negative ones are 10-byte
# varints); strings are any text, so non-ASCII UTF-8 appears.
if TYPE_CHECKING:  # imported where drawn: most property tests never load protobuf
    from tests import scip_subset_pb2 as pb

_int32s = st.integers(min_value=-(2**31), max_value=2**31 - 1)
_scip_text = st.text(max_size=12)


@st.composite
def scip_occurrence_messages(draw: st.DrawFn, *, legacy_range: bool = True) -> pb.Occurrence:
    """An `Occurrence`; without `legacy_range`, only a typed range (or none) says where it is."""
    from tests import scip_subset_pb2 as pb

    occurrence = pb.Occurrence(
        range=draw(st.lists(_int32s, max_size=5)) if legacy_range else [],
        symbol=draw(_scip_text),
        symbol_roles=draw(_int32s),
        override_documentation=draw(st.lists(_scip_text, max_size=2)),
        syntax_kind=draw(_int32s),
        enclosing_range=draw(st.lists(_int32s, max_size=4)),
    )
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        occurrence.diagnostics.add(
            severity=draw(_int32s), code=draw(_scip_text), message=draw(_scip_text)
        )
    for prefix in ("", "_enclosing"):
        match draw(st.sampled_from(["", "single", "multi"])):
            case "single":
                getattr(occurrence, f"single_line{prefix}_range").CopyFrom(
                    pb.SingleLineRange(
                        line=draw(_int32s),
                        start_character=draw(_int32s),
                        end_character=draw(_int32s),
                    )
                )
            case "multi":
                getattr(occurrence, f"multi_line{prefix}_range").CopyFrom(
                    pb.MultiLineRange(
                        start_line=draw(_int32s),
                        start_character=draw(_int32s),
                        end_line=draw(_int32s),
                        end_character=draw(_int32s),
                    )
                )
            case _:
                pass
    return occurrence


@st.composite
def scip_symbol_messages(draw: st.DrawFn) -> pb.SymbolInformation:
    from tests import scip_subset_pb2 as pb

    symbol = pb.SymbolInformation(
        symbol=draw(_scip_text),
        documentation=draw(st.lists(_scip_text, max_size=2)),
        kind=draw(_int32s),
        display_name=draw(_scip_text),
        enclosing_symbol=draw(_scip_text),
    )
    if draw(st.booleans()):
        symbol.relationships.add(symbol=draw(_scip_text), is_reference=draw(st.booleans()))
    if draw(st.booleans()):
        symbol.signature_documentation.CopyFrom(
            pb.Document(relative_path=draw(_scip_text), text=draw(_scip_text))
        )
    return symbol


@st.composite
def scip_document_messages(draw: st.DrawFn) -> pb.Document:
    from tests import scip_subset_pb2 as pb

    return pb.Document(
        relative_path=draw(_scip_text),
        occurrences=draw(st.lists(scip_occurrence_messages(), max_size=4)),
        symbols=draw(st.lists(scip_symbol_messages(), max_size=2)),
        language=draw(_scip_text),
        text=draw(_scip_text),
        position_encoding=draw(_int32s),
    )


@st.composite
def scip_metadata_messages(draw: st.DrawFn) -> pb.Metadata:
    from tests import scip_subset_pb2 as pb

    return pb.Metadata(
        version=draw(_int32s),
        tool_info=pb.ToolInfo(
            name=draw(_scip_text),
            version=draw(_scip_text),
            arguments=draw(st.lists(_scip_text, max_size=3)),
        ),
        project_root=draw(_scip_text),
        text_document_encoding=draw(_int32s),
    )


@st.composite
def scip_index_messages(draw: st.DrawFn) -> pb.Index:
    from tests import scip_subset_pb2 as pb

    index = pb.Index(
        documents=draw(st.lists(scip_document_messages(), max_size=3)),
        external_symbols=draw(st.lists(scip_symbol_messages(), max_size=2)),
    )
    index.metadata.CopyFrom(draw(scip_metadata_messages()))
    return index


@st.composite
def protobuf_unknown_fields(draw: st.DrawFn) -> bytes:
    """Fields with numbers the subset never declares (20-99), of every wire type protobuf writes
    (varint, fixed64, length-delimited, fixed32), encoded by hand: protobuf skips them, and so
    must the decoder."""
    encoded = b""
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        number = draw(st.integers(min_value=20, max_value=99))
        match draw(st.sampled_from([0, 1, 2, 5])):
            case 0:
                encoded += _varint(number << 3) + _varint(draw(st.integers(0, 2**64 - 1)))
            case 1:
                encoded += _varint(number << 3 | 1) + draw(st.binary(min_size=8, max_size=8))
            case 2:
                payload = draw(st.binary(max_size=6))
                encoded += _varint(number << 3 | 2) + _varint(len(payload)) + payload
            case _:
                encoded += _varint(number << 3 | 5) + draw(st.binary(min_size=4, max_size=4))
    return encoded


@st.composite
def protobuf_unpacked_int32s(draw: st.DrawFn, number: int) -> bytes:
    """Elements of the `repeated int32` field `number` written one by one (not packed), which
    protobuf's encoder never writes for proto3 but every parser must accept."""
    values = draw(st.lists(_int32s, max_size=3))
    return b"".join(_varint(number << 3) + _varint(v & (2**64 - 1)) for v in values)


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


# ---- codegenie_core.parsers (manifests, layer A) ----------------------------------------------
# PEP 508 names: alphanumerics with inner runs of "-", "_", "."; versions from a small alphabet.
python_names = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,8}[A-Za-z0-9])?", fullmatch=True)
python_specs = st.sampled_from(["", ">=1.0", "==2.3.4", ">=1,<2", "~=3.1", "!=0.9"])
python_markers = st.sampled_from([None, "python_version < '3.12'", 'sys_platform == "linux"'])
python_extras = st.lists(st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True), max_size=3)
go_module_paths = st.from_regex(r"[a-z]{1,6}\.(com|org|io)(/[a-z0-9._-]{1,8}){0,3}", fullmatch=True)
go_versions = st.from_regex(r"v[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}", fullmatch=True)
npm_names = st.from_regex(r"(@[a-z]{1,5}/)?[a-z][a-z0-9.-]{0,10}", fullmatch=True)
npm_specs = st.sampled_from(["^1.2.3", "~0.4.0", ">=2 <3", "*", "workspace:*", "file:../x"])

_GLOB_CHARS = "abAB1_-"  # path-segment characters that are never "." or ".." on their own


@st.composite
def globs_with_a_match(draw: st.DrawFn) -> tuple[str, str]:
    """A glob from `repo_globs`' grammar and a path it matches, built by instantiating each
    segment (so tests need no `assume` to find a matching file)."""
    segments = draw(st.lists(glob_segments, min_size=1, max_size=3))
    parts: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        free = draw(path_segments)
        match segment:
            case "**":
                parts += draw(st.lists(path_segments, min_size=1 if last else 0, max_size=2))
            case "*":
                parts.append(free)
            case "*.a":
                parts.append(free + ".a")
            case "a*":
                parts.append("a" + free)
            case "?":
                parts.append(draw(st.sampled_from(_GLOB_CHARS)))
            case "[ab]*":
                parts.append(draw(st.sampled_from("ab")) + free)
            case "[!a]*":
                parts.append(draw(st.sampled_from(_GLOB_CHARS.replace("a", ""))) + free)
            case literal:
                parts.append(literal)
    return "/".join(segments), "/".join(parts)


# ---- codegenie_core.probes.layer_a.ci ----------------------------------------------------------
# Plain YAML data biased towards the keys a workflow has, in right and wrong shapes.
_workflow_keys = st.sampled_from(
    ["on", "jobs", "name", "runs-on", "needs", "steps", "uses", "group"]
)
_workflow_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
workflow_data = st.recursive(
    _workflow_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(_workflow_keys | st.just(True) | st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=20,
)


# ---- small repository trees (the plain walk against git's listing) ---------------------------
_tree_dirs = st.sampled_from(
    ["", "src/", "vendor/", "build/", "node_modules/lib/", "dist/", "pkg/vendor/", "src/build/",
     "docs/", "__pycache__/", "deep/dist/x/"]
)  # fmt: skip
_tree_names = st.sampled_from(
    ["main.py", "app.js", "index.ts", "lib.go", "package.json", "go.mod", "pyproject.toml",
     "notes.md", "out.log", "keep.log", "bundle.min.js", "requirements.txt", "data.bin"]
)  # fmt: skip
_manifest_bodies = {
    "package.json": b'{"name": "p", "version": "1.0.0", "dependencies": {"left-pad": "^1"}}\n',
    "go.mod": b"module example.com/m\n\ngo 1.21\n",
    "pyproject.toml": b'[project]\nname = "p"\nversion = "1"\ndependencies = ["attrs>=23"]\n',
    "requirements.txt": b"click>=8\n",
}
_ignore_lines = st.sampled_from(
    ["*.log", "!keep.log", "build/", "dist", "/node_modules", "vendor/", "src/*.js", "!src/app.js",
     "*.min.js", "docs/", "# a comment", "", "deep/**/x", "!dist/", "/*.md"]
)  # fmt: skip


@st.composite
def repo_trees(draw: st.DrawFn) -> dict[str, bytes]:
    """A small tree: vendored, generated and source directories, manifests, and `.gitignore`s
    at the root and perhaps in one subdirectory."""
    paths = draw(st.lists(st.tuples(_tree_dirs, _tree_names).map("".join), max_size=12))
    tree = {p: _manifest_bodies.get(p.rsplit("/", 1)[-1], p.encode() * 3) for p in paths}
    tree[".gitignore"] = "\n".join(draw(st.lists(_ignore_lines, max_size=5))).encode() + b"\n"
    if draw(st.booleans()):
        where = draw(st.sampled_from(["src/", "vendor/", "dist/", "docs/"]))
        tree[where + ".gitignore"] = "\n".join(draw(st.lists(_ignore_lines, max_size=3))).encode()
    return tree


# ---- codegenie_adapters.config_yaml ------------------------------------------------------------
# Plain data JSON writes as one YAML 1.2 document, and the nodes it has once written out.
_yaml_text = st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), max_size=6)
yaml_plain_data = st.recursive(
    st.none() | st.booleans() | st.integers() | _yaml_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_yaml_text, inner, max_size=4),
    max_leaves=16,
)


def yaml_node_count(data: object) -> int:
    """Nodes a composer builds for `data`: one per scalar, list and mapping, and per key."""
    if isinstance(data, list):
        return 1 + sum(yaml_node_count(item) for item in data)  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]  # list items are plain data of unknown type
    if isinstance(data, dict):
        return 1 + sum(1 + yaml_node_count(value) for value in data.values())  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]  # mapping values, likewise
    return 1


# ---- codegenie_core.probes.layer_c.scenarios ------------------------------------------------
scenario_words = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    min_size=1,
    max_size=6,
)
scenario_env_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True)
_NUL_FIELDS = ("name", "argv", "shell", "env-name", "env-value")


@st.composite
def scenario_items(draw: st.DrawFn, index: int) -> tuple[dict[str, object], str | None]:
    """A scenario mapping as a YAML reader returns it, named `s<index>`, and the field a NUL byte
    was put into (None: the item is valid)."""
    item: dict[str, object] = {"name": f"s{index}"}
    if draw(st.booleans()):
        item["shell"] = draw(scenario_words.filter(str.strip))
    else:
        item["argv"] = draw(st.lists(scenario_words, min_size=1, max_size=4))
    item["env"] = draw(st.dictionaries(scenario_env_names, scenario_words, max_size=3))
    poisoned = draw(st.none() | st.sampled_from(_NUL_FIELDS))
    env = dict(draw(st.dictionaries(scenario_env_names, scenario_words, min_size=1, max_size=2)))
    match poisoned:
        case "name":
            item["name"] = f"s\x00{index}"
        case "argv":
            item.pop("shell", None)
            item["argv"] = [*draw(st.lists(scenario_words, max_size=2)), "a\x00b"]
        case "shell":
            item.pop("argv", None)
            item["shell"] = "echo \x00"
        case "env-name":
            item["env"] = env | {"K\x00": "v"}
        case "env-value":
            item["env"] = {key: value + "\x00" for key, value in env.items()}
        case _:
            pass
    return item, poisoned


# ---- codegenie_core.probes.layer_c.model: ContainerPolicy ------------------------------------
# A container policy in any shape the core can decide (ADR-0033).
_capabilities = st.lists(st.from_regex(r"[A-Z][A-Z0-9_]{0,11}", fullmatch=True), max_size=4)
container_policies = st.builds(
    ContainerPolicy,
    network=st.sampled_from(["none", "default"]),
    read_only_root=st.booleans(),
    tmpfs=st.lists(st.from_regex(r"/[a-z0-9._/-]{0,12}", fullmatch=True), max_size=3).map(tuple),
    cap_drop=_capabilities.map(tuple),
    cap_add=_capabilities.map(tuple),
    no_new_privileges=st.booleans(),
    pids_limit=st.none() | st.integers(min_value=1, max_value=1 << 20),
    memory_mib=st.none() | st.integers(min_value=6, max_value=1 << 20),
    init=st.booleans(),
)

# Gather configurations, every field varied (no NaN: a value that is not equal to itself has no
# one key).
gather_configs = st.builds(
    GatherConfig,
    layers=st.frozensets(st.sampled_from(["a", "b", "c"])),
    probes=st.lists(st.text(max_size=4), max_size=2).map(tuple),
    make_index=st.booleans(),
    index_paths=st.lists(st.text(max_size=5), max_size=3).map(tuple),
    engine=st.text(max_size=6),
    trace_argv=st.booleans(),
    probe_timeout_cap_s=st.none() | st.floats(allow_nan=False),
)

# ---- codegenie_adapters.trace_out ------------------------------------------------------------
# A tar member of any type the engine can stream back for the trace path, with a body for the
# regular-file case; the adversarial kinds are the ones a scenario can leave there.
trace_member_types = st.sampled_from(["reg", "symlink", "fifo", "dir", "hardlink", "chardev"])
trace_bodies_bytes = st.binary(max_size=4096)
trace_caps = st.integers(min_value=0, max_value=5000)

# ---- codegenie_core.report.escape ----------------------------------------------------------------
# Pieces a crafted repository would put in a name or a message to reshape the Markdown report:
# line endings of every kind (CommonMark's and the ones other readers honour), table pipes, code
# fences, block starters, HTML, link syntax, entities, emphasis, and the format characters that
# reorder what a reader sees.
MARKDOWN_HOSTILE_PIECES = (
    "\n", "\r", "\r\n", "\n\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\x00", "\t",
    "|", "| --- |", "\\|", "`", "``", "```", "~~~", "#", "# ", "###### ", ">", "> ", "<",
    "<script>", "<!--", "[", "]", "](http://x)", "![a](b)", "\\", "*", "**", "_", "__", "~~",
    "-", "- ", "---", "===", "+ ", "* ", "1.", "1) ", "    ", " ", "&amp;", "&#10;", "\u202e",
    "\u200b", "\ufeff",
)  # fmt: skip
markdown_hostile_text = st.lists(
    st.sampled_from(MARKDOWN_HOSTILE_PIECES) | st.text(max_size=3), max_size=8
).map("".join)

# Stage-heavy Dockerfiles: chains of named stages, ARG defaults using each other, WORKDIR joins,
# EXPOSE and ENV accumulating, commands and shells: what the linear interpreter restructured.
_stage_lines = st.sampled_from(
    [
        "FROM alpine AS s0",
        "FROM s0 AS s1",
        "FROM s1 AS S2",
        "FROM s2",
        "FROM s0 AS s0",
        "FROM scratch AS s3",
        "FROM $IMG AS s1",
        "FROM ${IMG:-busybox} AS s2",
        "FROM --platform=linux/amd64 s1",
        "FROM --bogus s0",
        "ARG IMG=alpine",
        "ARG IMG",
        "ARG A=$IMG B=${A}:1 IMG",
        "ARG IMG=$B",
        "WORKDIR /app",
        "WORKDIR sub",
        "WORKDIR ..",
        "WORKDIR ./x/../y",
        "WORKDIR //srv",
        "WORKDIR ///opt",
        "WORKDIR $HOME/a",
        "WORKDIR",
        "EXPOSE 80 81/udp 80",
        "EXPOSE 1-3 x",
        "ENV A=1 B=2",
        "ENV C 3",
        "ENV =x",
        "USER app",
        "USER",
        'CMD ["a", "b"]',
        "CMD run it",
        "ENTRYPOINT x",
        'SHELL ["/bin/bash", "-c"]',
        "SHELL x",
        "HEALTHCHECK --interval=5s CMD x",
        "HEALTHCHECK NONE",
        "RUN x",
    ]
)
dockerfile_stage_texts = st.lists(_stage_lines, max_size=24).map("\n".join)

# /proc/self/exe attribution tables: a few pids, each with execs (some re-execs of itself), and
# clone links between them that may form cycles (a reused pid can be its ancestor's parent).
_attribution_pids = st.integers(min_value=1, max_value=5)
attribution_execs = st.dictionaries(
    _attribution_pids,
    st.lists(st.sampled_from(["/bin/a", "/bin/b", "/proc/self/exe"]), max_size=4),
    max_size=5,
)
attribution_links = st.dictionaries(
    _attribution_pids,
    st.tuples(_attribution_pids, st.integers(min_value=0, max_value=5)),
    max_size=5,
).map(lambda links: {child: link for child, link in links.items() if link[0] != child})

# ---- codegenie_core.schedule -------------------------------------------------------------------
# Plans of up to 8 probes with random heaviness and deadlines. A closed plan's probes need only
# earlier ones (a DAG in plan order); an open plan may also need later probes (cycles) and names
# outside it ("ghost"), so some of its probes can never start.
schedule_budgets = st.integers(min_value=1, max_value=4)


@st.composite
def schedule_tasks(draw: st.DrawFn, *, closed: bool) -> list[Task]:
    size = draw(st.integers(min_value=1, max_value=8))
    names = [f"p{i}" for i in range(size)]
    tasks: list[Task] = []
    for index, name in enumerate(names):
        candidates = names[:index] if closed else [*names, "ghost"]
        needs = (
            draw(st.lists(st.sampled_from(candidates), unique=True, max_size=3))
            if candidates
            else []
        )
        tasks.append(
            Task(
                name=name,
                heaviness=draw(st.sampled_from(["light", "heavy"])),
                needs=tuple(needs),
                deadline_s=draw(st.integers(min_value=1, max_value=5)),
            )
        )
    return tasks


# ---- codegenie_core.parsers.ruby (Gemfile.lock) -----------------------------------------------
gem_names = st.from_regex(r"\A[a-z][a-z0-9_-]{0,8}\Z", fullmatch=True)
gem_versions = st.from_regex(r"\A[0-9]{1,2}(\.[0-9]{1,2}){0,3}(\.pre)?\Z", fullmatch=True)
gem_requirements = st.lists(
    st.tuples(st.sampled_from(["=", "~>", ">=", "<", "!="]), gem_versions).map(" ".join),
    max_size=2,
).map(", ".join)


@attrs.frozen
class GemLock:
    """A Bundler lockfile as data: gem -> (version, requirements, platforms); the dependencies
    (name, requirement); the Bundler version."""

    gems: dict[str, tuple[str, list[tuple[str, str]], tuple[str, ...]]]
    direct: list[tuple[str, str]]
    bundler: str


@st.composite
def gemfile_locks(draw: st.DrawFn) -> GemLock:
    """A `GemLock`; `tests/property` renders it as Bundler does and parses it back."""
    names = draw(st.lists(gem_names, min_size=1, max_size=6, unique=True))
    gems = {
        name: (
            draw(gem_versions),
            draw(st.lists(st.tuples(st.sampled_from(names), gem_requirements), max_size=3)),
            draw(st.sampled_from([(), ("x86_64-linux",), ("x86_64-linux", "arm64-darwin")])),
        )
        for name in names
    }
    direct = draw(
        st.lists(
            st.tuples(st.sampled_from(names), gem_requirements),
            max_size=4,
            unique_by=lambda t: t[0],
        )
    )
    return GemLock(gems=gems, direct=direct, bundler=draw(gem_versions))


# ---- the `ci` probe: GitLab jobs with `extends`, and Jenkinsfile text -------------------------
_gitlab_names = st.sampled_from(["a", "b", "c", ".t", ".u", "default", "stages", "missing"])
_gitlab_plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["variables", "script", "image", "name", "k"]), inner,
                          max_size=3)
    ),
    max_leaves=8,
)  # fmt: skip
_gitlab_job = st.dictionaries(
    st.sampled_from(["extends", "stage", "image", "services", "needs", "rules", "when",
                     "variables", "inherit"]),
    _gitlab_plain | _gitlab_names | st.lists(_gitlab_names, max_size=3),
    max_size=5,
)  # fmt: skip
gitlab_jobs_data = st.dictionaries(_gitlab_names, _gitlab_job | _gitlab_plain, max_size=7)
_jenkins_code = [
    "pipeline",
    "agent",
    "docker",
    "image",
    "label",
    "stage",
    "stages",
    "steps",
    "any",
    "none",
    "dockerfile",
    "node",
    "sh",
    "{",
    "}",
    "(",
    ")",
    " ",
    "\n",
]
_jenkins_lexical = ["'img'", '"s"', "'''t'''", "//c\n", "/*", "*/", "'", '"', "\\"]
jenkinsfile_code = st.lists(st.sampled_from(_jenkins_code), max_size=60).map("".join)
jenkinsfile_text = (
    st.lists(st.sampled_from(_jenkins_code + _jenkins_lexical), max_size=60).map("".join)
    | st.text(max_size=80)
)  # fmt: skip

# ---- codegenie_core.probes.layer_a.compose (compose files as plain YAML data) ------------------
# Compose keys and values of the shapes real files use, mixed with wrong shapes everywhere: the
# reader must turn any of them into facts and problems, never an exception.
_compose_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=70_000),
    st.sampled_from(
        [
            "80",
            "8080:80",
            "1-65535",
            "127.0.0.1:5000-5010:5000-5010/udp",
            "[::1]:6001:6001",
            "${PORT:-3000}:3000",
            "${PORT}",
            "$$x",
            "${A:-${B:-c}}",
            "./src:/app:ro",
            "/var/run/docker.sock:/x",
            "../../up:/y",
            "db-data:/data",
            "NAME=value",
            "=x",
            "CMD",
            "CMD-SHELL",
            "NONE",
            "compose.yaml",
            "sub/compose.yaml",
            "../compose.yaml",
            "a",
            "b",
            "backend",
            "service_healthy",
        ]
    ),
    st.text(alphabet="ab$:{}-/.=[]", max_size=12),
)
_compose_keys = st.sampled_from(
    [
        "services",
        "include",
        "volumes",
        "name",
        "image",
        "build",
        "context",
        "dockerfile",
        "dockerfile_inline",
        "ports",
        "target",
        "published",
        "depends_on",
        "condition",
        "environment",
        "env_file",
        "path",
        "profiles",
        "healthcheck",
        "test",
        "interval",
        "disable",
        "extends",
        "file",
        "service",
        "type",
        "source",
        "a",
        "b",
    ]
)
compose_documents = st.recursive(
    _compose_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(_compose_keys, children, max_size=5)
    ),
    max_leaves=40,
)


# ---- codegenie_core.parsers.pnpm_lock ------------------------------------------------------
# A pnpm lock as plain data, rendered per lockfile version by the property tests: packages
# (name, version, peer-suffixed?, dependencies by index, dev flag) and importers (a directory and
# its dependencies: a package index or a link to another importer, with a specifier).
@attrs.frozen(kw_only=True)
class PnpmModelPackage:
    name: str
    version: str
    peer: bool
    dependencies: tuple[int, ...]
    dev: bool | None


@attrs.frozen(kw_only=True)
class PnpmModelImporter:
    path: str
    dependencies: tuple[tuple[str, int | str, str], ...]  # (name, package index or link dir, spec)


_pnpm_names = st.sampled_from(["a", "b-c", "d_e", "@s/f", "@s/g.h", "@t-u/v"])
_pnpm_versions = st.builds(
    "{}.{}.{}{}".format,
    st.integers(0, 20),
    st.integers(0, 20),
    st.integers(0, 20),
    st.sampled_from(["", "-rc.1", "-beta.2+b5"]),
)


@st.composite
def pnpm_lock_models(
    draw: st.DrawFn,
) -> tuple[tuple[PnpmModelPackage, ...], tuple[PnpmModelImporter, ...]]:
    keys = draw(
        st.lists(
            st.tuples(_pnpm_names, _pnpm_versions, st.booleans()),
            max_size=6,
            unique_by=lambda k: k[0],  # one version per name: a dependency map keys by name
        )
    )
    count = len(keys)
    packages = tuple(
        PnpmModelPackage(
            name=name,
            version=version,
            peer=peer,
            dependencies=tuple(
                sorted(
                    draw(st.sets(st.integers(0, count - 1), max_size=3)) if count else (),
                    key=lambda i: keys[i][0],
                )
            ),
            dev=draw(st.sampled_from([None, True, False])),
        )
        for name, version, peer in keys
    )
    paths = draw(
        st.lists(st.sampled_from([".", "packages/a", "packages/b", "apps/x"]), unique=True)
    )
    importers: list[PnpmModelImporter] = []
    for path in paths:
        others = [p for p in paths if p != path]
        targets: list[int | str] = [*range(count), *others]
        chosen = (
            draw(st.lists(st.sampled_from(targets), unique=True, max_size=4)) if targets else []
        )
        named: dict[str, tuple[str, int | str, str]] = {}
        for target in chosen:
            name = keys[target][0] if isinstance(target, int) else f"@ws/{target.replace('/', '-')}"
            spec = draw(st.sampled_from(["^1.0.0", "~2", "*", "workspace:*", "latest"]))
            named.setdefault(name, (name, target, spec))
        importers.append(
            PnpmModelImporter(path=path, dependencies=tuple(named[n] for n in sorted(named)))
        )
    return packages, tuple(importers)


# ---- codegenie_core.parsers.yarn_lock / jsonc / npm_lock / bun_lock (npm lockfiles) ---------
_npm_word = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8
).filter(lambda w: not w.startswith("-"))


def _scoped(scope: str, name: str) -> str:
    return f"@{scope}/{name}"


def _semver(major: int, minor: int, patch: int) -> str:
    return f"{major}.{minor}.{patch}"


def _range(operator: str, version: str) -> str:
    return f"{operator}{version}"


npm_names = st.one_of(_npm_word, st.builds(_scoped, _npm_word, _npm_word))
_small = st.integers(min_value=0, max_value=30)
npm_versions = st.builds(_semver, _small, _small, _small)
npm_ranges = st.builds(_range, st.sampled_from(["^", "~", ">=", ""]), npm_versions)


@st.composite
def yarn_v1_entries(draw: st.DrawFn) -> list[dict[str, object]]:
    """Entries of a yarn v1 lockfile: distinct descriptor lists, a version, a resolved URL, an
    integrity and dependencies (name -> range) as yarn writes them."""
    names = draw(st.lists(npm_names, min_size=0, max_size=6, unique=True))
    entries: list[dict[str, object]] = []
    for name in names:
        ranges = draw(st.lists(npm_ranges, min_size=1, max_size=3, unique=True))
        entries.append(
            {
                "descriptors": tuple(f"{name}@{r}" for r in ranges),
                "name": name,
                "version": draw(npm_versions),
                "integrity": draw(st.sampled_from(["", "sha512-abc+/=="])),
                "dependencies": draw(st.dictionaries(npm_names, npm_ranges, max_size=3)),
            }
        )
    return entries


def _yarn_key(text: str) -> str:
    # yarn quotes a key that does not start with a letter or holds a space, colon or comma.
    plain = text[:1].isalpha() and not any(c in text for c in ' :,"')
    return text if plain else json.dumps(text)


def render_yarn_v1(entries: list[dict[str, object]]) -> str:
    """A yarn v1 lockfile for `yarn_v1_entries`, in yarn's own layout."""
    lines = [
        "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.",
        "# yarn lockfile v1",
        "",
    ]
    for entry in entries:
        descriptors = cast("tuple[str, ...]", entry["descriptors"])
        lines.append("")
        lines.append(", ".join(_yarn_key(d) for d in descriptors) + ":")
        lines.append(f'  version "{entry["version"]}"')
        lines.append(f'  resolved "https://registry.yarnpkg.com/{entry["name"]}.tgz"')
        if entry["integrity"]:
            lines.append(f"  integrity {entry['integrity']}")
        dependencies = cast("dict[str, str]", entry["dependencies"])
        if dependencies:
            lines.append("  dependencies:")
            lines.extend(
                f"    {_yarn_key(n)} {json.dumps(r)}" for n, r in sorted(dependencies.items())
            )
    return "\n".join(lines) + "\n"


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def jsonc_renderings(draw: st.DrawFn, value: object) -> str:
    """`value` written as JSONC: whitespace, `//` and `/* */` comments (which may hold quotes,
    commas and brackets) between tokens, and trailing commas, the way bun writes and people
    edit it."""
    gap = st.sampled_from(["", " ", "\n  ", ' // a, ] " note\n', " /* } , */ ", "\n/*\n*/"])

    def render(item: object) -> str:
        if isinstance(item, list):
            parts = [draw(gap) + render(x) + draw(gap) for x in cast("list[object]", item)]
            trailing = "," + draw(gap) if parts and draw(st.booleans()) else ""
            return "[" + ",".join(parts) + trailing + "]"
        if isinstance(item, dict):
            pairs = cast("dict[str, object]", item).items()
            parts = [
                draw(gap) + json.dumps(k) + draw(gap) + ":" + draw(gap) + render(v) + draw(gap)
                for k, v in pairs
            ]
            trailing = "," + draw(gap) if parts and draw(st.booleans()) else ""
            return "{" + ",".join(parts) + trailing + "}"
        return json.dumps(item)

    return draw(gap) + render(value) + draw(gap)


@st.composite
def mutated_texts(draw: st.DrawFn, text: str) -> str:
    """`text` with a few characters deleted, replaced or inserted: near-valid hostile input."""
    chars = list(text)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        at = draw(st.integers(min_value=0, max_value=len(chars)))
        action = draw(st.sampled_from(["delete", "insert", "replace"]))
        noise = draw(st.sampled_from([*'"{}[],:\n#/*\\@', "node_modules/", "  "]))
        if action == "delete" and at < len(chars):
            del chars[at]
        elif action == "replace" and at < len(chars):
            chars[at] = noise
        else:
            chars.insert(at, noise)
    return "".join(chars)


# ---- codegenie_core.parsers.shebang ------------------------------------------------------------
# A `#!` line naming a known interpreter: directly or through env(1) with options, assignments and
# `-S`, with a version suffix and arguments; the interpreter it must give back travels with it.
_env_words = st.sampled_from(["-i", "-", "-v", "--", "-u HOME", "-C /tmp", "A=1", "PATH=/bin"])


@st.composite
def shebang_lines(draw: st.DrawFn) -> tuple[bytes, str]:
    from codegenie_core.parsers.shebang import INTERPRETERS

    name = draw(st.sampled_from(sorted(INTERPRETERS)))
    program = name + draw(st.sampled_from(["", "3", "3.12", "5.36", "2.7"]))
    where = draw(st.sampled_from(["/usr/bin/", "/usr/local/bin/", "/opt/x/bin/", ""]))
    spaces = draw(st.sampled_from(["", " ", "\t"]))
    if draw(st.booleans()):
        env = " ".join(draw(st.lists(_env_words, max_size=3)))
        split = draw(st.sampled_from(["", "-S ", "-S", "--split-string="]))
        line = f"#!{spaces}/usr/bin/env {env} {split}{where}{program}"
    else:
        line = f"#!{spaces}{where}{program}"
    args = " ".join(draw(st.lists(st.sampled_from(["-w", "--flag", "-e", "x=1"]), max_size=2)))
    ending = draw(st.sampled_from(["\n", "\r\n", "", "\nmore text\n"]))
    return (line + (" " + args if args else "") + ending).encode(), name


# ---- codegenie_core.parsers.gitattributes -------------------------------------------------------
# Patterns in a small alphabet (so paths often match), with `**` segments; paths to match them.
_pattern_segments = st.one_of(
    st.just("**"), st.text(alphabet="ab*?", min_size=1, max_size=3).filter(lambda s: "**" not in s)
)
attribute_patterns = st.builds(
    lambda lead, segments: lead + "/".join(segments),
    st.sampled_from(["", "/"]),
    st.lists(_pattern_segments, min_size=1, max_size=3),
)
attribute_paths = st.lists(
    st.sampled_from(["a", "b", "ab", "ba", "aa"]), min_size=1, max_size=4
).map("/".join)
linguist_names = st.sampled_from(
    ["linguist-vendored", "linguist-generated", "linguist-documentation", "linguist-language"]
)
attribute_states = st.one_of(
    st.booleans(), st.none(), st.text(alphabet="abcXYZ019+#._-", min_size=1, max_size=8)
)


# ---- codegenie_core.parsers.{poetry,uv,pdm,pipfile}_lock, python_setup ---------------------
# A lock as (PEP 503 name, version, names it depends on); rendered in each format's own layout.
python_project_names = st.from_regex(r"[a-z][a-z0-9]{0,7}(-[a-z0-9]{1,4})?", fullmatch=True)
python_versions = st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}", fullmatch=True)
PythonLockRows = list[tuple[str, str, tuple[str, ...]]]


@st.composite
def python_lock_rows(draw: st.DrawFn) -> PythonLockRows:
    names = draw(st.lists(python_project_names, unique=True, max_size=10))
    rows: PythonLockRows = []
    for name in names:
        depends = draw(st.sets(st.sampled_from(names), max_size=3)) if names else set[str]()
        rows.append((name, draw(python_versions), tuple(sorted(depends - {name}))))
    return rows


def render_poetry_lock(rows: PythonLockRows) -> str:
    out: list[str] = []
    for name, version, depends in rows:
        out += ["[[package]]", f'name = "{name}"', f'version = "{version}"', 'groups = ["main"]']
        out += ["files = []", ""]
        if depends:
            out += ["[package.dependencies]", *(f'{d} = "*"' for d in depends), ""]
    return "\n".join([*out, "[metadata]", 'lock-version = "2.1"', ""])


def render_uv_lock(rows: PythonLockRows) -> str:
    out = ["version = 1", "revision = 2", ""]
    for name, version, depends in rows:
        out += ["[[package]]", f'name = "{name}"', f'version = "{version}"']
        out.append('source = { registry = "https://pypi.org/simple" }')
        out += ["dependencies = [", *(f'    {{ name = "{d}" }},' for d in depends), "]", ""]
    return "\n".join(out)


def render_pdm_lock(rows: PythonLockRows) -> str:
    out = ["[metadata]", 'groups = ["default"]', 'lock_version = "4.5.0"', ""]
    for name, version, depends in rows:
        out += ["[[package]]", f'name = "{name}"', f'version = "{version}"', 'groups = ["default"]']
        out += ["dependencies = [", *(f'    "{d}",' for d in depends), "]", ""]
    return "\n".join(out)


def render_pipfile_lock(rows: PythonLockRows) -> str:
    default: dict[str, dict[str, object]] = {
        name: {"hashes": list[str](), "version": f"=={version}"} for name, version, _ in rows
    }
    return json.dumps({"_meta": {"pipfile-spec": 6}, "default": default, "develop": {}}, indent=4)


@st.composite
def edited_texts(draw: st.DrawFn, base: str) -> str:
    """`base` with a few random edits (a deleted run, an inserted run, a duplicated run)."""
    text = base
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        end = draw(st.integers(min_value=at, max_value=min(len(text), at + 40)))
        edit = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if edit == "delete":
            text = text[:at] + text[end:]
        elif edit == "insert":
            text = text[:at] + draw(st.text(max_size=12)) + text[at:]
        else:
            text = text[:end] + text[at:end] + text[end:]
    return text


# ---- codegenie_core.parsers.maven_pom / probes.layer_a.maven_workspaces ----------------------
# POM-shaped texts: a project with random parents, properties, managed and declared dependencies,
# then mutated (cut short, a tag dropped), so parsing meets both valid and broken XML.
_pom_names = st.sampled_from(["a", "b", "g", "x", "${a}", "${project.version}", "${missing}"])


@st.composite
def pom_texts(draw: st.DrawFn) -> str:
    def dependency() -> str:
        parts = [
            f"<groupId>{draw(_pom_names)}</groupId>",
            f"<artifactId>{draw(_pom_names)}</artifactId>",
        ]
        if draw(st.booleans()):
            parts.append(f"<version>{draw(_pom_names)}</version>")
        if draw(st.booleans()):
            parts.append("<type>pom</type><scope>import</scope>")
        return "<dependency>" + "".join(draw(st.permutations(parts))) + "</dependency>"

    body = [f"<artifactId>{draw(_pom_names)}</artifactId>"]
    if draw(st.booleans()):
        body.append(
            f"<parent><groupId>{draw(_pom_names)}</groupId><artifactId>p</artifactId>"
            f"<version>{draw(_pom_names)}</version></parent>"
        )
    props = draw(st.lists(st.tuples(_pom_names, _pom_names), max_size=3))
    body.append(
        "<properties>"
        + "".join(f"<p{i}>{v}</p{i}>" for i, (_, v) in enumerate(props))
        + "</properties>"
    )
    managed = draw(st.lists(st.just(0), max_size=3))
    body.append(
        "<dependencyManagement><dependencies>"
        + "".join(dependency() for _ in managed)
        + "</dependencies></dependencyManagement>"
    )
    declared = draw(st.lists(st.just(0), max_size=3))
    body.append("<dependencies>" + "".join(dependency() for _ in declared) + "</dependencies>")
    text = "<project>" + "".join(draw(st.permutations(body))) + "</project>"
    cut = draw(st.integers(min_value=0, max_value=len(text)))
    return draw(st.sampled_from([text, text[:cut], text.replace("</version>", "", 1), text + "<"]))


# ---- codegenie_core.parsers.gradle ---------------------------------------------------------
# gradle.lockfile entries (coordinate -> configurations) and build-script-shaped texts, mutated.
_gradle_part = st.text(alphabet="abcxyz0129.-_", min_size=1, max_size=8).filter(
    lambda s: s != "empty"
)
_gradle_confs = st.lists(
    st.sampled_from(
        ["compileClasspath", "runtimeClasspath", "testCompileClasspath", "testRuntimeClasspath"]
    ),
    min_size=1,
    max_size=3,
    unique=True,
).map(tuple)


@st.composite
def gradle_lock_entries(draw: st.DrawFn) -> dict[str, tuple[str, ...]]:
    coordinates = draw(
        st.lists(
            st.tuples(_gradle_part, _gradle_part, _gradle_part).map(":".join),
            max_size=12,
            unique=True,
        )
    )
    return {c: draw(_gradle_confs) for c in coordinates}


_gradle_lines = st.sampled_from(
    [
        "dependencies {",
        "}",
        'implementation("com.example:lib:1.0")',
        "testImplementation 'org.junit.jupiter:junit-jupiter:5.10.1'",
        "api platform('org.example:bom:2')",
        "implementation group: 'g', name: 'a', version: '1'",
        "implementation(libs.some.lib)",
        "implementation libs.bundles.b",
        'implementation(project(":core"))',
        'implementation("a:b:$v")',
        "compileOnly(",
        "/* implementation('x:y:1')",
        "// implementation 'x:y:1'",
        '"""',
        "'",
        "include(':a', ':b:c')",
        "include ",
        "[versions]",
        "[libraries]",
        'a = { module = "g:a", version.ref = "v" }',
        'v = "1"',
        "[bundles]",
        'b = ["a", "zz"]',
        "x = 1",
    ]
)


@st.composite
def gradle_texts(draw: st.DrawFn) -> str:
    lines = draw(st.lists(_gradle_lines, max_size=20))
    text = "\n".join(lines)
    cut = draw(st.integers(min_value=0, max_value=len(text)))
    junk = draw(st.text(max_size=20))
    return draw(st.sampled_from([text, text[:cut], text + junk, junk + text]))


# ---- codegenie_core.parsers.cargo_lock / go_inventory (lockfiles, issue #11) -------------------
CRATES_IO_SOURCE = "registry+https://github.com/rust-lang/crates.io-index"
cargo_names = st.from_regex(r"[a-z][a-z0-9_-]{0,6}", fullmatch=True)
cargo_versions = st.from_regex(r"[0-9]\.[0-9]{1,2}\.[0-9]{1,2}", fullmatch=True)
cargo_sources = st.sampled_from(
    [None, CRATES_IO_SOURCE, "git+https://github.com/acme/kit?branch=main#0123abcd"]
)


@st.composite
def cargo_lock_packages(
    draw: st.DrawFn,
) -> list[tuple[str, str, str | None, list[int]]]:
    """Packages of a Cargo.lock: (name, version, source, indexes of the packages it depends on),
    unique by (name, version, source); names repeat often, so dependency strings must carry a
    version (or a source) to be unambiguous."""
    names = draw(st.lists(cargo_names, min_size=1, max_size=4, unique=True))
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(names), cargo_versions, cargo_sources),
            min_size=1,
            max_size=8,
            unique=True,
        )
    )
    return [
        (name, version, source, sorted(draw(st.sets(st.integers(0, len(keys) - 1), max_size=3))))
        for name, version, source in keys
    ]


go_sum_lines = st.lists(
    st.tuples(
        go_module_paths,
        go_versions,
        st.booleans(),
        st.from_regex(r"h1:[A-Za-z0-9+/]{4,12}=", fullmatch=True),
    ),
    max_size=8,
)
go_work_dirs = st.from_regex(r"\./[a-z]{1,5}(/[a-z]{1,5})?", fullmatch=True)


# ---- codegenie_core.parsers.lock_yaml -------------------------------------------------------
# Lockfile-shaped YAML texts: plain data rendered the ways lockfile writers (and people) write it,
# each scalar plain, single- or double-quoted, collections in block or flow style, at varied
# indentation, with comments, blank lines and an optional `---`. Many renderings are outside the
# subset or not YAML at all; the property compares with ruamel whatever the subset accepts.
_LOCK_YAML_WORDS = (
    ".", "packages/a", "@scope/name", "/js-tokens/4.0.0", "react@18.2.0(react-dom@18.2.0)",
    "4.0.0", "5.4", "9.0", "6.0", "1", "0", "-1", "+1", "007", "1_000", "0x1f", "0o7", "1e3",
    "1.", ".5", ".inf", "-.Inf", ".nan", "yes", "No", "on", "y", "null", "Null", "~", "true",
    "False", "TRUE", "2024-01-01", "2024-1-1 10:00:00", "1:20", "=", "<<", "-", "?", ":", "a: b",
    "a #b", "a#b", "a:b", "https://x/y.tgz", "^1 || >=2", "'", '"', "\\", "it's", "x64", "",
    " ", "a ", " a", "é", "\u00a0", "\u2028", "\x85", "\x07", "\U0001f600", "sha512-ab+/==",
    "link:../b", "catalog:", "workspace:*", "[x]", "{a}", "a,b", "&a", "*a", "!t", "|", ">",
    "%x", "@x", "`x", "#x", "- x", "a  b",
)  # fmt: skip
_lock_yaml_strings = st.sampled_from(_LOCK_YAML_WORDS) | st.text(
    alphabet=st.sampled_from("ab01.-_:/@#'\" \\{}[],é"), max_size=6
)
_lock_yaml_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.sampled_from([5.4, 0.5, -2.25, 1e100, 6.0])
    | _lock_yaml_strings
)
lock_yaml_data = st.dictionaries(
    _lock_yaml_strings,
    st.recursive(
        _lock_yaml_scalars,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(_lock_yaml_strings, inner, max_size=3)
        ),
        max_leaves=12,
    ),
    max_size=4,
) | st.lists(_lock_yaml_scalars, max_size=3)


def _lock_yaml_scalar(draw: st.DrawFn, value: object, *, plain_ok: bool = True) -> str:
    """One scalar written plain, single-quoted or double-quoted (JSON's escapes are YAML's)."""
    if value is None:
        text = draw(st.sampled_from(["null", "~", "NULL"]))
    elif isinstance(value, bool):
        text = draw(st.sampled_from(["true", "True"] if value else ["false", "FALSE"]))
    elif isinstance(value, int | float):
        text = repr(value)
    else:
        text = str(value)
    style = draw(st.sampled_from(["plain", "single", "double"] if plain_ok else ["double"]))
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "double":
        return json.dumps(text, ensure_ascii=draw(st.booleans()))
    return text


def _lock_yaml_collection(value: object) -> bool:
    return isinstance(value, dict | list)


def _lock_yaml_mapping(value: object) -> bool:
    """A non-empty mapping, which a sequence may write compactly (`- key: v`)."""
    return isinstance(value, dict) and len(cast("dict[object, object]", value)) > 0


def _lock_yaml_flowable(value: object) -> bool:
    if isinstance(value, dict):
        return all(
            not isinstance(v, dict | list) for v in cast("dict[object, object]", value).values()
        )
    if isinstance(value, list):
        return all(not isinstance(v, dict | list) for v in cast("list[object]", value))
    return False


def _lock_yaml_flow(draw: st.DrawFn, value: object) -> str:
    if isinstance(value, dict):
        items = cast("dict[object, object]", value).items()
        inner = ", ".join(
            f"{_lock_yaml_scalar(draw, k)}: {_lock_yaml_scalar(draw, v)}" for k, v in items
        )
        return "{" + inner + "}"
    return "[" + ", ".join(_lock_yaml_scalar(draw, v) for v in cast("list[object]", value)) + "]"


def _lock_yaml_gap(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(["", "", "", "\n", "# note\n", "  # indented note\n"]))


def _lock_yaml_block(draw: st.DrawFn, value: object, indent: int) -> str:
    """`value` (a collection) as block lines at `indent`."""
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for key, item in cast("dict[object, object]", value).items():
            out.append(_lock_yaml_gap(draw))
            out.append(f"{pad}{_lock_yaml_scalar(draw, key)}:{_lock_yaml_tail(draw, item, indent)}")
        return "".join(out)
    for item in cast("list[object]", value):
        out.append(_lock_yaml_gap(draw))
        if _lock_yaml_mapping(item) and draw(st.booleans()):
            # compact `- key: v`: the first pair on the dash's line, the rest below it
            inner = _lock_yaml_block(draw, item, indent + 2)
            out.append(f"{pad}- {inner[indent + 2 :] if inner.startswith(' ') else inner}")
        else:
            out.append(f"{pad}-{_lock_yaml_tail(draw, item, indent)}")
    return "".join(out)


def _lock_yaml_tail(draw: st.DrawFn, value: object, indent: int) -> str:
    """What follows a key's colon or a dash: an inline value, or a newline and a deeper block."""
    comment = draw(st.sampled_from(["", "", " # c", "  #c"]))
    if _lock_yaml_collection(value) and (
        not value or (_lock_yaml_flowable(value) and draw(st.booleans()))
    ):
        return f" {_lock_yaml_flow(draw, value)}{comment}\n"
    if _lock_yaml_collection(value):
        step = draw(st.sampled_from([2, 2, 2, 1, 4, 0]))
        return f"{comment}\n{_lock_yaml_block(draw, value, indent + step)}"
    if value is None and draw(st.booleans()):
        return f"{comment}\n"
    return f" {_lock_yaml_scalar(draw, value)}{comment}\n"


@st.composite
def lock_yaml_documents(draw: st.DrawFn) -> str:
    """A lockfile-shaped YAML text (see above)."""
    data = draw(lock_yaml_data)
    head = draw(st.sampled_from(["", "", "---\n", "# lock\n", "\n"]))
    if not data:
        return head + ("{}\n" if isinstance(data, dict) else "[]\n")
    return head + _lock_yaml_block(draw, data, 0)


# ---- codegenie_core.parsers.lock_toml (rtoml where it agrees with tomllib) ---------------------
# TOML-ish text: valid TOML 1.0 documents (every value type, strings with escapes and quotes that
# look like brackets, arrays spanning lines, inline tables), the same with one TOML 1.1 addition
# (trailing commas and newlines in inline tables, `\e` / `\xHH`, times without seconds), soups of
# TOML tokens, all of them edited, so that tomllib both accepts and rejects and the fast path must
# agree either way.
_toml_bare_keys = st.sampled_from(["a", "b", "name", "version", "x-y", "a_b", "1", "t.u"])
_toml_strings = st.sampled_from(
    [
        '""',
        '"x"',
        '"}"',
        '"{"',
        '"]\\n["',
        '"a\\"b"',
        '"\\u00e9"',
        '"\\\\x41"',
        "'lit}'",
        "'C:\\dir'",
        "''",
        '"""ml\n{ a = 1,\n}"""',
        '""""q"""',
        "'''x\n]'''",
        '"# not a comment"',
        '"é"',
        '"07:32"',
    ]
)
_toml_scalars = st.one_of(
    _toml_strings,
    st.sampled_from(
        [
            *("1", "-0", "+7", "1_000", "0x1F", "0o7", "0b1", "99999999999999999999"),
            *("1.5", "-0.0", "1e3", "6.02E+23", "inf", "-inf", "nan", "+nan", "true", "false"),
            *("1979-05-27", "1979-05-27T07:32:00", "1979-05-27T07:32:00Z", "07:32:00"),
            *("1979-05-27T07:32:00.999999-07:00", "1979-05-27 07:32:00+01:30"),
        ]
    ),
)
# TOML 1.1 values TOML 1.0 (tomllib) rejects and rtoml accepts
_toml_1_1_values = st.sampled_from(
    [
        "{a = 1,}",
        "{ a = 1, b = 2, }",
        "{a = 1\n}",
        "{\na = 1}",
        "{a = 1,\nb = [2]}",
        "{a = [1],\nb = 2}",
        '{a = "}",\nb = "{"}',
        '{a = "]",\nb = "["}',
        "[{a = {b = 1}\n}]",
        '"\\e"',
        '"\\x41"',
        "07:32",
        "1979-05-27T07:32Z",
        "1979-05-27 07:32+01:00",
    ]
)
_toml_gaps = st.sampled_from(["", " ", "\n", " # c\n", ",", "\t"])


def _toml_values(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return _toml_scalars
    inner = _toml_values(depth - 1)

    @st.composite
    def arrays(draw: st.DrawFn) -> str:
        items = draw(st.lists(inner, max_size=3))
        return "[" + draw(_toml_gaps) + ", ".join(items) + draw(_toml_gaps) + "]"

    @st.composite
    def tables(draw: st.DrawFn) -> str:
        count = draw(st.integers(0, 3))
        return "{ " + ", ".join(f"k{i} = {draw(inner)}" for i in range(count)) + " }"

    return st.one_of(inner, arrays(), tables())


@st.composite
def toml_documents(draw: st.DrawFn, toml_1_1: bool = False) -> str:
    """A valid TOML 1.0 document (unique keys and tables), or with `toml_1_1` one value of TOML
    1.1 in it, nested or not."""
    lines: list[str] = []
    for index in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["pair", "pair", "pair", "table", "array-table", "comment"]))
        if kind == "pair":
            lines.append(f"{draw(_toml_bare_keys)}{index} = {draw(_toml_values(2))}")
        elif kind == "table":
            lines.append(f"[t{index}.{draw(st.one_of(_toml_bare_keys, _toml_strings))}]")
        elif kind == "array-table":
            lines.append(f"[[{draw(_toml_bare_keys)}{index}]]")
        else:
            lines.append("# " + draw(st.sampled_from(["x", "{", '"', "a = [", "07:32"])))
    if toml_1_1:
        value = draw(_toml_1_1_values)
        value = draw(st.sampled_from([value, f"[{value}]", f"{{ z = {value} }}"]))
        lines.insert(draw(st.integers(0, len(lines))), f"new = {value}")
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))


_toml_tokens = st.sampled_from(
    [*"[]{}=,.#\"'\\:\n -+_", "a", "1", "e", "x", '"""', "'''", "07:32", "\r", "\x00", "\x7f"]
)
toml_soups = st.lists(_toml_tokens, max_size=40).map("".join)
toml_ish_texts = st.one_of(
    toml_documents(),
    toml_documents(toml_1_1=True),
    toml_documents().flatmap(edited_texts),
    toml_documents().flatmap(mutated_texts),
    toml_soups.map(lambda soup: soup + "\ud800"),
    toml_soups,
)


# ---- codegenie_adapters.portfolio_store (the store's agreement) -------------------------------
def _golden_documents() -> tuple[dict[str, object], ...]:
    from pathlib import Path

    goldens = Path(__file__).resolve().parent / "portfolio" / "goldens"
    return tuple(json.loads(p.read_text(encoding="utf-8")) for p in sorted(goldens.glob("*.json")))


GOLDEN_DOCUMENTS = _golden_documents()
_portfolio_keys = st.sampled_from(["/r/a", "/r/b", "/r/c", "https://git.example/d.git"])
_portfolio_states = st.sampled_from([None, "s1", "s2"])


@st.composite
def portfolio_results(draw: st.DrawFn) -> object:
    """A `RepoResult` over a few keys and states: a golden document gathered, or a failure."""
    from codegenie_core.portfolio import FAILURE_REASONS, RepoFailed, RepoGathered, RepoTask

    key = draw(_portfolio_keys)
    task = RepoTask(key=key, kind="url" if "://" in key else "path", needs_engine=False)
    duration = draw(st.integers(min_value=0, max_value=10**6))
    if draw(st.booleans()):
        reason = draw(st.sampled_from(FAILURE_REASONS))
        return RepoFailed(task=task, reason=reason, message=f"{reason} x", duration_ms=duration)
    state = draw(_portfolio_states)
    return RepoGathered(
        task=task,
        head=None if state is None else f"head-{state}",
        state_token=draw(st.sampled_from([None, state])),
        document=draw(st.sampled_from(GOLDEN_DOCUMENTS)),
        duration_ms=duration,
    )


# ---- codegenie_core.policy -------------------------------------------------------------------
semverish_versions = st.builds(
    lambda prefix, release, pre: prefix + ".".join(map(str, release)) + pre,
    st.sampled_from(["", "v"]),
    st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=4),
    st.sampled_from(
        ["", "-alpha", "-alpha.1", "-beta.2", "-rc.1", ".pre", "-SNAPSHOT", "+build.5"]
    ),
)
_eco = st.sampled_from(["npm", "pypi", "cargo", "golang"])
_pkg = st.sampled_from(["left-pad", "lodash", "attrs", "Flask", "serde"])
_dep = st.tuples(_eco, _pkg, st.none() | semverish_versions)
_image = st.sampled_from(["python:3.11-slim", "python:3.12-slim", "node:20-alpine", "busybox"])
_kind = st.sampled_from(["Fresh", "Stale", "Missing", "Corrupt"])
_confidence = st.sampled_from(["high", "medium", "low"])


@st.composite
def policy_documents(draw: st.DrawFn) -> dict[str, object]:
    """A context document with the facts gates and diffs read, from small alphabets so two drawn
    documents share subjects often."""
    from tests.policy_documents import document

    return document(
        inventory=draw(st.lists(_dep, max_size=6)),
        dockerfile_images=draw(st.lists(_image, max_size=3)),
        indexes=draw(st.lists(st.tuples(st.sampled_from(["a.scip", "b.scip"]), _kind), max_size=2)),
        confidence=draw(st.dictionaries(st.sampled_from(["git", "ci", "languages"]), _confidence)),
        binaries=draw(st.lists(st.sampled_from(["/bin/sh", "/usr/bin/python3", "/bin/ls"]))),
    )


@st.composite
def dependency_rule_texts(draw: st.DrawFn) -> tuple[str, str | None, str, str | None, str | None]:
    """`dependency:` condition text and the parts it was written from."""
    from codegenie_core.policy.gates import ECOSYSTEMS
    from codegenie_core.policy.versions import OPERATORS

    ecosystem = draw(st.none() | st.sampled_from(ECOSYSTEMS))
    name = draw(st.sampled_from(["lodash", "@babel/core", "org.slf4j:slf4j-api", "Flask_Login"]))
    bound = draw(st.none() | st.tuples(st.sampled_from(OPERATORS), semverish_versions))
    operator, version = bound if bound is not None else (None, None)
    text = "dependency:" + (f"{ecosystem}:" if ecosystem else "") + name
    text += f"{operator}{version}" if bound is not None else ""
    return text, ecosystem, name, operator, version


# Plain data as a context document holds it (what `key_facts` and the table read), any shape.
plain_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
plain_values = st.recursive(
    plain_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=16,
)
plain_slices = st.dictionaries(
    st.sampled_from(
        [
            "languages",
            "primary",
            "vendored",
            "inventory",
            "ecosystems",
            "locks",
            "lockfiles",
            "problems",
            "dockerfiles",
            "files",
            "systems",
            "workflows",
            "head",
            "branch",
            "dirty",
            "remotes",
            "indexes",
            "status",
            "scenarios",
            "binaries_executed",
            "network_connects",
        ]
    ),
    plain_values,
    max_size=6,
)


# ---- codegenie_core.parsers.strace_counts -------------------------------------------------------
# Syscall names and counts, rendered as `strace -c` tables (one per personality), and the totals.
syscall_names = st.sampled_from(
    ["openat", "read", "write", "execve", "socket", "newfstatat", "rt_sigaction", "_llseek"]
)


@st.composite
def syscall_tables(draw: st.DrawFn) -> tuple[str, dict[str, int]]:
    """An `strace -c` summary text (1 or 2 tables, rows in any order) and its counts by name."""
    totals: dict[str, int] = {}
    texts: list[str] = []
    for table in range(draw(st.integers(min_value=1, max_value=2))):
        rows = draw(st.dictionaries(syscall_names, st.integers(min_value=1, max_value=10**6)))
        if table:
            texts.append("System call usage summary for 32 bit mode:")
        texts.append("% time     seconds  usecs/call     calls    errors syscall")
        texts.append("------ ----------- ----------- --------- --------- ----------------")
        for name, calls in rows.items():
            errors = draw(st.sampled_from(["", str(max(calls // 2, 1))]))
            texts.append(f"  1.50    0.000123           4 {calls:9d} {errors:>9} {name}")
            totals[name] = totals.get(name, 0) + calls
        texts.append("------ ----------- ----------- --------- --------- ----------------")
        texts.append(f"100.00    0.000200           1 {sum(rows.values()):9d}           total")
    return "\n".join(texts) + "\n", totals


# ---- installed-package paths (parsers.package_paths, ADR-0074) ------------------------------
_PY_IMPORT_NAMES = st.from_regex(r"[a-z][a-z0-9]{0,8}(_[a-z0-9]{1,5})?", fullmatch=True)
_NPM_NAMES = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,15}", fullmatch=True)
_PREFIXES = st.lists(
    st.sampled_from(["usr", "lib", "app", "python3.11", "srv", "opt", "venv", "local"]),
    max_size=4,
)


@st.composite
def package_paths(draw: st.DrawFn) -> tuple[str, str, str]:
    """A path inside an installed package, its ecosystem and the package's name as it would be
    matched (PEP 503 for Python: `_` as `-`, lower case; npm lower case)."""
    prefix = "/".join(draw(_PREFIXES))
    if draw(st.booleans()):
        name = draw(_PY_IMPORT_NAMES)
        where = draw(st.sampled_from(["site-packages", "dist-packages"]))
        inner = draw(
            st.sampled_from(["__init__.py", "sub/mod.py", "__pycache__/x.cpython-311.pyc"])
        )
        path = f"/{prefix}/{where}/{name}/{inner}".replace("//", "/")
        return path, "pypi", name.replace("_", "-")
    scope = draw(st.none() | _NPM_NAMES)
    name = draw(_NPM_NAMES)
    package = f"@{scope}/{name}" if scope else name
    nested = "".join(f"node_modules/{n}/" for n in draw(st.lists(_NPM_NAMES, max_size=2)))
    inner = draw(st.sampled_from(["index.js", "lib/a.js", "dist/x.mjs"]))
    return f"/{prefix}/{nested}node_modules/{package}/{inner}".replace("//", "/"), "npm", package


def forged_package_paths() -> st.SearchStrategy[str]:
    """Package-looking paths holding a `..` component anywhere."""
    return st.builds(
        lambda parts, at: "/".join([*parts[:at], "..", *parts[at:]]),
        st.lists(
            st.sampled_from(["node_modules", "site-packages", "x", "@s", "y", "lib", ".", ""]),
            min_size=1,
            max_size=8,
        ),
        st.integers(min_value=0, max_value=8),
    )


# ---- codegenie_core.report.from_document (a stored document of any shape) --------------------
_document_leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
_document_keys = st.sampled_from(
    ["repo", "probes", "name", "git", "outcome", "slice", "layer", "reason", "confidence",
     "notes", "error", "kind", "x"]
)  # fmt: skip
stored_document_values = st.recursive(
    _document_leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_document_keys, inner, max_size=4),
    max_leaves=20,
)
stored_documents = st.dictionaries(
    st.sampled_from(["repo", "probes", "generator"]), stored_document_values
)


# ---- codegenie_core.probes.catalog -----------------------------------------------------------
def _instances(glob: str) -> list[str]:
    """Paths a glob matches, at the root and one directory down ("**/" as nothing or "a/")."""
    if glob == "**":
        return []
    concrete = glob.replace("*", "x").replace("?", "x")
    return [concrete.replace("x/", "").replace("xx", "x"), concrete.replace("x/", "a/")]


def catalog_paths() -> list[str]:
    """A pool of paths: an instance of every glob a catalogued probe reads, and some others."""
    from codegenie_core.probes.catalog import CATALOG

    pool = {"src/app.py", "README.md", "docs/index.md", "Dockerfile", "x.yml", "a/b.yaml"}
    for entry in CATALOG:
        for glob in (*entry.spec.globs, *(entry.applies_when or ())):
            pool.update(p for p in _instances(glob) if "[" not in p)
    return sorted(pool)


catalog_listings = st.lists(st.sampled_from(catalog_paths()), unique=True, max_size=12)


# Pieces a source text of any language is made of: every comment and string marker the line
# counter knows, whitespace of every kind, line ends, a BOM, and plain words.
_SOURCE_PIECES = (
    "//", "/*", "*/", "#", "--", "--[[", "]]", "{-", "-}", "(*", "*)", "<!--", "-->", "<#",
    "#>", ";", "%", '"', "'", "`", '"""', "'''", "\\", " ", "\t", "\r", "\f", "\n", "\r\n",
    "x", "code()", "é",
)  # fmt: skip


@st.composite
def source_texts(draw: st.DrawFn) -> bytes:
    """UTF-8 text built from comment markers, quotes, whitespace and words, maybe with a BOM."""
    pieces = draw(st.lists(st.sampled_from(_SOURCE_PIECES), max_size=60))
    bom = draw(st.booleans())
    return (b"\xef\xbb\xbf" if bom else b"") + "".join(pieces).encode("utf-8")


# The inventory join's inputs (ADR-0086): few names, ids and directories, so that requirements
# resolve, ids repeat, refs dangle, members are missing, and purls need percent-encoding.
_JOIN_NAMES = st.sampled_from(["a", "b", "@s/c", "D_e", "g:h", "x y", "k/l"])
_JOIN_VERSIONS = st.sampled_from(["", "1.0", "2.0", "1.0+local", "^1"])
_JOIN_DIRS = st.sampled_from([".", "pkg", "other"])
_JOIN_LOCK_PATHS = st.sampled_from(["package-lock.json", "pkg/yarn.lock", "uv.lock"])
_JOIN_MANIFESTS = st.sampled_from(["package.json", "pkg/package.json", "other/pyproject.toml"])
_JOIN_SCOPES = st.sampled_from(
    ["runtime", "dev", "peer", "optional", "build", "extra:x", "group:main", "test", "dev:cfg(x)"]
)


@st.composite
def _join_refs(draw: st.DrawFn, ids: list[str]) -> LockedRef:
    """A requirement: resolved by the lock to one of its packages' `ids` (or to an id no package
    has), or left for the join to resolve by name or descriptor."""
    target = draw(st.sampled_from([*ids, *ids, *ids, "dangling", None]))
    name = target.rpartition("@")[0] if target and "@" in target[1:] else draw(_JOIN_NAMES)
    return LockedRef(name=name or draw(_JOIN_NAMES), spec=draw(_JOIN_VERSIONS), target=target)


@st.composite
def _join_locks(draw: st.DrawFn) -> Lock:
    """A lock whose packages require each other (ids may repeat, as a broken lock's do)."""
    pairs = draw(st.lists(st.tuples(_JOIN_NAMES, _JOIN_VERSIONS), min_size=1, max_size=8))
    ids = [f"{name}@{version}" for name, version in pairs]
    refs = st.lists(_join_refs(ids), max_size=4).map(tuple)
    packages = tuple(
        LockedPackage(
            id=package_id,
            name=name,
            version=version,
            dependencies=draw(refs),
            scope=draw(st.sampled_from([None, None, None, "runtime", "dev", "optional", "peer"])),
            source=draw(st.sampled_from([None, None, None, "workspace:pkg", "git+https://x/y"])),
            descriptors=tuple(
                draw(st.lists(st.builds("{}@{}".format, _JOIN_NAMES, _JOIN_VERSIONS), max_size=2))
            ),
        )
        for package_id, (name, version) in zip(ids, pairs, strict=True)
    )
    importer = st.builds(
        Importer, path=_JOIN_DIRS, dependencies=st.lists(_join_refs(ids), min_size=1, max_size=5)
    )
    return Lock(
        ecosystem=draw(st.sampled_from(["npm", "pypi", "cargo", "maven", "golang"])),
        format="test",
        format_version=None,
        known_version=True,
        packages=packages,
        importers=tuple(draw(st.just([]) | st.lists(importer, min_size=1, max_size=3))),
    )


@st.composite
def _join_declared(draw: st.DrawFn, names: list[str]) -> Declared:
    """A declaration, mostly of a name some lock has (`names`), so that it often resolves."""
    return Declared(
        ecosystem=draw(st.sampled_from(["npm", "pypi", "cargo"])),
        manifest=draw(_JOIN_MANIFESTS),
        member=draw(_JOIN_DIRS),
        dependency=Dependency(
            name=draw(st.sampled_from(names) | _JOIN_NAMES),
            spec=draw(_JOIN_VERSIONS),
            scope=draw(_JOIN_SCOPES),
            groups=tuple(  # ADR-0084: declared in groups, so that merged entries are joined too
                draw(st.lists(st.sampled_from(["group:tests", "extra:x"]), max_size=2))
            ),
        ),
        effective_spec=draw(st.none() | _JOIN_VERSIONS),
        pinned=draw(st.none() | _JOIN_VERSIONS),
        source=draw(st.sampled_from([None, "path:pkg", "workspace:pkg"])),
        direct=draw(st.booleans()),
        notes=tuple(
            draw(st.lists(st.sampled_from(["managed by G:A:V", "from a property"]), max_size=1))
        ),
    )


JoinInputs = tuple[list[Declared], dict[str, Lock], dict[str, str]]


@st.composite
def join_inputs(draw: st.DrawFn) -> JoinInputs:
    """What `inventory.join` takes: declarations, locks by path, and which lock governs which
    manifest (some manifests governed by none, some by a lock path with no lock)."""
    locks = draw(st.dictionaries(_JOIN_LOCK_PATHS, _join_locks(), min_size=1, max_size=2))
    names = sorted({p.name for lock in locks.values() for p in lock.packages})
    declared = draw(st.lists(_join_declared(names), max_size=6))
    governing = st.sampled_from([*sorted(locks), *sorted(locks), "absent.lock"])
    manifests = ["package.json", "pkg/package.json", "other/pyproject.toml"]
    ungoverned = draw(st.lists(st.sampled_from(manifests), unique=True, max_size=1))
    lock_of = {m: draw(governing) for m in manifests if m not in ungoverned}
    return declared, locks, lock_of
