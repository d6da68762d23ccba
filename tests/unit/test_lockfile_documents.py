"""The fast paths of the document (ADR-0080) give, on every lockfile fixture, the bytes and the
plain data the straightforward paths give."""

from __future__ import annotations

import json
from pathlib import Path

from codegenie_adapters.api import gather_repository
from codegenie_adapters.documents import to_yaml
from codegenie_adapters.serde import converter, plain_data
from codegenie_core.config import GatherConfig
from codegenie_core.outcomes import Ran
from tests.reference_writers import reference_to_yaml

LOCKFILES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles"


def test_every_lockfile_fixture_gives_the_reference_bytes_and_plain_data(tmp_path: Path) -> None:
    config = GatherConfig(probes=frozenset({"manifests"}))
    gathered = gather_repository(
        str(LOCKFILES), config=config, cache_dir=str(tmp_path), cache_mode="off"
    )
    (manifests,) = [o for o in gathered.outcomes if o.probe == "manifests"]
    assert isinstance(manifests, Ran)
    value = manifests.envelope.slice
    assert plain_data(value) == json.loads(json.dumps(converter.unstructure(value)))
    document = gathered.to_document()
    inventory = document["probes"]["manifests"]["slice"]["inventory"]
    assert len(inventory) > 50  # every format's fixture was read
    assert to_yaml(document) == reference_to_yaml(document)
