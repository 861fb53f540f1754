"""QualityCourt: settling rounds (locks, slashes, rewards) and delivering rulings.

A seat locks the whole minimum stake here (`whole_seats`): 100 LDAO; the fee
is 10 LDAO per seat; a silent juror owes twice the lock.
"""

import boa
import pytest

from labeldao.boa_tools import deployer
from tests.helpers import events
from tests.unit.court.conftest import (
    FEE_PER_JUROR,
    LDAO,
    MIN_STAKE,
    PERIOD_APPEAL,
    PERIOD_EXECUTION,
)

SEAT = MIN_STAKE
FEE = 3 * FEE_PER_JUROR


def side(choice: int) -> bytes:
    return choice.to_bytes(32, "big")


@pytest.fixture
def panel(court, flow, whole_seats):
    """A dispute whose 3 seats went to 3 distinct jurors (100 LDAO each)."""
    whole_seats(5, seats=1)
    dispute = flow.create()
    flow.draw_all(dispute)
    seated = flow.seated(dispute, 0)
    assert len(seated) == 3
    return dispute, seated


def decide(flow, keys, dispute, seated, choices):
    """Seat i votes choices[i] (None: commits but never reveals); then final."""
    flow.vote(dispute, 0, dict(zip(seated, choices, strict=True)), keys)
    flow.goto(dispute, PERIOD_EXECUTION)


def assert_round_conserved(court, dispute, round_):
    info = deployer("QualityCourtLens").at(court.LENS()).round_info(court.address, dispute, round_)
    assert info.execution_steps_done == info.execution_steps
    assert info.fee + info.slashed == info.rewarded + info.to_treasury


