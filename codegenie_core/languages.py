"""Which language a file is written in, and whether it is vendored or generated: pure path rules.

Rule 1: a file's language comes from its exact name first (`Dockerfile`, `Makefile`), then from
its extension, lowercased; a name neither table knows has no language (None), never a guess (the
`languages` probe may then ask the `#!` line of a file with no dot in its name: ADR-0039).
Rule 2: vendored beats generated beats source: a path under a vendored directory is vendored even
when it also looks generated; nothing here reads a file's bytes.
"""

from __future__ import annotations

from typing import Literal

Origin = Literal["vendored", "generated", "source"]

# Exact file names whose language the extension does not say.
FILE_NAMES: dict[str, str] = {
    "Dockerfile": "Dockerfile",
    "Containerfile": "Dockerfile",
    "Makefile": "Makefile",
    "GNUmakefile": "Makefile",
    "makefile": "Makefile",
    "Jenkinsfile": "Groovy",
    "Rakefile": "Ruby",
    "Gemfile": "Ruby",
    "Vagrantfile": "Ruby",
    "CMakeLists.txt": "CMake",
    "BUILD": "Starlark",
    "BUILD.bazel": "Starlark",
    "WORKSPACE": "Starlark",
    "Tiltfile": "Starlark",
    "Justfile": "Just",
    "justfile": "Just",
}

EXTENSIONS: dict[str, str] = {
    ".py": "Python", ".pyi": "Python", ".pyx": "Cython",
    ".js": "JavaScript", ".mjs": "JavaScript", ".cjs": "JavaScript", ".jsx": "JavaScript",
    ".ts": "TypeScript", ".mts": "TypeScript", ".cts": "TypeScript", ".tsx": "TypeScript",
    ".go": "Go", ".rs": "Rust", ".java": "Java", ".kt": "Kotlin", ".kts": "Kotlin",
    ".scala": "Scala", ".groovy": "Groovy", ".gradle": "Groovy", ".clj": "Clojure",
    ".rb": "Ruby", ".php": "PHP", ".pl": "Perl", ".pm": "Perl", ".lua": "Lua", ".r": "R",
    ".c": "C", ".h": "C", ".cc": "C++", ".cpp": "C++", ".cxx": "C++", ".hpp": "C++",
    ".hh": "C++", ".hxx": "C++", ".cs": "C#", ".fs": "F#", ".swift": "Swift",
    ".m": "Objective-C", ".mm": "Objective-C++", ".dart": "Dart", ".ex": "Elixir",
    ".exs": "Elixir", ".erl": "Erlang", ".hs": "Haskell", ".ml": "OCaml", ".zig": "Zig",
    ".sh": "Shell", ".bash": "Shell", ".zsh": "Shell", ".ps1": "PowerShell",
    ".sql": "SQL", ".html": "HTML", ".htm": "HTML", ".css": "CSS", ".scss": "SCSS",
    ".sass": "Sass", ".less": "Less", ".vue": "Vue", ".svelte": "Svelte",
    ".md": "Markdown", ".markdown": "Markdown", ".rst": "reStructuredText",
    ".yaml": "YAML", ".yml": "YAML", ".json": "JSON", ".toml": "TOML", ".xml": "XML",
    ".ini": "INI", ".proto": "Protocol Buffers", ".tf": "HCL", ".hcl": "HCL",
    ".dockerfile": "Dockerfile", ".mk": "Makefile", ".cmake": "CMake", ".bzl": "Starlark",
    ".ipynb": "Jupyter Notebook", ".graphql": "GraphQL", ".gql": "GraphQL",
}  # fmt: skip

# Data, markup and configuration: counted, but never the repository's primary language.
NON_PROGRAMMING = frozenset(
    {
        "Markdown", "reStructuredText", "YAML", "JSON", "TOML", "XML", "INI", "HTML", "CSS",
        "SCSS", "Sass", "Less", "Protocol Buffers", "Dockerfile", "Makefile", "CMake", "HCL",
        "Jupyter Notebook", "GraphQL", "SQL", "Starlark", "Just",
    }
)  # fmt: skip

# Directories holding someone else's code, at any depth.
VENDORED_DIRS = frozenset(
    {"vendor", "third_party", "third-party", "node_modules", "bower_components"}
)

# Directories holding build output, or codegenie's own files (indexes it wrote), at any depth.
GENERATED_DIRS = frozenset({"dist", "build", "target", "__generated__", ".codegenie"})

# Lock files: written by package managers, not people.
LOCKFILES = frozenset(
    {"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock",
     "Pipfile.lock", "uv.lock", "pdm.lock", "Cargo.lock", "go.sum", "composer.lock",
     "Gemfile.lock", "mix.lock", "pubspec.lock", "flake.lock"}
)  # fmt: skip

# Name endings of generated files: minified bundles, source maps, protobuf and other codegen.
GENERATED_SUFFIXES = (
    ".min.js", ".min.css", ".map", "_pb2.py", "_pb2.pyi", "_pb2_grpc.py", ".pb.go",
    ".pb.cc", ".pb.h", ".pb.ts", "_pb.js", "_pb.d.ts", ".g.dart", ".freezed.dart",
)  # fmt: skip


def language_of(path: str) -> str | None:
    """The language of the file at the repository-relative POSIX `path` (Rule 1)."""
    name = path.rsplit("/", 1)[-1]
    if name in FILE_NAMES:
        return FILE_NAMES[name]
    if name.startswith(("Dockerfile.", "Containerfile.")):
        return "Dockerfile"
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:  # no extension, or a dotfile such as `.gitignore`
        return None
    return EXTENSIONS.get("." + extension.lower())


def has_no_extension(path: str) -> bool:
    """Whether the file name of `path` has no dot at all (`bin/tool`, not `.gitignore`): a script
    whose `#!` line may name its language, when no exact name does (Rule 1)."""
    name = path.rsplit("/", 1)[-1]
    return "." not in name and name not in FILE_NAMES


def is_vendored(path: str) -> bool:
    """Whether `path` lies under a vendored directory."""
    return not VENDORED_DIRS.isdisjoint(path.split("/")[:-1])


def is_generated(path: str) -> bool:
    """Whether `path` lies under a build output directory or is named as generated files are."""
    directories, _, name = path.rpartition("/")
    return (
        (bool(directories) and not GENERATED_DIRS.isdisjoint(directories.split("/")))
        or name in LOCKFILES
        or name.endswith(GENERATED_SUFFIXES)
        or ".generated." in name
    )


def origin_of(path: str) -> Origin:
    """Whether `path` is vendored, generated, or source (Rule 2)."""
    if is_vendored(path):
        return "vendored"
    if is_generated(path):
        return "generated"
    return "source"
