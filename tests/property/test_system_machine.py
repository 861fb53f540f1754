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

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from labeldao.escrow import TaskStatus
from tests.property.system.machines import SystemMachine
from tests.property.system.model import REPORT_VOIDED
from tests.property.system.world import World

# The `ci` profile must run at least this many steps of this machine.
CI_MIN_STEPS = 5_000
CI_EXAMPLES = 140


def _profile() -> str:
    return os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")


def test_system_machine(world: World) -> None:
    # Under `ci`, enough examples for CI_MIN_STEPS steps of this machine
    # (examples average about 40 of the profile's 75 steps: Hypothesis ends
    # an example once the arguments drawn fill 80 % of its buffer).
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


def _check_all(machine: SystemMachine) -> None:
    for name in sorted(dir(machine)):
        if name.startswith("invariant_"):
            getattr(machine, name)()


@settings(max_examples=1, database=None, deadline=None)
@given(st.just(None))
def test_keeper_settle__carries_escrow_and_registry_disputes_to_their_rulings(
    world: World, _: None
) -> None:
    """The machine's own rules in a fixed order (the invariants checked
    after each step, as Hypothesis does): a rejected annotation and a
    challenged compute report each go to the court, and one `keeper_settle`
    step per dispute draws the panel, collects the votes, executes the
    round and delivers the ruling. The jurors side with the requester
    (ruling 2: the annotator's stake is slashed) and with the challenger
    (ruling 2: the report is voided and the node slashed). The random run
    reaches these rulings seldom (docs/FUZZING.md); this checks that the
    rule can."""
    steps, examples = world.steps, world.examples
    machine = SystemMachine(world)
    try:
        script = [
            lambda: machine.stake_jurors([3_000] * 5),
            lambda: machine.create_task("requester-0", 500, 100, 10, 3),
            lambda: machine.claim_task(0, "annotator-0", False),
            lambda: machine.submit(0, frozenset()),
            lambda: machine.review(0, "reject"),
            lambda: machine.register_node("provider-0", 2, 1),
            lambda: machine.report(0, 50, 5_000),
            lambda: machine.challenge(0),
            lambda: machine.keeper_settle(0, ["m"] * 9, 2, [False] * 9),
            lambda: machine.keeper_settle(0, ["m"] * 9, 2, [False] * 9),
        ]
        for step in script:
            step()
            _check_all(machine)
        escrow_dispute, registry_dispute = sorted(machine.disputes.values(), key=lambda d: d.id)
        assert (escrow_dispute.origin, registry_dispute.origin) == ("escrow", "registry")
        assert escrow_dispute.ruled and registry_dispute.ruled
        assert world.court.currentRuling(escrow_dispute.id) == 2
        assert world.court.currentRuling(registry_dispute.id) == 2
        assert machine.tasks[0].status == TaskStatus.REJECTED
        assert machine.reports[registry_dispute.subject] == REPORT_VOIDED
        slashes = {(s.contract, s.cause) for s in machine.ledgers.slashes if s.amount > 0}
        assert {("escrow", "ruling"), ("registry", "ruling")} <= slashes
    finally:
        machine.teardown()
        world.steps, world.examples = steps, examples  # not counted as fuzzing
