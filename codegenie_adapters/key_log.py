"""`FsKeyLog`: the explanation of each probe's last cache entry for one repository, on disk.

Rule 1: one gzip-compressed JSON file per (repository, probe) under `<cache>/key-log/`, the
repository named only by a hash of its real path (no machine path is written into the cache) and
the probe by its name when that is a plain file name, else by a hash. It is local to this machine,
beside the local tier: a shared remote tier never carries it.
Rule 2: written atomically (`atomic.write_atomically`); read with bounds (compressed and
decompressed sizes); a missing, oversized, corrupt or foreign file is "nothing recorded", and a
failure to write is logged once at debug: the log explains misses, it never fails a gather.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zlib
from collections.abc import Mapping
from typing import Any, cast

from codegenie_adapters import log
from codegenie_adapters.atomic import write_atomically

FORMAT = "codegenie-key-log/2"  # 2: the files as two columns (ADR-0088)
MAX_COMPRESSED_BYTES = 8 * 2**20
MAX_PLAIN_BYTES = 64 * 2**20
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\Z")


def key_log_dir(cache_dir: str, root: str) -> str:
    name = hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:32]
    return os.path.join(cache_dir, "key-log", name)


class FsKeyLog:
    """Implements `codegenie_core.key_changes.KeyLog` (Rules 1 and 2)."""

    def __init__(self, cache_dir: str, root: str) -> None:
        self._dir = key_log_dir(cache_dir, root)

    def _path(self, probe: str) -> str:
        name = probe if _PLAIN_NAME.match(probe) else hashlib.sha256(probe.encode()).hexdigest()
        return os.path.join(self._dir, name + ".json.gz")

    def last(self, probe: str) -> Mapping[str, Any] | None:
        path = self._path(probe)
        try:
            with open(path, "rb") as handle:
                compressed = handle.read(MAX_COMPRESSED_BYTES + 1)
        except OSError:
            return None
        if len(compressed) > MAX_COMPRESSED_BYTES:
            return None
        try:
            inflater = zlib.decompressobj(wbits=31)  # 31: a gzip member
            plain = inflater.decompress(compressed, MAX_PLAIN_BYTES + 1)
            if len(plain) > MAX_PLAIN_BYTES or inflater.unconsumed_tail:
                return None
            document = json.loads(plain)
        except (zlib.error, ValueError):
            return None
        if not isinstance(document, dict):
            return None
        data = cast("dict[str, Any]", document)
        recorded = data.get("recorded")
        if data.get("format") != FORMAT or data.get("probe") != probe:
            return None
        return cast("dict[str, Any]", recorded) if isinstance(recorded, dict) else None

    def record(self, probe: str, recorded: Mapping[str, Any]) -> None:
        document = {"format": FORMAT, "probe": probe, "recorded": dict(recorded)}
        import gzip  # only a write compresses; reading inflates with zlib (ADR-0091)

        data = gzip.compress(json.dumps(document, separators=(",", ":")).encode(), compresslevel=1)
        try:
            os.makedirs(self._dir, exist_ok=True)
            write_atomically(self._path(probe), data)
        except OSError as error:
            log.debug("key log: cannot record {}: {}", probe, error)
