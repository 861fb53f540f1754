"""TaskEscrow: gold rejections can be contested (issue 14, attack 1).

A requester that plants wrong or contradictory gold answers can make any
submission fail its gold checks. The rejection now waits for a contest
window; the annotator takes the gold to the arbitrator (the mock here, the
court in tests/integration), and a requester whose gold is ruled wrong pays
the reward as for accepted work and loses its gold bond to the annotator.
"""

import boa
import pytest
from eth_abi import encode as abi_encode

from labeldao.annotations import GOLD_TYPES, GoldItem, answer_hash, gold_failure_args
from labeldao.boa_tools import deployer
from labeldao.escrow import GOLD_CONTEST_META_EVIDENCE_ID, Ruling, TaskStatus
from labeldao.merkle import ValueTree
from tests.helpers import events, named
from tests.unit.escrow.conftest import (
    ARBITRATION_FEE,
    CHEATER,
    COST,
    EVIDENCE_URI,
    FEE,
    GOLD_BOND,
    GOLD_CONTEST_PERIOD,
    GOLD_INDICES,
    GOLD_SLASH,
    HONEST,
    RESULT_URI,
    REWARD,
    STAKE,
    now,
)

BONUS = 10**18  # 0.1 LDAO x 10 items


def _solvent(escrow, token):
    assert token.balanceOf(escrow.address) == escrow.liabilities()


# ---------------------------------------------------------------------------
# contest_gold
# ---------------------------------------------------------------------------


def test_contest_gold__opens_a_dispute_paid_by_the_annotator_and_logs(
    escrow, token, arbitrator, gold_failed_task, contest, requester, annotator
):
    task_id = gold_failed_task()
    dispute_id = contest(task_id)
    (contested,) = events(escrow, "GoldContested")
    (dispute,) = events(escrow, "Dispute")
    (evidence,) = events(escrow, "Evidence")
    task = escrow.tasks(task_id)
    assert (task.status, task.dispute_id) == (TaskStatus.DISPUTED, dispute_id)
    assert (contested.task_id, contested.arbitrator, contested.dispute_id) == (
        task_id,
        arbitrator.address,
        dispute_id,
    )
    assert contested.arbitration_cost == ARBITRATION_FEE
    assert token.balanceOf(annotator.address) == 0  # it paid the fee
    assert (dispute.meta_evidence_id, dispute.evidence_group_id) == (
        GOLD_CONTEST_META_EVIDENCE_ID,
        dispute_id,
    )
    assert (evidence.party, evidence.evidence) == (annotator.address, EVIDENCE_URI)
    assert arbitrator.disputes(dispute_id).arbitrable == escrow.address
    assert escrow.task_of_dispute(arbitrator.address, dispute_id) == task_id
    _solvent(escrow, token)


def test_contest_gold__names_annotator_then_requester_in_the_extra_data(
    escrow, arbitrator, gold_failed_task, contest, requester, annotator
):
    contest(gold_failed_task())
    assert bytes(arbitrator.last_extra_data()) == abi_encode(
        ["address", "address"], [annotator.address, requester.address]
    )


def test_contest_gold__by_a_contract_wallet__names_the_wallet(
    escrow, token, fund, arbitrator, new_task, requester, annotator, gold
):
    """The parties are the calling contracts: an annotator that works
    through a wallet is the wallet in the dispute (the court keeps the
    parties off the panel), not the EOA that signs for it."""
    owner = annotator.address
    wallet = deployer("SmartWallet", "tests/mocks").deploy(sender=owner)
    task_id = new_task()

    def act(contract, fn_name, *args):
        data = getattr(contract, fn_name).prepare_calldata(*args)
        wallet.execute(contract.address, data, sender=owner)

    fund(wallet.address, STAKE + ARBITRATION_FEE)
    act(token, "approve", escrow.address, STAKE + ARBITRATION_FEE)
    act(escrow, "claim_task", task_id)
    act(escrow, "submit", task_id, CHEATER.root, RESULT_URI)
    for item in GOLD_INDICES:
        args = gold_failure_args(task_id, gold, CHEATER, item)
        escrow.prove_gold_failure(*args, sender=requester.address)
    act(escrow, "contest_gold", task_id, EVIDENCE_URI)
    assert bytes(arbitrator.last_extra_data()) == abi_encode(
        ["address", "address"], [wallet.address, requester.address]
    )
    (evidence,) = named(escrow.get_logs(wallet._computation, strict=False), "Evidence")
    assert (evidence.party, evidence.evidence) == (wallet.address, EVIDENCE_URI)


def test_contest_gold__without_evidence__logs_none(escrow, gold_failed_task, contest):
    contest(gold_failed_task(), evidence="")
    assert not events(escrow, "Evidence")


def test_contest_gold__after_the_window__reverts(escrow, gold_failed_task, contest):
    task_id = gold_failed_task()
    boa.env.time_travel(seconds=GOLD_CONTEST_PERIOD)
    with boa.reverts("escrow: contest window over"):
        contest(task_id)


