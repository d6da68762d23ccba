"""Properties of the pnpm lock reader: a lock rendered in each lockfile version's shape reads back
to the packages and importers it was rendered from, and no document makes it raise."""

from __future__ import annotations

import posixpath
from typing import Literal

from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters.config_yaml import RuamelYamlReader
from codegenie_core.parsers.lock_model import Importer, Lock, LockedPackage, LockedRef
from codegenie_core.parsers.pnpm_lock import read_pnpm_lock
from codegenie_core.ports import TextProblem
from tests.strategies import (
    PnpmModelImporter,
    PnpmModelPackage,
    pnpm_lock_models,
    yaml_plain_data,
)

Style = Literal["v5", "v6", "v9"]
STYLES: tuple[Style, ...] = ("v5", "v6", "v9")
VERSIONS = {"v5": "5.4", "v6": "6.0", "v9": "9.0"}
READER = RuamelYamlReader()
Model = tuple[tuple[PnpmModelPackage, ...], tuple[PnpmModelImporter, ...]]


def _value(package: PnpmModelPackage, style: Style) -> str:
    """The version a dependent writes for `package` (pnpm's per-version reference)."""
    if not package.peer:
        return package.version
    return f"{package.version}_peer@1.0.0" if style == "v5" else f"{package.version}(peer@1.0.0)"


def _id(package: PnpmModelPackage, style: Style) -> str:
    separator = {"v5": "/", "v6": "@", "v9": "@"}[style]
    lead = "" if style == "v9" else "/"
    return f"{lead}{package.name}{separator}{_value(package, style)}"


def _metadata_key(package: PnpmModelPackage) -> str:
    return f"{package.name}@{package.version}"


def _link(importer: str, target: str) -> str:
    return "link:" + posixpath.relpath(target, importer)


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def render(model: Model, style: Style) -> str:
    packages, importers = model
    version = VERSIONS[style]
    head = f"lockfileVersion: {version if style == 'v5' else _q(version)}\n\n"
    out = [head, "importers:\n" if importers else "importers: {}\n"]
    for importer in importers:
        out.append(f"  {_q(importer.path)}:\n")
        if style == "v5":
            out.append("    specifiers:\n")
            out.extend(f"      {_q(n)}: {_q(spec)}\n" for n, _, spec in importer.dependencies)
        out.append("    dependencies:\n" if importer.dependencies else "    dependencies: {}\n")
        for name, target, spec in importer.dependencies:
            written = (
                _value(packages[target], style)
                if isinstance(target, int)
                else _link(importer.path, target)
            )
            if style == "v5":
                out.append(f"      {_q(name)}: {_q(written)}\n")
            else:
                out.append(f"      {_q(name)}:\n        specifier: {_q(spec)}\n")
                out.append(f"        version: {_q(written)}\n")
    graph = "snapshots" if style == "v9" else "packages"
    if style == "v9":
        out.append("packages:\n" if packages else "packages: {}\n")
        out.extend(
            f"  {_q(_metadata_key(p))}:\n    resolution: {{integrity: sha512-x}}\n"
            for p in packages
        )
    out.append(f"{graph}:\n" if packages else f"{graph}: {{}}\n")
    for package in packages:
        out.append(f"  {_q(_id(package, style))}:\n")
        if style != "v9":
            out.append("    resolution: {integrity: sha512-x}\n")
            if package.dev is not None:
                out.append(f"    dev: {'true' if package.dev else 'false'}\n")
        if package.dependencies:
            out.append("    dependencies:\n")
            out.extend(
                f"      {_q(packages[i].name)}: {_q(_value(packages[i], style))}\n"
                for i in package.dependencies
            )
        elif style == "v9":
            out.append("    {}\n")
    return "".join(out).replace(":\n    {}\n", ": {}\n")


def expected(model: Model, style: Style) -> Lock:
    packages, importers = model
    locked = {
        _id(p, style): LockedPackage(
            id=_id(p, style),
            name=p.name,
            version=p.version,
            dependencies=tuple(
                sorted(
                    (
                        LockedRef(
                            name=packages[i].name,
                            spec=_value(packages[i], style),
                            target=_id(packages[i], style),
                        )
                        for i in p.dependencies
                    ),
                    key=lambda r: (r.name, r.spec),
                )
            ),
            scope=None if style == "v9" or p.dev is None else ("dev" if p.dev else "runtime"),
        )
        for p in packages
    }
    found: list[Importer] = []
    for importer in importers:
        refs: list[LockedRef] = []
        for name, target, spec in importer.dependencies:
            if isinstance(target, int):
                refs.append(LockedRef(name=name, spec=spec, target=_id(packages[target], style)))
                continue
            link = f"link:{target}"
            locked.setdefault(
                link,
                LockedPackage(id=link, name=name, version="", source=f"workspace:{target}"),
            )
            refs.append(LockedRef(name=name, spec=spec, target=link))
        found.append(Importer(path=importer.path, dependencies=tuple(refs)))
    return Lock(
        ecosystem="npm",
        format="pnpm",
        format_version=VERSIONS[style],
        known_version=True,
        packages=tuple(locked[k] for k in sorted(locked)),
        importers=tuple(sorted(found, key=lambda i: i.path)),
    )


@given(pnpm_lock_models(), st.sampled_from(STYLES))
def test_a_rendered_lock_reads_back_to_its_packages_and_importers(
    model: Model, style: Style
) -> None:
    document = READER.parse(render(model, style))
    assert not isinstance(document, TextProblem), document
    parsed = read_pnpm_lock("pnpm-lock.yaml", document)
    assert parsed.problems == ()
    assert parsed.value == expected(model, style)


_sections = st.sampled_from(
    ["lockfileVersion", "importers", "packages", "snapshots", "dependencies", "specifiers"]
)


@given(st.dictionaries(_sections, yaml_plain_data, max_size=6) | yaml_plain_data)
def test_any_document_is_read_or_refused_with_a_problem_never_raising(document: object) -> None:
    parsed = read_pnpm_lock("sub/pnpm-lock.yaml", document)
    assert parsed.value is not None or parsed.problems


@given(pnpm_lock_models(), st.sampled_from(STYLES), st.data())
def test_a_mutated_lock_text_never_makes_the_reader_raise(
    model: Model, style: Style, data: st.DataObject
) -> None:
    text = render(model, style)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 40)))
    insert = data.draw(
        st.sampled_from(["", ": ", "\n  - x\n", "{", "'", "link:../../..", "(", "@"])
    )
    document = READER.parse(text[:start] + insert + text[end:])
    if isinstance(document, TextProblem):
        return
    parsed = read_pnpm_lock("pnpm-lock.yaml", document)
    assert parsed.value is not None or parsed.problems
