"""QualityCourt: juror staking, unstaking, withdrawals and the status view."""

import boa

from tests.helpers import events
from tests.unit.court.conftest import LDAO, MIN_STAKE, SEAT_LOCK, UNSTAKE_DELAY


def test_stake__first_time__allocates_a_leaf_and_logs(court, lens, stake, jurors, token, tree):
    juror = jurors[0].address
    stake(juror, 300 * LDAO)
    (staked,) = events(court, "Staked")
    status = lens.juror_status(court.address, juror)
    assert (status.free, status.locked, status.pending_withdrawal) == (300 * LDAO, 0, 0)
    assert court.total_free_stake() == 300 * LDAO
    assert tree.owner_of(0) == juror
    assert token.balanceOf(court.address) == 300 * LDAO
    assert (staked.juror, staked.amount, staked.free) == (juror, 300 * LDAO, 300 * LDAO)


def test_stake__top_up__keeps_the_leaf(court, lens, stake, jurors, tree):
    stake(jurors[0], 300 * LDAO)
    stake(jurors[0], 50 * LDAO)
    assert lens.juror_status(court.address, jurors[0].address).free == 350 * LDAO
    assert tree.leaves_used() == 1


def test_stake__zero__reverts(court, jurors):
    with boa.reverts("court: zero amount"):
        court.stake(0, sender=jurors[0].address)


def test_stake__below_minimum__reverts(court, stake, jurors):
    with boa.reverts("court: stake below minimum"):
        stake(jurors[0], MIN_STAKE - 1)


def test_stake__at_minimum__succeeds(court, lens, stake, jurors):
    stake(jurors[0], MIN_STAKE)
    assert lens.juror_status(court.address, jurors[0].address).free == MIN_STAKE


def test_stake__without_allowance__reverts(court, fund, jurors):
    fund(jurors[0].address, MIN_STAKE)
    with boa.reverts("erc20: insufficient allowance"):
        court.stake(MIN_STAKE, sender=jurors[0].address)


def test_stake__counts_in_draws_from_the_next_epoch(court, lens, stake, jurors, flow):
    flow.next_epoch()
    stake(jurors[0], 300 * LDAO)
    status = lens.juror_status(court.address, jurors[0].address)
    assert (status.free, status.drawable_this_epoch) == (300 * LDAO, 0)
    assert court.drawable_stake() == 0
    flow.next_epoch()
    assert lens.juror_status(court.address, jurors[0].address).drawable_this_epoch == 300 * LDAO
    assert court.drawable_stake() == 300 * LDAO


def test_request_unstake__moves_free_to_pending_and_logs(court, lens, stake, jurors):
    juror = jurors[0].address
    stake(juror, 300 * LDAO)
    court.request_unstake(100 * LDAO, sender=juror)
    (requested,) = events(court, "UnstakeRequested")
    status = lens.juror_status(court.address, juror)
    unlock = boa.env.evm.patch.timestamp + UNSTAKE_DELAY
    assert (status.free, status.pending_withdrawal, status.unlock_time) == (
        200 * LDAO,
        100 * LDAO,
        unlock,
    )
    assert court.total_free_stake() == 200 * LDAO
    assert (requested.amount, requested.pending_withdrawal, requested.unlock_time) == (
        100 * LDAO,
        100 * LDAO,
        unlock,
    )


def test_request_unstake__again__adds_and_restarts_the_delay(court, lens, stake, jurors):
    juror = jurors[0].address
    stake(juror, 400 * LDAO)
    court.request_unstake(100 * LDAO, sender=juror)
    boa.env.time_travel(seconds=1_000)
    court.request_unstake(100 * LDAO, sender=juror)
    status = lens.juror_status(court.address, juror)
    assert status.pending_withdrawal == 200 * LDAO
    assert status.unlock_time == boa.env.evm.patch.timestamp + UNSTAKE_DELAY


def test_request_unstake__zero__reverts(court, stake, jurors):
    stake(jurors[0], 300 * LDAO)
    with boa.reverts("court: zero amount"):
        court.request_unstake(0, sender=jurors[0].address)


def test_request_unstake__more_than_free__reverts(court, stake, jurors):
    stake(jurors[0], 300 * LDAO)
    with boa.reverts("court: amount exceeds free stake"):
        court.request_unstake(300 * LDAO + 1, sender=jurors[0].address)