def test_contest_gold__by_the_requester__reverts(escrow, gold_failed_task, requester):
    task_id = gold_failed_task()
    with boa.reverts("escrow: caller is not the annotator"):
        escrow.contest_gold(task_id, "", sender=requester.address)


def test_contest_gold__before_the_limit__reverts(escrow, submitted_task, contest):
    with boa.reverts("escrow: task not gold-failed"):
        contest(submitted_task(CHEATER))


def test_contest_gold__twice__reverts(escrow, gold_failed_task, contest):
    task_id = gold_failed_task()
    contest(task_id)
    with boa.reverts("escrow: task not gold-failed"):
        contest(task_id)


def test_gold_failed__cannot_be_accepted_rejected_or_proven_again(
    escrow, gold, gold_failed_task, requester
):
    task_id = gold_failed_task()
    with boa.reverts("escrow: task not submitted"):
        escrow.accept(task_id, sender=requester.address)
    with boa.reverts("escrow: task not submitted"):
        escrow.reject(task_id, b"\x01" * 32, sender=requester.address)


# ---------------------------------------------------------------------------
# Rulings on a gold contest
# ---------------------------------------------------------------------------


def test_rule__gold_was_wrong__pays_annotator_undoes_slashes_and_gives_it_the_bond(
    escrow, token, arbitrator, gold_failed_task, contest, requester, annotator, treasury
):
    task_id = gold_failed_task()
    arbitrator.give_ruling(contest(task_id), Ruling.ACCEPT)
    (settled,) = events(arbitrator, "TaskSettled")
    assert escrow.tasks(task_id).status == TaskStatus.ACCEPTED
    assert escrow.claimable(annotator.address) == REWARD + STAKE + GOLD_BOND + BONUS
    assert escrow.claimable(requester.address) == 0
    assert escrow.claimable(treasury) == FEE  # no gold slash
    assert (settled.requester_amount, settled.annotator_amount, settled.treasury_amount) == (
        0,
        REWARD + STAKE + GOLD_BOND + BONUS,
        FEE,
    )
    assert GOLD_BOND >= ARBITRATION_FEE  # the bond covers the annotator's fee
    _solvent(escrow, token)


def test_rule__gold_was_right__rejects_as_without_contest(
    escrow, token, arbitrator, gold_failed_task, contest, requester, annotator, treasury
):
    task_id = gold_failed_task()
    arbitrator.give_ruling(contest(task_id), Ruling.REJECT)
    assert escrow.tasks(task_id).status == TaskStatus.REJECTED
    assert escrow.claimable(requester.address) == COST
    assert escrow.claimable(annotator.address) == STAKE - 3 * GOLD_SLASH
    assert escrow.claimable(treasury) == 3 * GOLD_SLASH
    _solvent(escrow, token)


def test_rule__gold_contest_refused__splits_without_slash_and_returns_the_bond(
    escrow, token, arbitrator, gold_failed_task, contest, requester, annotator, treasury
):
    task_id = gold_failed_task()
    arbitrator.give_ruling(contest(task_id), Ruling.REFUSED)
    (settled,) = events(arbitrator, "TaskSettled")
    assert escrow.tasks(task_id).status == TaskStatus.SPLIT
    assert escrow.claimable(annotator.address) == REWARD // 2 + STAKE
    assert escrow.claimable(requester.address) == REWARD - REWARD // 2 + FEE - FEE // 2 + GOLD_BOND
    assert escrow.claimable(treasury) == FEE // 2
    assert (settled.slashed, settled.bonus) == (0, 0)
    _solvent(escrow, token)


def test_submit_evidence__on_a_gold_contest__by_either_party(
    escrow, gold_failed_task, contest, requester, annotator, stranger
):
    task_id = gold_failed_task()
    dispute_id = contest(task_id)
    escrow.submit_evidence(task_id, "ipfs://gold-is-right", sender=requester.address)
    (evidence,) = events(escrow, "Evidence")
    assert (evidence.evidence_group_id, evidence.party) == (dispute_id, requester.address)
    with boa.reverts("escrow: caller is not a party"):
        escrow.submit_evidence(task_id, "ipfs://x", sender=stranger.address)


# ---------------------------------------------------------------------------
# Attack 1, played: a requester plants gold that no answer can pass
# ---------------------------------------------------------------------------


def _contradictory_gold():
    """Two answers per gold item in one tree (`gold_tree` refuses that; an attacker
    builds the tree itself): whatever the annotator answers, one leaf differs."""
    right = [GoldItem(i, answer_hash(f"gold-{i}"), bytes([i]) * 32) for i in GOLD_INDICES]
    wrong = [GoldItem(i, answer_hash(f"planted-{i}"), bytes([i + 100]) * 32) for i in GOLD_INDICES]
    return right, wrong


