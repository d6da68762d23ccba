"""`ScipIndexerRunner`: runs scip-typescript or scip-python and records a sidecar (see ADR-0010).

Rule 1: the index is written to a temporary file beside its destination and renamed into place,
since scip-typescript truncates `--output` when it starts; a failed run leaves the previous index.
Rule 2: nothing is written inside the repository: the index and its sidecar go to the made-index
directory outside the work tree (`_made_index`, ADR-0028), a repository without a tsconfig.json
gets one in a temporary directory outside it, and scip-python gets an `--environment` file holding
`[]`, so it never shells out to pip.
Rule 3: every run is bounded by a timeout through `run_external_cli`, and its sidecar is written
whatever the outcome.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from codegenie_adapters._made_index import MadeIndexes
from codegenie_adapters._scip_wire import WireFailure, iter_index_fields
from codegenie_adapters.exec import ExecResult, run_external_cli
from codegenie_core.ports import IndexerRunner
from codegenie_core.probes.layer_b.model import (
    IndexerFinished,
    IndexerMissing,
    IndexerRun,
    IndexSidecar,
)
from codegenie_core.probes.layer_b.sidecar import made_index_label, sidecar_json

NPM_PACKAGES = {
    "scip-typescript": "@sourcegraph/scip-typescript",
    "scip-python": "@sourcegraph/scip-python",
}
DEFAULT_TIMEOUT_S = 600.0
STDERR_TAIL = 2000


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def count_documents(path: Path) -> int | None:
    """How many `Index.documents` the file holds, or None when it cannot be walked."""
    try:
        with path.open("rb") as file:
            size = path.stat().st_size
            return sum(1 for field, _, _ in iter_index_fields(file, size) if field == 2)
    except (OSError, WireFailure):
        return None


def _tsconfig_for(root: str, scratch: Path) -> Path:
    """A project directory outside the repository whose tsconfig includes the repository."""
    project = scratch / "tsproject"
    project.mkdir()
    config = {
        "compilerOptions": {"allowJs": True, "noEmit": True, "skipLibCheck": True},
        "include": [f"{root}/**/*"],
        "exclude": [f"{root}/**/node_modules", f"{root}/.codegenie", f"{root}/.git"],
    }
    (project / "tsconfig.json").write_text(json.dumps(config), encoding="utf-8")
    return project


def _tail(result: ExecResult, unreadable_output: bool) -> str:
    """The stderr tail; scip-typescript reports some failures, and how to fix them, on stdout, so
    a failed run keeps the stdout tail after it (a warning on stderr must not hide that advice)."""
    text = result.stderr_tail(STDERR_TAIL)
    out = result.stdout[-STDERR_TAIL:].decode("utf-8", "replace")
    if not result.ok and out.strip():
        text = f"{text.rstrip()}\n{out}" if text.strip() else out
    if unreadable_output:  # exit 0 but no walkable index: say so where a reader will look
        text += "\n[codegenie] the indexer exited 0 but its output is not a readable index"
    return text[-STDERR_TAIL:]


class ScipIndexerRunner:
    """Makes codegenie's own indexes of the repository at `root` under `made_dir/<indexer>/`, a
    directory outside the work tree (`made_index_dir`), where `ScipReader(made_dir=...)` reads."""

    def __init__(
        self, root: str, *, made_dir: str, max_timeout_s: float = DEFAULT_TIMEOUT_S
    ) -> None:
        self._root = os.path.realpath(root)
        self._made = MadeIndexes(made_dir)
        self._max_timeout_s = max_timeout_s

    def _argv(
        self, indexer: str, executable: str, output: Path, scratch: Path, commit: str | None
    ) -> list[str]:
        if indexer == "scip-typescript":
            argv = [
                executable,
                "index",
                "--cwd",
                self._root,
                "--output",
                str(output),
                "--no-progress-bar",
            ]
            if not Path(self._root, "tsconfig.json").is_file():
                argv.append(str(_tsconfig_for(self._root, scratch)))
            return argv
        environment = scratch / "environment.json"
        environment.write_text("[]", encoding="utf-8")
        return [
            executable, "index", "--cwd", self._root, "--output", str(output),
            "--environment", str(environment), "--quiet",
            "--project-name", Path(self._root).name,
            "--project-version", (commit or "0")[:12],
        ]  # fmt: skip

    def run(
        self,
        indexer: str,
        *,
        commit: str | None,
        timeout_s: float,
        work_tree: tuple[tuple[str, str], ...] = (),
    ) -> IndexerRun:
        assert indexer in NPM_PACKAGES, f"unknown indexer {indexer!r}"
        hint = f"npm install -g {NPM_PACKAGES[indexer]}"
        executable = shutil.which(indexer)
        if executable is None:
            return IndexerMissing(indexer=indexer, hint=hint)
        version = run_external_cli([executable, "--version"], timeout_s=60.0)
        destination = Path(self._made.index_file(indexer))
        destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        started_at, started = _now(), time.monotonic()
        with tempfile.TemporaryDirectory(prefix="codegenie-index-") as scratch:
            handle, temp_name = tempfile.mkstemp(
                prefix=".index.scip.", suffix=".tmp", dir=destination.parent
            )
            os.close(handle)
            temp = Path(temp_name)
            try:
                argv = self._argv(indexer, executable, temp, Path(scratch), commit)
                limit = min(timeout_s, self._max_timeout_s)
                result = run_external_cli(argv, timeout_s=limit, cwd=self._root)
                documents = count_documents(temp) if result.ok else None
                if result.ok and documents is not None:
                    temp.chmod(0o644)  # mkstemp makes it private; an index is an ordinary file
                    temp.replace(destination)
            finally:
                temp.unlink(missing_ok=True)
        sidecar = IndexSidecar(
            indexer=indexer,
            indexer_version=version.stdout.decode("utf-8", "replace").strip() if version.ok else "",
            last_indexed=commit,
            argv=tuple(argv),
            exit_status=result.exit_code,
            timed_out=result.timed_out,
            document_count=documents,
            stderr_tail=_tail(result, result.ok and documents is None),
            started_at=started_at,
            ended_at=_now(),
            work_tree=work_tree,
        )
        sidecar_file = Path(self._made.sidecar_file(indexer))
        partial = sidecar_file.with_suffix(".json.tmp")
        partial.write_text(sidecar_json(sidecar), encoding="utf-8")
        partial.replace(sidecar_file)
        return IndexerFinished(
            indexer=indexer,
            index_path=made_index_label(indexer),
            sidecar=sidecar,
            duration_s=time.monotonic() - started,
        )


_CONFORMS: type[IndexerRunner] = ScipIndexerRunner
