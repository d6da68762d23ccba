"""`--format cyclonedx|spdx`: an SBOM made from the context document (see ADR-0057).

Rule 1: the SBOM libraries are the `sbom` extra and are imported only here, only when an SBOM is
asked for, so `codegenie-cli --help` and every other format never load them; a missing extra is
one line naming the extra, exit 2.
Rule 2: the timestamp is `SOURCE_DATE_EPOCH` (the reproducible-builds convention: whole seconds
since the epoch, UTC) when set, else now; with it fixed, the same repository gives the same bytes.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Literal

from codegenie_core.errors import ConfigError

__all__ = ["EPOCH_VARIABLE", "FILE_NAMES", "render", "sbom_timestamp"]

SbomFormat = Literal["cyclonedx", "spdx"]
FILE_NAMES: Mapping[str, str] = {"cyclonedx": "sbom.cdx.json", "spdx": "sbom.spdx.json"}
EPOCH_VARIABLE = "SOURCE_DATE_EPOCH"
_LIBRARIES = {"cyclonedx": "cyclonedx-python-lib", "spdx": "spdx-tools"}


def sbom_timestamp(environ: Mapping[str, str]) -> datetime.datetime:
    """Rule 2; a value that is not a non-negative integer is a `ConfigError` naming it."""
    value = environ.get(EPOCH_VARIABLE, "")
    if value == "":
        return datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        raise ConfigError(
            f"{EPOCH_VARIABLE} must be whole seconds since 1970-01-01 UTC, got {value!r}",
            variable=EPOCH_VARIABLE,
        )
    return datetime.datetime.fromtimestamp(int(value), datetime.UTC)


def render(document: Mapping[str, Any], fmt: SbomFormat, environ: Mapping[str, str]) -> str:
    """The SBOM of `document` as JSON text (Rule 1 on a missing extra)."""
    from codegenie_core.report.sbom import sbom_model

    timestamp = sbom_timestamp(environ)
    try:
        if fmt == "cyclonedx":
            from codegenie_adapters.sbom_cyclonedx import cyclonedx_json as write
        else:
            from codegenie_adapters.sbom_spdx import spdx_json as write
    except ImportError as error:
        raise ConfigError(
            f"--format {fmt} needs {_LIBRARIES[fmt]} ({error.name or 'a module'} is missing): "
            "install the sbom extra, pip install 'codegenie[sbom]'",
            variable="--format",
        ) from None
    return write(sbom_model(document), timestamp=timestamp)