@pytest.fixture
def planted(escrow, requester, new_task, claim, annotator):
    """The honest annotator's task under a gold tree holding a planted wrong answer
    per gold item (contradictory gold), the three failures proven: GOLD_FAILED."""
    right, wrong = _contradictory_gold()
    tree = ValueTree.of(GOLD_TYPES, [g.row() for g in right + wrong])
    task_id = new_task(gold_root=tree.root)
    claim(task_id)
    escrow.submit(task_id, HONEST.root, "ipfs://r", sender=annotator.address)
    for g in wrong:
        escrow.prove_gold_failure(
            task_id,
            g.item_index,
            g.answer_hash,
            g.salt,
            tree.proof(g.row()),
            HONEST.answers[g.item_index],
            HONEST.proof(g.item_index),
            sender=requester.address,
        )
    assert escrow.tasks(task_id).status == TaskStatus.GOLD_FAILED
    return task_id


def _withdraw_all(escrow, *accounts):
    for account in accounts:
        if escrow.claimable(account):
            escrow.withdraw(sender=account)


def test_attack_planted_gold__annotator_contests__requester_pays_reward_and_bond(
    escrow, token, arbitrator, planted, contest, requester, annotator, treasury
):
    """The attacker pays everything an honest requester pays, plus its bond; the
    honest annotator ends with the reward, its whole stake and the bond minus the
    fee; the treasury gets the fee only. The attack does not pay."""
    start = {a: token.balanceOf(a) for a in (requester.address, annotator.address, treasury)}
    dispute_id = contest(planted)  # funds the annotator with the fee, which it pays
    arbitrator.give_ruling(dispute_id, Ruling.ACCEPT)
    _withdraw_all(escrow, requester.address, annotator.address, treasury)
    requester_net = token.balanceOf(requester.address) - start[requester.address]
    annotator_net = token.balanceOf(annotator.address) - start[annotator.address] - ARBITRATION_FEE
    treasury_net = token.balanceOf(treasury) - start[treasury]
    # The requester paid COST at creation (outside `start`): it gets nothing back.
    assert requester_net == 0
    honest_requester_cost = REWARD + FEE
    attacker_cost = COST
    assert attacker_cost - honest_requester_cost == GOLD_BOND > 0
    # The annotator's stake came back in full (STAKE was paid before `start`).
    assert annotator_net == STAKE + REWARD + BONUS + GOLD_BOND - ARBITRATION_FEE
    assert annotator_net - STAKE > 0  # contesting a right answer pays
    assert treasury_net == FEE
    _solvent(escrow, token)


def test_attack_planted_gold__without_contest__would_have_paid_the_requester(
    escrow, token, planted, requester, annotator, treasury, stranger
):
    """Why the annotator contests: silent, it loses the reward and 30 % of its
    stake, and the requester gets its money back and keeps the labels."""
    boa.env.time_travel(seconds=GOLD_CONTEST_PERIOD)
    escrow.finalize(planted, sender=stranger.address)
    assert escrow.claimable(requester.address) == COST
    assert escrow.claimable(annotator.address) == STAKE - 3 * GOLD_SLASH
    assert escrow.claimable(treasury) == 3 * GOLD_SLASH
    contest_gain = (REWARD + BONUS + GOLD_BOND - ARBITRATION_FEE) + 3 * GOLD_SLASH
    assert contest_gain > 0  # what the annotator gains by contesting instead


def test_attack_wrong_gold__real_answers_rejected__contest_refused_costs_the_planter_half(
    escrow, token, arbitrator, planted, contest, requester, annotator, treasury
):
    """Even when the court refuses (a thin court), planting recovers only half the
    reward: the planter paid for half the labels it tried to take for free."""
    arbitrator.give_ruling(contest(planted), Ruling.REFUSED)
    assert escrow.claimable(requester.address) == REWARD - REWARD // 2 + FEE - FEE // 2 + GOLD_BOND
    assert escrow.claimable(annotator.address) == STAKE + REWARD // 2
    assert escrow.claimable(treasury) == FEE // 2


def test_gold_failure_events_show_the_court_every_item(escrow, gold, gold_failed_task):
    """The court UI renders the proven items: index, gold answer hash and salt,
    the annotator's answer hash (all in `GoldFailureProven`)."""
    task_id = gold_failed_task()
    # The last transaction holds the third proof; the contest window starts there.
    (proven,) = events(escrow, "GoldFailureProven")
    (pending,) = events(escrow, "GoldRejectionPending")
    item = GOLD_INDICES[-1]
    assert (proven.item_index, proven.gold_answer_hash, proven.gold_salt) == (
        item,
        gold.items[item].answer_hash,
        gold.items[item].salt,
    )
    assert proven.submitted_answer_hash == CHEATER.answers[item]
    assert pending.contest_end == now() + GOLD_CONTEST_PERIOD
    for item in GOLD_INDICES:
        args = gold_failure_args(task_id, gold, CHEATER, item)
        assert escrow.gold_proven(task_id, item)
        assert args[2] == gold.items[item].answer_hash
