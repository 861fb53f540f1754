"""TaskEscrow: a pause never decides an outcome (issue 14, attack 6, the escrow's side).

Every escrow deadline and the action it waits for:

| deadline                     | waits for                    | while paused                    |
|------------------------------|------------------------------|---------------------------------|
| claim deadline (`deadline`)  | `claim_task` (an entry)      | paused: the deadline moves      |
| submission deadline          | `submit`                     | works                           |
| review period (`review_end`) | `accept`, `reject`,          | work (`reject` needs the        |
|                              | `prove_gold_failure`         | court's `createDispute`, open   |
|                              |                              | while the court is paused)      |
| contest window               | `contest_gold`               | works (same court call)         |

Each test pauses the escrow across the deadline.
"""

import boa

from labeldao.escrow import Ruling, TaskStatus
from tests.helpers import events
from tests.unit.escrow.conftest import (
    CHEATER,
    DAY,
    DEADLINE_IN,
    GOLD_CONTEST_PERIOD,
    GOLD_INDICES,
    REVIEW_PERIOD,
    STAKE,
    now,
)

PAUSE = 10 * DAY  # longer than every deadline of the factories' tasks


def test_claim_deadline__moves_by_the_pause(escrow, new_task, claim, guardian, stranger, annotator):
    deadline = now() + DEADLINE_IN
    task_id = new_task(deadline=deadline)
    boa.env.time_travel(seconds=DAY)
    escrow.pause(sender=guardian)
    boa.env.time_travel(seconds=PAUSE)  # past the created deadline, paused
    assert escrow.tasks(task_id).claim_deadline == deadline + PAUSE
    with boa.reverts("escrow: deadline not passed"):
        escrow.reclaim(task_id, sender=stranger.address)
    escrow.unpause(sender=guardian)
    assert escrow.tasks(task_id).claim_deadline == deadline + PAUSE
    claim(task_id)
    (claimed,) = events(escrow, "TaskClaimed")
    task = escrow.tasks(task_id)
    assert claimed.deadline == task.deadline == task.claim_deadline == deadline + PAUSE
    assert task.annotator == annotator.address


def test_claim_deadline__after_the_moved_deadline__expires(
    escrow, new_task, claim, guardian, stranger
):
    deadline = now() + DEADLINE_IN
    task_id = new_task(deadline=deadline)
    escrow.pause(sender=guardian)
    boa.env.time_travel(seconds=PAUSE)
    escrow.unpause(sender=guardian)
    boa.env.time_travel(seconds=DEADLINE_IN + 1)
    with boa.reverts("escrow: deadline passed"):
        claim(task_id)
    escrow.reclaim(task_id, sender=stranger.address)
    assert escrow.tasks(task_id).status == TaskStatus.EXPIRED


def test_claim_deadline__a_pause_before_creation_does_not_count(escrow, new_task, guardian):
    escrow.pause(sender=guardian)
    boa.env.time_travel(seconds=PAUSE)
    escrow.unpause(sender=guardian)
    deadline = now() + DEADLINE_IN
    task_id = new_task(deadline=deadline)
    assert escrow.tasks(task_id).claim_deadline == deadline


def test_submission_deadline__submit_works_while_paused(
    escrow, claimed_task, guardian, annotator, stranger
):
    task_id = claimed_task()
    escrow.pause(sender=guardian)
    boa.env.time_travel(seconds=DEADLINE_IN)  # the last second of the deadline
    escrow.submit(task_id, CHEATER.root, "ipfs://r", sender=annotator.address)
    assert escrow.tasks(task_id).status == TaskStatus.SUBMITTED


def test_review_period__accept_reject_and_gold_proofs_work_while_paused(
    escrow, gold, submitted_task, reject, guardian, requester
):
    from labeldao.annotations import gold_failure_args

    accepted, rejected, proven = submitted_task(), submitted_task(), submitted_task(CHEATER)
    escrow.pause(sender=guardian)
    boa.env.time_travel(seconds=REVIEW_PERIOD - 1)  # the last second of the review
    escrow.accept(accepted, sender=requester.address)
    reject(rejected)
    for item in GOLD_INDICES:
        args = gold_failure_args(proven, gold, CHEATER, item)
        escrow.prove_gold_failure(*args, sender=requester.address)
    assert escrow.tasks(accepted).status == TaskStatus.ACCEPTED
    assert escrow.tasks(rejected).status == TaskStatus.DISPUTED
    assert escrow.tasks(proven).status == TaskStatus.GOLD_FAILED


def test_contest_window__contest_works_while_paused(
    escrow, arbitrator, gold_failed_task, contest, guardian, annotator
):
    task_id = gold_failed_task()
    escrow.pause(sender=guardian)
    boa.env.time_travel(seconds=GOLD_CONTEST_PERIOD - 1)  # the window's last second
    dispute_id = contest(task_id)
    arbitrator.give_ruling(dispute_id, Ruling.ACCEPT)
    assert escrow.tasks(task_id).status == TaskStatus.ACCEPTED
    assert escrow.claimable(annotator.address) > STAKE
