"""The straightforward YAML writer `codegenie_adapters.documents.to_yaml` must agree with byte for
byte: one stack entry per node and every scalar rendered afresh (the writer before it wrote
leading scalars at once and remembered rendered strings)."""

from __future__ import annotations

from typing import cast

from codegenie_adapters.documents import (
    _key,  # pyright: ignore[reportPrivateUsage] -- the reference shares the long-key rule
    _scalar,  # pyright: ignore[reportPrivateUsage] -- the reference shares the scalar rule
)


def reference_to_yaml(document: object) -> str:
    """`document` (plain data) as the CLI writes `context.yaml` (Rules 2 and 4)."""
    out: list[str] = ["%YAML 1.1\n---\n"]
    # (what starts the line, the value, the indent of the value's own children)
    stack: list[tuple[str, object, int]] = [("", document, 0)]
    while stack:  # an explicit stack: a deep document never meets the recursion limit
        prefix, value, indent = stack.pop()
        if not isinstance(value, dict | list) or not value:
            out.append(prefix + _scalar(cast("object", value)) + "\n")
            continue
        pad = " " * indent
        # a mapping that is a list item starts on the dash's line: `- name: x`
        inline = prefix.endswith("- ") and isinstance(value, dict)
        if prefix and not inline:
            out.append(prefix.rstrip() + "\n")
        children: list[tuple[str, object, int]] = []
        if isinstance(value, dict):
            for index, (key, item) in enumerate(cast("dict[object, object]", value).items()):
                head = prefix if inline and index == 0 else pad
                children.append((head + _key(_scalar(key), pad), item, indent + 2))
        else:
            children.extend((f"{pad}- ", item, indent + 2) for item in cast("list[object]", value))
        stack.extend(reversed(children))
    return "".join(out)
