"""Per-contract stateful property tests: the token, court, escrow and
registry machines of `tests/property/system/machines.py`, each a subset of
the whole-system machine's role mixins run on the same world (the suite
deployed once by `labeldao.system.deploy_boa`, the plan `ape run deploy`
runs), with the same model and the invariants of DESIGN.md that concern
the contracts it acts on. Each focuses the random search on one contract;
the system machine (`test_system_machine.py`) runs their union.

Profiles: HYPOTHESIS_PROFILE=default|ci|deep (tests/conftest.py); under
`ci` each machine runs `CI_EXAMPLES[name]` examples (the system machine
carries the step floor).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from tests.property.system.machines import (
    CourtMachine,
    EscrowMachine,
    RegistryMachine,
    TokenMachine,
)
from tests.property.system.world import World

MACHINES = {
    "token": TokenMachine,
    "court": CourtMachine,
    "escrow": EscrowMachine,
    "registry": RegistryMachine,
}
# Examples per machine under `ci`: together less CI time than the four
# separate machines these replace (docs/FUZZING.md).
CI_EXAMPLES = {"token": 60, "court": 100, "escrow": 120, "registry": 100}


def _profile() -> str:
    return os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")


@pytest.mark.parametrize("name", list(MACHINES))
def test_contract_machine(world: World, name: str) -> None:
    """Runs one contract's machine with the active profile."""
    machine = MACHINES[name]
    ci = _profile() == "ci"
    config = settings(settings.default, max_examples=CI_EXAMPLES[name]) if ci else None
    steps, examples, rules = world.steps, world.examples, world.rules.copy()
    try:
        run_state_machine_as_test(lambda: machine(world), settings=config)
    finally:
        print(f"\n{name} machine: {world.steps - steps} steps, "
              f"{world.examples - examples} examples")  # fmt: skip
        print("rules:", dict((world.rules - rules).most_common()))
