"""SBOMs from the context document: the model, CycloneDX 1.6 and SPDX 2.3 (each checked by its
own library's validator), and `--format cyclonedx|spdx` through the CLI."""

from __future__ import annotations

import builtins
import datetime
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from codegenie_adapters.sbom_cyclonedx import cyclonedx_json
from codegenie_adapters.sbom_spdx import spdx_json
from codegenie_cli import sbom
from codegenie_cli.main import cli
from codegenie_core.errors import ConfigError
from codegenie_core.report.sbom import sbom_model
from tests.portfolio.golden import FIXTURES, PORTFOLIO, golden_path

WHEN = datetime.datetime(2026, 12, 2, 3, 4, 5, tzinfo=datetime.UTC)
EPOCH = str(int(WHEN.timestamp()))


def _entry(name: str, scope: str, *, member: str = ".", direct: bool = True) -> dict[str, Any]:
    return {
        "ecosystem": "npm",
        "name": name,
        "spec": "^1" if direct else None,
        "effective_spec": None,
        "resolved": "1.0.0",
        "purl": f"pkg:npm/{name}@1.0.0",
        "direct": direct,
        "scope": scope,
        "manifest": f"{member}/package.json",
        "lockfile": "package-lock.json",
        "member": member if direct else None,
        "source": None,
        "reasons": [],
    }


def _base(kind: str, resolved: str, **image: str | None) -> dict[str, Any]:
    fields = {"registry": None, "name": None, "tag": None, "digest": None} | image
    return {"kind": kind, "written": resolved, "resolved": resolved, **fields}


def _document() -> dict[str, Any]:
    inventory = [
        _entry("left-pad", "dev"),
        _entry("left-pad", "runtime", member="packages/web"),  # the same purl, wider scope
        _entry("react", "peer", member="packages/web"),
        _entry("lodash", "runtime", direct=False),
        _entry("jest", "dev"),
        _entry("esbuild", "build"),
        _entry("fsevents", "optional"),
    ]
    edges = [
        {"source": "pkg:npm/left-pad@1.0.0", "target": "pkg:npm/lodash@1.0.0"},
        {"source": "pkg:npm/left-pad@1.0.0", "target": "pkg:npm/not-in-the-inventory@2"},
    ]
    digest = "sha256:" + "ab" * 32
    stages = [
        {"base": _base("image", "node:20", name="node", tag="20")},
        {"base": _base("stage", "build")},
        {"base": _base("scratch", "scratch")},
        {
            "base": _base(
                "image",
                f"ghcr.io/acme/base:1@{digest}",
                registry="ghcr.io",
                name="acme/base",
                tag="1",
                digest=digest,
            )
        },
    ]
    return {
        "schema_version": 1,
        "generator": {"name": "codegenie", "version": "9.9.9"},
        "repo": {"name": "demo", "git": {"head": "c" * 40, "branch": "main", "dirty": False}},
        "probes": {
            "manifests": {"outcome": "ran", "slice": {"inventory": inventory, "edges": edges}},
            "dockerfile": {
                "outcome": "cached",
                "slice": {
                    "dockerfiles": {
                        "Dockerfile": {"stages": stages},
                        "web/Dockerfile": {"stages": stages[:1]},
                    }
                },
            },
        },
    }


def test_the_model_keeps_one_package_per_purl_with_its_widest_scope() -> None:
    model = sbom_model(_document())
    scopes = {p.name: p.scope for p in model.packages}
    assert scopes == {
        "esbuild": "build",
        "fsevents": "optional",
        "jest": "dev",
        "left-pad": "runtime",
        "lodash": "runtime",
        "react": "peer",
    }
    assert [p.purl for p in model.packages] == sorted(p.purl for p in model.packages)


