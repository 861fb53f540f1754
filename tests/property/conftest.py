"""The property machines' shared fixture: the world (the suite deployed by
`labeldao.system.deploy_boa`, the plan `ape run deploy` runs, with every
role's people funded), built once per test module; each Hypothesis example
runs in its own anchor on top of it."""

from __future__ import annotations

import pytest

from tests.property.system.world import World, build_world


@pytest.fixture(scope="module")
def world() -> World:
    """The suite deployed once for the module; each example starts from it."""
    return build_world()
