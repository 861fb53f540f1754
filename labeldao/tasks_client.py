"""A requester's and an annotator's client of `TaskEscrow`.

`TaskClient` reads the escrow's views as typed records (statuses by name),
checks every action before it is sent (status, role, deadline, review
period, balance) and says what is wrong and when it becomes possible; it
builds the task specification (an ERC-1497 MetaEvidence document from
`metaevidence/task-quality.json`), the gold tree and the answer tree from
CSV/JSONL files. `ape run task` (scripts/task.py) is a thin layer over it;
the unit tests run it on titanoboa.

Files:
- items: one row per item, in order (item index = row number from 0), any
  columns (e.g. `text`, `image_url`);
- answers: `item` (or `index`) and `answer` columns, one row per item;
- gold: `item` and `answer` columns for the hidden gold items. `task
  create` writes the gold secrets (answers and salts) to a file BEFORE it
  sends anything: keep it, `task prove-gold` needs it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import keccak

from labeldao.annotations import (
    AnswerTree,
    GoldItem,
    GoldTree,
    answer_hash,
    answer_tree,
    gold_failure_args,
    gold_tree,
    new_salt,
)
from labeldao.client_base import (
    Backend,
    InputError,
    Refusal,
    Wallet,
    field,
    from_struct,
    read_rows,
    to_bytes32,
    to_int,
)
from labeldao.escrow import TERMINAL, TaskStatus, fee_of
from labeldao.metaevidence import TASK_TEMPLATE, document_bytes, load_template
from labeldao.units import format_duration, format_ldao, format_time

ZERO32 = b"\x00" * 32
MAX_URI_BYTES = 256
INLINE_ITEMS = 1_000  # items listed in the specification itself, at most
ITEM_COLUMNS = ("item", "index", "item_index")


def status_name(status: int) -> str:
    """`TaskStatus` flag -> `"SUBMITTED"`; 0 -> `"NONE"`."""
    if not status:
        return "NONE"
    return TaskStatus(status).name or str(status)


@dataclass(frozen=True)
class Task:
    """`TaskEscrow.tasks(task_id)`."""

    requester: str
    annotator: str
    status: int
    params_id: int
    n_items: int
    reward: int
    fee: int
    stake: int
    deadline: int
    review_period: int
    review_end: int
    gold_failures: int
    gold_root: bytes
    result_root: bytes
    dispute_id: int
    gold_bond: int
    contest_end: int
    claim_deadline: int

    @property
    def status_name(self) -> str:
        return status_name(self.status)

    @property
    def terminal(self) -> bool:
        return bool(TaskStatus(self.status) & TERMINAL)


@dataclass(frozen=True)
class EscrowParams:
    """`TaskEscrow.Params` (the parts a client needs)."""

    fee_bps: int
    gold_slash_bps: int
    gold_fail_limit: int
    reject_slash_bps: int
    late_slash_bps: int
    slash_treasury_bps: int
    min_review_period: int
    max_review_period: int
    max_task_duration: int
    max_items: int
    bonus_per_item: int
    bonus_fee_cap_bps: int
    epoch_budget: int
    arbitrator: str


def params_of(raw: Any) -> EscrowParams:
    return from_struct(EscrowParams, raw)


# ---------------------------------------------------------------------------
# Files -> trees and specifications
# ---------------------------------------------------------------------------


def read_answers(path: Path) -> dict[int, str]:
    """`{item_index: answer}` from an answers (or gold) file."""
    answers: dict[int, str] = {}
    for number, row in enumerate(read_rows(path), 2):
        where = f"{path} row {number - 1}"
        index = to_int(field(row, ITEM_COLUMNS, where), where, "item")
        if index in answers:
            raise InputError(f"{where}: a second answer for item {index}")
        answer = row.get("answer", row.get("label"))
        if answer is None or str(answer) == "":
            raise InputError(f"{where}: no 'answer' column")
        answers[index] = str(answer)
    return answers


def build_answer_tree(answers: dict[int, str], n_items: int | None = None) -> AnswerTree:
    """The answer tree; with `n_items`, one answer per item is required."""
    if n_items is not None:
        missing = sorted(set(range(n_items)) - set(answers))
        extra = sorted(i for i in answers if i >= n_items)
        if missing or extra:
            raise InputError(
                f"the task has items 0 to {n_items - 1}: "
                + (f"no answer for item(s) {_few(missing)}" if missing else "")
                + ("; " if missing and extra else "")
                + (f"item(s) {_few(extra)} do not exist" if extra else "")
            )
    return answer_tree({i: answer_hash(a) for i, a in answers.items()})


def _few(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:5])
    return shown + (f" and {len(numbers) - 5} more" if len(numbers) > 5 else "")


@dataclass(frozen=True)
class GoldSecrets:
    """The requester's gold items: answers and salts (secret until proven)."""

    answers: dict[int, str]
    salts: dict[int, bytes]

    @property
    def tree(self) -> GoldTree:
        return gold_tree(
            GoldItem(i, answer_hash(a), self.salts[i]) for i, a in self.answers.items()
        )

    def to_json(self) -> str:
        rows = [
            {"item": i, "answer": self.answers[i], "salt": "0x" + self.salts[i].hex()}
            for i in sorted(self.answers)
        ]
        return json.dumps({"gold_root": "0x" + self.tree.root.hex(), "items": rows}, indent=2)

    @classmethod
    def new(cls, answers: dict[int, str]) -> GoldSecrets:
        return cls(answers, {i: new_salt() for i in answers})

    @classmethod
    def load(cls, path: Path) -> GoldSecrets:
        try:
            data = json.loads(path.read_text())
            rows = data["items"]
        except (OSError, ValueError, KeyError, TypeError):
            raise InputError(
                f"{path}: not a gold secrets file (the one `task create --gold` wrote)"
            ) from None
        answers, salts = {}, {}
        for row in rows:
            index = to_int(row.get("item"), str(path), "item")
            answers[index] = str(row.get("answer"))
            salts[index] = to_bytes32(row.get("salt"), str(path), "salt")
        return cls(answers, salts)