def test_request_unstake__by_a_non_juror__reverts(court, jurors):
    with boa.reverts("court: amount exceeds free stake"):
        court.request_unstake(1, sender=jurors[0].address)


def test_request_unstake__leaving_dust__reverts(court, stake, jurors):
    stake(jurors[0], 300 * LDAO)
    with boa.reverts("court: remainder below minimum"):
        court.request_unstake(300 * LDAO - MIN_STAKE + 1, sender=jurors[0].address)


def test_request_unstake__of_locked_stake__reverts(court, lens, flow, staked, jurors):
    staked(1)
    dispute = flow.create()
    flow.draw_all(dispute)
    juror = jurors[0].address
    status = lens.juror_status(court.address, juror)
    assert status.locked == 3 * SEAT_LOCK
    assert status.open_rounds == 1
    court.request_unstake(status.free, sender=juror)
    with boa.reverts("court: amount exceeds free stake"):
        court.request_unstake(1, sender=juror)


def test_withdraw__before_unlock__reverts(court, stake, jurors):
    juror = jurors[0].address
    stake(juror, 300 * LDAO)
    court.request_unstake(300 * LDAO, sender=juror)
    boa.env.time_travel(seconds=UNSTAKE_DELAY - 1)
    with boa.reverts("court: unstake delay not over"):
        court.withdraw(sender=juror)


def test_withdraw__with_nothing_owed__reverts(court, jurors):
    with boa.reverts("court: nothing to withdraw"):
        court.withdraw(sender=jurors[0].address)


def test_withdraw__after_unlock__pays_and_frees_the_leaf(court, lens, stake, jurors, token, tree):
    juror = jurors[0].address
    stake(juror, 300 * LDAO)
    court.request_unstake(300 * LDAO, sender=juror)
    boa.env.time_travel(seconds=UNSTAKE_DELAY)
    assert lens.juror_status(court.address, juror).withdrawable_now == 300 * LDAO
    before = token.balanceOf(juror)
    assert court.withdraw(sender=juror) == 300 * LDAO
    (withdrawn,) = events(court, "Withdrawn")
    assert token.balanceOf(juror) == before + 300 * LDAO
    assert (withdrawn.stake, withdrawn.rewards) == (300 * LDAO, 0)
    assert tree.owner_of(0) == "0x0000000000000000000000000000000000000000"
    assert tree.vacant_count() == 1
    status = lens.juror_status(court.address, juror)
    assert (status.free, status.pending_withdrawal, status.unlock_time) == (0, 0, 0)
    # The account slot keeps only the juror marker (bit 255), so it is never
    # zero again: a later credit updates it instead of writing a fresh slot.
    assert court.juror_slots(juror)[1] == 1 << 255


def test_withdraw__partial_unstake__keeps_the_leaf(court, lens, stake, jurors, tree):
    juror = jurors[0].address
    stake(juror, 300 * LDAO)
    court.request_unstake(100 * LDAO, sender=juror)
    boa.env.time_travel(seconds=UNSTAKE_DELAY)
    court.withdraw(sender=juror)
    assert tree.owner_of(0) == juror
    assert lens.juror_status(court.address, juror).free == 200 * LDAO


def test_withdraw__works_while_paused(court, stake, jurors, guardian):
    juror = jurors[0].address
    stake(juror, 300 * LDAO)
    court.request_unstake(300 * LDAO, sender=juror)
    court.pause(sender=guardian)
    boa.env.time_travel(seconds=UNSTAKE_DELAY)
    assert court.withdraw(sender=juror) == 300 * LDAO


def test_stake__again_after_leaving__gets_a_leaf_back(court, stake, jurors, flow, tree):
    juror = jurors[0].address
    stake(juror, 300 * LDAO)
    court.request_unstake(300 * LDAO, sender=juror)
    boa.env.time_travel(seconds=UNSTAKE_DELAY)
    court.withdraw(sender=juror)
    flow.next_epoch()
    stake(jurors[1], 300 * LDAO)  # reuses leaf 0, released in an earlier epoch
    assert tree.owner_of(0) == jurors[1].address
    stake(juror, 300 * LDAO)
    assert tree.owner_of(1) == juror
    assert court.total_free_stake() == 600 * LDAO


def test_juror_status__of_a_stranger__is_empty(court, lens, jurors):
    status = lens.juror_status(court.address, jurors[5].address)
    assert tuple(status) == (0, 0, 0, 0, 0, 0, 0, 0)