def test_execute__unanimous__returns_locks_and_shares_the_fee(court, lens, flow, keys, panel):
    dispute, seated = panel
    decide(flow, keys, dispute, seated, [1, 1, 1])
    assert court.execute(dispute, 0, 128) == 6
    settled = events(court, "JurorSettled")
    (executed,) = events(court, "RoundExecuted")
    assert [(s.juror, s.coherent, s.unlocked, s.reward) for s in settled] == [
        (juror, True, SEAT, FEE // 3) for juror in seated
    ]
    assert (executed.coherent_seats, executed.rewarded, executed.to_treasury) == (3, FEE, 0)
    for juror in seated:
        status = lens.juror_status(court.address, juror)
        assert (status.free, status.locked, status.claimable, status.open_rounds) == (
            SEAT,
            0,
            FEE // 3,
            0,
        )
    assert_round_conserved(court, dispute, 0)


def test_execute__incoherent_juror__loses_the_lock_to_the_coherent(
    court, flow, keys, panel, lens, tree
):
    dispute, seated = panel
    decide(flow, keys, dispute, seated, [1, 2, 1])
    court.execute(dispute, 0, 128)
    pool = FEE + SEAT
    assert court.claimable(seated[0]) == court.claimable(seated[2]) == pool // 2
    loser = lens.juror_status(court.address, seated[1])
    assert (loser.free, loser.locked, loser.claimable) == (0, 0, 0)
    assert lens.juror_round(court.address, dispute, 0, seated[1]).settled
    # A juror left with nothing gives the tree leaf back.
    assert tree.vacant_count() == 1
    assert lens.round_info(court.address, dispute, 0).slashed == SEAT
    assert_round_conserved(court, dispute, 0)


def test_execute__silent_juror__loses_the_multiple_from_free_stake(
    court, lens, flow, keys, panel, stake
):
    dispute, seated = panel
    stake(seated[2], 200 * LDAO)  # after the draw: free 200, locked 100
    decide(flow, keys, dispute, seated, [1, 1, None])
    court.execute(dispute, 0, 128)
    penalties = [s.penalty for s in events(court, "JurorSettled") if not s.coherent]
    assert penalties == [2 * SEAT]
    silent = lens.juror_status(court.address, seated[2])
    assert (silent.free, silent.locked) == (100 * LDAO, 0)
    assert court.claimable(seated[0]) == (FEE + 2 * SEAT) // 2
    assert_round_conserved(court, dispute, 0)


def test_execute__silent_juror__penalty_is_capped_by_the_stake(court, lens, flow, keys, panel):
    dispute, seated = panel
    decide(flow, keys, dispute, seated, [1, 1, None])
    court.execute(dispute, 0, 128)
    (penalty,) = [s.penalty for s in events(court, "JurorSettled") if not s.coherent]
    # Twice the lock is owed; the juror's whole stake is the lock.
    assert penalty == SEAT
    assert tuple(lens.juror_status(court.address, seated[2]))[:3] == (0, 0, 0)
    assert_round_conserved(court, dispute, 0)


def test_execute__silent_juror__pays_from_pending_stake_after_free_stake(
    court, lens, flow, keys, panel, stake
):
    dispute, seated = panel
    stake(seated[2], 150 * LDAO)
    court.request_unstake(150 * LDAO, sender=seated[2])  # free 0, pending 150
    decide(flow, keys, dispute, seated, [1, 1, None])
    court.execute(dispute, 0, 128)
    silent = lens.juror_status(court.address, seated[2])
    assert (silent.free, silent.locked, silent.pending_withdrawal) == (0, 0, 50 * LDAO)
    assert_round_conserved(court, dispute, 0)


def test_execute__nobody_coherent__sends_fee_and_slashes_to_the_treasury(
    court, flow, keys, panel, treasury, token
):
    dispute, seated = panel
    decide(flow, keys, dispute, seated, [None, None, None])
    court.execute(dispute, 0, 128)
    (executed,) = events(court, "RoundExecuted")
    assert (executed.coherent_seats, executed.to_treasury) == (0, FEE + 3 * SEAT)
    assert court.claimable(treasury) == FEE + 3 * SEAT
    court.withdraw(sender=treasury)
    assert token.balanceOf(treasury) == FEE + 3 * SEAT
    assert_round_conserved(court, dispute, 0)


def test_execute__tie__every_revealer_is_coherent(court, lens, flow, keys, panel):
    dispute, seated = panel
    decide(flow, keys, dispute, seated, [1, 2, None])
    assert court.currentRuling(dispute) == 0
    court.execute(dispute, 0, 128)
    assert court.claimable(seated[0]) == court.claimable(seated[1]) == (FEE + SEAT) // 2
    assert lens.juror_status(court.address, seated[0]).free == SEAT
    assert lens.juror_status(court.address, seated[1]).free == SEAT
    assert_round_conserved(court, dispute, 0)


def test_execute__one_step_at_a_time__matches_a_single_call(court, flow, keys, panel):
    dispute, seated = panel
    decide(flow, keys, dispute, seated, [2, 1, 1])
    steps = [court.execute(dispute, 0, 1) for _ in range(6)]
    assert steps == [1] * 6
    assert court.claimable(seated[1]) == court.claimable(seated[2]) == (FEE + SEAT) // 2
    assert_round_conserved(court, dispute, 0)


def test_execute__dust_goes_to_the_last_coherent_juror(court, lens, flow, keys, whole_seats, stake):
    whole_seats(5, seats=1)
    dispute = flow.create()
    flow.draw_all(dispute)
    seated = flow.seated(dispute, 0)
    stake(seated[2], 1 * LDAO + 1)  # a silent juror with an odd free stake
    decide(flow, keys, dispute, seated, [1, 1, None])
    court.execute(dispute, 0, 128)
    info = lens.round_info(court.address, dispute, 0)
    first, second = court.claimable(seated[0]), court.claimable(seated[1])
    assert first + second == info.fee + info.slashed
    assert second - first in (0, 1)


def test_execute__before_the_dispute_is_final__reverts(court, flow, keys, panel):
    dispute, seated = panel
    flow.vote(dispute, 0, dict.fromkeys(seated, 1), keys)  # now in its reveal period
    with boa.reverts("court: dispute not final"):
        court.execute(dispute, 0, 128)


@pytest.mark.parametrize("steps", [0, 129])
def test_execute__batch_size_out_of_range__reverts(court, flow, keys, panel, steps):
    dispute, seated = panel
    decide(flow, keys, dispute, seated, [1, 1, 1])
    with boa.reverts("court: batch size out of range"):
        court.execute(dispute, 0, steps)


def test_execute__unknown_round__reverts(court, flow, keys, panel):
    dispute, seated = panel
    decide(flow, keys, dispute, seated, [1, 1, 1])
    with boa.reverts("court: unknown round"):
        court.execute(dispute, 1, 128)


def test_execute__twice__reverts(court, flow, keys, panel):
    dispute, seated = panel
    decide(flow, keys, dispute, seated, [1, 1, 1])
    court.execute(dispute, 0, 128)
    with boa.reverts("court: round already executed"):
        court.execute(dispute, 0, 1)


def test_execute__works_while_paused(court, flow, keys, panel, guardian):
    dispute, seated = panel
    decide(flow, keys, dispute, seated, [1, 1, 1])
    court.pause(sender=guardian)
    assert court.execute(dispute, 0, 128) == 6


def test_execute_ruling__delivers_once(court, lens, flow, keys, panel, arbitrable):
    dispute, seated = panel
    decide(flow, keys, dispute, seated, [2, 2, 1])
    court.execute_ruling(dispute)
    (delivered,) = events(court, "RulingExecuted")
    assert (delivered.dispute_id, delivered.arbitrable, delivered.ruling) == (
        dispute,
        arbitrable.address,
        2,
    )
    assert arbitrable.ruling_of(dispute) == 2
    assert arbitrable.rule_calls(dispute) == 1
    assert lens.dispute_info(court.address, dispute).ruling_executed
    with boa.reverts("court: ruling already executed"):
        court.execute_ruling(dispute)


def test_execute_ruling__before_final__reverts(court, panel):
    dispute, _ = panel
    with boa.reverts("court: dispute not final"):
        court.execute_ruling(dispute)


def test_execute_ruling__unknown_dispute__reverts(court):
    with boa.reverts("court: unknown dispute"):
        court.execute_ruling(77)


def test_reverting_arbitrable__does_not_lock_jurors_tokens(
    court, lens, flow, keys, panel, arbitrable, token
):
    dispute, seated = panel
    decide(flow, keys, dispute, seated, [1, 1, 1])
    arbitrable.set_revert_on_rule(True)
    with boa.reverts("mock: rule reverted"):
        court.execute_ruling(dispute)
    flow.execute_all(dispute)
    before = token.balanceOf(seated[0])
    court.withdraw(sender=seated[0])
    assert token.balanceOf(seated[0]) == before + FEE // 3
    assert not lens.dispute_info(court.address, dispute).ruling_executed
    arbitrable.set_revert_on_rule(False)
    court.execute_ruling(dispute)
    assert arbitrable.rule_calls(dispute) == 1


def test_execute_ruling__reentry_from_rule__reverts(court, lens, flow, keys, panel, arbitrable):
    dispute, seated = panel
    decide(flow, keys, dispute, seated, [1, 1, 1])
    arbitrable.set_reenter_on_rule(True)
    with boa.reverts():
        court.execute_ruling(dispute)
    assert not lens.dispute_info(court.address, dispute).ruling_executed
    assert arbitrable.rule_calls(dispute) == 0


def test_rounds__are_judged_against_the_final_ruling(
    court, lens, flow, keys, whole_seats, pay, appellant, defender, treasury, token
):
    whole_seats(8, seats=2)
    dispute = flow.create()
    flow.draw_all(dispute)
    first = flow.seated(dispute, 0)
    flow.vote(dispute, 0, dict.fromkeys(first, 1), keys)
    flow.goto(dispute, PERIOD_APPEAL)
    cost = court.appealCost(dispute, side(2))
    pay(appellant, cost)
    pay(defender, cost)
    court.appeal(dispute, side(2), sender=appellant)
    court.appeal(dispute, side(1), sender=defender)
    flow.draw_all(dispute)
    second = flow.seated(dispute, 1)
    flow.vote(dispute, 1, dict.fromkeys(second, 2), keys)
    flow.goto(dispute, PERIOD_EXECUTION)
    assert court.currentRuling(dispute) == 2
    flow.execute_all(dispute)
    # Round 0 voted 1: nobody coherent, its fee and locks go to the treasury.
    zero = lens.round_info(court.address, dispute, 0)
    assert (zero.rewarded, zero.to_treasury) == (0, FEE + 3 * SEAT)
    one = lens.round_info(court.address, dispute, 1)
    assert (one.fee, one.rewarded, one.to_treasury) == (cost, cost, 0)
    assert court.claimable(appellant) == cost
    assert court.claimable(defender) == 0
    assert_round_conserved(court, dispute, 0)
    assert_round_conserved(court, dispute, 1)
    # Every token the court holds is owed to someone.
    owed = sum(
        lens.juror_status(court.address, j.address).free
        + lens.juror_status(court.address, j.address).locked
        + lens.juror_status(court.address, j.address).pending_withdrawal
        + court.claimable(j.address)
        for j in keys.values()
    )
    owed += court.claimable(treasury) + court.claimable(appellant) + court.claimable(defender)
    assert token.balanceOf(court.address) == owed


def test_mock_arbitrable__rule_from_a_stranger__reverts(arbitrable, appellant):
    with boa.reverts("mock: only the arbitrator"):
        arbitrable.rule(0, 1, sender=appellant)