@dataclass(frozen=True)
class Specification:
    """A task's specification: its MetaEvidence document and where it is."""

    document: bytes
    path: Path
    uri: str
    n_items: int

    @property
    def spec_hash(self) -> bytes:
        return keccak(self.document)


def build_specification(
    items_file: Path,
    *,
    title: str,
    instructions: str,
    labels: list[str],
    requester: str,
    publish_dir: Path,
    base_uri: str | None,
) -> Specification:
    """Writes the task's MetaEvidence (from the committed template, with the
    items, instructions and labels) and a copy of the items file to
    `publish_dir`, content-addressed; the URI is `base_uri` + file name
    (default: a file:// URI of `publish_dir`)."""
    rows = read_rows(items_file)
    raw_items = items_file.read_bytes()
    publish_dir.mkdir(parents=True, exist_ok=True)
    items_name = f"items-{keccak(raw_items).hex()[:16]}{items_file.suffix.lower()}"
    shutil.copyfile(items_file, publish_dir / items_name)
    base = base_uri if base_uri is not None else publish_dir.resolve().as_uri() + "/"
    if base and not base.endswith("/"):
        base += "/"
    document = load_template(TASK_TEMPLATE)
    document["title"] = f"LabelDAO task: {title}" if title else document["title"]
    document["fileURI"] = base + items_name
    document["fileHash"] = "0x" + keccak(raw_items).hex()
    document["fileTypeExtension"] = items_file.suffix.lower().lstrip(".")
    document["aliases"] = {requester: "requester"}
    document["labeldao"]["task"] = {
        "title": title,
        "instructions": instructions,
        "labels": labels,
        "n_items": len(rows),
        "items": rows[:INLINE_ITEMS],
        "items_inline": min(len(rows), INLINE_ITEMS),
        "answer_hash": "keccak256 of the answer's UTF-8 bytes",
    }
    content = document_bytes(document)
    name = f"task-{keccak(content).hex()[:16]}.json"
    path = publish_dir / name
    path.write_bytes(content)
    uri = base + name
    if len(uri.encode()) > MAX_URI_BYTES:
        raise InputError(
            f"the specification's URI is {len(uri.encode())} bytes, the escrow takes "
            f"{MAX_URI_BYTES}: use a shorter --base-uri or --publish-dir"
        )
    return Specification(content, path, uri, len(rows))


