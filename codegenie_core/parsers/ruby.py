"""Ruby: a `Gemfile` read statically, and `Gemfile.lock` (Bundler's lockfile) into a `Lock`.

Rule 1: a Gemfile is Ruby code and is never run. A line is read when it is one of the statements
Bundler's DSL documents with literal arguments (`source`, `ruby`, `gemspec`, `gem`, `group ... do`,
`platforms ... do`, `end`, `git_source`, `plugin`); any other line (a conditional, a variable,
`eval_gemfile`, string interpolation) is not guessed at: it is a problem naming the line, which
grades the manifest medium.
Rule 2: Bundler's lockfile is sections at column 0 (`GEM`, `GIT`, `PATH`, `PLUGIN SOURCE`,
`PLATFORMS`, `DEPENDENCIES`, `RUBY VERSION`, `BUNDLED WITH`, `CHECKSUMS`); inside a source
section, `specs:` lists each locked gem at four spaces as `name (version[-platform])` and its own
requirements at six as `name (reqs)`; `DEPENDENCIES` lists the Gemfile's gems at two spaces, `!`
marking one pinned to a GIT or PATH source. A gem locked for several platforms is one package.
Rule 3: the parser is one pass over the lines (linear), and an unknown section makes the lock
`known_version=False` rather than failing.
Rule 4: a gem's scope is dev when every group it is in is development or test, optional in an
`optional: true` group, else runtime (Bundler installs the default and any other group); its
groups (`group:<name>`, names as written: Ruby symbols) are every group it is in (ADR-0084).
"""

from __future__ import annotations

import re

from codegenie_core.parsers.lock_model import Importer, Lock, LockedPackage, LockedRef, member_dir
from codegenie_core.parsers.manifest_model import (
    Dependency,
    ManifestProblem,
    Parsed,
    RubyGemfile,
    group_label,
    sorted_dependencies,
)

__all__ = ["parse_gemfile", "parse_gemfile_lock"]

_SECTIONS = frozenset(
    {
        "GEM",
        "GIT",
        "PATH",
        "PLUGIN SOURCE",
        "PLATFORMS",
        "DEPENDENCIES",
        "RUBY VERSION",
        "BUNDLED WITH",
        "CHECKSUMS",
    }
)
_SOURCE_SECTIONS = frozenset({"GEM", "GIT", "PATH", "PLUGIN SOURCE"})
# spec-line = name [ " (" version-or-requirements ")" ] [ "!" ]
_SPEC = re.compile(r"([^\s(!]+)(?: \(([^)]*)\))?(!?)\Z")
# Bundler writes a platform-specific gem's version as `version-platform` (1.15.4-x86_64-linux).
_PLATFORM_SUFFIX = re.compile(r"\A(\d[^-]*)-(.+)\Z")
_OPTIONAL = "\x00optional"  # marks a `group ..., optional: true do` block (never a group name)


def parse_gemfile_lock(path: str, text: object) -> Parsed[Lock]:
    """Rule 2-3: one Gemfile.lock; `path` places its importer (the lockfile's directory)."""
    assert isinstance(text, str)
    problems: list[ManifestProblem] = []
    packages: dict[str, LockedPackage] = {}
    direct: list[LockedRef] = []
    section: str | None = None
    source: str | None = None
    known = True
    bundled: str | None = None
    current: tuple[str, str, list[LockedRef]] | None = None  # (name, version, its requirements)

    def close() -> None:
        nonlocal current
        if current is not None:
            name, version, refs = current
            package_id = f"{name}@{version}"
            if package_id not in packages:
                packages[package_id] = LockedPackage(
                    id=package_id,
                    name=name,
                    version=version,
                    dependencies=tuple(sorted(refs, key=lambda r: r.name)),
                    source=source,
                )
            current = None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line:
            continue
        if not line.startswith(" "):
            close()
            section = line
            source = None
            if section not in _SECTIONS:
                known = False
            continue
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        if section in _SOURCE_SECTIONS:
            if indent == 2 and body.startswith("remote: ") and section != "GEM":
                source = f"{section.lower()}:{_redact_url(body.removeprefix('remote: '))}"
                continue
            if indent == 4:
                close()
                match = _SPEC.match(body)
                if match is None or not match.group(2):
                    problems.append(
                        ManifestProblem(message=f"unreadable spec {body!r}", line=number)
                    )
                    continue
                version = match.group(2)
                platform = _PLATFORM_SUFFIX.match(version)
                current = (match.group(1), platform.group(1) if platform else version, [])
            elif indent == 6 and current is not None:
                match = _SPEC.match(body)
                if match is None:
                    problems.append(
                        ManifestProblem(message=f"unreadable requirement {body!r}", line=number)
                    )
                    continue
                current[2].append(LockedRef(name=match.group(1), spec=match.group(2) or ""))
        elif section == "DEPENDENCIES" and indent == 2:
            match = _SPEC.match(body)
            if match is None:
                problems.append(
                    ManifestProblem(message=f"unreadable dependency {body!r}", line=number)
                )
                continue
            direct.append(LockedRef(name=match.group(1), spec=match.group(2) or ""))
        elif section == "BUNDLED WITH":
            bundled = body
    close()
    member = member_dir(path, ".") or "."
    lock = Lock(
        ecosystem="gem",
        format="gemfile-lock",
        format_version=bundled,
        known_version=known,
        packages=tuple(sorted(packages.values(), key=lambda p: p.id)),
        importers=(
            Importer(path=member, dependencies=tuple(sorted(direct, key=lambda r: r.name))),
        ),
    )
    return Parsed(value=lock, problems=tuple(problems))


