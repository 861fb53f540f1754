"""`ape run task` as a newcomer uses it, against a real anvil node on which
`ape run deploy` put the suite: a task is created from a CSV of items,
claimed, submitted, rejected, voted on with the juror CLI (which shows the
task's question and what each choice means) and settled — only CLIs.

Accounts (Ape's test accounts, funded by the local parameter file): the
juror is TEST::1, the requester TEST::2, the annotator TEST::3.
"""

from __future__ import annotations

import pytest

from tests.deploy.cli_helpers import ApeScript
from tests.deploy.conftest import DeployRun, _free_port, start_anvil, stop_anvil
from tests.deploy.test_court_cli import Chain

JUROR, REQUESTER, ANNOTATOR = "TEST::1", "TEST::2", "TEST::3"


def _files(directory):
    items = directory / "items.csv"
    items.write_text("text\n" + "".join(f"photo {i}: a pet\n" for i in range(4)))
    answers = directory / "answers.csv"
    answers.write_text("item,answer\n0,cat\n1,cat\n2,cat\n3,cat\n")
    return items, answers


def test_task_cli__newcomer__create_claim_submit_reject_vote_settle(deploy, anvil, tmp_path):
    assert deploy().returncode == 0
    chain = Chain(anvil, deploy.record)
    task = ApeScript("task", anvil, deploy.record, tmp_path / "store")
    court = ApeScript("court", anvil, deploy.record, tmp_path / "juror-store")
    items, answers = _files(tmp_path)

    assert "free stake now 3,000 LDAO" in court.ok("stake", "3000", account=JUROR)
    chain.next_epoch()  # the stake is drawable from the next snapshot epoch

    created = task.ok(
        "create", str(items), "--reward", "100", "--stake", "20", "--review", "2d",
        "--title", "cats or dogs", "--labels", "cat,dog", "-y", account=REQUESTER,
    )  # fmt: skip
    assert "task: 4 items" in created
    assert "cost: 102.5 LDAO (reward 100 LDAO + fee 2.5 LDAO, 2.5 %)" in created
    # The permit covers `task_cost` (with the 30 LDAO gold bond); a task
    # without gold items pulls reward + fee only.
    assert "signing a permit for 132.5 LDAO (102.5 LDAO is pulled: no gold bond)" in created
    assert "created task 0" in created

    listed = task.ok("list", "--status", "open")
    assert "OPEN" in listed and "annotators may `task claim` until" in listed
    assert "a requester cannot claim its task" in task.refused(
        "claim", "0", "-y", account=REQUESTER
    )
    claimed = task.ok("claim", "0", "-y", account=ANNOTATOR)
    assert "you lock 20 LDAO until it settles" in claimed and "claimed task 0" in claimed
    assert "submitted 4 answers to task 0" in task.ok(
        "submit", "0", str(answers), account=ANNOTATOR
    )
    assert "only task 0's requester" in task.refused("accept", "0", account=ANNOTATOR)

    rejected = task.ok("reject", "0", "--reason", "every photo is a dog", "-y", account=REQUESTER)
    assert "task 0 DISPUTED: dispute 0 at court" in rejected
    status = task.ok("status", "0")
    assert "DISPUTED" in status and "specification │ file://" in status

    listing = court.ok("disputes")
    assert "Does the annotator's submitted work meet the task's specification?" in listing
    assert "1 = Yes: accept the work; 2 = No: reject the work" in listing
    assert "panel complete" in court.ok("draw", "0", account=JUROR)
    info = chain.round_info(0, 0)
    chain.travel_to(info[5])  # commit_start
    juror_status = court.ok("status", account=JUROR)
    assert "Dispute 0 asks: Does the annotator's submitted work" in juror_status
    assert "2 = No: reject the work: Ruling 2. The work is rejected" in juror_status
    assert "its keccak256 matches the task's spec_hash" in juror_status
    assert f"evidence from {chain.accounts[2]}: file://".lower() in juror_status.lower()
    committed = court.ok("commit", "0", "2", account=JUROR)
    assert "your vote: 2 = No: reject the work" in committed
    assert committed.index("your vote") < committed.index("committed choice 2")
    chain.travel_to(info[6])  # reveal_start
    assert "revealed choice 2" in court.ok("reveal", "0", account=JUROR)
    assert "not final" in court.refused("execute", "0", account=JUROR)
    chain.travel_to(info[8])  # appeal_end
    assert f"ruling 2 delivered to {chain.at['TaskEscrow']}" in court.ok(
        "execute", "0", account=JUROR
    )
    assert "2 (final, delivered) = No: reject the work" in court.ok("disputes")

    assert "REJECTED" in task.ok("status", "0")
    # Reward 100 + fee 2.5 back, plus 8 of the 10 slashed (half the stake; 20 % to the treasury).
    assert "withdrew 110.5 LDAO" in task.ok("withdraw", account=REQUESTER)
    assert "withdrew 10 LDAO" in task.ok("withdraw", account=ANNOTATOR)
    assert "nothing to withdraw from the escrow" in task.refused("withdraw", account=ANNOTATOR)


@pytest.fixture(scope="module")
def idle(tmp_path_factory):
    """A deployment with no task, shared by the bad-input tests."""
    node = start_anvil(_free_port())
    directory = tmp_path_factory.mktemp("idle-task")
    run = DeployRun(node, directory / "deployment.json")
    try:
        assert run().returncode == 0
        _files(directory)
        yield ApeScript("task", node, run.record, directory / "store"), directory
    finally:
        stop_anvil(node)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["claim", "5", "-y"], "no task 5 at escrow"),
        (["create", "{dir}/items.csv", "--reward", "ten", "--stake", "1"],
         "'ten' is not an amount"),
        (["create", "{dir}/items.csv", "--reward", "1", "--stake", "1", "--review", "1m", "-y"],
         "the review period must be 1d to 14d, not 1m"),
        (["create", "{dir}/answers.csv", "--reward", "1", "--stake", "1", "--gold",
          "{dir}/items.csv", "-y"], "no 'item' column"),
        (["create", "{dir}/items.csv", "--reward", "5000000", "--stake", "1", "-y"],
         "insufficient LDAO: this task (reward + fee) costs 5,125,000 LDAO"),
        (["withdraw"], "nothing to withdraw from the escrow"),
        (["status", "--deployment", "/nonexistent.json"], "no deployment record /nonexistent.json"),
    ],
)  # fmt: skip
def test_task_cli__bad_input__one_line_refusal(idle, args, message):
    task, directory = idle
    args = [a.replace("{dir}", str(directory)) for a in args]
    assert message in task.refused(*args, account=REQUESTER)


def test_task_cli__no_account__says_how_to_choose_one(idle):
    task, _ = idle
    assert "--account is required" in task.refused("claim", "0")
