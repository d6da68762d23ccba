"""An SPDX 2.3 JSON SBOM from the SBOM model, written and validated by `spdx-tools`.

Rule 1: the document describes the repository (one package, `SPDXRef-Repository`); a package's
relationship to what needs it says its scope: runtime `DEPENDS_ON`, optional and peer
`OPTIONAL_DEPENDENCY_OF`, dev `DEV_DEPENDENCY_OF`, build `BUILD_DEPENDENCY_OF`; edges between
packages are `DEPENDS_ON`; a base image is a `CONTAINER` package the repository `DEPENDS_ON`.
Rule 2: SPDX ids are positional over the model's sorted packages, members and images, and the
document namespace carries a UUID derived from the model's digest, so the output is a function
of the model and the timestamp (see ADR-0057).
Rule 3: a package in dependency groups or extras says them in its comment: "declared as
group:tests, extra:async" (ADR-0084).
Rule 4: spdx-tools validates while it writes; a document it finds invalid is a bug here, so its
messages are raised as an assertion, never shown as the user's fault.
"""

from __future__ import annotations

import datetime
import io
import uuid

from spdx_tools.spdx.model.actor import Actor, ActorType
from spdx_tools.spdx.model.document import CreationInfo, Document
from spdx_tools.spdx.model.package import (
    ExternalPackageRef,
    ExternalPackageRefCategory,
    Package,
    PackagePurpose,
)
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
from spdx_tools.spdx.writer.json.json_writer import write_document_to_stream

from codegenie_core.parsers.lock_model import Scope
from codegenie_core.report.sbom import SbomModel

__all__ = ["NAMESPACE_PREFIX", "spdx_json"]

# SPDX asks for a unique URI per document; `.invalid` (RFC 2606) resolves nowhere by design.
NAMESPACE_PREFIX = "https://codegenie.invalid/spdx/"
_NAMESPACE = uuid.UUID("0c8e5a7d-2b1f-4e96-a3c4-7d9b6e1f2a58")
ROOT_ID = "SPDXRef-Repository"

# (relationship, True when the package is the subject: "package REL root")
_SCOPE_RELATIONSHIPS: dict[Scope, RelationshipType] = {
    "runtime": RelationshipType.DEPENDS_ON,
    "optional": RelationshipType.OPTIONAL_DEPENDENCY_OF,
    "peer": RelationshipType.OPTIONAL_DEPENDENCY_OF,
    "dev": RelationshipType.DEV_DEPENDENCY_OF,
    "build": RelationshipType.BUILD_DEPENDENCY_OF,
}


def _purl_ref(purl: str) -> list[ExternalPackageRef]:
    return [
        ExternalPackageRef(
            category=ExternalPackageRefCategory.PACKAGE_MANAGER,
            reference_type="purl",
            locator=purl,
        )
    ]


def _needs(dependent: str, dependency: str, scope: Scope) -> Relationship:
    kind = _SCOPE_RELATIONSHIPS[scope]
    if kind is RelationshipType.DEPENDS_ON:
        return Relationship(dependent, kind, dependency)
    return Relationship(dependency, kind, dependent)


def spdx_json(model: SbomModel, *, timestamp: datetime.datetime) -> str:
    """The SBOM as SPDX 2.3 JSON text, ending in a newline (Rule 4 on invalid documents)."""
    name = model.repo_name or "repository"
    info = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name=name,
        document_namespace=f"{NAMESPACE_PREFIX}{uuid.uuid5(_NAMESPACE, model.digest)}",
        creators=[Actor(ActorType.TOOL, f"codegenie-{model.tool_version}")],
        created=timestamp.replace(microsecond=0),
    )
    root = Package(
        spdx_id=ROOT_ID,
        name=name,
        version=model.head,
        download_location=SpdxNoAssertion(),
        files_analyzed=False,
        primary_package_purpose=PackagePurpose.APPLICATION,
    )
    packages = [root]
    relationships = [Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, ROOT_ID)]
    ids: dict[str, str] = {}
    for index, package in enumerate(model.packages, start=1):
        ids[package.purl] = f"SPDXRef-Package-{index}"
        packages.append(
            Package(
                spdx_id=ids[package.purl],
                name=package.name,
                version=package.version,
                download_location=SpdxNoAssertion(),
                files_analyzed=False,
                external_references=_purl_ref(package.purl),
                primary_package_purpose=PackagePurpose.LIBRARY,
                comment="declared as " + ", ".join(package.groups) if package.groups else None,
            )
        )
    scopes: dict[str, Scope] = {package.purl: package.scope for package in model.packages}
    for index, member in enumerate(model.members, start=1):
        ids[member.ref] = f"SPDXRef-Member-{index}"
        packages.append(
            Package(
                spdx_id=ids[member.ref],
                name=member.directory,
                download_location=SpdxNoAssertion(),
                files_analyzed=False,
                primary_package_purpose=PackagePurpose.APPLICATION,
                comment="a directory of the repository with its own manifest",
            )
        )
        relationships.append(Relationship(ROOT_ID, RelationshipType.CONTAINS, ids[member.ref]))
        relationships.extend(
            _needs(ids[member.ref], ids[purl], scopes[purl]) for purl in member.depends
        )
    relationships.extend(
        _needs(ROOT_ID, ids[ref], scopes[ref]) for ref in model.root_depends if ref in scopes
    )
    relationships.extend(
        Relationship(ids[source], RelationshipType.DEPENDS_ON, ids[target])
        for source, target in model.edges
    )
    for index, image in enumerate(model.base_images, start=1):
        image_id = f"SPDXRef-Image-{index}"
        packages.append(
            Package(
                spdx_id=image_id,
                name=image.name,
                version=image.digest or image.tag,
                download_location=SpdxNoAssertion(),
                files_analyzed=False,
                external_references=_purl_ref(image.purl),
                primary_package_purpose=PackagePurpose.CONTAINER,
                comment="base image of " + ", ".join(image.dockerfiles),
            )
        )
        relationships.append(Relationship(ROOT_ID, RelationshipType.DEPENDS_ON, image_id))
    document = Document(creation_info=info, packages=packages, relationships=relationships)
    problems = validate_full_spdx_document(document, spdx_version="SPDX-2.3")
    assert not problems, "; ".join(p.validation_message for p in problems)
    stream = io.StringIO()
    write_document_to_stream(document, stream, validate=False)
    return stream.getvalue() + "\n"
