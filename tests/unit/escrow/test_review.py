"""TaskEscrow: the requester's review: accept, reject (dispute), and finalize by anyone."""

import boa
import pytest
from boa.contracts.base_evm_contract import BoaError
from eth_abi import encode as abi_encode

from labeldao.boa_tools import deployer
from labeldao.escrow import TaskStatus
from tests.helpers import events
from tests.unit.escrow.conftest import (
    ARBITRATION_FEE,
    COST,
    FEE,
    GOLD_BOND,
    REASON,
    REVIEW_PERIOD,
    REWARD,
    STAKE,
)

BONUS = 10 * 10**17  # 0.1 LDAO x 10 items, below half the fee (1.25 LDAO)
ZERO32 = b"\x00" * 32


def _assert_solvent(escrow, token):
    assert token.balanceOf(escrow.address) == escrow.liabilities()


# ---------------------------------------------------------------------------
# accept
# ---------------------------------------------------------------------------


def test_accept__pays_annotator_reward_stake_and_bonus(
    escrow, token, submitted_task, requester, annotator, treasury
):
    task_id = submitted_task()
    escrow.accept(task_id, sender=requester.address)
    (accepted,) = events(escrow, "TaskAccepted")
    (settled,) = events(escrow, "TaskSettled")
    assert escrow.tasks(task_id).status == TaskStatus.ACCEPTED
    assert escrow.claimable(annotator.address) == REWARD + STAKE + BONUS
    assert escrow.claimable(treasury) == FEE
    assert escrow.claimable(requester.address) == GOLD_BOND  # its gold was not found wrong
    assert (accepted.task_id, accepted.requester) == (task_id, requester.address)
    assert (settled.status, settled.annotator_amount, settled.treasury_amount) == (
        TaskStatus.ACCEPTED,
        REWARD + STAKE + BONUS,
        FEE,
    )
    assert (settled.requester_amount, settled.slashed, settled.bonus) == (GOLD_BOND, 0, BONUS)
    assert escrow.liabilities() == COST + STAKE + BONUS
    _assert_solvent(escrow, token)


def test_accept__by_stranger__reverts(escrow, submitted_task, stranger):
    task_id = submitted_task()
    with boa.reverts("escrow: caller is not the requester"):
        escrow.accept(task_id, sender=stranger.address)


def test_accept__by_annotator__reverts(escrow, submitted_task, annotator):
    task_id = submitted_task()
    with boa.reverts("escrow: caller is not the requester"):
        escrow.accept(task_id, sender=annotator.address)


def test_accept__not_submitted__reverts(escrow, claimed_task, requester):
    task_id = claimed_task()
    with boa.reverts("escrow: task not submitted"):
        escrow.accept(task_id, sender=requester.address)


def test_accept__twice__reverts(escrow, submitted_task, requester):
    task_id = submitted_task()
    escrow.accept(task_id, sender=requester.address)
    with boa.reverts("escrow: task not submitted"):
        escrow.accept(task_id, sender=requester.address)


def test_accept__after_review_period__still_succeeds(escrow, submitted_task, requester):
    task_id = submitted_task()
    boa.env.time_travel(seconds=REVIEW_PERIOD + 1)
    escrow.accept(task_id, sender=requester.address)
    assert escrow.tasks(task_id).status == TaskStatus.ACCEPTED


def test_accept__while_paused__succeeds(escrow, submitted_task, requester, guardian):
    task_id = submitted_task()
    escrow.pause(sender=guardian)
    escrow.accept(task_id, sender=requester.address)
    assert escrow.tasks(task_id).status == TaskStatus.ACCEPTED


# ---------------------------------------------------------------------------
# finalize
# ---------------------------------------------------------------------------


def test_finalize__after_silent_review__pays_annotator(
    escrow, token, submitted_task, annotator, stranger, treasury
):
    task_id = submitted_task()
    boa.env.time_travel(seconds=REVIEW_PERIOD)
    escrow.finalize(task_id, sender=stranger.address)
    (finalized,) = events(escrow, "TaskFinalized")
    (settled,) = events(escrow, "TaskSettled")
    assert escrow.tasks(task_id).status == TaskStatus.ACCEPTED
    assert escrow.claimable(annotator.address) == REWARD + STAKE + BONUS
    assert escrow.claimable(treasury) == FEE
    assert (finalized.task_id, finalized.caller) == (task_id, stranger.address)
    assert settled.status == TaskStatus.ACCEPTED
    _assert_solvent(escrow, token)


