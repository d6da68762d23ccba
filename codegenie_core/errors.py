"""The one family of exceptions codegenie raises for misuse and bad configuration.

Rule 1: a problem with one *input* (an unreadable file, a corrupt index) is a value, not one of
these. These are for a caller's mistake or a configuration the run cannot go on with.
Rule 2: each class carries its data as attributes and its CLI exit code as a class attribute; the
CLI maps them to one line on stderr in one place (see ADR-0002).
"""

from __future__ import annotations

from typing import ClassVar

EXIT_BAD_INPUT = 2
# `--fail-on`: a condition held; the documents were still written (see ADR-0058)
EXIT_GATE_FAILED = 3
EXIT_INTERRUPTED = 130


class CodegenieError(Exception):
    """Base of every deliberate codegenie error; `exit_code` is what the CLI exits with."""

    exit_code: ClassVar[int] = EXIT_BAD_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(CodegenieError):
    """A configuration value (environment variable, option, config file) is unusable."""

    def __init__(self, message: str, *, variable: str) -> None:
        super().__init__(message)
        self.variable = variable


class RepoError(CodegenieError):
    """The repository argument cannot be gathered: missing, not a directory, unreadable."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class RegistryError(CodegenieError):
    """A probe could not be registered or selected (duplicate name, unknown name, cycle)."""

    def __init__(self, message: str, *, probe: str) -> None:
        super().__init__(message)
        self.probe = probe


class UndeclaredRead(CodegenieError):
    """In strict mode, a probe read a path its spec's `reads` does not match (see ADR-0030). The
    coordinator records it as that probe's failed outcome; the gather goes on."""

    def __init__(self, message: str, *, probe: str, path: str) -> None:
        super().__init__(message)
        self.probe = probe
        self.path = path


class CacheKeyError(CodegenieError):
    """A declared input is malformed (absolute, climbs out with `..`) or names an unknown token."""

    def __init__(self, message: str, *, probe: str, declared_input: str) -> None:
        super().__init__(message)
        self.probe = probe
        self.declared_input = declared_input


class DocumentError(CodegenieError):
    """A file given as a context document is not one this version reads (see ADR-0060)."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class CacheDirError(CodegenieError):
    """The cache directory cannot be used at all (for example, it is a regular file)."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class ContractError(CodegenieError):
    """The public contract drifted from its allowlist (see ADR-0030)."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class GitError(CodegenieError):
    """git refuses to answer about a work tree. Raised by the repository port's git questions, so
    the probes that ask them fail with it while the others go on over the walked files (see
    ADR-0029); outside a probe the gather treats the repository as not git."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class GitIndexCorrupt(GitError):
    """`.git/index` is empty, truncated or damaged: git cannot list or compare the work tree."""


class GitDubiousOwnership(GitError):
    """git refuses a repository owned by another user (`safe.directory` does not cover it)."""


class StoreError(CodegenieError):
    """A portfolio store cannot be used: not a codegenie store, from a newer schema, unreadable,
    or a query it refuses (see ADR-0063)."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class OutputError(CodegenieError):
    """An output cannot be written where it was asked: the place is not one the command may
    replace, or writing there failed (see ADR-0075)."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path
