"""Reading an image's config as the engine prints it."""

from __future__ import annotations

import json

from codegenie_adapters.image_inspect import image_config
from codegenie_core.probes.layer_c.model import ImageConfig


def test_entrypoint_cmd_healthcheck_and_user_are_read() -> None:
    config = {
        "User": "app",
        "Entrypoint": ["/bin/server"],
        "Cmd": ["--port", "80"],
        "Healthcheck": {"Test": ["CMD-SHELL", "wget -q localhost"], "Interval": 30},
    }
    assert image_config(json.dumps(config).encode()) == ImageConfig(
        entrypoint=("/bin/server",),
        cmd=("--port", "80"),
        healthcheck=("CMD-SHELL", "wget -q localhost"),
        user="app",
    )


def test_null_fields_and_unreadable_output_give_an_empty_config() -> None:
    nulls = {"Entrypoint": None, "Cmd": None, "Healthcheck": None, "User": ""}
    assert image_config(json.dumps(nulls).encode()) == ImageConfig()
    assert image_config(b"not json") == ImageConfig()
    assert image_config(b"[1, 2]") == ImageConfig()
