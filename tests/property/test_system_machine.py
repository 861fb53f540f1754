"""Whole-system stateful property test: every LabelDAO contract deployed
and wired by `labeldao.system.deploy_boa()` (the plan `ape run deploy`
runs), driven by the user actions of every role — requesters, annotators,
jurors, keepers, providers, challengers, the guardian and an attacker with
a re-entrant arbitrable — with the 12 invariants of DESIGN.md checked after
every step (`tests/property/system/invariants.py`; invariant 10, flat gas,
is measured by the gas-scaling benchmarks, see docs/INVARIANTS.md).

Profiles: HYPOTHESIS_PROFILE=default|ci|deep (tests/conftest.py);
`make fuzz-deep` runs the deep profile on both cores.
"""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from tests.property.system.court_rules import CourtUsers
from tests.property.system.escrow_rules import EscrowUsers
from tests.property.system.guard_rules import Attacker, Guardian
from tests.property.system.invariants import Invariants
from tests.property.system.registry_rules import RegistryUsers
from tests.property.system.token_rules import TokenHolders
from tests.property.system.world import World, build_world

# The `ci` profile must run at least this many steps of this machine.
CI_MIN_STEPS = 5_000
CI_EXAMPLES = 100


class SystemMachine(
    Invariants, TokenHolders, EscrowUsers, CourtUsers, RegistryUsers, Guardian, Attacker
):
    """Every role's actions on one deployment of the whole suite."""


@pytest.fixture(scope="module")
def world() -> World:
    """The suite deployed once for the run; each example starts from it."""
    return build_world()


def _profile() -> str:
    return os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")


def test_system_machine(world: World) -> None:
    # Under `ci`, enough examples for CI_MIN_STEPS steps of this machine
    # (examples average about 60 of the profile's 75 steps).
    config = settings(settings.default, max_examples=CI_EXAMPLES) if _profile() == "ci" else None
    try:
        run_state_machine_as_test(lambda: SystemMachine(world), settings=config)
    finally:
        world.write_progress()
        elapsed = time.monotonic() - world.started
        print(f"\nsystem machine: {world.steps} steps, {world.examples} examples, "
              f"{elapsed:.0f} s, {world.steps / elapsed:.1f} steps/s")  # fmt: skip
        print("rules:", dict(world.rules.most_common()))
        print("reached:", dict(sorted(world.reached.items())))
    if _profile() == "ci":
        # The `ci` profile promises a number of steps.
        assert world.steps >= CI_MIN_STEPS, f"only {world.steps} stateful steps"
