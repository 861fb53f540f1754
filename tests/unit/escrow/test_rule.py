"""TaskEscrow: ERC-792 rulings on rejected tasks, and ERC-1497 evidence."""

import boa

from labeldao.annotations import gold_failure_args
from labeldao.boa_tools import deployer
from labeldao.escrow import Ruling, TaskStatus
from tests.helpers import events
from tests.unit.escrow.conftest import (
    ARBITRATION_FEE,
    CHEATER,
    COST,
    FEE,
    GOLD_BOND,
    GOLD_INDICES,
    REWARD,
    STAKE,
)

BONUS = 10**18  # 0.1 LDAO x 10 items
REJECT_SLASH = STAKE * 5_000 // 10_000
REJECT_SLASH_TO_TREASURY = REJECT_SLASH * 2_000 // 10_000


def _assert_solvent(escrow, token):
    assert token.balanceOf(escrow.address) == escrow.liabilities()


def test_rule__accept__pays_annotator_as_on_accept(
    escrow, token, arbitrator, disputed_task, requester, annotator, treasury
):
    task_id, dispute_id = disputed_task()
    arbitrator.give_ruling(dispute_id, Ruling.ACCEPT)
    # The arbitrator's transaction holds the escrow's logs.
    (ruling,) = events(arbitrator, "Ruling")
    (settled,) = events(arbitrator, "TaskSettled")
    assert escrow.tasks(task_id).status == TaskStatus.ACCEPTED
    assert escrow.claimable(annotator.address) == REWARD + STAKE + BONUS
    assert escrow.claimable(treasury) == FEE
    assert escrow.claimable(requester.address) == GOLD_BOND  # its gold was not found wrong
    assert ruling.address == settled.address == escrow.address
    assert (ruling.arbitrator, ruling.dispute_id, ruling.ruling) == (
        arbitrator.address,
        dispute_id,
        Ruling.ACCEPT,
    )
    assert (settled.status, settled.bonus) == (TaskStatus.ACCEPTED, BONUS)
    _assert_solvent(escrow, token)


def test_rule__reject__refunds_requester_and_slashes_stake(
    escrow, token, arbitrator, disputed_task, requester, annotator, treasury
):
    task_id, dispute_id = disputed_task()
    arbitrator.give_ruling(dispute_id, Ruling.REJECT)
    (settled,) = events(arbitrator, "TaskSettled")
    to_requester = COST + REJECT_SLASH - REJECT_SLASH_TO_TREASURY
    assert escrow.tasks(task_id).status == TaskStatus.REJECTED
    assert escrow.claimable(requester.address) == to_requester
    assert escrow.claimable(annotator.address) == STAKE - REJECT_SLASH
    assert escrow.claimable(treasury) == REJECT_SLASH_TO_TREASURY
    assert (settled.status, settled.requester_amount, settled.annotator_amount) == (
        TaskStatus.REJECTED,
        to_requester,
        STAKE - REJECT_SLASH,
    )
    assert (settled.treasury_amount, settled.slashed, settled.bonus) == (
        REJECT_SLASH_TO_TREASURY,
        REJECT_SLASH,
        0,
    )
    _assert_solvent(escrow, token)


def test_rule__reject_after_gold_failures__slashes_what_remains(
    escrow, gold, arbitrator, submitted_task, reject, requester, annotator, treasury
):
    task_id = submitted_task(CHEATER)
    escrow.prove_gold_failure(
        *gold_failure_args(task_id, gold, CHEATER, GOLD_INDICES[0]), sender=requester.address
    )
    dispute_id = reject(task_id)
    arbitrator.give_ruling(dispute_id, Ruling.REJECT)
    gold_slash = STAKE // 10
    remaining = STAKE - gold_slash
    slash = remaining // 2
    assert escrow.claimable(annotator.address) == remaining - slash
    assert escrow.claimable(treasury) == gold_slash + slash * 2_000 // 10_000
    assert escrow.claimable(requester.address) == COST + slash - slash * 2_000 // 10_000


def test_rule__refused__splits_reward_without_slash_or_bonus(
    escrow, token, arbitrator, disputed_task, requester, annotator, treasury
):
    task_id, dispute_id = disputed_task()
    arbitrator.give_ruling(dispute_id, Ruling.REFUSED)
    (settled,) = events(arbitrator, "TaskSettled")
    assert escrow.tasks(task_id).status == TaskStatus.SPLIT
    assert escrow.claimable(annotator.address) == REWARD // 2 + STAKE
    assert escrow.claimable(requester.address) == REWARD - REWARD // 2 + FEE - FEE // 2 + GOLD_BOND
    assert escrow.claimable(treasury) == FEE // 2
    assert (settled.status, settled.slashed, settled.bonus) == (TaskStatus.SPLIT, 0, 0)
    _assert_solvent(escrow, token)


