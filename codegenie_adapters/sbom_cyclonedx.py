"""A CycloneDX 1.6 JSON SBOM from the SBOM model, written by `cyclonedx-python-lib`.

Rule 1: scopes follow CycloneDX's meaning: `required` for what runs (runtime), `optional` for
what may (optional, peer), `excluded` for what never ships (dev, build).
Rule 2: the output is a function of the model and the timestamp: the serial number is a UUID
derived from the model's digest, so two gathers of the same repository give the same bytes
at the same timestamp (see ADR-0057).
Rule 3: a package's dependency groups and extras are one `codegenie:group` property each
(`group:<g>` / `extra:<x>`, see ADR-0084).
Rule 4: the library is an optional extra (`sbom`), imported when this module is: the CLI
imports it only for `--format cyclonedx`.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import cyclonedx.model as _model
import cyclonedx.model.bom as _bom
import cyclonedx.model.component as _component
import cyclonedx.model.tool as _tool
from cyclonedx.model.component import ComponentScope, ComponentType
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from codegenie_core.parsers.lock_model import Scope
from codegenie_core.report.sbom import ROOT_REF, SbomModel

__all__ = ["SERIAL_NAMESPACE", "cyclonedx_json"]

# py-serializable's class decorator types each decorated class as a union of its mixins, which
# hides the constructors and attributes from pyright; the library's model classes are used
# through `Any` here, once, and the output is checked by the library's own validator in the tests.
Bom: Any = _bom.Bom
BomMetaData: Any = _bom.BomMetaData
Component: Any = _component.Component
Property: Any = _model.Property
ToolRepository: Any = _tool.ToolRepository

# UUIDv5 namespace of codegenie's SBOM serial numbers (a fixed, random UUID)
SERIAL_NAMESPACE = uuid.UUID("5f0b6c2e-8a43-4c1e-9d7a-3e2f1b0c9a61")

_SCOPES: dict[Scope, ComponentScope] = {
    "runtime": ComponentScope.REQUIRED,
    "optional": ComponentScope.OPTIONAL,
    "peer": ComponentScope.OPTIONAL,
    "dev": ComponentScope.EXCLUDED,
    "build": ComponentScope.EXCLUDED,
}


def cyclonedx_json(model: SbomModel, *, timestamp: datetime.datetime) -> str:
    """The SBOM as CycloneDX 1.6 JSON text, ending in a newline."""
    root = Component(
        type=ComponentType.APPLICATION,
        name=model.repo_name,
        version=model.head,
        bom_ref=ROOT_REF,
        properties=[Property(name="codegenie:git:branch", value=model.branch)]
        if model.branch
        else None,
    )
    tool = Component(type=ComponentType.APPLICATION, name="codegenie", version=model.tool_version)
    bom = Bom(
        serial_number=uuid.uuid5(SERIAL_NAMESPACE, model.digest),
        metadata=BomMetaData(
            tools=ToolRepository(components=[tool]), component=root, timestamp=timestamp
        ),
    )
    by_ref: dict[str, Any] = {ROOT_REF: root}
    for package in model.packages:
        purl = PackageURL.from_string(package.purl)
        component = Component(
            type=ComponentType.LIBRARY,
            name=package.name,
            version=package.version,
            purl=purl,
            bom_ref=package.purl,
            scope=_SCOPES[package.scope],
            properties=[
                Property(name="codegenie:ecosystem", value=package.ecosystem),
                Property(name="codegenie:scope", value=package.scope),
                Property(name="codegenie:direct", value=str(package.direct).lower()),
                *(Property(name="codegenie:group", value=group) for group in package.groups),
            ],
        )
        bom.components.add(component)
        by_ref[package.purl] = component
    for member in model.members:
        component = Component(
            type=ComponentType.APPLICATION,
            name=member.directory,
            bom_ref=member.ref,
            properties=[Property(name="codegenie:member", value=member.directory)],
        )
        bom.components.add(component)
        by_ref[member.ref] = component
    for image in model.base_images:
        component = Component(
            type=ComponentType.CONTAINER,
            name=image.name,
            version=image.digest or image.tag,
            purl=PackageURL.from_string(image.purl),
            bom_ref=image.purl,
            properties=[
                Property(name="codegenie:image-reference", value=image.reference),
                *(Property(name="codegenie:dockerfile", value=path) for path in image.dockerfiles),
            ],
        )
        bom.components.add(component)
        by_ref[image.purl] = component
        bom.register_dependency(root, [component])
    bom.register_dependency(root, [by_ref[ref] for ref in model.root_depends])
    for member in model.members:
        bom.register_dependency(by_ref[member.ref], [by_ref[ref] for ref in member.depends])
    targets: dict[str, list[Any]] = {}
    for source, target in model.edges:
        targets.setdefault(source, []).append(by_ref[target])
    for source, depends in targets.items():
        bom.register_dependency(by_ref[source], depends)
    return JsonV1Dot6(bom).output_as_string(indent=2) + "\n"
