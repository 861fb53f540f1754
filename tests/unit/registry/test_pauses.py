"""ComputeRegistry: a pause never decides an outcome (issue 14, attack 6).

Every registry deadline and the action it waits for:

| deadline                                   | action it waits for        |
|--------------------------------------------|----------------------------|
| reporting window (`report_deadline`)       | `report`                   |
| challenge period (`challenge_deadline`)    | `challenge`, `submit_evidence` |
| finality (`final_at`)                      | `claim` (and top-ups)      |
| the court's ruling (no registry deadline)  | `rule`, then `forfeit_reports` |
| unbonding (`withdrawable_at`)              | `deactivate`, `withdraw_stake` |
| credits (no deadline)                      | `withdraw`                 |

None of these actions pauses, so the guardian's pause, however long, never
lets a deadline pass against anyone: each test pauses before the deadline,
keeps the pause past it, and acts at its last second while paused.
Registration and growth pause, and no deadline waits for them.
"""

import boa
import pytest

from labeldao.registry import DAY, REPORT_CHALLENGED, REPORT_FILED, EpochTerms
from tests.unit.registry.conftest import EMISSION, ROOT, SPECS, warp

TERMS = EpochTerms(EMISSION)


@pytest.fixture
def pause(registry, guardian):
    """Pauses the registry (after the test's registrations)."""
    return lambda: registry.pause(sender=guardian)


def test_pause__reporting_window__report_works_at_its_last_second(
    registry, register, provider, clock, pause
):
    node_id = register(provider)
    pause()
    deadline = registry.epoch_total(1).report_deadline
    warp(deadline - 1)
    registry.report(node_id, 1, 1_000, 10_000, ROOT, sender=provider)
    assert registry.report_of(node_id, 1).status == REPORT_FILED
    assert registry.paused()


def test_pause__challenge_period__challenge_and_evidence_work_at_its_last_second(
    registry, register, file_report, open_challenge, provider, challenger, clock, pause
):
    node_id = register(provider)
    pause()
    file_report(provider, node_id, 1)
    warp(registry.report_of(node_id, 1).challenge_deadline - 1)
    open_challenge(challenger, node_id, 1)
    registry.submit_evidence(node_id, 1, "ipfs://more", sender=provider)
    assert registry.report_of(node_id, 1).status == REPORT_CHALLENGED
    assert registry.paused()


def test_pause__finality__claims_and_top_ups_work(
    registry,
    register,
    file_report,
    open_challenge,
    arbitrator,
    provider,
    provider2,
    challenger,
    carol,
    clock,
    pause,
):
    honest, fake = register(provider), register(provider2)
    pause()
    file_report(provider, honest, 1, units=100)
    file_report(provider2, fake, 1, units=300)
    file_report(provider2, fake, 2, units=300)
    dispute_id = open_challenge(challenger, fake, 1)
    warp(clock.final_at(2, TERMS))
    assert registry.claim(honest, [1], sender=provider) == EMISSION // 4
    arbitrator.give_ruling(dispute_id, 2)  # the ruling, while paused
    assert registry.forfeit_reports(fake, [2], sender=carol.address) == 300
    assert registry.claim(honest, [1], sender=provider) == EMISSION - EMISSION // 4
    assert registry.withdraw(sender=challenger) > 0
    assert registry.paused()


def test_pause__unbonding__deactivate_and_withdraw_stake_work(registry, register, provider, pause):
    node_id = register(provider)
    stake = registry.node(node_id).stake
    pause()
    registry.deactivate(node_id, sender=provider)
    warp(registry.node(node_id).withdrawable_at)
    assert registry.withdraw_stake(node_id, sender=provider) == stake
    assert registry.paused()


def test_pause__registration_and_growth__wait_but_no_deadline_depends_on_them(
    registry, register, token, fund, provider, provider2, guardian, clock
):
    node_id = register(provider)
    registry.pause(sender=guardian)
    fund(provider2, 1_000 * 10**18)
    token.approve(registry.address, 1_000 * 10**18, sender=provider2)
    with boa.reverts("pausable: contract is paused"):
        registry.register_node(SPECS, "", 1, 0, sender=provider2)
    with boa.reverts("pausable: contract is paused"):
        registry.add_stake(node_id, 1, sender=provider)
    warp(clock.start(5))
    registry.unpause(sender=guardian)
    # A node registered after the pause reports from the next epoch, as ever.
    later = registry.register_node(SPECS, "", 1, 0, sender=provider2)
    assert registry.node(later).first_epoch == 6
    # The first node lost nothing: epochs 1..4 all still had their window
    # while paused (epoch 4's is still open now).
    registry.report(node_id, 4, 1_000, 10_000, ROOT, sender=provider)
    assert registry.epoch_total(4).report_deadline == clock.end(4) + DAY
