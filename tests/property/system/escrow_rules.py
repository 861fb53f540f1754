"""Requesters and annotators at the TaskEscrow: tasks created (with a
standing approval or a permit), claimed (and front-run), submitted with
some gold items wrong, accepted, rejected into the court, finalized,
proven against gold, reclaimed after a missed deadline, cancelled, and the
pull payments withdrawn, while paused too."""

from __future__ import annotations

from typing import Any

import boa
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from labeldao.annotations import gold_failure_args
from labeldao.escrow import BPS, TERMINAL, TaskStatus, bps_of, fee_of
from tests.property.system.base import PAUSED, SystemBase
from tests.property.system.model import Dispute, Slash, Task
from tests.property.system.world import (
    ANNOTATORS,
    DAY,
    GOLD,
    GOLD_INDICES,
    LDAO,
    N_ITEMS,
    PEOPLE,
    PERMIT_REQUESTER,
    REQUESTERS,
    as_dict,
    refuse,
)

pick = st.integers(0, 15)
wrong_items = st.frozensets(st.sampled_from(GOLD_INDICES))
MAX_TASKS = 12
# What `escrow_attempt` tries, and who may try it.
ACTIONS = ("cancel", "claim", "submit", "accept", "reject", "prove", "finalize", "reclaim",
           "contest", "rule")  # fmt: skip
CALLERS = (*REQUESTERS, PERMIT_REQUESTER, *ANNOTATORS, PEOPLE[-1])
# New parameter versions the timelock may write (the old escrow machine's).
param_changes = st.fixed_dictionaries(
    {
        "fee_bps": st.sampled_from([0, 250, 1_000]),
        "gold": st.sampled_from([(1_000, 3), (5_000, 2), (10_000, 1), (0, 1)]),
        "reject_slash_bps": st.sampled_from([0, 5_000, BPS]),
        "late_slash_bps": st.sampled_from([0, 1_000, BPS]),
        "slash_treasury_bps": st.sampled_from([0, 2_000, BPS]),
        "bonus_per_item": st.sampled_from([0, 10**17, 10**18]),
        "bonus_fee_cap_bps": st.sampled_from([0, 5_000, BPS]),
        "epoch_budget": st.sampled_from([0, 3 * LDAO, 100 * LDAO]),
        "gold_bond": st.sampled_from([0, LDAO, 30 * LDAO]),
    }
)