def test_the_model_roots_direct_dependencies_in_their_member_and_keeps_known_edges() -> None:
    model = sbom_model(_document())
    assert [m.directory for m in model.members] == ["packages/web"]
    assert model.members[0].depends == ("pkg:npm/left-pad@1.0.0", "pkg:npm/react@1.0.0")
    assert model.root_depends == (
        "pkg:npm/esbuild@1.0.0",
        "pkg:npm/fsevents@1.0.0",
        "pkg:npm/jest@1.0.0",
        "pkg:npm/left-pad@1.0.0",
        "member:packages/web",
    )
    assert model.edges == (("pkg:npm/left-pad@1.0.0", "pkg:npm/lodash@1.0.0"),)


def test_the_model_lists_image_bases_once_with_the_dockerfiles_using_them() -> None:
    images = sbom_model(_document()).base_images
    assert [(i.purl, i.dockerfiles) for i in images] == [
        (
            "pkg:docker/acme/base@sha256:" + "ab" * 32 + "?repository_url=ghcr.io&tag=1",
            ("Dockerfile",),
        ),
        ("pkg:docker/node@20", ("Dockerfile", "web/Dockerfile")),
    ]


def test_a_document_without_manifests_or_dockerfiles_gives_an_empty_model() -> None:
    document = _document()
    document["probes"] = {"manifests": {"outcome": "skipped", "reason": {}}}
    model = sbom_model(document)
    assert (model.packages, model.members, model.base_images) == ((), (), ())


def _grouped() -> dict[str, Any]:
    """A document whose jest is in two groups, once per entry, and left-pad in an extra."""
    document = _document()
    inventory = document["probes"]["manifests"]["slice"]["inventory"]
    for entry in inventory:
        if entry["name"] == "jest":
            entry["groups"] = ["group:tests"]
        if entry["name"] == "left-pad" and entry["member"] == ".":
            entry["groups"] = ["extra:pad"]
    inventory.append(_entry("jest", "dev", member="packages/web") | {"groups": ["group:typing"]})
    return document


def test_the_model_keeps_the_union_of_a_packages_groups() -> None:
    groups = {p.name: p.groups for p in sbom_model(_grouped()).packages}
    assert groups["jest"] == ("group:tests", "group:typing")
    assert groups["left-pad"] == ("extra:pad",)
    assert groups["react"] == ()


def _cyclonedx(document: dict[str, Any]) -> dict[str, Any]:
    text = cyclonedx_json(sbom_model(document), timestamp=WHEN)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text, all_errors=True) is None
    return json.loads(text)


def test_cyclonedx_has_purls_scopes_the_graph_the_images_and_the_metadata() -> None:
    bom = _cyclonedx(_document())
    assert bom["specVersion"] == "1.6"
    by_ref = {c["bom-ref"]: c for c in bom["components"]}
    assert by_ref["pkg:npm/left-pad@1.0.0"]["purl"] == "pkg:npm/left-pad@1.0.0"
    scopes = {c["name"]: c.get("scope") for c in bom["components"] if c["type"] == "library"}
    assert scopes == {
        "esbuild": "excluded",
        "fsevents": "optional",
        "jest": "excluded",
        "left-pad": "required",
        "lodash": "required",
        "react": "optional",
    }
    containers = [c for c in bom["components"] if c["type"] == "container"]
    assert [(c["name"], c["version"]) for c in containers] == [
        ("acme/base", "sha256:" + "ab" * 32),
        ("node", "20"),
    ]
    graph = {d["ref"]: set(d.get("dependsOn", [])) for d in bom["dependencies"]}
    assert graph["pkg:npm/left-pad@1.0.0"] == {"pkg:npm/lodash@1.0.0"}
    assert graph["member:packages/web"] == {"pkg:npm/left-pad@1.0.0", "pkg:npm/react@1.0.0"}
    assert {"member:packages/web", "pkg:docker/node@20"} <= graph["repository"]
    metadata = bom["metadata"]
    assert metadata["timestamp"] == "2026-12-02T03:04:05+00:00"
    assert metadata["component"]["name"] == "demo"
    assert metadata["component"]["version"] == "c" * 40
    tools = metadata["tools"]["components"]
    assert [(t["name"], t["version"]) for t in tools] == [("codegenie", "9.9.9")]


