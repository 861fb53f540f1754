"""TaskEscrow: missed deadlines (reclaim) and pull payments (withdraw)."""

import boa

from labeldao.escrow import TaskStatus
from tests.helpers import events
from tests.unit.escrow.conftest import COST, DEADLINE_IN, FEE, STAKE, now

LATE_SLASH = STAKE * 1_000 // 10_000
LATE_SLASH_TO_TREASURY = LATE_SLASH * 2_000 // 10_000


def test_reclaim__unclaimed_after_deadline__expires_with_full_refund(
    escrow, token, new_task, requester, stranger
):
    task_id = new_task(deadline=now() + DEADLINE_IN)
    boa.env.time_travel(seconds=DEADLINE_IN + 1)
    escrow.reclaim(task_id, sender=stranger.address)
    (settled,) = events(escrow, "TaskSettled")
    assert escrow.tasks(task_id).status == TaskStatus.EXPIRED
    assert escrow.claimable(requester.address) == COST
    assert (settled.status, settled.requester_amount, settled.slashed) == (
        TaskStatus.EXPIRED,
        COST,
        0,
    )
    assert token.balanceOf(escrow.address) == escrow.liabilities()


def test_reclaim__claimed_after_deadline__slashes_late_annotator(
    escrow, token, claimed_task, requester, annotator, treasury
):
    task_id = claimed_task(deadline=now() + DEADLINE_IN)
    boa.env.time_travel(seconds=DEADLINE_IN + 1)
    escrow.reclaim(task_id, sender=requester.address)
    (settled,) = events(escrow, "TaskSettled")
    to_requester = COST + LATE_SLASH - LATE_SLASH_TO_TREASURY
    assert escrow.tasks(task_id).status == TaskStatus.EXPIRED
    assert escrow.claimable(requester.address) == to_requester
    assert escrow.claimable(annotator.address) == STAKE - LATE_SLASH
    assert escrow.claimable(treasury) == LATE_SLASH_TO_TREASURY
    assert (settled.requester_amount, settled.annotator_amount, settled.treasury_amount) == (
        to_requester,
        STAKE - LATE_SLASH,
        LATE_SLASH_TO_TREASURY,
    )
    assert settled.slashed == LATE_SLASH
    assert token.balanceOf(escrow.address) == escrow.liabilities()


def test_reclaim__a_stake_of_one_base_unit__is_credited_back_whole(
    escrow, token, claimed_task, requester, annotator
):
    """The smallest amounts are credited too: a late annotator's 1-unit
    stake, whose slash rounds down to zero, comes back in full."""
    task_id = claimed_task(deadline=now() + DEADLINE_IN, stake=1)
    boa.env.time_travel(seconds=DEADLINE_IN + 1)
    escrow.reclaim(task_id, sender=requester.address)
    assert escrow.claimable(annotator.address) == 1
    assert token.balanceOf(escrow.address) == escrow.liabilities()


def test_reclaim__by_the_late_annotator__frees_the_rest_of_its_stake(
    escrow, claimed_task, annotator
):
    task_id = claimed_task(deadline=now() + DEADLINE_IN)
    boa.env.time_travel(seconds=DEADLINE_IN + 1)
    escrow.reclaim(task_id, sender=annotator.address)
    assert escrow.claimable(annotator.address) == STAKE - LATE_SLASH


def test_reclaim__at_deadline__reverts(escrow, claimed_task, requester):
    task_id = claimed_task(deadline=now() + DEADLINE_IN)
    boa.env.time_travel(seconds=DEADLINE_IN)
    with boa.reverts("escrow: deadline not passed"):
        escrow.reclaim(task_id, sender=requester.address)


def test_reclaim__submitted_task__reverts(escrow, submitted_task, requester):
    task_id = submitted_task(deadline=now() + DEADLINE_IN)
    boa.env.time_travel(seconds=DEADLINE_IN + 1)
    with boa.reverts("escrow: task not open or claimed"):
        escrow.reclaim(task_id, sender=requester.address)


def test_reclaim__twice__reverts(escrow, new_task, requester):
    task_id = new_task(deadline=now() + DEADLINE_IN)
    boa.env.time_travel(seconds=DEADLINE_IN + 1)
    escrow.reclaim(task_id, sender=requester.address)
    with boa.reverts("escrow: task not open or claimed"):
        escrow.reclaim(task_id, sender=requester.address)


def test_reclaim__unknown_task__reverts(escrow, requester):
    with boa.reverts("escrow: task not open or claimed"):
        escrow.reclaim(99, sender=requester.address)


def test_reclaim__while_paused__succeeds(escrow, claimed_task, requester, guardian):
    task_id = claimed_task(deadline=now() + DEADLINE_IN)
    escrow.pause(sender=guardian)
    boa.env.time_travel(seconds=DEADLINE_IN + 1)
    escrow.reclaim(task_id, sender=requester.address)
    assert escrow.tasks(task_id).status == TaskStatus.EXPIRED


# ---------------------------------------------------------------------------
# withdraw
# ---------------------------------------------------------------------------


def test_withdraw__pays_claimable_and_logs(escrow, token, new_task, requester):
    task_id = new_task()
    escrow.cancel_task(task_id, sender=requester.address)
    assert escrow.withdraw(sender=requester.address) == COST
    (withdrawn,) = events(escrow, "Withdrawn")
    assert token.balanceOf(requester.address) == COST
    assert escrow.claimable(requester.address) == 0
    assert escrow.liabilities() == token.balanceOf(escrow.address) == 0
    assert (withdrawn.account, withdrawn.amount) == (requester.address, COST)


def test_withdraw__twice__reverts(escrow, new_task, requester):
    task_id = new_task()
    escrow.cancel_task(task_id, sender=requester.address)
    escrow.withdraw(sender=requester.address)
    with boa.reverts("escrow: nothing to withdraw"):
        escrow.withdraw(sender=requester.address)


def test_withdraw__nothing_owed__reverts(escrow, stranger):
    with boa.reverts("escrow: nothing to withdraw"):
        escrow.withdraw(sender=stranger.address)


def test_withdraw__leaves_other_tasks_escrowed(escrow, token, new_task, requester):
    kept, cancelled = new_task(), new_task()
    escrow.cancel_task(cancelled, sender=requester.address)
    escrow.withdraw(sender=requester.address)
    assert escrow.tasks(kept).status == TaskStatus.OPEN
    assert token.balanceOf(escrow.address) == escrow.liabilities() == COST


def test_withdraw__by_treasury__pays_fees(escrow, token, submitted_task, requester, treasury):
    task_id = submitted_task()
    escrow.accept(task_id, sender=requester.address)
    escrow.withdraw(sender=treasury)
    assert token.balanceOf(treasury) == FEE


def test_withdraw__while_paused__succeeds(escrow, token, new_task, requester, guardian):
    task_id = new_task()
    escrow.cancel_task(task_id, sender=requester.address)
    escrow.pause(sender=guardian)
    escrow.withdraw(sender=requester.address)
    assert token.balanceOf(requester.address) == COST
