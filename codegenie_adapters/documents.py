"""Rendering the context document to YAML and JSON text, and writing output files atomically.

Rule 1: an output file is complete or absent (`codegenie_adapters.atomic`, see ADR-0003).
Rule 2: YAML is emitted so that YAML 1.1 and 1.2 readers agree (`on`, `yes`, `012` are quoted)
and every string reads back exactly (non-ASCII characters are escaped).
Rule 3: a string holding a non-UTF-8 file name (surrogate escapes) is written as a `\\uDCxx`
escape, so the document stays valid UTF-8.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Mapping

from codegenie_adapters.atomic import write_atomically


def to_json(document: object) -> str:
    """`document` (plain data) as the CLI writes `context.json`: indented, keys in order."""
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # Rule 3: lone surrogates from non-UTF-8 names
        text = json.dumps(document, indent=2, ensure_ascii=True) + "\n"
    return text


def to_yaml(document: object) -> str:
    """`document` (plain data) as the CLI writes `context.yaml` (Rule 2)."""
    from ruamel.yaml import YAML  # only when YAML is asked for (ADR-0007)

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # pyright: ignore[reportAttributeAccessIssue]  # ruamel annotates it as None yet reads it as a bool
    yaml.version = (1, 1)
    # Escaped, not raw: ruamel writes U+0085, U+2028 and U+2029 raw into single-quoted scalars,
    # and they read back as spaces (found by the round-trip property). JSON keeps raw Unicode.
    yaml.allow_unicode = False
    yaml.width = 4096
    stream = io.StringIO()
    yaml.dump(document, stream)  # pyright: ignore[reportUnknownMemberType]  # ruamel leaves `data` unannotated
    return stream.getvalue()


def write_outputs(directory: str, files: Mapping[str, str]) -> list[str]:
    """Render every file first, then write each atomically; returns the paths written."""
    os.makedirs(directory, exist_ok=True)
    written: list[str] = []
    for name, text in files.items():
        target = os.path.join(directory, name)
        write_atomically(target, text.encode("utf-8"))
        written.append(target)
    return written