def test_cyclonedx_is_the_same_bytes_for_the_same_document_and_timestamp() -> None:
    first = cyclonedx_json(sbom_model(_document()), timestamp=WHEN)
    assert first == cyclonedx_json(sbom_model(_document()), timestamp=WHEN)
    other = _document()
    other["repo"]["name"] = "another"
    assert json.loads(first)["serialNumber"] != _cyclonedx(other)["serialNumber"]


def test_cyclonedx_has_one_group_property_per_group() -> None:
    bom = _cyclonedx(_grouped())
    groups = {
        c["name"]: [p["value"] for p in c.get("properties", []) if p["name"] == "codegenie:group"]
        for c in bom["components"]
        if c["type"] == "library"
    }
    assert groups["jest"] == ["group:tests", "group:typing"]
    assert groups["left-pad"] == ["extra:pad"]
    assert groups["react"] == []


def _spdx(document: dict[str, Any]) -> dict[str, Any]:
    text = spdx_json(sbom_model(document), timestamp=WHEN)
    parsed = JsonLikeDictParser().parse(json.loads(text))
    assert validate_full_spdx_document(parsed, spdx_version="SPDX-2.3") == []
    return json.loads(text)


def test_spdx_describes_the_repository_with_its_packages_scopes_and_images() -> None:
    document = _spdx(_document())
    assert document["spdxVersion"] == "SPDX-2.3"
    assert document["creationInfo"]["created"] == "2026-12-02T03:04:05Z"
    assert document["creationInfo"]["creators"] == ["Tool: codegenie-9.9.9"]
    names = {p["SPDXID"]: p["name"] for p in document["packages"]}
    purls = {
        p["name"]: p["externalRefs"][0]["referenceLocator"]
        for p in document["packages"]
        if p.get("externalRefs")
    }
    assert purls["left-pad"] == "pkg:npm/left-pad@1.0.0"
    relations = {
        (
            names.get(r["spdxElementId"], r["spdxElementId"]),
            r["relationshipType"],
            names.get(r["relatedSpdxElement"], r["relatedSpdxElement"]),
        )
        for r in document["relationships"]
    }
    assert ("SPDXRef-DOCUMENT", "DESCRIBES", "demo") in relations
    assert ("jest", "DEV_DEPENDENCY_OF", "demo") in relations
    assert ("esbuild", "BUILD_DEPENDENCY_OF", "demo") in relations
    assert ("fsevents", "OPTIONAL_DEPENDENCY_OF", "demo") in relations
    assert ("packages/web", "DEPENDS_ON", "left-pad") in relations
    assert ("react", "OPTIONAL_DEPENDENCY_OF", "packages/web") in relations
    assert ("left-pad", "DEPENDS_ON", "lodash") in relations
    assert ("demo", "DEPENDS_ON", "node") in relations
    containers = [
        p["name"] for p in document["packages"] if p["primaryPackagePurpose"] == "CONTAINER"
    ]
    assert containers == ["acme/base", "node"]


def test_spdx_package_comments_say_the_groups() -> None:
    document = _spdx(_grouped())
    comments = {p["name"]: p.get("comment") for p in document["packages"]}
    assert comments["jest"] == "declared as group:tests, group:typing"
    assert comments["left-pad"] == "declared as extra:pad"
    assert comments["react"] is None


@pytest.mark.parametrize("name", FIXTURES)
def test_every_golden_gives_a_valid_cyclonedx_and_spdx_sbom(name: str) -> None:
    document = json.loads(golden_path(name).read_text("utf-8"))
    bom = _cyclonedx(document)
    spdx = _spdx(document)
    inventory = document["probes"]["manifests"]["slice"]["inventory"]
    purls = {entry["purl"] for entry in inventory}
    assert purls <= {c.get("purl") for c in bom["components"]}
    assert len(spdx["packages"]) >= 1 + len(purls)