def test_finalize__during_review__reverts(escrow, submitted_task, stranger):
    task_id = submitted_task()
    boa.env.time_travel(seconds=REVIEW_PERIOD - 1)
    with boa.reverts("escrow: review period not over"):
        escrow.finalize(task_id, sender=stranger.address)


def test_finalize__claimed_task__reverts(escrow, claimed_task, stranger):
    task_id = claimed_task()
    with boa.reverts("escrow: task not submitted"):
        escrow.finalize(task_id, sender=stranger.address)


def test_finalize__accepted_task__reverts(escrow, submitted_task, requester, stranger):
    task_id = submitted_task()
    escrow.accept(task_id, sender=requester.address)
    boa.env.time_travel(seconds=REVIEW_PERIOD)
    with boa.reverts("escrow: task not submitted"):
        escrow.finalize(task_id, sender=stranger.address)


def test_finalize__while_paused__succeeds(escrow, submitted_task, stranger, guardian):
    task_id = submitted_task()
    escrow.pause(sender=guardian)
    boa.env.time_travel(seconds=REVIEW_PERIOD)
    escrow.finalize(task_id, sender=stranger.address)
    assert escrow.tasks(task_id).status == TaskStatus.ACCEPTED


# ---------------------------------------------------------------------------
# reject
# ---------------------------------------------------------------------------


def test_reject__opens_dispute_and_pays_arbitration_fee(
    escrow, token, fund, arbitrator, submitted_task, requester
):
    task_id = submitted_task()
    fund(requester.address, ARBITRATION_FEE)
    token.approve(escrow.address, ARBITRATION_FEE, sender=requester.address)
    dispute_id = escrow.reject(task_id, REASON, sender=requester.address)
    (rejected,) = events(escrow, "TaskRejected")
    (dispute,) = events(escrow, "Dispute")
    (creation,) = events(escrow, "DisputeCreation")
    task = escrow.tasks(task_id)
    assert (task.status, task.dispute_id) == (TaskStatus.DISPUTED, dispute_id)
    assert escrow.task_of_dispute(arbitrator.address, dispute_id) == task_id
    assert arbitrator.disputes(dispute_id).arbitrable == escrow.address
    assert arbitrator.disputes(dispute_id).choices == 2
    assert token.balanceOf(arbitrator.address) == ARBITRATION_FEE
    assert token.balanceOf(requester.address) == 0
    assert token.allowance(escrow.address, arbitrator.address) == 0
    assert (rejected.task_id, rejected.arbitrator, rejected.dispute_id) == (
        task_id,
        arbitrator.address,
        dispute_id,
    )
    assert (rejected.reason_hash, rejected.arbitration_cost) == (REASON, ARBITRATION_FEE)
    assert (dispute.arbitrator, dispute.dispute_id) == (arbitrator.address, dispute_id)
    assert (dispute.meta_evidence_id, dispute.evidence_group_id) == (task_id, dispute_id)
    assert (creation.dispute_id, creation.arbitrable) == (dispute_id, escrow.address)
    assert escrow.liabilities() == COST + STAKE
    _assert_solvent(escrow, token)


def test_reject__without_fee_allowance__reverts(escrow, fund, submitted_task, requester):
    task_id = submitted_task()
    fund(requester.address, ARBITRATION_FEE)
    with boa.reverts("erc20: insufficient allowance"):
        escrow.reject(task_id, REASON, sender=requester.address)


def test_reject__free_arbitrator__moves_no_tokens(
    escrow, token, arbitrator, submitted_task, requester
):
    task_id = submitted_task()
    arbitrator.set_fee(0)
    dispute_id = escrow.reject(task_id, REASON, sender=requester.address)
    (rejected,) = events(escrow, "TaskRejected")
    assert events(escrow, "Transfer") == []
    assert rejected.arbitration_cost == 0
    assert escrow.tasks(task_id).dispute_id == dispute_id


