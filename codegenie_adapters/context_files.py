"""Reading a context document back from a file (`context.json` or `context.yaml`) for `diff`.

Rule 1: bounded: at most `MAX_DOCUMENT_BYTES`, a regular file opened without blocking; YAML read
by the bounded safe loader, with larger bounds than a repository's YAML gets (a document is the
user's own output, but may hold a 60,000-package inventory).
Rule 2: every problem is one `DocumentError` line naming the file.
"""

from __future__ import annotations

import json
import os

from codegenie_adapters import repo_fs
from codegenie_adapters.config_yaml import RuamelYamlReader
from codegenie_core.errors import DocumentError
from codegenie_core.ports import FileProblem, TextProblem

MAX_DOCUMENT_BYTES = 256 * 2**20
_YAML_NODES = 20_000_000


def load_document(path: str) -> object:
    """The plain data in the JSON or YAML file at `path` (Rules 1 and 2)."""
    full = os.path.abspath(path)
    data = repo_fs.read(os.path.dirname(full), os.path.basename(full), max_bytes=MAX_DOCUMENT_BYTES)
    if isinstance(data, FileProblem):
        raise DocumentError(f"{path}: cannot be read: {data.reason}", path=path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DocumentError(f"{path}: not UTF-8 (byte {error.start})", path=path) from None
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except (json.JSONDecodeError, RecursionError) as error:
            raise DocumentError(f"{path}: invalid JSON: {error}", path=path) from None
    loaded = RuamelYamlReader(max_nodes=_YAML_NODES, max_chars=MAX_DOCUMENT_BYTES).parse(text)
    if isinstance(loaded, TextProblem):
        where = f" (line {loaded.line})" if loaded.line is not None else ""
        raise DocumentError(f"{path}: not JSON or YAML: {loaded.message}{where}", path=path)
    return loaded
