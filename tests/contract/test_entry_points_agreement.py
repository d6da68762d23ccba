"""Reading entry_points.txt directly agrees with importlib.metadata, and a found probe loads."""

from __future__ import annotations

import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from codegenie_cli import plugins


@pytest.mark.parametrize("group", ["console_scripts", "pytest11", "codegenie.probes"])
def test_direct_reading_agrees_with_importlib_metadata_on_this_environment(group: str) -> None:
    ours = sorted((e.name, e.value) for e in plugins.entry_points(group))
    theirs = sorted((e.name, e.value) for e in metadata.entry_points(group=group))
    assert ours == theirs


def dist(site: Path, name: str, text: str) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "entry_points.txt").write_text(text)


def test_the_first_distribution_of_a_name_on_the_path_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    dist(first, "acme_probes", "[codegenie.probes]\nlicense = acme.probes:License\n")
    dist(second, "Acme_Probes", "[codegenie.probes]\nother = acme.other:Other\n")
    found = plugins.entry_points("codegenie.probes", [str(first), str(second)])
    assert [(e.name, e.value) for e in found] == [("license", "acme.probes:License")]


def test_a_found_entry_point_loads_its_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "acme_plugin.py").write_text("class Probe:\n    marker = 'loaded'\n")
    dist(tmp_path, "acme_plugin", "[codegenie.probes]\nacme = acme_plugin:Probe\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    [entry] = plugins.entry_points("codegenie.probes", [str(tmp_path)])
    assert entry.load().marker == "loaded"


def test_a_zip_on_the_path_falls_back_to_importlib_metadata(tmp_path: Path) -> None:
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("x.py", "")
    path = [str(archive), *sys.path]
    ours = sorted((e.name, e.value) for e in plugins.entry_points("console_scripts", path))
    theirs = sorted((e.name, e.value) for e in metadata.entry_points(group="console_scripts"))
    assert ours == theirs


def test_a_malformed_entry_points_file_is_ignored(tmp_path: Path) -> None:
    dist(tmp_path, "broken", "[codegenie.probes\nnot ini")
    assert plugins.entry_points("codegenie.probes", [str(tmp_path)]) == []
