"""Properties of `render_policy`: every rendered word is one flag, and no two policies render
alike, so what the engine is told determines the policy (nothing is lost or merged)."""

from __future__ import annotations

import re

from hypothesis import given

from codegenie_adapters.container_flags import EngineFamily, render_policy
from codegenie_core.probes.layer_c.model import ContainerPolicy
from tests.strategies import container_policies

# flag = "--" name [ "=" value ] ; name = lower letters and "-" ; value has no space or quote
FLAG = re.compile(r"--[a-z][a-z-]*(=[A-Za-z0-9_./=-]+)?")


@given(container_policies)
def test_every_rendered_word_is_one_whole_flag(policy: ContainerPolicy) -> None:
    for family in ("docker", "podman"):
        assert all(FLAG.fullmatch(word) for word in render_policy(policy, family))


@given(container_policies, container_policies)
def test_two_policies_render_alike_only_when_they_are_equal(
    first: ContainerPolicy, second: ContainerPolicy
) -> None:
    families: tuple[EngineFamily, ...] = ("docker", "podman")
    for family in families:
        same = render_policy(first, family) == render_policy(second, family)
        assert same == (first == second)