def test_source_date_epoch_fixes_the_timestamp_and_a_bad_one_is_refused() -> None:
    assert sbom.sbom_timestamp({"SOURCE_DATE_EPOCH": EPOCH}) == WHEN
    with pytest.raises(ConfigError, match="SOURCE_DATE_EPOCH must be whole seconds"):
        sbom.sbom_timestamp({"SOURCE_DATE_EPOCH": "yesterday"})


def _gather(*args: str, epoch: str = EPOCH) -> Any:
    fixture = str(PORTFOLIO / "polyglot-monorepo")
    argv = ["gather", fixture, "--layer", "a", "--no-cache", *args]
    return CliRunner(env={"SOURCE_DATE_EPOCH": epoch}).invoke(cli, argv, catch_exceptions=False)


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx"])
def test_an_sbom_on_stdout_is_the_same_bytes_twice(fmt: str) -> None:
    first, second = _gather("--format", fmt), _gather("--format", fmt)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    if fmt == "cyclonedx":
        validator = JsonStrictValidator(SchemaVersion.V1_6)
        assert validator.validate_str(first.stdout) is None
    else:
        parsed = JsonLikeDictParser().parse(json.loads(first.stdout))
        assert validate_full_spdx_document(parsed) == []


def test_an_sbom_is_written_into_the_output_directory_only_when_asked(tmp_path: Path) -> None:
    plain = _gather("--output", str(tmp_path / "plain"))
    assert plain.exit_code == 0, plain.stderr
    assert sorted(p.name for p in (tmp_path / "plain").iterdir()) == [
        "context.json",
        "context.yaml",
        "report.md",
    ]
    asked = _gather("--output", str(tmp_path / "cdx"), "--format", "cyclonedx")
    assert asked.exit_code == 0, asked.stderr
    written = tmp_path / "cdx" / "sbom.cdx.json"
    assert written.read_text("utf-8") == _gather("--format", "cyclonedx").stdout
    spdx = _gather("--output", str(tmp_path / "spdx"), "--format", "spdx")
    assert spdx.exit_code == 0, spdx.stderr
    assert (tmp_path / "spdx" / "sbom.spdx.json").exists()
    assert not (tmp_path / "spdx" / "sbom.cdx.json").exists()


def test_a_bad_source_date_epoch_is_one_line_and_exit_2() -> None:
    result = _gather("--format", "spdx", epoch="soon")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "codegenie-cli: error: SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC, "
        "got 'soon'"
    ]


@pytest.mark.parametrize(("fmt", "library"), [("cyclonedx", "cyclonedx"), ("spdx", "spdx_tools")])
def test_a_missing_sbom_extra_is_one_line_naming_it(
    fmt: str, library: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in [m for m in sys.modules if m.split(".")[0] == library]:
        monkeypatch.delitem(sys.modules, module)
    for module in ("codegenie_adapters.sbom_cyclonedx", "codegenie_adapters.sbom_spdx"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    real_import = builtins.__import__

    def absent(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".", maxsplit=1)[0] == library:
            raise ModuleNotFoundError(f"No module named {library!r}", name=library)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", absent)
    result = _gather("--format", fmt)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"codegenie-cli: error: --format {fmt} needs ")
    assert "pip install 'codegenie[sbom]'" in lines[0]


def test_help_and_a_yaml_gather_import_no_sbom_library(tmp_path: Path) -> None:
    fixture = str(PORTFOLIO / "minimal-ts")
    script = (
        "import sys\n"
        "from codegenie_cli.main import main\n"
        "for argv in (['--help'], ['gather', sys.argv[1], '--layer', 'a', '--no-cache']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'cyclonedx', 'spdx_tools', "
        "'jsonschema', 'serializable'})\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, fixture],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert "LOADED []" in done.stderr, done.stderr


def test_the_sbom_text_is_json_ending_in_a_newline() -> None:
    text = cyclonedx_json(sbom_model(_document()), timestamp=WHEN)
    assert text.endswith("}\n")
    assert json.load(io.StringIO(text))["bomFormat"] == "CycloneDX"