# ---------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NewTask:
    """Everything `create_task` takes."""

    spec_hash: bytes
    spec_uri: str
    n_items: int
    reward: int
    stake: int
    deadline: int
    review_period: int
    gold_root: bytes = ZERO32

    def args(self) -> tuple:
        return (
            self.spec_hash,
            self.spec_uri,
            self.n_items,
            self.reward,
            self.stake,
            self.deadline,
            self.review_period,
            self.gold_root,
        )


class TaskClient:
    """A requester's or annotator's view of, and actions at, one escrow.

    `escrow`, `token` and `court` are contract handles (Ape or titanoboa)
    with the escrow's, the token's and the arbitrator's ABI; `log`
    receives one line per step.
    """

    def __init__(
        self,
        escrow: Any,
        token: Any,
        court: Any,
        backend: Backend,
        log: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.escrow = escrow
        self.court = court
        self.wallet = Wallet(backend, token)
        self.log = log

    # -- views ----------------------------------------------------------------

    @property
    def address(self) -> str:
        return str(self.escrow.address)

    def now(self) -> int:
        return self.wallet.now()

    def count(self) -> int:
        return int(self.escrow.task_count())

    def task(self, task_id: int) -> Task:
        count = self.count()
        if not 0 <= task_id < count:
            raise Refusal(
                f"no task {task_id} at escrow {self.address}"
                + (f": tasks are 0 to {count - 1}" if count else ": no task yet")
            )
        return from_struct(Task, self.escrow.tasks(task_id))

    def params(self, params_id: int | None = None) -> EscrowParams:
        if params_id is None:
            return params_of(self.escrow.current_params())
        return params_of(self.escrow.params(params_id))

    def cost(self, reward: int) -> int:
        """What creating a task with `reward` and gold items costs now
        (reward + fee + gold bond)."""
        return int(self.escrow.task_cost(reward))

    def arbitration_cost(self, task: Task) -> int:
        extra = bytes(self.escrow.params(task.params_id).arbitrator_extra_data)
        return int(self.court.arbitrationCost(extra))

    def claimable(self, account: str | None = None) -> int:
        return int(self.escrow.claimable(account or self.wallet.address))

    def tasks(self, last: int, status: str | None = None) -> list[tuple[int, Task]]:
        """The newest tasks (at most `last`), optionally of one status."""
        count, found = self.count(), []
        for task_id in range(count - 1, -1, -1):
            if len(found) >= last:
                break
            task = from_struct(Task, self.escrow.tasks(task_id))
            if status is None or task.status_name == status.upper():
                found.append((task_id, task))
        return found

    def next_step(self, task: Task, now: int) -> str:
        """What can happen next to a task, by whom and until when."""
        name = task.status_name
        if name == "OPEN":
            if now > task.claim_deadline:
                return "expired: anyone may `task reclaim` (refunds the requester)"
            return (
                f"annotators may `task claim` until {format_time(task.claim_deadline, now)} "
                f"(locks {format_ldao(task.stake)}); the requester may `task cancel`"
            )
        if name == "CLAIMED":
            if now > task.deadline:
                return "deadline missed: anyone may `task reclaim` (slashes the late annotator)"
            return f"the annotator must `task submit` before {format_time(task.deadline, now)}"
        if name == "SUBMITTED":
            if now < task.review_end:
                return (
                    f"the requester may `task accept`, `task reject` or `task prove-gold` "
                    f"until {format_time(task.review_end, now)}; then anyone may `task finalize`"
                )
            return "review period over: anyone may `task finalize` (pays the annotator)"
        if name == "GOLD_FAILED":
            if now < task.contest_end:
                return (
                    f"gold failures reached the limit: the annotator may `task contest` until "
                    f"{format_time(task.contest_end, now)}; then anyone may `task finalize` "
                    "(rejects it)"
                )
            return "contest window over: anyone may `task finalize` (rejects it)"
        if name == "DISPUTED":
            return (
                f"dispute {task.dispute_id} at the court: jurors vote (`court disputes`); "
                "the ruling settles the task"
            )
        return "settled: the parties `task withdraw` what they are owed"

    # -- requester ------------------------------------------------------------

    def check_create(self, new: NewTask) -> tuple[EscrowParams, int]:
        """Raises Refusal unless `new` can be created now; returns the
        parameters it gets and what it costs."""
        params = self.params()
        now = self.now()
        if bool(self.escrow.paused()):
            raise Refusal("the escrow is paused: new tasks are refused until the guardian unpauses")
        if not 1 <= new.n_items <= params.max_items:
            raise Refusal(f"a task has 1 to {params.max_items:,} items, not {new.n_items:,}")
        if new.reward <= 0 or new.stake <= 0:
            raise Refusal("the reward and the annotator's stake must be positive")
        if new.deadline <= now:
            raise Refusal(f"the deadline {format_time(new.deadline, now)} is not in the future")
        if new.deadline - now > params.max_task_duration:
            raise Refusal(
                f"the deadline is at most {format_duration(params.max_task_duration)} away "
                f"(until {format_time(now + params.max_task_duration, now)})"
            )
        if not params.min_review_period <= new.review_period <= params.max_review_period:
            raise Refusal(
                f"the review period must be {format_duration(params.min_review_period)} to "
                f"{format_duration(params.max_review_period)}, "
                f"not {format_duration(new.review_period)}"
            )
        if len(new.spec_uri.encode()) > MAX_URI_BYTES:
            raise Refusal(f"the specification URI is longer than {MAX_URI_BYTES} bytes")
        # `task_cost` includes the gold bond; a task without gold pulls it less.
        cost, what = self.cost(new.reward), "this task (reward + fee + gold bond)"
        if new.gold_root == ZERO32:
            cost, what = new.reward + fee_of(new.reward, params.fee_bps), "this task (reward + fee)"
        self.wallet.require_balance(cost, what)
        return params, cost

    def create(self, new: NewTask, permit: bool = True) -> int:
        """Creates the task (with a permit, or an approval); returns its id."""
        _, cost = self.check_create(new)
        task_id = self.count()
        allowance = int(self.wallet.token.allowance(self.wallet.address, self.address))
        if permit and allowance < cost:
            # The escrow applies a permit for `task_cost(reward)` (with the bond).
            pulled, cost = cost, self.cost(new.reward)
            note = "" if pulled == cost else f" ({format_ldao(pulled)} is pulled: no gold bond)"
            self.log(f"signing a permit for {format_ldao(cost)}{note}")
            deadline, v, r, s = self.wallet.permit(self.address, cost)
            self.wallet.send(self.escrow, "create_task_with_permit", *new.args(), deadline, v, r, s)
        else:
            self.wallet.approve(self.address, cost, self.log)
            self.wallet.send(self.escrow, "create_task", *new.args())
        created = self.task(task_id)
        if created.requester != self.wallet.address:  # someone else's task took the id
            for candidate in range(self.count() - 1, task_id, -1):
                if self.task(candidate).requester == self.wallet.address:
                    return candidate
        return task_id

    def _requester(self, task_id: int, task: Task, action: str) -> None:
        if task.requester != self.wallet.address:
            raise Refusal(
                f"only task {task_id}'s requester ({task.requester}) may {action}; "
                f"you are {self.wallet.address}"
            )

    def _status(self, task_id: int, task: Task, wanted: str, action: str) -> None:
        if task.status_name != wanted:
            raise Refusal(
                f"task {task_id} is {task.status_name}, not {wanted}: cannot {action}; "
                f"{self.next_step(task, self.now())}"
            )

    def cancel(self, task_id: int) -> int:
        task = self.task(task_id)
        self._status(task_id, task, "OPEN", "cancel it")
        self._requester(task_id, task, "cancel it")
        self.wallet.send(self.escrow, "cancel_task", task_id)
        return task.reward + task.fee + task.gold_bond

    def accept(self, task_id: int) -> Task:
        task = self.task(task_id)
        self._status(task_id, task, "SUBMITTED", "accept it")
        self._requester(task_id, task, "accept it")
        self.wallet.send(self.escrow, "accept", task_id)
        return self.task(task_id)

    def check_review(self, task_id: int, task: Task, action: str) -> None:
        self._status(task_id, task, "SUBMITTED", action)
        self._requester(task_id, task, action)
        now = self.now()
        if now >= task.review_end:
            raise Refusal(
                f"task {task_id}'s review period ended {format_time(task.review_end, now)}: "
                "silence is consent, anyone may `task finalize` it"
            )

    def reject(self, task_id: int, reason: str, evidence_uri: str | None = None) -> int:
        """Rejects the work (opens a dispute, pays the arbitration cost);
        returns the dispute id. `evidence_uri` is submitted as evidence."""
        task = self.task(task_id)
        self.check_review(task_id, task, "reject it")
        if not reason.strip():
            raise Refusal("give a reason: its hash is logged, its text goes to the jurors")
        cost = self.arbitration_cost(task)
        self.wallet.require_balance(cost, "rejecting (the arbitration cost)")
        self.wallet.approve(self.address, cost, self.log)
        self.wallet.send(self.escrow, "reject", task_id, keccak(text=reason))
        dispute_id = self.task(task_id).dispute_id
        if evidence_uri:
            self.wallet.send(self.escrow, "submit_evidence", task_id, evidence_uri)
        return dispute_id

    def submit_evidence(self, task_id: int, uri: str) -> None:
        task = self.task(task_id)
        self._status(task_id, task, "DISPUTED", "add evidence")
        if self.wallet.address not in (task.requester, task.annotator):
            raise Refusal(
                f"only task {task_id}'s requester or annotator may add evidence here; "
                "anyone may with `court evidence`"
            )
        if not uri.strip() or len(uri.encode()) > MAX_URI_BYTES:
            raise Refusal(f"the evidence URI must be 1 to {MAX_URI_BYTES} bytes")
        self.wallet.send(self.escrow, "submit_evidence", task_id, uri)

    def prove_gold(
        self, task_id: int, gold: GoldSecrets, answers: dict[int, str]
    ) -> list[tuple[int, str]]:
        """Proves every gold item the annotator answered wrong (once each),
        until the task is rejected; returns (item, what happened)."""
        task = self.task(task_id)
        self.check_review(task_id, task, "prove gold failures")
        gold_tree_ = gold.tree
        if task.gold_root != gold_tree_.root:
            raise Refusal(
                f"this gold file's root 0x{gold_tree_.root.hex()} is not task {task_id}'s "
                f"gold root 0x{task.gold_root.hex()}"
            )
        submitted = build_answer_tree(answers)
        if submitted.root != task.result_root:
            raise Refusal(
                f"the answers file's root 0x{submitted.root.hex()} is not the annotator's "
                f"result root 0x{task.result_root.hex()}: use the answers they published"
            )
        done: list[tuple[int, str]] = []
        for item in sorted(gold.answers):
            if item not in submitted.answers:
                done.append((item, "not answered"))
                continue
            if submitted.answers[item] == gold_tree_.items[item].answer_hash:
                continue
            if bool(self.escrow.gold_proven(task_id, item)):
                done.append((item, "already proven"))
                continue
            args = gold_failure_args(task_id, gold_tree_, submitted, item)
            self.wallet.send(self.escrow, "prove_gold_failure", *args)
            after = self.task(task_id)
            state = f"{after.gold_failures} failure(s), task {after.status_name}"
            done.append((item, f"proven: {state}"))
            if after.terminal or after.status_name == "GOLD_FAILED":
                break
        return done

    # -- annotator ------------------------------------------------------------

    def claim(self, task_id: int) -> Task:
        task = self.task(task_id)
        now = self.now()
        self._status(task_id, task, "OPEN", "claim it")
        if bool(self.escrow.paused()):
            raise Refusal("the escrow is paused: claims are refused until the guardian unpauses")
        if now > task.claim_deadline:
            raise Refusal(
                f"task {task_id}'s deadline passed {format_time(task.claim_deadline, now)}"
            )
        if task.requester == self.wallet.address:
            raise Refusal(f"you are task {task_id}'s requester: a requester cannot claim its task")
        self.wallet.require_balance(task.stake, "claiming (the annotator's stake)")
        self.wallet.approve(self.address, task.stake, self.log)
        self.wallet.send(self.escrow, "claim_task", task_id)
        return self.task(task_id)

    def submit(self, task_id: int, answers: dict[int, str], result_uri: str) -> Task:
        task = self.task(task_id)
        now = self.now()
        self._status(task_id, task, "CLAIMED", "submit")
        if task.annotator != self.wallet.address:
            raise Refusal(f"task {task_id} was claimed by {task.annotator}, not by you")
        if now > task.deadline:
            raise Refusal(
                f"task {task_id}'s deadline passed {format_time(task.deadline, now)}: "
                "the work can no longer be submitted"
            )
        if len(result_uri.encode()) > MAX_URI_BYTES:
            raise Refusal(f"the result URI is longer than {MAX_URI_BYTES} bytes")
        tree = build_answer_tree(answers, task.n_items)
        self.wallet.send(self.escrow, "submit", task_id, tree.root, result_uri)
        return self.task(task_id)

    def check_contest(self, task_id: int, task: Task) -> int:
        """Raises Refusal unless the wallet may contest `task`'s gold now;
        returns the arbitration cost it pays."""
        self._status(task_id, task, "GOLD_FAILED", "contest its gold")
        if task.annotator != self.wallet.address:
            raise Refusal(
                f"only task {task_id}'s annotator ({task.annotator}) may contest its gold; "
                f"you are {self.wallet.address}"
            )
        now = self.now()
        if now >= task.contest_end:
            raise Refusal(
                f"task {task_id}'s contest window ended {format_time(task.contest_end, now)}: "
                "anyone may `task finalize` it (rejected)"
            )
        return self.arbitration_cost(task)

    def contest(self, task_id: int, evidence_uri: str = "") -> int:
        """Contests a gold rejection at the court (the annotator pays the
        arbitration cost); returns the dispute id."""
        task = self.task(task_id)
        cost = self.check_contest(task_id, task)
        if len(evidence_uri.encode()) > MAX_URI_BYTES:
            raise Refusal(f"the evidence URI is longer than {MAX_URI_BYTES} bytes")
        self.wallet.require_balance(cost, "contesting the gold (the arbitration cost)")
        self.wallet.approve(self.address, cost, self.log)
        self.wallet.send(self.escrow, "contest_gold", task_id, evidence_uri)
        return self.task(task_id).dispute_id

    # -- anyone ---------------------------------------------------------------

    def finalize(self, task_id: int) -> Task:
        task = self.task(task_id)
        now = self.now()
        if task.status_name == "GOLD_FAILED":
            if now < task.contest_end:
                raise Refusal(
                    f"task {task_id}'s contest window ends {format_time(task.contest_end, now)}: "
                    "it can be finalized (rejected) from then on"
                )
            self.wallet.send(self.escrow, "finalize", task_id)
            return self.task(task_id)
        self._status(task_id, task, "SUBMITTED", "finalize it")
        if now < task.review_end:
            raise Refusal(
                f"task {task_id}'s review period ends {format_time(task.review_end, now)}: "
                "it can be finalized from then on"
            )
        self.wallet.send(self.escrow, "finalize", task_id)
        return self.task(task_id)

    def reclaim(self, task_id: int) -> Task:
        task = self.task(task_id)
        now = self.now()
        if task.status_name not in ("OPEN", "CLAIMED"):
            raise Refusal(
                f"task {task_id} is {task.status_name}: only an OPEN or CLAIMED task past its "
                f"deadline can be reclaimed; {self.next_step(task, now)}"
            )
        if now <= task.claim_deadline:
            raise Refusal(
                f"task {task_id}'s deadline is {format_time(task.claim_deadline, now)}: "
                "it can be reclaimed after it"
            )
        self.wallet.send(self.escrow, "reclaim", task_id)
        return self.task(task_id)

    def withdraw(self) -> int:
        amount = self.claimable()
        if amount == 0:
            raise Refusal(
                "nothing to withdraw from the escrow: payouts are credited when a task settles"
            )
        self.wallet.send(self.escrow, "withdraw")
        return amount
