"""The npm-family bench generators give lockfiles the readers read in full, at the asked size."""

from __future__ import annotations

from benches import _gen_lock_package_lock, _gen_lock_yarn
from codegenie_core.parsers.npm_lock import parse_npm_lock
from codegenie_core.parsers.yarn_lock import parse_yarn_lock


def test_a_generated_package_lock_of_2000_packages_reads_2000_packages() -> None:
    files = _gen_lock_package_lock.generate(2000, 5)
    parsed = parse_npm_lock("package-lock.json", files["package-lock.json"])
    assert parsed.problems == () and parsed.value is not None
    pinned = [p for p in parsed.value.packages if not (p.source or "").startswith("workspace:")]
    assert len(pinned) == 2000
    assert len(parsed.value.importers) == 6 and "packages/m4/package.json" in files
    nested = next(p for p in pinned if "/node_modules/q" in p.id)
    assert nested.version == "2.0.0"
    assert all(r.target is not None for p in pinned for r in p.dependencies)


def test_a_generated_yarn_lock_of_2000_packages_reads_2000_packages() -> None:
    files = _gen_lock_yarn.generate(2000, 5)
    parsed = parse_yarn_lock("yarn.lock", files["yarn.lock"])
    assert parsed.problems == () and parsed.value is not None
    assert len(parsed.value.packages) == 2000
    assert all(r.target is not None for p in parsed.value.packages for r in p.dependencies)
    assert len({p.name for p in parsed.value.packages}) < 2000  # some names at two versions