class EscrowUsers(SystemBase):
    """Requesters (one pays with permits only) and annotators."""

    AREAS = frozenset({"token", "escrow"})
    # Tasks in flight at a time (a machine may lower it so that lifecycles
    # get to their end before new tasks crowd them out).
    MAX_LIVE_TASKS = MAX_TASKS

    def __init__(self, world: Any) -> None:
        super().__init__(world)
        self.escrow_versions = 0  # parameter versions the timelock wrote
        self.escrow_credited: set[str] = set()  # credited since their last withdrawal

    def _tasks(self, status: TaskStatus) -> list[Task]:
        return [t for t in self.tasks if t.status & status]

    def _pick(self, status: TaskStatus, i: int) -> Task:
        candidates = self._tasks(status)
        return candidates[i % len(candidates)]

    def _claimable(self, *accounts: str) -> dict[str, int]:
        return {a: self.w.escrow.claimable(a) for a in accounts}

    def _check_status(self, task: Task) -> Any:
        """The task has exactly one status, the model's (so a terminal one
        never changes), its gold failures are the ones proven, and it keeps
        the parameter version it was created with."""
        on_chain = self.w.escrow.tasks(task.id)
        assert bin(on_chain.status).count("1") == 1, on_chain.status
        assert TaskStatus(on_chain.status) == task.status, (task, on_chain.status)
        assert on_chain.gold_failures == len(task.proven), task
        assert on_chain.params_id == task.params_id, task
        if task.status & TERMINAL:  # settled: its parties may be owed
            self.escrow_credited.update({task.requester, task.annotator, self.w.treasury} - {None})
        return on_chain

    def _claim_deadline(self, task: Task) -> int:
        """An open task's claim deadline counts unpaused seconds only: its
        deadline plus the seconds the escrow was paused since it was
        created."""
        return task.deadline + self.paused_seconds("escrow") - task.pause_mark

    # -- requesters ---------------------------------------------------------------

    @precondition(
        lambda self: len(self.tasks) < MAX_TASKS and len(self.open_tasks()) < self.MAX_LIVE_TASKS
    )
    @rule(
        who=st.sampled_from((*REQUESTERS, PERMIT_REQUESTER)),
        reward=st.integers(1, 2_000),
        stake=st.integers(1, 400),
        days=st.integers(1, 20),
        review_days=st.integers(1, 5),
    )
    def create_task(self, who: str, reward: int, stake: int, days: int, review_days: int) -> None:
        """A requester posts a task with eight items, three of them gold;
        the permit requester pays with an EIP-2612 permit in the same call.
        Paused: refused, nothing moves."""
        self.begin(f"create task by {who}")
        escrow, requester = self.w.escrow, self.w.address(who)
        args = (b"\x01" * 32, "ipfs://spec", N_ITEMS, reward * LDAO, stake * LDAO,
                self.now + days * DAY, review_days * DAY, GOLD.root)  # fmt: skip
        if who == PERMIT_REQUESTER:
            cost = escrow.task_cost(reward * LDAO)
            nonce = self.nonces.get(requester, 0)
            deadline = 2**48
            sig = self.w.permit(
                who, escrow.address, cost, nonce, deadline, boa.env.evm.patch.chain_id
            )
            fn, args = "create_task_with_permit", (*args, deadline, *sig.as_args())
            if self.w.token.balanceOf(requester) < cost:
                return
        else:
            fn = "create_task"
        if self.paused["escrow"]:
            refuse(escrow, fn, *args, sender=requester, reason=PAUSED)
            self.ledgers.paused_entries.append(("escrow", fn))
            return
        params = escrow.current_params()
        task_id = getattr(escrow, fn)(*args, sender=requester)
        if who == PERMIT_REQUESTER:
            self.nonces[requester] = self.nonces.get(requester, 0) + 1
        assert task_id == len(self.tasks)
        (created,) = [e for e in escrow.get_logs() if type(e).__name__ == "TaskCreated"]
        assert created.fee == fee_of(reward * LDAO, params.fee_bps)
        assert created.gold_bond == params.gold_bond
        version = escrow.tasks(task_id).params_id
        self.tasks.append(Task(task_id, requester, version, args[5], self.paused_seconds("escrow")))
        self.touch("token", "escrow")
        event(f"escrow: {fn}")

    @precondition(lambda self: self._tasks(TaskStatus.OPEN))
    @rule(i=pick)
    def cancel_task(self, i: int) -> None:
        """The requester cancels an unclaimed task (works while paused);
        anyone else is refused."""
        task = self._pick(TaskStatus.OPEN, i)
        self.begin(f"cancel task {task.id}")
        escrow = self.w.escrow
        refuse(escrow, "cancel_task", task.id, sender=self.w.address(ANNOTATORS[0]),
               reason="escrow: caller is not the requester")  # fmt: skip
        on_chain = escrow.tasks(task.id)
        before = self._claimable(task.requester)
        escrow.cancel_task(task.id, sender=task.requester)
        refund = on_chain.reward + on_chain.fee + on_chain.gold_bond
        assert self._claimable(task.requester)[task.requester] == before[task.requester] + refund
        task.status = TaskStatus.CANCELLED
        self._check_status(task)
        self._exit("escrow", "cancel_task")

    # -- annotators ---------------------------------------------------------------

    @precondition(lambda self: self._tasks(TaskStatus.OPEN))
    @rule(i=pick, who=st.sampled_from(ANNOTATORS), front_run=st.booleans())
    def claim_task(self, i: int, who: str, front_run: bool) -> None:
        """An annotator claims an open task, staking; with `front_run` the
        other annotator got there first and this claim is refused. Paused
        or after the deadline: refused."""
        task = self._pick(TaskStatus.OPEN, i)
        self.begin(f"claim task {task.id} by {who}")
        escrow, annotator = self.w.escrow, self.w.address(who)
        if self.paused["escrow"]:
            refuse(escrow, "claim_task", task.id, sender=annotator, reason=PAUSED)
            self.ledgers.paused_entries.append(("escrow", "claim_task"))
            return
        if self.now > escrow.tasks(task.id).claim_deadline:
            refuse(
                escrow, "claim_task", task.id, sender=annotator, reason="escrow: deadline passed"
            )
            return
        moved = self._claim_deadline(task)
        escrow.claim_task(task.id, sender=annotator)
        # The claim fixes the deadline, moved by the seconds paused since
        # the task was created.
        assert escrow.tasks(task.id).deadline == moved
        if moved != task.deadline:
            event("escrow: claim after a pause moved the deadline")
        task.status, task.annotator = TaskStatus.CLAIMED, annotator
        self.touch("token", "escrow")
        if front_run:
            other = self.w.address(ANNOTATORS[(ANNOTATORS.index(who) + 1) % len(ANNOTATORS)])
            refuse(escrow, "claim_task", task.id, sender=other, reason="escrow: task not open")
            event("escrow: front-run claim refused")
        assert self._check_status(task).annotator == annotator

    @precondition(lambda self: self._tasks(TaskStatus.CLAIMED))
    @rule(i=pick, wrong=wrong_items)
    def submit(self, i: int, wrong: frozenset[int]) -> None:
        """The annotator submits answers, wrong on the gold items `wrong`
        (works while paused); after the deadline: refused."""
        task = self._pick(TaskStatus.CLAIMED, i)
        self.begin(f"submit task {task.id}")
        escrow = self.w.escrow
        sheet = self.w.sheet(wrong)
        if self.now > escrow.tasks(task.id).deadline:
            refuse(escrow, "submit", task.id, sheet.root, "r", sender=task.annotator,
                   reason="escrow: deadline passed")  # fmt: skip
            return
        escrow.submit(task.id, sheet.root, "ipfs://answers", sender=task.annotator)
        task.status, task.wrong = TaskStatus.SUBMITTED, wrong
        on_chain = self._check_status(task)
        assert on_chain.review_end == self.now + on_chain.review_period
        self._exit("escrow", "submit")

    # -- review -------------------------------------------------------------------

    @precondition(lambda self: self._tasks(TaskStatus.SUBMITTED))
    @rule(i=pick, how=st.sampled_from(["accept", "reject", "reject", "finalize", "prove", "prove"]))
    def review(self, i: int, how: str) -> None:
        """The requester accepts, rejects into the court or proves a gold
        failure during the review period; after it, anyone finalizes."""
        task = self._pick(TaskStatus.SUBMITTED, i)
        self.begin(f"{how} task {task.id}")
        escrow, court = self.w.escrow, self.w.court
        on_chain = escrow.tasks(task.id)
        if how == "finalize" or self.now >= on_chain.review_end:
            self.wait(on_chain.review_end - self.now)
            escrow.finalize(task.id, sender=self.w.address(PEOPLE[-1]))
            self._accepted(task, on_chain, "finalize")
            return
        if how == "accept":
            escrow.accept(task.id, sender=task.requester)
            self._accepted(task, on_chain, "accept")
            return
        if how == "reject":
            if task.requester == self.w.address(PERMIT_REQUESTER):
                # No standing approval for the arbitration cost: the escrow's
                # pull of the fee reverts first, paused court or not (found by
                # the deep run, seed 20264007).
                return
            dispute_id = escrow.reject(task.id, b"\x02" * 32, sender=task.requester)
            task.status, task.dispute = TaskStatus.DISPUTED, dispute_id
            assert dispute_id == court.dispute_count() - 1
            self.open_dispute(Dispute(dispute_id, "escrow", task.id))
            self._check_status(task)
            self.touch("token", "escrow", "court")
            event("escrow: rejected into the court")
            return
        self._prove(task, on_chain)

    def _prove(self, task: Task, on_chain: Any) -> None:
        """Proves the first unproven gold item: a wrong answer slashes
        `gold_slash_bps` of the stake to the treasury; a right one is
        refused."""
        escrow, sheet = self.w.escrow, self.w.sheet(task.wrong)
        items = [i for i in GOLD_INDICES if i not in task.proven]
        item = next((i for i in items if i in task.wrong), items[0])
        if item not in task.wrong:
            gold = GOLD.items[item]
            args = (task.id, item, gold.answer_hash, gold.salt, GOLD.proof(item),
                    sheet.answers[item], sheet.proof(item))  # fmt: skip
            refuse(escrow, "prove_gold_failure", *args, sender=task.requester,
                   reason="escrow: answer matches gold")  # fmt: skip
            return
        params = escrow.params(on_chain.params_id)
        treasury = self.w.treasury
        before = self._claimable(treasury, task.requester, task.annotator)
        escrow.prove_gold_failure(
            *gold_failure_args(task.id, GOLD, sheet, item), sender=task.requester
        )
        task.proven.add(item)
        # The slash is held until the task settles: nobody is credited now.
        assert self._claimable(treasury, task.requester, task.annotator) == before
        if len(task.proven) >= params.gold_fail_limit:
            task.status = TaskStatus.GOLD_FAILED
            assert escrow.tasks(task.id).contest_end == self.now + params.gold_contest_period
            event("escrow: gold limit, contest window open")
        self._check_status(task)
        self.touch("escrow")
        event("escrow: gold failure proven")

    def _gold_slash(self, task: Task, on_chain: Any, held: int, to_treasury: int) -> None:
        """Records the held gold slashes once they are paid to the treasury."""
        if held:
            self.ledgers.slashes.append(
                Slash(
                    "escrow",
                    task.annotator,
                    held,
                    on_chain.stake,
                    "gold",
                    on_chain.annotator,
                    redistributed=0,
                    to_treasury=to_treasury,
                )  # fmt: skip
            )

    @precondition(lambda self: self._tasks(TaskStatus.GOLD_FAILED))
    @rule(i=pick, contest=st.booleans())
    def gold_failed(self, i: int, contest: bool) -> None:
        """The annotator contests a gold rejection at the court during the
        window (works while the escrow or the court is paused: the court's
        `createDispute` never pauses, so a pause cannot run the window out
        on the annotator); after it,
        anyone finalizes: REJECTED, the held slashes to the treasury, the
        bond back to the requester."""
        task = self._pick(TaskStatus.GOLD_FAILED, i)
        escrow = self.w.escrow
        on_chain = escrow.tasks(task.id)
        if contest and self.now < on_chain.contest_end:
            self.begin(f"contest gold of task {task.id}")
            for contract in ("escrow", "court"):
                if self.paused[contract]:
                    self.ledgers.paused_exits.append((contract, "contest_gold"))
                    event(f"{contract}: contest_gold while paused")
            dispute_id = escrow.contest_gold(task.id, "", sender=task.annotator)
            task.status, task.dispute, task.contested = TaskStatus.DISPUTED, dispute_id, True
            self.open_dispute(Dispute(dispute_id, "escrow", task.id))
            self._check_status(task)
            self.touch("token", "escrow", "court")
            event("escrow: gold contested at the court")
            return
        self.begin(f"finalize gold rejection of task {task.id}")
        self.wait(on_chain.contest_end - self.now)
        before = self._claimable(self.w.treasury, task.requester, task.annotator)
        escrow.finalize(task.id, sender=self.w.address(PEOPLE[-1]))
        self._gold_rejected(task, on_chain, before)
        self._exit("escrow", "finalize")

    def _gold_rejected(self, task: Task, on_chain: Any, before: dict[str, int]) -> None:
        """REJECTED by gold: reward + fee + bond back, the held slashes to the
        treasury, the rest of the stake back to the annotator."""
        params = self.w.escrow.params(on_chain.params_id)
        after = self._claimable(*before)
        remaining = self._remaining(on_chain, params)
        refund = on_chain.reward + on_chain.fee + on_chain.gold_bond
        assert after[task.requester] - before[task.requester] == refund
        assert after[task.annotator] - before[task.annotator] == remaining
        treasury_got = after[self.w.treasury] - before[self.w.treasury]
        assert treasury_got == on_chain.stake - remaining
        self._gold_slash(task, on_chain, treasury_got, treasury_got)
        task.status = TaskStatus.REJECTED
        self._check_status(task)

    def _remaining(self, on_chain: Any, params: Any) -> int:
        """The annotator's stake left after the gold failures proven."""
        return on_chain.stake - on_chain.gold_failures * (
            on_chain.stake * params.gold_slash_bps // 10_000
        )

    def _accepted(self, task: Task, on_chain: Any, how: str) -> None:
        """Accepted: the annotator is credited reward + remaining stake +
        bonus (bonus within the epoch budget), the treasury the fee."""
        logs = self.w.escrow.get_logs()
        (settled,) = [e for e in logs if type(e).__name__ == "TaskSettled"]
        params = self.w.escrow.params(on_chain.params_id)
        remaining = self._remaining(on_chain, params)
        assert settled.annotator_amount == on_chain.reward + remaining + settled.bonus
        held = on_chain.stake - remaining  # gold slashes, paid to the treasury now
        assert settled.treasury_amount == on_chain.fee + held and settled.slashed == 0
        assert settled.requester_amount == on_chain.gold_bond
        self._check_bonus(settled.bonus, on_chain, params)
        self._gold_slash(task, on_chain, held, held)
        task.status = TaskStatus.ACCEPTED
        self.bonus_epochs.add(self.now // self.w.escrow.EPOCH_LENGTH())
        self._check_status(task)
        self._exit("escrow", how)

    def _check_bonus(self, bonus: int, on_chain: Any, params: Any) -> None:
        """The bonus minted on acceptance is the model's: per item, capped by
        a share of the fee, by what the epoch's budget has left and by the
        token's cap (read after the mint, so the bonus is added back)."""
        w = self.w
        budget, minted = w.escrow.epoch_emission(self.now // w.escrow.EPOCH_LENGTH())
        room = w.cap - w.token.totalSupply() + bonus
        expected = min(
            params.bonus_per_item * on_chain.n_items,
            bps_of(on_chain.fee, params.bonus_fee_cap_bps),
            budget - minted + bonus,
            room,
        )
        assert bonus == expected, (bonus, expected)

    # -- a lifecycle step, governance and anyone's attempts ---------------------

    def _advanceable(self) -> list[Task]:
        live = TaskStatus.OPEN | TaskStatus.CLAIMED | TaskStatus.SUBMITTED
        return self._tasks(live | TaskStatus.GOLD_FAILED)

    @precondition(lambda self: self._advanceable())
    @rule(i=pick, branch=st.integers(0, 11), wrong=wrong_items, front_run=st.booleans())
    def escrow_advance(self, i: int, branch: int, wrong: frozenset[int], front_run: bool) -> None:
        """A live task moves one step along its lifecycle, as its parties
        would move it: claimed, submitted, reviewed (accepted, rejected,
        proven against gold or finalized), its gold rejection contested or
        finalized, through the rules above and with their checks. One rule
        for every transition (the old escrow machine's `advance`), so that
        swarm testing, which switches rules off per example, cannot cut
        every lifecycle short."""
        candidates = self._advanceable()
        task = candidates[i % len(candidates)]
        j = self._tasks(task.status).index(task)
        if task.status == TaskStatus.OPEN:
            self.claim_task(j, ANNOTATORS[branch % len(ANNOTATORS)], front_run)
        elif task.status == TaskStatus.CLAIMED:
            self.submit(j, wrong)
        elif task.status == TaskStatus.SUBMITTED:
            self.review(j, ("accept", "reject", "reject", "finalize", "prove", "prove")[branch % 6])
        else:
            self.gold_failed(j, branch % 3 != 0)

    @precondition(lambda self: self.escrow_versions * 4 < len(self.tasks))
    @rule(change=param_changes)
    def escrow_set_params(self, change: dict[str, Any]) -> None:
        """The timelock writes a new parameter version (at most one per four
        tasks): tasks created before keep theirs (`_check_status`), and
        every settlement is checked against the task's own version."""
        self.begin("escrow: new parameter version")
        escrow = self.w.escrow
        fields = as_dict(escrow.current_params())
        gold_slash_bps, gold_fail_limit = change.pop("gold")
        fields.update(change, gold_slash_bps=gold_slash_bps, gold_fail_limit=gold_fail_limit)
        escrow.set_params(tuple(fields.values()), sender=self.w.timelock)
        self.escrow_versions += 1
        event("escrow: set_params")

    @precondition(lambda self: self.tasks)
    @rule(action=st.sampled_from(ACTIONS), i=pick, who=st.sampled_from(CALLERS))
    def escrow_attempt(self, action: str, i: int, who: str) -> None:
        """Anyone tries any action on any task: when the model says it must
        fail, it reverts with the model's reason and the task is unchanged
        (when the model says it may succeed, the lifecycle rules above do
        it, with their checks)."""
        task = self.tasks[i % len(self.tasks)]
        self.begin(f"attempt {action} on task {task.id} by {who}")
        escrow, caller = self.w.escrow, self.w.address(who)
        on_chain = escrow.tasks(task.id)
        reason = self._refusal(action, task, caller, on_chain)
        if reason is None:
            event(f"escrow attempt: {action} allowed")
            return
        sheet = self.w.sheet(task.wrong)
        item = GOLD_INDICES[0]  # the refusal comes before the item is read
        gold = GOLD.items[item]
        args = {
            "cancel": ("cancel_task", task.id),
            "claim": ("claim_task", task.id),
            "submit": ("submit", task.id, sheet.root, "r"),
            "accept": ("accept", task.id),
            "reject": ("reject", task.id, b"\x02" * 32),
            "prove": (
                "prove_gold_failure",
                task.id,
                item,
                gold.answer_hash,
                gold.salt,
                GOLD.proof(item),
                sheet.answers[item],
                sheet.proof(item),
            ),
            "finalize": ("finalize", task.id),
            "reclaim": ("reclaim", task.id),
            "contest": ("contest_gold", task.id, ""),
            "rule": ("rule", task.dispute or 0, 1),
        }[action]
        refuse(escrow, *args, sender=caller, reason=reason)
        assert escrow.tasks(task.id) == on_chain
        event(f"escrow attempt: {action} refused")

    def _refusal(self, action: str, task: Task, caller: str, on_chain: Any) -> str | None:
        """Why `action` on `task` by `caller` must revert now, in the order
        the escrow checks (None: it may succeed)."""
        status, now = task.status, self.now
        checks = {
            "cancel": [(status != TaskStatus.OPEN, "task not open"),
                       (caller != task.requester, "caller is not the requester")],
            "claim": [(status != TaskStatus.OPEN, "task not open"),
                      (now > on_chain.claim_deadline, "deadline passed"),
                      (caller == task.requester, "requester cannot claim")],
            "submit": [(status != TaskStatus.CLAIMED, "task not claimed"),
                       (caller != task.annotator, "caller is not the annotator"),
                       (now > on_chain.deadline, "deadline passed")],
            "accept": [(status != TaskStatus.SUBMITTED, "task not submitted"),
                       (caller != task.requester, "caller is not the requester")],
            "reject": [(status != TaskStatus.SUBMITTED, "task not submitted"),
                       (caller != task.requester, "caller is not the requester"),
                       (now >= on_chain.review_end, "review period over")],
            "prove": [(status != TaskStatus.SUBMITTED, "task not submitted"),
                      (caller != task.requester, "caller is not the requester"),
                      (now >= on_chain.review_end, "review period over")],
            "finalize": [(status != TaskStatus.SUBMITTED, "task not submitted"),
                         (now < on_chain.review_end, "review period not over")],
            "reclaim": [(not status & (TaskStatus.OPEN | TaskStatus.CLAIMED),
                         "task not open or claimed"),
                        (now <= on_chain.claim_deadline, "deadline not passed")],
            "contest": [(status != TaskStatus.GOLD_FAILED, "task not gold-failed"),
                        (caller != task.annotator, "caller is not the annotator"),
                        (now >= on_chain.contest_end, "contest window over")],
        }  # fmt: skip
        if action == "rule":
            return "arbitrable: unknown dispute"  # only the court rules
        if action == "claim" and self.paused["escrow"]:
            return PAUSED
        if action == "finalize" and status == TaskStatus.GOLD_FAILED:
            checks[action] = [(now < on_chain.contest_end, "contest window not over")]
        return next((f"escrow: {why}" for failed, why in checks[action] if failed), None)

    @invariant()
    def invariant_escrow_no_deadline_expires_while_paused(self) -> None:
        """Escrow: the claim deadline (the only deadline whose action,
        `claim_task`, pauses) counts unpaused seconds: an open task's claim
        deadline is its deadline plus the seconds paused since its
        creation, so a pause never makes it pass. (Submission, review and
        contest deadlines wait for actions that work while paused.)"""
        paused_ever = self.paused["escrow"] or self.paused_total["escrow"]
        if not (self._due("escrow") and (paused_ever or self.sweeping)):
            return
        with boa.env.anchor():
            for task in self._tasks(TaskStatus.OPEN):
                expected = self._claim_deadline(task)
                assert self.w.escrow.tasks(task.id).claim_deadline == expected, task

    def escrow_ruled(self, task: Task, ruling: int, before: dict[str, int], on_chain: Any) -> None:
        """After the court's ruling reached the escrow (`execute_ruling`):
        1 accepted, 2 rejected with `reject_slash_bps` of the remaining stake
        slashed, 0 split without a slash."""
        params = self.w.escrow.params(on_chain.params_id)
        if task.contested and ruling == 2:  # the gold was right
            self._gold_rejected(task, on_chain, before)
            return
        after = self._claimable(*before)
        # A gold contest ruled 1 or refused undoes every gold slash.
        remaining = on_chain.stake if task.contested else self._remaining(on_chain, params)
        held = on_chain.stake - remaining
        requester_got = after[task.requester] - before[task.requester]
        annotator_got = after[task.annotator] - before[task.annotator]
        treasury_got = after[self.w.treasury] - before[self.w.treasury]
        refund = on_chain.reward + on_chain.fee + on_chain.gold_bond
        task.status = {0: TaskStatus.SPLIT, 1: TaskStatus.ACCEPTED, 2: TaskStatus.REJECTED}[ruling]
        self._check_status(task)
        if ruling == 2:
            slashed = remaining * params.reject_slash_bps // 10_000
            assert annotator_got == remaining - slashed
            self._gold_slash(task, on_chain, held, held)
            self.ledgers.slashes.append(
                Slash(
                    "escrow",
                    task.annotator,
                    slashed,
                    remaining,
                    "ruling",
                    on_chain.annotator,
                    redistributed=requester_got - refund,
                    to_treasury=treasury_got - held,
                )  # fmt: skip
            )
        elif ruling == 0:
            assert annotator_got == on_chain.reward // 2 + remaining  # no new slash
            self._gold_slash(task, on_chain, held, held)
        else:
            self.bonus_epochs.add(self.now // self.w.escrow.EPOCH_LENGTH())
            assert annotator_got >= on_chain.reward + remaining
            if task.contested:  # the gold was wrong: the bond goes to the annotator
                assert requester_got == 0
                assert annotator_got >= on_chain.reward + on_chain.stake + on_chain.gold_bond
            else:
                self._gold_slash(task, on_chain, held, held)

    # -- deadlines ----------------------------------------------------------------

    @precondition(lambda self: self._tasks(TaskStatus.OPEN | TaskStatus.CLAIMED))
    @rule(i=pick, early=st.booleans())
    def reclaim(self, i: int, early: bool) -> None:
        """Anyone settles a task whose deadline passed (works while paused):
        a claimed one slashes `late_slash_bps` of the stake, the treasury's
        share to the treasury, the rest to the requester. Before the
        deadline: refused."""
        task = self._pick(TaskStatus.OPEN | TaskStatus.CLAIMED, i)
        self.begin(f"reclaim task {task.id}")
        escrow, keeper = self.w.escrow, self.w.address(PEOPLE[-1])
        on_chain = escrow.tasks(task.id)
        if early and self.now <= on_chain.claim_deadline:
            refuse(escrow, "reclaim", task.id, sender=keeper, reason="escrow: deadline not passed")
            return
        self.wait(on_chain.claim_deadline + 1 - self.now)
        on_chain = escrow.tasks(task.id)
        # No deadline expires while the action it waits for is paused: an
        # open task's claim deadline keeps moving while claims are paused.
        # (A deadline that had passed before the pause stays passed: it moves
        # by the paused seconds, slower than the clock.)
        if (
            self.paused["escrow"]
            and task.status == TaskStatus.OPEN
            and on_chain.claim_deadline >= self.now
        ):
            event("escrow: claim deadline held by the pause")
            return
        accounts = [self.w.treasury, task.requester] + ([task.annotator] if task.annotator else [])
        before = self._claimable(*accounts)
        escrow.reclaim(task.id, sender=keeper)
        after = self._claimable(*accounts)
        refund = on_chain.reward + on_chain.fee + on_chain.gold_bond
        if task.annotator:
            params = escrow.params(on_chain.params_id)
            slashed = on_chain.stake * params.late_slash_bps // 10_000
            assert after[task.annotator] - before[task.annotator] == on_chain.stake - slashed
            self.ledgers.slashes.append(
                Slash(
                    "escrow",
                    task.annotator,
                    slashed,
                    on_chain.stake,
                    "deadline",
                    on_chain.annotator,
                    redistributed=after[task.requester] - before[task.requester] - refund,
                    to_treasury=after[self.w.treasury] - before[self.w.treasury],
                )  # fmt: skip
            )
        else:
            assert after[task.requester] - before[task.requester] == refund
        task.status = TaskStatus.EXPIRED
        self._check_status(task)
        self._exit("escrow", "reclaim")

    # -- pull payments ------------------------------------------------------------

    @precondition(lambda self: self.escrow_credited)
    @rule(i=pick, who=st.sampled_from((*PEOPLE, "treasury")))
    def escrow_withdraw(self, i: int, who: str) -> None:
        """Anyone withdraws what the escrow owes them (works while paused);
        with nothing owed: refused. (Seven times in eight an account a
        settlement credited, else `who`.)"""
        self.begin(f"escrow withdraw by {who}")
        escrow = self.w.escrow
        account = self.w.treasury if who == "treasury" else self.w.address(who)
        if i % 8:
            account = sorted(self.escrow_credited)[i % len(self.escrow_credited)]
        self.escrow_credited.discard(account)
        owed = escrow.claimable(account)
        if owed == 0:
            refuse(escrow, "withdraw", sender=account, reason="escrow: nothing to withdraw")
            return
        balance = self.w.token.balanceOf(account)
        assert escrow.withdraw(sender=account) == owed
        assert self.w.token.balanceOf(account) == balance + owed
        self._exit("escrow", "withdraw")

    def open_tasks(self) -> list[Task]:
        """Tasks not settled yet."""
        return [t for t in self.tasks if not t.status & TERMINAL]
