"""TaskEscrow: hidden gold items proven on-chain against the submitted answers."""

import boa
import pytest

from labeldao.annotations import (
    GoldItem,
    answer_hash,
    answer_tree,
    gold_failure_args,
    gold_tree,
)
from labeldao.escrow import TaskStatus
from tests.helpers import events
from tests.unit.escrow.conftest import (
    CHEATER,
    COST,
    FEE,
    GOLD_BOND,
    GOLD_CONTEST_PERIOD,
    GOLD_INDICES,
    HONEST,
    N_ITEMS,
    REVIEW_PERIOD,
    REWARD,
    STAKE,
    answers,
    now,
)

SLASH = STAKE * 1_000 // 10_000  # gold_slash_bps = 10 %
ONE_WRONG = answers(wrong=(GOLD_INDICES[0],))


def _prove(escrow, gold, sheet, task_id, item_index, sender):
    escrow.prove_gold_failure(*gold_failure_args(task_id, gold, sheet, item_index), sender=sender)


def test_prove_gold_failure__holds_the_slash_and_logs(
    escrow, token, gold, submitted_task, requester, treasury
):
    task_id = submitted_task(CHEATER)
    item = GOLD_INDICES[0]
    _prove(escrow, gold, CHEATER, task_id, item, requester.address)
    (proven,) = events(escrow, "GoldFailureProven")
    task = escrow.tasks(task_id)
    assert (task.status, task.gold_failures) == (TaskStatus.SUBMITTED, 1)
    assert escrow.gold_proven(task_id, item)
    assert not escrow.gold_proven(task_id, GOLD_INDICES[1])
    assert escrow.claimable(treasury) == 0  # held until the task settles
    assert (proven.task_id, proven.item_index, proven.slashed, proven.gold_failures) == (
        task_id,
        item,
        SLASH,
        1,
    )
    assert (proven.gold_answer_hash, proven.gold_salt) == (
        gold.items[item].answer_hash,
        gold.items[item].salt,
    )
    assert proven.submitted_answer_hash == CHEATER.answers[item]
    assert token.balanceOf(escrow.address) == escrow.liabilities() == COST + STAKE


def test_prove_gold_failure__at_limit__opens_the_contest_window_and_pays_nobody(
    escrow, gold, submitted_task, requester, annotator, treasury
):
    task_id = submitted_task(CHEATER)
    for item in GOLD_INDICES:
        _prove(escrow, gold, CHEATER, task_id, item, requester.address)
    (pending,) = events(escrow, "GoldRejectionPending")
    task = escrow.tasks(task_id)
    assert (task.status, task.gold_failures) == (TaskStatus.GOLD_FAILED, 3)
    assert task.contest_end == pending.contest_end == now() + GOLD_CONTEST_PERIOD
    assert pending.task_id == task_id
    assert not events(escrow, "TaskSettled")
    for account in (requester.address, annotator.address, treasury):
        assert escrow.claimable(account) == 0


def test_finalize__gold_failed_after_the_window__rejects_as_before(
    escrow, token, gold, gold_failed_task, requester, annotator, treasury, stranger
):
    task_id = gold_failed_task()
    boa.env.time_travel(seconds=GOLD_CONTEST_PERIOD)
    escrow.finalize(task_id, sender=stranger.address)
    (settled,) = events(escrow, "TaskSettled")
    assert escrow.tasks(task_id).status == TaskStatus.REJECTED
    assert escrow.claimable(requester.address) == COST  # reward, fee and the gold bond
    assert escrow.claimable(annotator.address) == STAKE - 3 * SLASH
    assert escrow.claimable(treasury) == 3 * SLASH
    assert (settled.status, settled.requester_amount, settled.annotator_amount) == (
        TaskStatus.REJECTED,
        COST,
        STAKE - 3 * SLASH,
    )
    assert (settled.treasury_amount, settled.slashed, settled.bonus) == (3 * SLASH, 0, 0)
    assert token.balanceOf(escrow.address) == escrow.liabilities()


def test_finalize__gold_failed_within_the_window__reverts(escrow, gold_failed_task, stranger):
    task_id = gold_failed_task()
    boa.env.time_travel(seconds=GOLD_CONTEST_PERIOD - 1)
    with boa.reverts("escrow: contest window not over"):
        escrow.finalize(task_id, sender=stranger.address)


def test_prove_gold_failure__then_accept__pays_the_rest_of_the_stake(
    escrow, gold, submitted_task, requester, annotator, treasury
):
    task_id = submitted_task(ONE_WRONG)
    _prove(escrow, gold, ONE_WRONG, task_id, GOLD_INDICES[0], requester.address)
    escrow.accept(task_id, sender=requester.address)
    (settled,) = events(escrow, "TaskSettled")
    assert escrow.claimable(annotator.address) == REWARD + STAKE - SLASH + settled.bonus
    assert escrow.claimable(treasury) == FEE + SLASH  # the held slash, paid at settlement
    assert escrow.claimable(requester.address) == GOLD_BOND


def test_prove_gold_failure__same_item_twice__reverts(escrow, gold, submitted_task, requester):
    task_id = submitted_task(CHEATER)
    _prove(escrow, gold, CHEATER, task_id, GOLD_INDICES[0], requester.address)
    with boa.reverts("escrow: gold item already proven"):
        _prove(escrow, gold, CHEATER, task_id, GOLD_INDICES[0], requester.address)


