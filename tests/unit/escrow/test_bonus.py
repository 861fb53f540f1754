"""TaskEscrow: the LDAO bonus minted for accepted work, within budget and cap."""

import boa

from labeldao.escrow import EPOCH_LENGTH, Ruling
from tests.conftest import TOKEN_CAP
from tests.helpers import events
from tests.unit.escrow.conftest import (
    BONUS_PER_ITEM,
    COST,
    EPOCH_BUDGET,
    FEE,
    LDAO,
    N_ITEMS,
    REWARD,
    STAKE,
)


def _epoch() -> int:
    return boa.env.evm.patch.timestamp // EPOCH_LENGTH


def _accept(escrow, submitted_task, requester, **overrides) -> int:
    task_id = submitted_task(**overrides)
    escrow.accept(task_id, sender=requester.address)
    (settled,) = events(escrow, "TaskSettled")
    return settled.bonus


def test_bonus__per_item__is_minted_and_owed_to_annotator(
    escrow, token, submitted_task, requester, annotator
):
    supply = token.totalSupply()
    task_id = submitted_task()
    escrow.accept(task_id, sender=requester.address)
    (opened,) = events(escrow, "EmissionEpochOpened")
    (mint,) = [t for t in events(escrow, "Transfer") if t.receiver == escrow.address]
    bonus = BONUS_PER_ITEM * N_ITEMS
    assert token.totalSupply() == supply + COST + STAKE + bonus
    assert mint.value == bonus
    assert escrow.claimable(annotator.address) == REWARD + STAKE + bonus
    assert (opened.epoch, opened.budget) == (_epoch(), EPOCH_BUDGET)
    assert escrow.epoch_emission(_epoch()) == (EPOCH_BUDGET, bonus)
    assert token.balanceOf(escrow.address) == escrow.liabilities()


def test_bonus__capped_at_share_of_fee(escrow, submitted_task, requester):
    # 1,000 items x 0.1 LDAO = 100 LDAO, but half the 2.5 LDAO fee is 1.25 LDAO.
    assert _accept(escrow, submitted_task, requester, n_items=1_000) == FEE // 2


def test_bonus__without_fee__is_zero(escrow, submitted_task, requester, params_with, timelock):
    """Trading with oneself never mints: no fee, no bonus."""
    escrow.set_params(params_with(fee_bps=0), sender=timelock)
    assert _accept(escrow, submitted_task, requester) == 0
    assert escrow.epoch_emission(_epoch()) == (EPOCH_BUDGET, 0)


def test_bonus__clamped_to_epoch_budget(escrow, submitted_task, requester, params_with, timelock):
    escrow.set_params(params_with(epoch_budget=LDAO + LDAO // 2), sender=timelock)
    assert _accept(escrow, submitted_task, requester) == LDAO
    assert _accept(escrow, submitted_task, requester) == LDAO // 2
    assert _accept(escrow, submitted_task, requester) == 0
    assert escrow.epoch_emission(_epoch()) == (LDAO + LDAO // 2, LDAO + LDAO // 2)


def test_bonus__budget_refills_next_epoch(escrow, submitted_task, requester, params_with, timelock):
    escrow.set_params(params_with(epoch_budget=LDAO), sender=timelock)
    assert _accept(escrow, submitted_task, requester) == LDAO
    assert _accept(escrow, submitted_task, requester) == 0
    boa.env.time_travel(seconds=EPOCH_LENGTH)
    assert _accept(escrow, submitted_task, requester) == LDAO


def test_bonus__budget_change__applies_from_next_epoch(
    escrow, submitted_task, requester, params_with, timelock
):
    assert _accept(escrow, submitted_task, requester) == LDAO  # opens the epoch
    escrow.set_params(params_with(epoch_budget=0), sender=timelock)
    assert _accept(escrow, submitted_task, requester) == LDAO
    assert escrow.epoch_emission(_epoch()) == (EPOCH_BUDGET, 2 * LDAO)
    boa.env.time_travel(seconds=EPOCH_LENGTH)
    assert escrow.epoch_emission(_epoch()) == (0, 0)
    assert _accept(escrow, submitted_task, requester) == 0


def test_bonus__clamped_to_token_cap(escrow, token, fund, submitted_task, requester, stranger):
    task_id = submitted_task()
    room = LDAO // 4
    fund(stranger.address, TOKEN_CAP - token.totalSupply() - room)
    escrow.accept(task_id, sender=requester.address)
    (settled,) = events(escrow, "TaskSettled")
    assert settled.bonus == room
    assert token.totalSupply() == TOKEN_CAP
    assert escrow.epoch_emission(_epoch())[1] == room


def test_bonus__at_token_cap__is_zero_and_payout_goes_through(
    escrow, token, fund, submitted_task, requester, annotator, stranger
):
    task_id = submitted_task()
    fund(stranger.address, TOKEN_CAP - token.totalSupply())
    escrow.accept(task_id, sender=requester.address)
    (settled,) = events(escrow, "TaskSettled")
    assert settled.bonus == 0
    assert escrow.claimable(annotator.address) == REWARD + STAKE
    assert token.balanceOf(escrow.address) == escrow.liabilities()


def test_bonus__without_minter_role__is_zero_and_payout_goes_through(
    escrow, token, admin, submitted_task, requester, annotator
):
    token.revokeRole(token.MINTER_ROLE(), escrow.address, sender=admin)
    task_id = submitted_task()
    boa.env.time_travel(seconds=3 * 86_400)
    escrow.finalize(task_id, sender=requester.address)
    (settled,) = events(escrow, "TaskSettled")
    assert settled.bonus == 0
    assert escrow.claimable(annotator.address) == REWARD + STAKE
    assert escrow.epoch_emission(_epoch()) == (EPOCH_BUDGET, 0)


def test_bonus__not_minted_on_rejection_or_refusal(escrow, token, arbitrator, disputed_task):
    for ruling in (Ruling.REJECT, Ruling.REFUSED):
        _, dispute_id = disputed_task()
        supply = token.totalSupply()
        arbitrator.give_ruling(dispute_id, ruling)
        (settled,) = events(arbitrator, "TaskSettled")
        assert settled.bonus == 0
        assert token.totalSupply() == supply


def test_bonus__snapshot_of_bonus_rate_per_task(
    escrow, submitted_task, claimed_task, annotator, requester, params_with, timelock
):
    task_id = claimed_task()
    escrow.set_params(params_with(bonus_per_item=0), sender=timelock)
    escrow.submit(task_id, b"\x01" * 32, "ipfs://r", sender=annotator.address)
    escrow.accept(task_id, sender=requester.address)
    (settled,) = events(escrow, "TaskSettled")
    assert settled.bonus == LDAO  # the rate of the task's creation
    assert _accept(escrow, submitted_task, requester) == 0


def test_current_epoch__is_time_over_epoch_length(escrow):
    assert escrow.current_epoch() == _epoch()
