"""`TaskClient` on titanoboa, on the suite as `ape run deploy` wires it:
a task built from files goes through its life with the client's checks
and refusals, and its MetaEvidence is found from the court's dispute."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labeldao.client_base import InputError, Refusal
from labeldao.metaevidence import MetaEvidenceReader
from labeldao.tasks_client import (
    GoldSecrets,
    NewTask,
    build_specification,
    read_answers,
)
from tests.unit.clients.conftest import DAY, LDAO, travel

LABELS = ["cat", "dog"]


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.fixture
def files(tmp_path):
    items = write(tmp_path / "items.csv", "text\n" + "".join(f"picture {i}\n" for i in range(6)))
    answers = write(
        tmp_path / "answers.csv", "item,answer\n" + "".join(f"{i},cat\n" for i in range(6))
    )
    gold = write(tmp_path / "gold.csv", "item,answer\n1,dog\n3,dog\n4,cat\n")
    return items, answers, gold


def create(client, requester, files, tmp_path, *, permit=True, gold=True):
    items, _, gold_file = files
    spec = build_specification(
        items,
        title="cats and dogs",
        instructions="label each picture",
        labels=LABELS,
        requester=requester.address,
        publish_dir=tmp_path / "published",
        base_uri=None,
    )
    secrets = GoldSecrets.new(read_answers(gold_file)) if gold else None
    new = NewTask(
        spec.spec_hash,
        spec.uri,
        spec.n_items,
        100 * LDAO,
        20 * LDAO,
        client.now() + 7 * DAY,
        2 * DAY,
        secrets.tree.root if secrets else b"\x00" * 32,
    )
    return client.create(new, permit=permit), spec, secrets


def test_create__with_permit__escrows_reward_plus_fee_in_one_transaction(
    tasks, requester, files, tmp_path, system
):
    client = tasks(requester)
    allowance_before = system.token.allowance(requester.address, system.escrow.address)
    task_id, spec, _ = create(client, requester, files, tmp_path)
    task = client.task(task_id)
    assert task.status_name == "OPEN"
    assert (task.n_items, task.reward, task.fee) == (6, 100 * LDAO, 2_500 * LDAO // 1000)
    assert allowance_before == 0
    document = json.loads(spec.path.read_text())
    assert document["labeldao"]["task"]["n_items"] == 6
    assert document["rulingOptions"]["titles"][0].startswith("Yes: accept")


def test_task__unknown_id__says_which_ids_exist(tasks, requester):
    with pytest.raises(Refusal, match="no task 5 at escrow .*: no task yet"):
        tasks(requester).task(5)


def test_check_create__review_period_too_short__says_the_bounds(tasks, requester):
    client = tasks(requester)
    new = NewTask(b"\x01" * 32, "x", 3, LDAO, LDAO, client.now() + DAY, 60)
    with pytest.raises(Refusal, match="the review period must be 1d to 14d, not 1m"):
        client.check_create(new)


def test_check_create__more_than_the_balance__says_cost_and_balance(tasks, outsider):
    client = tasks(outsider)
    new = NewTask(b"\x01" * 32, "x", 3, 100 * LDAO, LDAO, client.now() + DAY, DAY)
    with pytest.raises(Refusal, match="costs 102.5 LDAO, you hold 0 LDAO"):
        client.check_create(new)


def test_lifecycle__claim_submit_reject__dispute_shows_the_task_meta_evidence(
    tasks, requester, annotator, files, tmp_path, system, journal
):
    task_id, spec, _ = create(tasks(requester), requester, files, tmp_path, permit=False)
    worker = tasks(annotator)
    with pytest.raises(Refusal, match="is OPEN, not CLAIMED: cannot submit"):
        worker.submit(task_id, read_answers(files[1]), "file:///answers.csv")
    with pytest.raises(Refusal, match="a requester cannot claim its task"):
        tasks(requester).claim(task_id)
    assert worker.claim(task_id).status_name == "CLAIMED"
    with pytest.raises(InputError, match="no answer for item\\(s\\) 5"):
        worker.submit(task_id, {i: "cat" for i in range(5)}, "file:///answers.csv")
    assert worker.submit(task_id, read_answers(files[1]), "u").status_name == "SUBMITTED"
    with pytest.raises(Refusal, match="only task 0's requester"):
        worker.accept(task_id)

    dispute_id = tasks(requester).reject(task_id, "answers are all 'cat'")
    assert tasks(requester).task(task_id).status_name == "DISPUTED"
    context = MetaEvidenceReader(journal).for_dispute(
        system.court.address, dispute_id, system.escrow.address
    )
    assert context.problem is None
    assert context.uri == spec.uri
    assert context.meta_evidence_id == task_id
    assert context.hash_matches is True
    assert context.document.question.startswith("Does the annotator's submitted work")
    assert context.choice_title(1) == "Yes: accept the work"
    assert context.choice_title(2) == "No: reject the work"
    assert "SPLIT" in context.document.choice_meaning(0)
    spec.path.write_text(spec.path.read_text().replace("cats and dogs", "only cats"))
    tampered = MetaEvidenceReader(journal).for_dispute(
        system.court.address, dispute_id, system.escrow.address
    )
    assert tampered.hash_matches is False


def test_prove_gold__wrong_gold_answers__rejects_the_task_at_the_limit(
    tasks, requester, annotator, files, tmp_path
):
    client = tasks(requester)
    task_id, _, secrets = create(client, requester, files, tmp_path)
    tasks(annotator).claim(task_id)
    answers = read_answers(files[1])  # all "cat": gold items 1 and 3 are wrong
    tasks(annotator).submit(task_id, answers, "u")
    saved = tmp_path / "gold.json"
    saved.write_text(secrets.to_json())
    with pytest.raises(Refusal, match="is not the annotator's result root"):
        client.prove_gold(task_id, GoldSecrets.load(saved), {**answers, 0: "dog"})
    done = client.prove_gold(task_id, GoldSecrets.load(saved), answers)
    assert [item for item, _ in done] == [1, 3]
    assert client.task(task_id).gold_failures == 2
    assert "already proven" in dict(client.prove_gold(task_id, secrets, answers))[1]


def test_contest__every_gold_item_failed__the_annotator_takes_it_to_the_court(
    tasks, requester, annotator, files, tmp_path, system, journal
):
    client = tasks(requester)
    task_id, _, secrets = create(client, requester, files, tmp_path)
    worker = tasks(annotator)
    worker.claim(task_id)
    answers = {**read_answers(files[1]), 4: "dog"}  # every gold item (1, 3, 4) differs
    worker.submit(task_id, answers, "u")
    with pytest.raises(Refusal, match="is SUBMITTED, not GOLD_FAILED: cannot contest its gold"):
        worker.contest(task_id)
    done = client.prove_gold(task_id, secrets, answers)
    assert [item for item, _ in done] == [1, 3, 4]
    task = client.task(task_id)
    assert task.status_name == "GOLD_FAILED"
    assert "`task contest`" in client.next_step(task, client.now())
    with pytest.raises(Refusal, match="only task .*'s annotator"):
        client.contest(task_id)
    with pytest.raises(Refusal, match="contest window ends .*finalized \\(rejected\\)"):
        client.finalize(task_id)
    dispute_id = worker.contest(task_id, "file:///why.json")
    assert worker.task(task_id).status_name == "DISPUTED"
    context = MetaEvidenceReader(journal).for_dispute(
        system.court.address, dispute_id, system.escrow.address
    )
    assert context.meta_evidence_id == 2**256 - 1
    assert context.document.question.startswith("Were the requester's gold answers right")


def test_contest__after_the_window__says_finalize(tasks, requester, annotator, files, tmp_path):
    client = tasks(requester)
    task_id, _, secrets = create(client, requester, files, tmp_path)
    tasks(annotator).claim(task_id)
    answers = {**read_answers(files[1]), 4: "dog"}
    tasks(annotator).submit(task_id, answers, "u")
    client.prove_gold(task_id, secrets, answers)
    travel(3 * DAY)
    with pytest.raises(Refusal, match="contest window ended .*`task finalize`"):
        tasks(annotator).contest(task_id)
    assert tasks(annotator).finalize(task_id).status_name == "REJECTED"


def test_finalize__before_and_after_the_review_period(tasks, requester, annotator, files, tmp_path):
    task_id, _, _ = create(tasks(requester), requester, files, tmp_path)
    tasks(annotator).claim(task_id)
    tasks(annotator).submit(task_id, read_answers(files[1]), "u")
    with pytest.raises(Refusal, match="review period ends .*it can be finalized from then on"):
        tasks(annotator).finalize(task_id)
    travel(2 * DAY)
    with pytest.raises(Refusal, match="silence is consent"):
        tasks(requester).reject(task_id, "late")
    assert tasks(annotator).finalize(task_id).status_name == "ACCEPTED"
    owed = tasks(annotator).claimable()
    assert owed >= 120 * LDAO
    assert tasks(annotator).withdraw() == owed
    with pytest.raises(Refusal, match="nothing to withdraw from the escrow"):
        tasks(annotator).withdraw()


def test_reclaim__before_the_deadline__says_when(tasks, requester, files, tmp_path):
    task_id, _, _ = create(tasks(requester), requester, files, tmp_path)
    with pytest.raises(Refusal, match="it can be reclaimed after it"):
        tasks(requester).reclaim(task_id)
    travel(8 * DAY)
    assert tasks(requester).reclaim(task_id).status_name == "EXPIRED"


def test_cancel__open_task__refunds_reward_fee_and_gold_bond(tasks, requester, files, tmp_path):
    task_id, _, _ = create(tasks(requester), requester, files, tmp_path)
    assert tasks(requester).cancel(task_id) == 132_500 * LDAO // 1000
    assert tasks(requester).task(task_id).status_name == "CANCELLED"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("a.csv", "item,answer\n0,cat\n0,dog\n", "a second answer for item 0"),
        ("a.csv", "item,answer\nx,cat\n", "item 'x' is not an integer"),
        ("a.csv", "index,label\n0,\n", "no 'answer' column"),
        ("a.jsonl", '{"item": 0, "answer": "cat"}\nnot json\n', "line 2: not JSON"),
        ("a.csv", "", "empty"),
    ],
)
def test_read_answers__bad_file__one_line_error_naming_it(tmp_path, name, text, message):
    with pytest.raises(InputError, match=message):
        read_answers(write(tmp_path / name, text))