def test_prove_gold_failure__right_answer__reverts(escrow, gold, submitted_task, requester):
    task_id = submitted_task(HONEST)
    item = gold.items[GOLD_INDICES[0]]
    with boa.reverts("escrow: answer matches gold"):
        escrow.prove_gold_failure(
            task_id,
            item.item_index,
            item.answer_hash,
            item.salt,
            gold.proof(item.item_index),
            HONEST.answers[item.item_index],
            HONEST.proof(item.item_index),
            sender=requester.address,
        )


def test_prove_gold_failure__wrong_salt__reverts(escrow, gold, submitted_task, requester):
    task_id = submitted_task(CHEATER)
    args = list(gold_failure_args(task_id, gold, CHEATER, GOLD_INDICES[0]))
    args[3] = b"\x00" * 32
    with boa.reverts("escrow: bad gold proof"):
        escrow.prove_gold_failure(*args, sender=requester.address)


def test_prove_gold_failure__invented_gold_item__reverts(escrow, gold, submitted_task, requester):
    """An item that is not gold cannot be passed off as one after the fact."""
    task_id = submitted_task(HONEST)
    invented = gold_tree([GoldItem(0, answer_hash("invented"), b"\x01" * 32)])
    with boa.reverts("escrow: bad gold proof"):
        _prove(escrow, invented, HONEST, task_id, 0, requester.address)


def test_prove_gold_failure__forged_submitted_answer__reverts(
    escrow, gold, submitted_task, requester
):
    task_id = submitted_task(HONEST)
    args = list(gold_failure_args(task_id, gold, CHEATER, GOLD_INDICES[0]))
    # CHEATER's answer and proof, against HONEST's submitted root.
    with boa.reverts("escrow: bad answer proof"):
        escrow.prove_gold_failure(*args, sender=requester.address)


def test_prove_gold_failure__index_out_of_range__reverts(escrow, submitted_task, requester):
    task_id = submitted_task(CHEATER, n_items=N_ITEMS)
    beyond = gold_tree([GoldItem(N_ITEMS, answer_hash("x"), b"\x02" * 32)])
    sheet = answers()
    with boa.reverts("escrow: item index out of range"):
        escrow.prove_gold_failure(
            task_id,
            N_ITEMS,
            beyond.items[N_ITEMS].answer_hash,
            beyond.items[N_ITEMS].salt,
            beyond.proof(N_ITEMS),
            sheet.answers[0],
            sheet.proof(0),
            sender=requester.address,
        )


def test_prove_gold_failure__by_stranger__reverts(escrow, gold, submitted_task, stranger):
    task_id = submitted_task(CHEATER)
    with boa.reverts("escrow: caller is not the requester"):
        _prove(escrow, gold, CHEATER, task_id, GOLD_INDICES[0], stranger.address)


def test_prove_gold_failure__after_review_period__reverts(escrow, gold, submitted_task, requester):
    task_id = submitted_task(CHEATER)
    boa.env.time_travel(seconds=REVIEW_PERIOD)
    with boa.reverts("escrow: review period over"):
        _prove(escrow, gold, CHEATER, task_id, GOLD_INDICES[0], requester.address)


def test_prove_gold_failure__after_accepting__reverts(escrow, gold, submitted_task, requester):
    task_id = submitted_task(CHEATER)
    escrow.accept(task_id, sender=requester.address)
    with boa.reverts("escrow: task not submitted"):
        _prove(escrow, gold, CHEATER, task_id, GOLD_INDICES[0], requester.address)


def test_prove_gold_failure__under_dispute__reverts(escrow, gold, disputed_task, requester):
    task_id, _ = disputed_task(CHEATER)
    with boa.reverts("escrow: task not submitted"):
        _prove(escrow, gold, CHEATER, task_id, GOLD_INDICES[0], requester.address)


def test_prove_gold_failure__while_paused__succeeds(
    escrow, gold, submitted_task, requester, guardian
):
    task_id = submitted_task(CHEATER)
    escrow.pause(sender=guardian)
    _prove(escrow, gold, CHEATER, task_id, GOLD_INDICES[0], requester.address)
    assert escrow.tasks(task_id).gold_failures == 1


@pytest.mark.parametrize("item_index", [0, 255, 256, 511, 70_000])
def test_prove_gold_failure__bitmap_marks_only_that_item(
    escrow, requester, new_task, claim, annotator, item_index
):
    n_items = 70_002  # the last item (70_001) is never the gold one
    gold = gold_tree([GoldItem(item_index, answer_hash("gold"), b"\x03" * 32)])
    sheet = answer_tree({item_index: answer_hash("wrong"), n_items - 1: answer_hash("y")})
    task_id = new_task(n_items=n_items, gold_root=gold.root)
    claim(task_id)
    escrow.submit(task_id, sheet.root, "ipfs://r", sender=annotator.address)
    _prove(escrow, gold, sheet, task_id, item_index, requester.address)
    neighbours = {item_index - 1, item_index + 1, item_index ^ 256} - {-1}
    assert escrow.gold_proven(task_id, item_index)
    assert not any(escrow.gold_proven(task_id, i) for i in neighbours)