def _redact_url(url: str) -> str:
    """A GIT/PATH remote without user-info (a token in a git URL is a credential)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, tail = rest.partition("/")
    return f"{scheme}://{authority.rpartition('@')[2]}{slash}{tail}"


# ---- Gemfile ----------------------------------------------------------------------------------
# A Ruby literal the reader accepts: a quoted string without interpolation, a symbol, true/false.
_STRING = re.compile(r"""\A(?:'([^'\\]*)'|"([^"\\#]*)")\Z""")
_SYMBOL = re.compile(r"\A:([A-Za-z_][A-Za-z0-9_]*)\Z")
_KEY = re.compile(r"\A(?:([A-Za-z_][A-Za-z0-9_]*):|:([A-Za-z_][A-Za-z0-9_]*)\s*=>)\s*(.*)\Z", re.S)
_BLOCK = re.compile(
    r"\A(group|platforms?|source|install_if|path|git|github)\b(.*)\bdo\s*(\|.*\|)?\Z"
)
_IGNORED = ("git_source", "plugin", "ruby_version", "gemspec_path")
_DEV_GROUPS = frozenset({"development", "test", "dev"})


def parse_gemfile(text: str) -> Parsed[RubyGemfile]:
    """Rule 1: the gems a Gemfile declares with literal arguments; other lines are problems."""
    problems: list[ManifestProblem] = []
    dependencies: list[Dependency] = []
    sources: list[str] = []
    groups: list[tuple[str, ...]] = []  # the `do` blocks open around the current line
    ruby: str | None = None
    gemspec = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw).strip()
        if not line:
            continue
        if line == "end":
            if not groups:
                problems.append(ManifestProblem(message="`end` without a block", line=number))
            else:
                groups.pop()
            continue
        block = _BLOCK.match(line)
        if block is not None:
            names = _symbols(block.group(2)) if block.group(1) == "group" else ()
            if block.group(1) == "group" and re.search(r"\boptional:\s*true\b", block.group(2)):
                names = (*names, _OPTIONAL)
            if (
                block.group(1) not in ("group", "platform", "platforms")
                and block.group(1) != "source"
            ):
                problems.append(
                    ManifestProblem(
                        message=f"a `{block.group(1)} do` block is read, its condition is not",
                        line=number,
                    )
                )
            groups.append(names)
            continue
        keyword, _, rest = line.partition(" ")
        if "(" in keyword:
            keyword, _, rest = line.partition("(")
            rest = rest.rstrip().removesuffix(")")
        arguments = _split_arguments(rest)
        if keyword == "gem" and arguments:
            dependency = _gem(arguments, tuple(g for gs in groups for g in gs))
            if dependency is None:
                problems.append(
                    ManifestProblem(message="a `gem` line with non-literal arguments", line=number)
                )
            else:
                dependencies.append(dependency)
        elif keyword == "source" and arguments and (value := _literal(arguments[0])) is not None:
            sources.append(_redact_url(value))
        elif keyword == "ruby" and arguments and (value := _literal(arguments[0])) is not None:
            ruby = value
        elif keyword == "gemspec":
            gemspec = True
        elif keyword in _IGNORED:
            continue
        else:
            problems.append(
                ManifestProblem(message=f"Ruby code not read statically: {keyword!r}", line=number)
            )
    if groups:
        problems.append(ManifestProblem(message=f"{len(groups)} block(s) never closed with `end`"))
    return Parsed(
        value=RubyGemfile(
            ruby=ruby,
            gemspec=gemspec,
            dependencies=sorted_dependencies(dependencies),
            sources=tuple(sources),
        ),
        problems=tuple(problems),
    )


def _gem(arguments: list[str], groups: tuple[str, ...]) -> Dependency | None:
    name = _literal(arguments[0])
    if name is None:
        return None
    specs: list[str] = []
    for argument in arguments[1:]:
        option = _KEY.match(argument)
        if option is not None:
            key = option.group(1) or option.group(2)
            if key in ("group", "groups"):
                groups = (*groups, *_symbols(option.group(3)))
            continue
        value = _literal(argument)
        if value is None:
            return None
        specs.append(value)
    named = [g for g in groups if g != _OPTIONAL]
    if _OPTIONAL in groups:
        scope = "optional"  # a group installed only when asked for (`optional: true`)
    elif named and all(g in _DEV_GROUPS for g in named):
        scope = "dev"
    else:
        scope = "runtime"  # the default group, production, or any group Bundler installs
    labels = tuple(sorted({group_label("group", g, normalise=False) for g in named}))
    return Dependency(name=name, spec=", ".join(specs), scope=scope, groups=labels)


def _literal(token: str) -> str | None:
    match = _STRING.match(token.strip())
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)


def _symbols(text: str) -> tuple[str, ...]:
    """`:a, :b`, `[:a, :b]`, `"a"`: the names; anything else gives none."""
    names: list[str] = []
    for token in _split_arguments(text.strip().removeprefix("[").removesuffix("]")):
        symbol = _SYMBOL.match(token.strip())
        literal = _literal(token)
        if symbol is not None:
            names.append(symbol.group(1))
        elif literal is not None:
            names.append(literal)
    return tuple(names)


def _split_arguments(text: str) -> list[str]:
    """Split at top-level commas, outside quotes and brackets (one pass)."""
    parts: list[str] = []
    depth = 0
    quote: str | None = None
    start = 0
    for index, char in enumerate(text):
        if quote is not None:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def _strip_comment(line: str) -> str:
    quote: str | None = None
    for index, char in enumerate(line):
        if quote is not None:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#":
            return line[:index]
    return line