def test_reject__sends_the_parties_then_the_task_params_extra_data(
    escrow, arbitrator, submitted_task, reject, params_with, timelock, requester
):
    escrow.set_params(params_with(arbitrator_extra_data=b"\x01\x02"), sender=timelock)
    task_id = submitted_task()
    reject(task_id)
    # The requester paid the fee: first; the annotator second.
    annotator = escrow.tasks(task_id).annotator
    assert (
        arbitrator.last_extra_data()
        == abi_encode(["address", "address"], [requester.address, annotator]) + b"\x01\x02"
    )


def test_reject__by_stranger__reverts(escrow, submitted_task, stranger):
    task_id = submitted_task()
    with boa.reverts("escrow: caller is not the requester"):
        escrow.reject(task_id, REASON, sender=stranger.address)


def test_reject__after_review_period__reverts(escrow, submitted_task, reject):
    task_id = submitted_task()
    boa.env.time_travel(seconds=REVIEW_PERIOD)
    with boa.reverts("escrow: review period over"):
        reject(task_id)


def test_reject__empty_reason__reverts(escrow, submitted_task, requester):
    task_id = submitted_task()
    with boa.reverts("escrow: empty reason"):
        escrow.reject(task_id, ZERO32, sender=requester.address)


def test_reject__twice__reverts(escrow, submitted_task, reject):
    task_id = submitted_task()
    reject(task_id)
    with boa.reverts("escrow: task not submitted"):
        reject(task_id)


def test_reject__accepted_task__reverts(escrow, submitted_task, reject, requester):
    task_id = submitted_task()
    escrow.accept(task_id, sender=requester.address)
    with boa.reverts("escrow: task not submitted"):
        reject(task_id)


def test_reject__while_paused__succeeds(escrow, submitted_task, reject, guardian):
    task_id = submitted_task()
    escrow.pause(sender=guardian)
    reject(task_id)
    assert escrow.tasks(task_id).status == TaskStatus.DISPUTED


@pytest.fixture
def faulty(escrow, token, params_with, timelock):
    """Makes new tasks use a FaultyArbitrator: `faulty(pulled)` quotes the fee, pulls `pulled`."""

    def _faulty(pulled: int):
        contract = deployer("FaultyArbitrator", "tests/mocks").deploy(
            token.address, ARBITRATION_FEE, pulled
        )
        escrow.set_params(params_with(arbitrator=contract.address), sender=timelock)
        return contract

    return _faulty


def test_reject__arbitrator_takes_less_than_quoted__reverts(faulty, submitted_task, reject):
    faulty(ARBITRATION_FEE - 1)
    task_id = submitted_task()
    with boa.reverts("arbitrable: arbitrator did not take its fee"):
        reject(task_id)


def test_reject__arbitrator_reuses_a_dispute_id__reverts(escrow, faulty, submitted_task, reject):
    faulty(ARBITRATION_FEE)
    first, second = submitted_task(), submitted_task()
    reject(first)
    with boa.reverts("arbitrable: dispute id reused"):
        reject(second)
    assert escrow.tasks(first).status == TaskStatus.DISPUTED
    assert escrow.tasks(second).status == TaskStatus.SUBMITTED


def test_reject__arbitrator_reentering_the_escrow__reverts(
    escrow, faulty, submitted_task, reject, stranger
):
    """The arbitrator calls `finalize` (which would succeed) while `reject` is
    running: the reentrancy lock refuses it, and the whole `reject` reverts."""
    ripe = submitted_task()
    boa.env.time_travel(seconds=REVIEW_PERIOD)
    arbitrator = faulty(ARBITRATION_FEE)
    arbitrator.set_reentry(escrow.finalize.prepare_calldata(ripe))
    task_id = submitted_task()
    with pytest.raises(BoaError) as failure:
        reject(task_id)
    trace = str(failure.value)
    assert "TaskEscrow.finalize" in trace
    assert "Revert(b'')" in trace  # the lock's revert carries no reason
    assert escrow.tasks(task_id).status == TaskStatus.SUBMITTED
    escrow.finalize(ripe, sender=stranger.address)
    assert escrow.tasks(ripe).status == TaskStatus.ACCEPTED
