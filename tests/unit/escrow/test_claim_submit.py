"""TaskEscrow: an annotator claims a task (locks the stake) and submits its answers."""

import boa

from labeldao.boa_tools import deployer
from labeldao.escrow import TaskStatus
from tests.helpers import events, named
from tests.unit.escrow.conftest import (
    COST,
    DEADLINE_IN,
    HONEST,
    RESULT_URI,
    REVIEW_PERIOD,
    STAKE,
    now,
)

ZERO32 = b"\x00" * 32
MOCKS = "tests/mocks"


def test_claim_task__open__locks_stake_and_logs(escrow, token, fund, new_task, annotator):
    task_id = new_task()
    fund(annotator.address, STAKE)
    token.approve(escrow.address, STAKE, sender=annotator.address)
    escrow.claim_task(task_id, sender=annotator.address)
    (claimed,) = events(escrow, "TaskClaimed")
    task = escrow.tasks(task_id)
    assert (task.status, task.annotator) == (TaskStatus.CLAIMED, annotator.address)
    assert token.balanceOf(annotator.address) == 0
    assert token.balanceOf(escrow.address) == escrow.liabilities() == COST + STAKE
    assert (claimed.task_id, claimed.annotator, claimed.stake, claimed.deadline) == (
        task_id,
        annotator.address,
        STAKE,
        task.deadline,
    )


def test_claim_task__from_a_contract_wallet__pulls_the_stake_from_the_wallet(
    escrow, token, fund, new_task, annotator
):
    """The stake comes from `msg.sender`, the account that claims: a
    contract wallet, not the EOA that sent the transaction (`tx.origin`)."""
    task_id = new_task()
    owner = annotator.address
    wallet = deployer("SmartWallet", MOCKS).deploy(sender=owner)
    fund(wallet.address, STAKE)
    fund(owner, STAKE)  # the owner's own tokens must stay where they are
    approve = token.approve.prepare_calldata(escrow.address, STAKE)
    wallet.execute(token.address, approve, sender=owner)
    wallet.execute(escrow.address, escrow.claim_task.prepare_calldata(task_id), sender=owner)
    assert escrow.tasks(task_id).annotator == wallet.address
    assert (token.balanceOf(wallet.address), token.balanceOf(owner)) == (0, STAKE)
    # Late: the requester reclaims, and the rest of the stake is the wallet's
    # to withdraw, paid to the wallet, not to the EOA that signs for it.
    boa.env.time_travel(seconds=escrow.tasks(task_id).deadline - now() + 1)
    escrow.reclaim(task_id, sender=escrow.tasks(task_id).requester)
    owed = escrow.claimable(wallet.address)
    assert owed > 0
    wallet.execute(escrow.address, escrow.withdraw.prepare_calldata(), sender=owner)
    (withdrawn,) = named(escrow.get_logs(wallet._computation, strict=False), "Withdrawn")
    assert (withdrawn.account, withdrawn.amount) == (wallet.address, owed)
    assert (token.balanceOf(wallet.address), token.balanceOf(owner)) == (owed, STAKE)
    assert escrow.claimable(wallet.address) == 0


def test_claim_task__without_stake_allowance__reverts(escrow, fund, new_task, annotator):
    task_id = new_task()
    fund(annotator.address, STAKE)
    with boa.reverts("erc20: insufficient allowance"):
        escrow.claim_task(task_id, sender=annotator.address)


def test_claim_task__already_claimed__reverts(escrow, claimed_task, claim, stranger):
    task_id = claimed_task()
    with boa.reverts("escrow: task not open"):
        claim(task_id, sender=stranger.address)


def test_claim_task__unknown_task__reverts(escrow, annotator):
    with boa.reverts("escrow: task not open"):
        escrow.claim_task(7, sender=annotator.address)


def test_claim_task__at_deadline__succeeds(escrow, new_task, claim):
    task_id = new_task(deadline=now() + DEADLINE_IN)
    boa.env.time_travel(seconds=DEADLINE_IN)
    claim(task_id)
    assert escrow.tasks(task_id).status == TaskStatus.CLAIMED


