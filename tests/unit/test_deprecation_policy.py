"""The suite's warning policy (pyproject's pytest `filterwarnings`): a DeprecationWarning from
codegenie fails the test it happens in, one from a third-party library does not (see ADR-0040).

These run under the filters pytest applies to every test, so they check the configured policy.
"""

from __future__ import annotations

import warnings

import pytest

SHIM = (
    "probe 'acme' declares itself through class attributes; declare `spec = ProbeSpec(...)` "
    "instead, the attribute style goes in the next release (see ADR-0030)"
)


def _deprecation(message: str, module: str) -> None:
    # As `warnings.warn` would from code in `module` (its own `stacklevel` pointing there).
    warnings.warn_explicit(message, DeprecationWarning, f"{module}.py", 1, module=module)


@pytest.mark.parametrize(
    "module", ["codegenie_core.registry", "codegenie_adapters.fs_cache", "codegenie_cli.main"]
)
def test_a_deprecation_attributed_to_codegenie_fails_the_test(module: str) -> None:
    with pytest.raises(DeprecationWarning, match="old way"):
        _deprecation("the old way", module)


def test_the_probe_shims_warning_fails_the_test_wherever_it_is_attributed() -> None:
    with pytest.raises(DeprecationWarning, match="declares itself through class attributes"):
        _deprecation(SHIM, "acme.probes")


@pytest.mark.parametrize("module", ["hypothesis.strategies", "cattrs.gen", "acme.probes"])
def test_a_third_party_deprecation_stays_a_warning(module: str) -> None:
    with warnings.catch_warnings(record=True) as caught:  # keeps the filters, records the rest
        _deprecation("the old way", module)
    assert [(w.category, str(w.message)) for w in caught] == [(DeprecationWarning, "the old way")]


def test_pytest_warns_still_catches_a_deprecation_whose_subject_is_the_shim() -> None:
    with pytest.warns(DeprecationWarning, match="probe 'acme' declares itself"):
        _deprecation(SHIM, "codegenie_core.registry")
