"""TaskEscrow's events are enough to rebuild every task's history (`labeldao.escrow.rebuild`)."""

import boa
import pytest

from labeldao.annotations import gold_failure_args
from labeldao.escrow import Ruling, TaskStatus, rebuild
from tests.unit.escrow.conftest import (
    ARBITRATION_FEE,
    CHEATER,
    DEADLINE_IN,
    GOLD_INDICES,
    HONEST,
    REASON,
    RESULT_URI,
    REVIEW_PERIOD,
    SPEC_HASH,
    SPEC_URI,
    now,
)

VIEW_FIELDS = (
    "requester",
    "annotator",
    "status",
    "params_id",
    "n_items",
    "reward",
    "fee",
    "stake",
    "deadline",
    "review_period",
    "review_end",
    "gold_failures",
    "gold_root",
    "result_root",
    "dispute_id",
    "gold_bond",
    "contest_end",
)


class Recorder:
    """Keeps the escrow's logs of every transaction, in order."""

    def __init__(self, escrow):
        self.escrow = escrow
        self.logs = []

    def __call__(self, contract):
        """Records the escrow's logs of `contract`'s last transaction."""
        for log in contract.get_logs():
            if log.address == self.escrow.address:
                self.logs.append((type(log).__name__, log._asdict()))


@pytest.fixture
def market(
    escrow, token, fund, arbitrator, gold, new_task, claim, contest, requester, annotator, timelock
):
    """Runs every kind of flow and returns the recorded logs and task ids."""
    record = Recorder(escrow)
    tasks = {}
    # The constructor logged the treasury before recording began (an indexer
    # starts at the deployment block): log it again so the record has it.
    escrow.set_treasury(escrow.treasury(), sender=timelock)
    record(escrow)

    def create(name, **overrides):
        tasks[name] = new_task(**overrides)
        record(escrow)

    def claimed(name, **overrides):
        create(name, **overrides)
        claim(tasks[name])
        record(escrow)

    def submitted(name, sheet=HONEST, **overrides):
        claimed(name, **overrides)
        escrow.submit(tasks[name], sheet.root, RESULT_URI, sender=annotator.address)
        record(escrow)

    def dispute(name):
        fund(requester.address, ARBITRATION_FEE)
        token.approve(escrow.address, ARBITRATION_FEE, sender=requester.address)
        dispute_id = escrow.reject(tasks[name], REASON, sender=requester.address)
        record(escrow)
        return dispute_id

    create("cancelled")
    escrow.cancel_task(tasks["cancelled"], sender=requester.address)
    record(escrow)
    create("expired", deadline=now() + DEADLINE_IN)
    claimed("late", deadline=now() + DEADLINE_IN)
    submitted("accepted")
    escrow.accept(tasks["accepted"], sender=requester.address)
    record(escrow)
    submitted("gold", CHEATER)
    for item in GOLD_INDICES:
        escrow.prove_gold_failure(
            *gold_failure_args(tasks["gold"], gold, CHEATER, item), sender=requester.address
        )
        record(escrow)
    escrow.withdraw(sender=requester.address)
    record(escrow)
    escrow.set_treasury(boa.env.generate_address("new treasury"), sender=timelock)
    record(escrow)
    for ruling in Ruling:
        submitted(f"ruled {ruling.name}", CHEATER)
        escrow.prove_gold_failure(
            *gold_failure_args(tasks[f"ruled {ruling.name}"], gold, CHEATER, GOLD_INDICES[0]),
            sender=requester.address,
        )
        record(escrow)
        arbitrator.give_ruling(dispute(f"ruled {ruling.name}"), ruling)
        record(arbitrator)
    for ruling in Ruling:
        submitted(f"contest {ruling.name}", CHEATER)
        for item in GOLD_INDICES:
            escrow.prove_gold_failure(
                *gold_failure_args(tasks[f"contest {ruling.name}"], gold, CHEATER, item),
                sender=requester.address,
            )
            record(escrow)
        arbitrator.give_ruling(contest(tasks[f"contest {ruling.name}"]), ruling)
        record(escrow)
        record(arbitrator)
    submitted("disputed")
    dispute("disputed")
    submitted("finalized")
    submitted("in review")
    boa.env.time_travel(seconds=max(DEADLINE_IN, REVIEW_PERIOD) + 1)
    for name in ("expired", "late"):
        escrow.reclaim(tasks[name], sender=requester.address)
        record(escrow)
    for name in ("finalized", "gold"):
        escrow.finalize(tasks[name], sender=annotator.address)
        record(escrow)
    escrow.withdraw(sender=annotator.address)
    record(escrow)
    return record.logs, tasks


def test_rebuild__every_task_matches_the_view(escrow, market):
    logs, tasks = market
    history = rebuild(logs)
    assert sorted(history.tasks) == sorted(tasks.values()) == list(range(escrow.task_count()))
    for task_id, record in history.tasks.items():
        view = escrow.tasks(task_id)
        for name in VIEW_FIELDS:
            assert getattr(record, name) == getattr(view, name), (task_id, name)
        assert (record.spec_hash, record.spec_uri) == (SPEC_HASH, SPEC_URI)


def test_rebuild__every_claimable_matches_the_view(escrow, market):
    logs, _ = market
    history = rebuild(logs)
    assert len(history.claimable) >= 4
    for account, owed in history.claimable.items():
        assert escrow.claimable(account) == owed, account
    assert sum(history.claimable.values()) <= escrow.liabilities()


def test_rebuild__tells_each_story(market):
    logs, tasks = market
    history = rebuild(logs).tasks
    assert history[tasks["cancelled"]].history == ["create", "settled: cancelled"]
    assert history[tasks["expired"]].history == ["create", "settled: expired"]
    assert history[tasks["late"]].history == ["create", "claim", "settled: expired"]
    assert history[tasks["accepted"]].history == [
        "create",
        "claim",
        "submit",
        "accept",
        "settled: accepted",
    ]
    assert history[tasks["gold"]].history[-6:] == ["gold failure"] * 3 + [
        "gold failed",
        "finalize",
        "settled: rejected",
    ]
    assert history[tasks["contest ACCEPT"]].history[-5:] == [
        "gold failure",
        "gold failed",
        "contest gold",
        "ruling 1",
        "settled: accepted",
    ]
    assert history[tasks["contest ACCEPT"]].slashed == 0  # every gold slash undone
    assert history[tasks["contest REFUSED"]].slashed == 0
    assert history[tasks["contest REJECT"]].slashed == history[tasks["gold"]].slashed > 0
    assert history[tasks["gold"]].gold_items_proven == list(GOLD_INDICES)
    assert history[tasks["ruled REJECT"]].history[-3:] == [
        "reject",
        "ruling 2",
        "settled: rejected",
    ]
    assert history[tasks["ruled REFUSED"]].status == TaskStatus.SPLIT
    assert history[tasks["ruled ACCEPT"]].settlement["bonus"] > 0
    assert history[tasks["disputed"]].reason_hash == REASON
    assert history[tasks["finalized"]].history[-2:] == ["finalize", "settled: accepted"]
    assert history[tasks["in review"]].result_uri == RESULT_URI