def test_claim_task__after_deadline__reverts(escrow, new_task, claim):
    task_id = new_task(deadline=now() + DEADLINE_IN)
    boa.env.time_travel(seconds=DEADLINE_IN + 1)
    with boa.reverts("escrow: deadline passed"):
        claim(task_id)


def test_claim_task__by_its_requester__reverts(escrow, new_task, claim, requester):
    task_id = new_task()
    with boa.reverts("escrow: requester cannot claim"):
        claim(task_id, sender=requester.address)


def test_claim_task__while_paused__reverts(escrow, new_task, claim, guardian):
    task_id = new_task()
    escrow.pause(sender=guardian)
    with boa.reverts("pausable: contract is paused"):
        claim(task_id)


def test_claim_task__after_unpause__succeeds(escrow, new_task, claim, guardian):
    task_id = new_task()
    escrow.pause(sender=guardian)
    escrow.unpause(sender=guardian)
    claim(task_id)
    assert escrow.tasks(task_id).status == TaskStatus.CLAIMED


# ---------------------------------------------------------------------------
# submit
# ---------------------------------------------------------------------------


def test_submit__claimed__starts_review_and_logs(escrow, claimed_task, annotator):
    task_id = claimed_task()
    escrow.submit(task_id, HONEST.root, RESULT_URI, sender=annotator.address)
    (submitted,) = events(escrow, "TaskSubmitted")
    task = escrow.tasks(task_id)
    assert task.status == TaskStatus.SUBMITTED
    assert task.result_root == HONEST.root
    assert task.review_end == now() + REVIEW_PERIOD
    assert (submitted.task_id, submitted.annotator, submitted.result_root) == (
        task_id,
        annotator.address,
        HONEST.root,
    )
    assert (submitted.result_uri, submitted.review_end) == (RESULT_URI, now() + REVIEW_PERIOD)


def test_submit__by_stranger__reverts(escrow, claimed_task, stranger):
    task_id = claimed_task()
    with boa.reverts("escrow: caller is not the annotator"):
        escrow.submit(task_id, HONEST.root, RESULT_URI, sender=stranger.address)


def test_submit__twice__reverts(escrow, submitted_task, annotator):
    task_id = submitted_task()
    with boa.reverts("escrow: task not claimed"):
        escrow.submit(task_id, HONEST.root, RESULT_URI, sender=annotator.address)


def test_submit__unclaimed_task__reverts(escrow, new_task, annotator):
    task_id = new_task()
    with boa.reverts("escrow: task not claimed"):
        escrow.submit(task_id, HONEST.root, RESULT_URI, sender=annotator.address)


def test_submit__at_deadline__succeeds(escrow, claimed_task, annotator):
    task_id = claimed_task(deadline=now() + DEADLINE_IN)
    boa.env.time_travel(seconds=DEADLINE_IN)
    escrow.submit(task_id, HONEST.root, RESULT_URI, sender=annotator.address)
    assert escrow.tasks(task_id).status == TaskStatus.SUBMITTED


def test_submit__after_deadline__reverts(escrow, claimed_task, annotator):
    task_id = claimed_task(deadline=now() + DEADLINE_IN)
    boa.env.time_travel(seconds=DEADLINE_IN + 1)
    with boa.reverts("escrow: deadline passed"):
        escrow.submit(task_id, HONEST.root, RESULT_URI, sender=annotator.address)


def test_submit__empty_result_root__reverts(escrow, claimed_task, annotator):
    task_id = claimed_task()
    with boa.reverts("escrow: empty result root"):
        escrow.submit(task_id, ZERO32, RESULT_URI, sender=annotator.address)


def test_submit__while_paused__succeeds(escrow, claimed_task, annotator, guardian):
    task_id = claimed_task()
    escrow.pause(sender=guardian)
    escrow.submit(task_id, HONEST.root, RESULT_URI, sender=annotator.address)
    assert escrow.tasks(task_id).status == TaskStatus.SUBMITTED