def test_rule__refused_with_odd_amounts__loses_no_dust(
    escrow, token, arbitrator, disputed_task, requester, annotator, treasury
):
    task_id, dispute_id = disputed_task(reward=10**18 + 1)
    arbitrator.give_ruling(dispute_id, Ruling.REFUSED)
    task = escrow.tasks(task_id)
    paid = sum(escrow.claimable(a) for a in (requester.address, annotator.address, treasury))
    assert paid == task.reward + task.fee + task.stake + task.gold_bond
    _assert_solvent(escrow, token)


def test_rule__by_anyone_but_the_arbitrator__reverts(escrow, disputed_task, requester):
    _, dispute_id = disputed_task()
    with boa.reverts("arbitrable: unknown dispute"):
        escrow.rule(dispute_id, Ruling.REJECT, sender=requester.address)


def test_rule__by_another_arbitrator_with_same_dispute_id__reverts(escrow, token, disputed_task):
    _, dispute_id = disputed_task()
    impostor = deployer("MockArbitrator", "tests/mocks").deploy(token.address, 0)
    with boa.reverts("arbitrable: unknown dispute"):
        impostor.call_rule(escrow.address, dispute_id, Ruling.REJECT)


def test_rule__unknown_dispute_id__reverts(escrow, arbitrator, disputed_task):
    _, dispute_id = disputed_task()
    with boa.reverts("arbitrable: unknown dispute"):
        arbitrator.call_rule(escrow.address, dispute_id + 1, Ruling.ACCEPT)


def test_rule__twice__reverts(escrow, arbitrator, disputed_task):
    task_id, dispute_id = disputed_task()
    arbitrator.give_ruling(dispute_id, Ruling.ACCEPT)
    with boa.reverts("arbitrable: dispute already ruled"):
        arbitrator.call_rule(escrow.address, dispute_id, Ruling.REJECT)
    assert escrow.tasks(task_id).status == TaskStatus.ACCEPTED


def test_rule__out_of_range__reverts(escrow, arbitrator, disputed_task):
    _, dispute_id = disputed_task()
    with boa.reverts("arbitrable: ruling out of range"):
        arbitrator.call_rule(escrow.address, dispute_id, 3)


def test_rule__while_paused__succeeds(escrow, arbitrator, disputed_task, guardian):
    task_id, dispute_id = disputed_task()
    escrow.pause(sender=guardian)
    arbitrator.give_ruling(dispute_id, Ruling.REJECT)
    assert escrow.tasks(task_id).status == TaskStatus.REJECTED


def test_rule__after_arbitrator_change__still_comes_from_the_task_arbitrator(
    escrow, token, arbitrator, disputed_task, params_with, timelock
):
    task_id, dispute_id = disputed_task()
    successor = deployer("MockArbitrator", "tests/mocks").deploy(token.address, ARBITRATION_FEE)
    escrow.set_params(params_with(arbitrator=successor.address), sender=timelock)
    with boa.reverts("arbitrable: unknown dispute"):
        successor.call_rule(escrow.address, dispute_id, Ruling.ACCEPT)
    arbitrator.give_ruling(dispute_id, Ruling.ACCEPT)
    assert escrow.tasks(task_id).status == TaskStatus.ACCEPTED


def test_task_of_dispute__unknown__reverts(escrow, arbitrator):
    with boa.reverts("escrow: unknown dispute"):
        escrow.task_of_dispute(arbitrator.address, 0)


# ---------------------------------------------------------------------------
# submit_evidence
# ---------------------------------------------------------------------------


def test_submit_evidence__by_each_party__logs_evidence(
    escrow, arbitrator, disputed_task, requester, annotator
):
    task_id, dispute_id = disputed_task()
    for party in (requester.address, annotator.address):
        escrow.submit_evidence(task_id, f"ipfs://evidence-{party}", sender=party)
        (evidence,) = events(escrow, "Evidence")
        assert (evidence.arbitrator, evidence.evidence_group_id, evidence.party) == (
            arbitrator.address,
            dispute_id,
            party,
        )
        assert evidence.evidence == f"ipfs://evidence-{party}"


def test_submit_evidence__by_stranger__reverts(escrow, disputed_task, stranger):
    task_id, _ = disputed_task()
    with boa.reverts("escrow: caller is not a party"):
        escrow.submit_evidence(task_id, "ipfs://spam", sender=stranger.address)


def test_submit_evidence__not_disputed__reverts(escrow, submitted_task, requester):
    task_id = submitted_task()
    with boa.reverts("escrow: task not disputed"):
        escrow.submit_evidence(task_id, "ipfs://early", sender=requester.address)


def test_submit_evidence__after_ruling__reverts(escrow, arbitrator, disputed_task, requester):
    task_id, dispute_id = disputed_task()
    arbitrator.give_ruling(dispute_id, Ruling.ACCEPT)
    with boa.reverts("escrow: task not disputed"):
        escrow.submit_evidence(task_id, "ipfs://late", sender=requester.address)
