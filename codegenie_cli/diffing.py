"""`codegenie-cli diff`: two context documents, from files or gathered at two git revisions,
compared by the core (`codegenie_core.policy.diff`) and rendered as a table, JSON or Markdown.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Literal

from codegenie_cli import run
from codegenie_cli.wiring import Adapters, checked_out, load_document
from codegenie_core.errors import ConfigError
from codegenie_core.policy.diff import DocumentDiff, diff_documents
from codegenie_core.policy.facts import Plain, check_document
from codegenie_core.policy.render import diff_data, diff_markdown, diff_table
from codegenie_core.request import GatherRequest

DiffFormat = Literal["table", "json", "md"]


def from_files(old: str, new: str) -> DocumentDiff:
    before = check_document(load_document(old), old)
    after = check_document(load_document(new), new)
    return diff_documents(before, after, old_name=old, new_name=new)


def from_revisions(
    adapters: Adapters, repo: str, revs: Sequence[str], request: GatherRequest
) -> DocumentDiff:
    """Gather `repo` at each of the two revisions, in temporary worktrees, with the cache."""
    documents: list[Plain] = []
    for rev in revs:
        with checked_out(repo, rev) as path:
            options = run.GatherOptions(repo=path, output=None, fmt="json", request=request)
            result = run.gather(adapters, options, progress=None)
            documents.append(check_document(result.document, f"{repo}@{rev}"))
    return diff_documents(
        documents[0], documents[1], old_name=f"{repo}@{revs[0]}", new_name=f"{repo}@{revs[1]}"
    )


def arguments(inputs: Sequence[str], revs: Sequence[str]) -> tuple[str, str] | str:
    """(OLD, NEW) for two files, or REPO for `--rev A --rev B REPO`; else a usage error."""
    if revs:
        if len(revs) != 2 or len(inputs) != 1:
            raise ConfigError(
                "diff --rev A --rev B REPO takes exactly two --rev and one REPO",
                variable="--rev",
            )
        return inputs[0]
    if len(inputs) != 2:
        raise ConfigError("diff takes OLD NEW (two context documents)", variable="OLD NEW")
    return inputs[0], inputs[1]


RENDERERS: dict[DiffFormat, Callable[[DocumentDiff], str]] = {
    "table": diff_table,
    "md": diff_markdown,
    "json": lambda diff: json.dumps(diff_data(diff), indent=2, ensure_ascii=False) + "\n",
}
