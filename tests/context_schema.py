"""The shipped JSON Schema of the context document, and the check every CLI-made document meets.

`tests/conftest.py` wraps `CliRunner.invoke`: a successful `gather` that printed a context
document (JSON or YAML) or wrote one (`--output DIR`) is validated against the shipped schema, so
every document the suite makes through the CLI is checked (see ADR-0056).
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from click.testing import Result
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from ruamel.yaml import YAML

from codegenie_core.report.schema import SCHEMA_FILE, without_timing_requirements


def shipped_schema() -> dict[str, Any]:
    text = resources.files("codegenie_core.report").joinpath(SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


@functools.cache
def _validator(timings: bool) -> Draft202012Validator:
    schema = shipped_schema()
    return Draft202012Validator(schema if timings else without_timing_requirements(schema))


def schema_errors(document: object, *, timings: bool = True) -> list[str]:
    """Each way `document` breaks the schema, as `path: message` (empty when valid). Without
    `timings`, the document is one as the goldens hold it (`without_timings`)."""
    found = sorted(_validator(timings).iter_errors(document), key=lambda e: e.json_path)
    # each error as its most relevant leaf (inside a oneOf, the branch that came closest)
    leaves = [best_match([error]) or error for error in found]
    return [f"{leaf.json_path}: {leaf.message[:300]}" for leaf in leaves]


def assert_valid(document: object, *, timings: bool = True) -> None:
    errors = schema_errors(document, timings=timings)
    assert not errors, "the context document breaks the shipped schema:\n" + "\n".join(errors[:20])


def _option(args: Sequence[str], *names: str) -> str | None:
    for index, arg in enumerate(args):
        if arg in names and index + 1 < len(args):
            return args[index + 1]
        for name in names:
            if name.startswith("--") and arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def printed_or_written_document(args: Sequence[str], result: Result) -> object | None:
    """The context document a successful `gather` printed or wrote, or None when it made none
    (another command, an error, `--explain-key`, a Markdown report or an SBOM on stdout)."""
    if not args or args[0] != "gather" or result.exit_code != 0:
        return None
    if _option(args, "--explain-key") is not None:
        return None
    output = _option(args, "-o", "--output")
    if output is not None:
        written = Path(output) / "context.json"
        return json.loads(written.read_text("utf-8")) if written.exists() else None
    fmt = _option(args, "--format") or "yaml"
    if fmt == "json":
        return json.loads(result.stdout)
    if fmt == "yaml":
        return YAML(typ="safe", pure=True).load(io.StringIO(result.stdout))
    return None
