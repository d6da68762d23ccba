"""The npm-family lockfile readers stay linear: 10x the packages is about 10x the work (counted
line events and collection sizes, as in test_parser_linearity), including the shapes that could
make node-style resolution or descriptor matching quadratic."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, cast

import pytest

from benches import _gen_lock_package_lock, _gen_lock_yarn
from codegenie_core.parsers import bun_lock, jsonc, npm_lock, yarn_lock
from tests.unit.test_parser_linearity import COLLECTIONS, MAX_RATIO, WorkCounter

MODULES = (bun_lock, jsonc, npm_lock, yarn_lock)
SMALL = 60


def _package_lock(n: int) -> str:
    return _gen_lock_package_lock.generate(n, 3)["package-lock.json"]


def _yarn_v1(n: int) -> str:
    return _gen_lock_yarn.generate(n, 3)["yarn.lock"]


def _deep_nesting(n: int) -> str:
    # Each package nested under the previous one, far past MAX_DEPTH: bounded, not walked.
    table: dict[str, object] = {"": {"dependencies": {"p0": "1"}}}
    key = ""
    for i in range(n):
        key = f"{key}/node_modules/p{i}" if key else f"node_modules/p{i}"
        table[key] = {"version": "1.0.0", "dependencies": {f"p{i + 1}": "1", "x": "1"}}
    return json.dumps({"lockfileVersion": 3, "packages": table})


def _berry(n: int) -> str:
    head = "__metadata:\n  version: 8\n  cacheKey: 10c0\n"
    body = "".join(
        f'\n"p{i}@npm:^1.0.0, p{i}@npm:^1.1.0":\n  version: 1.1.{i}\n'
        f'  resolution: "p{i}@npm:1.1.{i}"\n  dependencies:\n    p{i + 1}: "npm:^1.0.0"\n'
        "  languageName: node\n  linkType: hard\n"
        for i in range(n)
    )
    return head + body


def _bun(n: int) -> str:
    packages = {
        f"p{i}": [f"p{i}@1.0.0", "", {"dependencies": {f"p{i + 1}": "^1"}}, "sha512-x"]
        for i in range(n)
    }
    text = json.dumps({"lockfileVersion": 1, "packages": packages}, indent=2)
    return text.replace("]\n", "],\n") + "\n// end\n"


INPUTS: dict[str, tuple[Callable[[int], str], Callable[[str, str], object]]] = {
    "package_lock_v3": (_package_lock, npm_lock.parse_npm_lock),
    "package_lock_deep": (_deep_nesting, npm_lock.parse_npm_lock),
    "yarn_v1": (_yarn_v1, yarn_lock.parse_yarn_lock),
    "yarn_berry": (_berry, yarn_lock.parse_yarn_lock),
    "bun": (_bun, bun_lock.parse_bun_lock),
}


def work(monkeypatch: pytest.MonkeyPatch, parse: Callable[[str, str], object], given: str) -> int:
    counter = WorkCounter()
    with monkeypatch.context() as patch:
        for module in MODULES:
            for name, builtin in COLLECTIONS.items():
                patch.setattr(module, name, counter.counting(builtin), raising=False)
        # The tracer returns itself; typeshed's TraceFunction names a private alias.
        sys.settrace(cast("Any", counter.tracer))
        try:
            parse("lock", given)
        finally:
            sys.settrace(None)
    return counter.count


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_ten_times_the_packages_is_about_ten_times_the_work(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    generate, parse = INPUTS[name]
    small = work(monkeypatch, parse, generate(SMALL))
    large = work(monkeypatch, parse, generate(10 * SMALL))
    assert large / small <= MAX_RATIO, f"{name}: {small} -> {large} units of work"
