"""TaskEscrow under random sequences of actions, checked against a reference model.

`EscrowMachine` is the base: requesters create tasks, tasks `advance` along
their lifecycle (claim or cancel, submit, accept / reject / prove gold
failures / finalize, rulings, reclaim after a missed deadline), anyone
`attempt`s any action on any task as anyone (the model says whether it must
revert), accounts withdraw, time passes; plus the invariants.
`GovernedEscrowMachine` layers governance on top: new parameter versions
and the guardian's pause, so the same actions run across snapshots. The
test runs the governed machine.

Every action goes through one helper that asks the model whether it must
succeed (then the model books the amounts it expects, computed without the
contract) or revert (then the chain must not change; a revert cannot
change state, so the invariants' last read of the chain still holds).
`advance` is one rule rather than one rule per transition so that
Hypothesis's swarm testing (which switches rules off per example) cannot
cut every lifecycle short.

The invariants compare chain and model after every step; `teardown` drives
every task to a terminal status, has everyone withdraw, and checks that
the escrow ends empty. The market is deployed once per test (module
fixture); titanoboa's plugin runs every example in its own snapshot, so
each one starts from the same fresh deployment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boa
import pytest
from eth_utils import keccak
from hypothesis import event, note
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from labeldao.annotations import (
    AnswerTree,
    GoldItem,
    answer_hash,
    answer_tree,
    gold_failure_args,
    gold_tree,
)
from labeldao.boa_tools import deployer
from labeldao.escrow import BPS, EPOCH_LENGTH, TERMINAL, Ruling, TaskStatus, bps_of, fee_of

LDAO = 10**18
DAY = 86_400
CAP = 10**9 * LDAO
ARBITRATION_FEE = LDAO
ACTOR_FUNDS = 10**6 * LDAO
N_ITEMS = 8
GOLD_INDICES = (1, 5, 6)
GOLD = gold_tree(
    [GoldItem(i, answer_hash(f"gold-{i}"), keccak(text=f"salt-{i}")) for i in GOLD_INDICES]
)
DEFAULT_PARAMS = {
    "fee_bps": 250,
    "gold_slash_bps": 1_000,
    "gold_fail_limit": 3,
    "reject_slash_bps": 5_000,
    "late_slash_bps": 1_000,
    "slash_treasury_bps": 2_000,
    "bonus_per_item": 10**17,
    "bonus_fee_cap_bps": 5_000,
    "epoch_budget": 3 * LDAO,  # small, so that the budget binds
    "gold_bond": 2 * LDAO,  # above the mock arbitrator's fee
    "gold_contest_period": 2 * DAY,
}

REQUESTERS = ("requester-0", "requester-1")
ANNOTATORS = ("annotator-0", "annotator-1")
ACTORS = REQUESTERS + ANNOTATORS
# A few tasks in flight at a time, so that their lifecycles get to the end.
MAX_LIVE_TASKS = 3
ACTIONS = (
    "cancel",
    "claim",
    "submit",
    "accept",
    "reject",
    "prove",
    "finalize",
    "reclaim",
    "rule",
    "contest",
)

picks = st.integers(min_value=0, max_value=2**16)
amounts = st.integers(min_value=1, max_value=50 * LDAO)
wrong_sets = st.frozensets(st.sampled_from(GOLD_INDICES))
# Time passes inside the rules rather than in a rule of its own, which
# Hypothesis would draw far more often than the others (fewest arguments).
waits = st.just(0) | st.integers(min_value=1, max_value=3 * DAY)


@dataclass(frozen=True)
class Market:
    """The deployed contracts and the accounts the machine plays."""

    token: Any
    arbitrator: Any
    escrow: Any
    admin: str
    treasury: str
    guardian: str
    accounts: dict[str, str]


def deploy_market() -> Market:
    """Deploys LDAO, a MockArbitrator and the escrow (machine parameters), funds the actors."""
    admin = boa.env.generate_address("machine-admin")
    treasury = boa.env.generate_address("machine-treasury")
    guardian = boa.env.generate_address("machine-guardian")
    accounts = {name: boa.env.generate_address(name) for name in ACTORS}
    with boa.env.prank(admin):
        token = deployer("RewardToken").deploy(CAP)
        arbitrator = deployer("MockArbitrator", "tests/mocks").deploy(
            token.address, ARBITRATION_FEE
        )
        escrow = deployer("TaskEscrow").deploy(token.address, arbitrator.address, treasury)
        token.grantRole(token.MINTER_ROLE(), admin)
        token.grantRole(token.MINTER_ROLE(), escrow.address)
        escrow.grantRole(escrow.PARAMS_ROLE(), admin)
        escrow.grantRole(escrow.GUARDIAN_ROLE(), guardian)
        escrow.set_params(_with(escrow, DEFAULT_PARAMS))
    for address in accounts.values():
        token.mint(address, ACTOR_FUNDS, sender=admin)
        token.approve(escrow.address, 2**256 - 1, sender=address)
    return Market(token, arbitrator, escrow, admin, treasury, guardian, accounts)


def _with(escrow: Any, changes: dict) -> tuple:
    """The escrow's current parameters with `changes`, as `set_params` takes them."""
    fields = escrow.current_params()._asdict()
    fields.update(changes)
    return tuple(fields.values())


def _sheet(wrong: frozenset[int]) -> AnswerTree:
    """Answers that are right on every gold item except `wrong`."""
    answers = {}
    for i in range(N_ITEMS):
        good = f"gold-{i}" if i in GOLD_INDICES else f"label-{i}"
        answers[i] = answer_hash(f"wrong-{i}" if i in wrong else good)
    return answer_tree(answers)


def _log(logs: list, name: str) -> Any:
    """The one log called `name` among `logs`."""
    (found,) = [log for log in logs if type(log).__name__ == name]
    return found


@dataclass
class ModelTask:
    """What the model knows of a task."""

    requester: str
    params: dict
    reward: int
    fee: int
    stake: int
    deadline: int
    review_period: int
    status: TaskStatus = TaskStatus.OPEN
    annotator: str | None = None
    review_end: int = 0
    sheet: AnswerTree | None = None
    wrong: frozenset[int] = frozenset()
    proven: set[int] = field(default_factory=set)
    dispute_id: int | None = None
    slashed_in_logs: int = 0
    bond: int = 0
    pause_mark: int = 0  # the escrow's paused seconds at creation
    contest_end: int = 0
    contested: bool = False

    @property
    def gold_slash(self) -> int:
        return bps_of(self.stake, self.params["gold_slash_bps"])

    @property
    def remaining_stake(self) -> int:
        return self.stake - len(self.proven) * self.gold_slash

    @property
    def held(self) -> int:
        """What the escrow holds for this task: gold slashes stay held (in
        the stake) until it settles."""
        if self.status & TERMINAL:
            return 0
        if self.status == TaskStatus.OPEN:
            return self.reward + self.fee + self.bond
        return self.reward + self.fee + self.bond + self.stake


class EscrowMachine(RuleBasedStateMachine):
    """Requesters, annotators, anyone, the arbitrator and the clock."""

    def __init__(self, market: Market) -> None:
        super().__init__()
        self.m = market
        self.escrow = market.escrow
        self.treasury = market.treasury
        self.params = dict(DEFAULT_PARAMS)
        self.paused = False
        self.paused_total = 0  # seconds the escrow was paused, before the current pause
        self.paused_since = 0
        self.supply = market.token.totalSupply()
        self.tasks: list[ModelTask] = []
        accounts = [*market.accounts.values(), market.treasury]
        self.claimable = dict.fromkeys(accounts, 0)
        self.credited = dict.fromkeys(accounts, 0)
        self.withdrawn = dict.fromkeys(accounts, 0)
        self.epochs: dict[int, list[int]] = {}  # epoch -> [budget, minted]
        self.touched: set[int] = set()  # tasks changed by the step
        self.changed_accounts: set[str] = set()  # claimables changed by the step
        self.chain: Any = None  # the invariants' read of the chain, per step
        self.steps = 0
        self.attempts = 0

    def teardown(self) -> None:
        self._settle_everything()

    # -- the model's bookkeeping ---------------------------------------------

    def _now(self) -> int:
        return boa.env.evm.patch.timestamp

    def _account(self, who: str) -> str:
        return self.treasury if who == "treasury" else self.m.accounts[who]

    def _paused_seconds(self) -> int:
        return self.paused_total + (self._now() - self.paused_since if self.paused else 0)

    def _claim_deadline(self, task: ModelTask) -> int:
        """An open task's deadline counts unpaused seconds only."""
        if task.status == TaskStatus.OPEN:
            return task.deadline + self._paused_seconds() - task.pause_mark
        return task.deadline

    def _live_count(self) -> int:
        return sum(1 for t in self.tasks if not t.status & TERMINAL)

    def _wait(self, seconds: int) -> None:
        self.steps += 1
        if seconds:
            boa.env.time_travel(seconds=seconds)

    def _changed(self, task_id: int | None = None) -> None:
        """A transaction went through: the invariants must read the chain again."""
        self.chain = None
        if task_id is not None:
            self.touched.add(task_id)

    def _reverts(self, action: str, call: Callable[[], Any], reason: str | None = None) -> None:
        """`call` must revert (with `reason`, if given)."""
        event(f"{action}: reverts")
        with boa.reverts(*([reason] if reason else [])):
            call()

    def _credit(self, account: str, amount: int) -> None:
        self.claimable[account] += amount
        self.credited[account] += amount
        self.changed_accounts.add(account)

    def _settle(self, task_id: int, logs: list, status: TaskStatus, requester: int,
                annotator: int, treasury: int) -> None:  # fmt: skip
        """Books a terminal transition and checks its `TaskSettled` log."""
        task = self.tasks[task_id]
        task.status = status
        self._credit(task.requester, requester)
        if task.annotator is None:
            assert annotator == 0
        else:
            self._credit(task.annotator, annotator)
        self._credit(self.treasury, treasury)
        settled = _log(logs, "TaskSettled")
        assert (settled.task_id, settled.status) == (task_id, status)
        assert (settled.requester_amount, settled.annotator_amount, settled.treasury_amount) == (
            requester,
            annotator,
            treasury,
        )
        task.slashed_in_logs += settled.slashed

    def _bonus(self, task: ModelTask) -> int:
        """The bonus the contract must mint, computed from the model."""
        amount = min(
            task.params["bonus_per_item"] * N_ITEMS,
            bps_of(task.fee, task.params["bonus_fee_cap_bps"]),
        )
        if amount == 0:
            return 0
        epoch = self._now() // EPOCH_LENGTH
        budget, minted = self.epochs.setdefault(epoch, [self.params["epoch_budget"], 0])
        amount = min(amount, budget - minted, CAP - self.supply)
        self.epochs[epoch][1] += amount
        self.supply += amount
        return amount

    def _settle_accepted(self, task_id: int, logs: list, gold_was_wrong: bool = False) -> None:
        """ACCEPTED: the held gold slashes to the treasury and the bond back to
        the requester; a won gold contest: no slash, the bond to the annotator."""
        task = self.tasks[task_id]
        bonus = self._bonus(task)
        assert _log(logs, "TaskSettled").bonus == bonus
        if gold_was_wrong:
            self._settle(task_id, logs, TaskStatus.ACCEPTED, 0,
                         task.reward + task.stake + task.bond + bonus, task.fee)  # fmt: skip
            return
        held = task.stake - task.remaining_stake
        self._settle(task_id, logs, TaskStatus.ACCEPTED, task.bond,
                     task.reward + task.remaining_stake + bonus, task.fee + held)  # fmt: skip

    def _settle_gold_rejected(self, task_id: int, logs: list) -> None:
        task = self.tasks[task_id]
        remaining = task.remaining_stake
        self._settle(task_id, logs, TaskStatus.REJECTED, task.reward + task.fee + task.bond,
                     remaining, task.stake - remaining)  # fmt: skip

    # -- the actions: each one succeeds or reverts as the model says ---------

    def _create(self, requester: str, reward: int, stake: int, deadline_in: int,
                review_period: int) -> None:  # fmt: skip
        fee = fee_of(reward, self.params["fee_bps"])
        deadline = self._now() + deadline_in
        args = (b"\x01" * 32, "spec", N_ITEMS, reward, stake, deadline, review_period, GOLD.root)
        if self.paused:
            self._reverts(
                "create",
                lambda: self.escrow.create_task(*args, sender=requester),
                "pausable: contract is paused",
            )
            return
        task_id = self.escrow.create_task(*args, sender=requester)
        self._changed(task_id)
        event("create: ok")
        created = _log(self.escrow.get_logs(), "TaskCreated")
        assert (task_id, created.fee) == (len(self.tasks), fee)
        assert created.gold_bond == self.params["gold_bond"]
        self.tasks.append(
            ModelTask(requester, dict(self.params), reward, fee, stake, deadline, review_period,
                      bond=self.params["gold_bond"], pause_mark=self._paused_seconds())
        )  # fmt: skip
        note(f"create #{task_id}: reward {reward} stake {stake} fee {fee}")

    def _cancel(self, task_id: int, caller: str) -> None:
        task = self.tasks[task_id]
        if task.status != TaskStatus.OPEN or caller != task.requester:
            self._reverts("cancel", lambda: self.escrow.cancel_task(task_id, sender=caller))
            return
        self.escrow.cancel_task(task_id, sender=caller)
        self._changed(task_id)
        event("cancel: ok")
        self._settle(task_id, self.escrow.get_logs(), TaskStatus.CANCELLED,
                     task.reward + task.fee + task.bond, 0, 0)  # fmt: skip
        note(f"cancel #{task_id}")

    def _claim(self, task_id: int, caller: str) -> None:
        task = self.tasks[task_id]
        valid = (
            not self.paused
            and task.status == TaskStatus.OPEN
            and self._now() <= self._claim_deadline(task)
            and caller != task.requester
        )
        if not valid:
            self._reverts("claim", lambda: self.escrow.claim_task(task_id, sender=caller))
            return
        moved = self._claim_deadline(task)
        self.escrow.claim_task(task_id, sender=caller)
        self._changed(task_id)
        event("claim: ok" if moved == task.deadline else "claim: after a pause moved the deadline")
        assert _log(self.escrow.get_logs(), "TaskClaimed").deadline == moved
        task.status, task.annotator, task.deadline = TaskStatus.CLAIMED, caller, moved
        note(f"claim #{task_id} by {caller}")

    def _submit(self, task_id: int, caller: str, wrong: frozenset[int]) -> None:
        task = self.tasks[task_id]
        sheet = _sheet(wrong)
        valid = (
            task.status == TaskStatus.CLAIMED
            and caller == task.annotator
            and self._now() <= task.deadline
        )
        if not valid:
            self._reverts(
                "submit", lambda: self.escrow.submit(task_id, sheet.root, "r", sender=caller)
            )
            return
        self.escrow.submit(task_id, sheet.root, "r", sender=caller)
        self._changed(task_id)
        event("submit: ok")
        task.status, task.sheet, task.wrong = TaskStatus.SUBMITTED, sheet, wrong
        task.review_end = self._now() + task.review_period
        note(f"submit #{task_id}: {sorted(wrong)} wrong")

    def _in_review(self, task: ModelTask) -> bool:
        return task.status == TaskStatus.SUBMITTED and self._now() < task.review_end

    def _accept(self, task_id: int, caller: str) -> None:
        task = self.tasks[task_id]
        if task.status != TaskStatus.SUBMITTED or caller != task.requester:
            self._reverts("accept", lambda: self.escrow.accept(task_id, sender=caller))
            return
        self.escrow.accept(task_id, sender=caller)
        self._changed(task_id)
        event("accept: ok")
        self._settle_accepted(task_id, self.escrow.get_logs())
        note(f"accept #{task_id}")

    def _reject(self, task_id: int, caller: str) -> None:
        task = self.tasks[task_id]
        reason = keccak(text="bad work")
        if not self._in_review(task) or caller != task.requester:
            self._reverts("reject", lambda: self.escrow.reject(task_id, reason, sender=caller))
            return
        task.dispute_id = self.escrow.reject(task_id, reason, sender=caller)
        self._changed(task_id)
        event("reject: ok")
        task.status = TaskStatus.DISPUTED
        note(f"reject #{task_id}: dispute {task.dispute_id}")

    def _prove(self, task_id: int, caller: str, item: int) -> None:
        task = self.tasks[task_id]
        sheet = task.sheet or _sheet(frozenset(GOLD_INDICES))
        if item in task.wrong or task.sheet is None:
            args = gold_failure_args(task_id, GOLD, sheet, item)
        else:  # the annotator was right: the requester tries anyway
            gold = GOLD.items[item]
            args = (task_id, item, gold.answer_hash, gold.salt, GOLD.proof(item),
                    sheet.answers[item], sheet.proof(item))  # fmt: skip
        valid = (
            self._in_review(task)
            and caller == task.requester
            and item in task.wrong
            and item not in task.proven
        )
        if not valid:
            self._reverts("prove", lambda: self.escrow.prove_gold_failure(*args, sender=caller))
            return
        self.escrow.prove_gold_failure(*args, sender=caller)
        self._changed(task_id)
        event("prove: ok")
        logs = self.escrow.get_logs()
        proven = _log(logs, "GoldFailureProven")
        assert (proven.item_index, proven.slashed) == (item, task.gold_slash)
        task.slashed_in_logs += proven.slashed
        task.proven.add(item)  # the slash is held: nobody is credited now
        if len(task.proven) == task.params["gold_fail_limit"]:
            event("prove: gold limit, contest window")
            task.status = TaskStatus.GOLD_FAILED
            task.contest_end = self._now() + task.params["gold_contest_period"]
            assert _log(logs, "GoldRejectionPending").contest_end == task.contest_end
        note(f"gold failure #{task_id} item {item}: {len(task.proven)} proven")

    def _contest(self, task_id: int, caller: str) -> None:
        task = self.tasks[task_id]
        valid = (
            task.status == TaskStatus.GOLD_FAILED
            and caller == task.annotator
            and self._now() < task.contest_end
        )
        if not valid:
            self._reverts("contest", lambda: self.escrow.contest_gold(task_id, "", sender=caller))
            return
        task.dispute_id = self.escrow.contest_gold(task_id, "", sender=caller)
        self._changed(task_id)
        event("contest: ok")
        task.status, task.contested = TaskStatus.DISPUTED, True
        note(f"contest #{task_id}: dispute {task.dispute_id}")

    def _finalize(self, task_id: int, caller: str) -> None:
        task = self.tasks[task_id]
        if task.status == TaskStatus.GOLD_FAILED and self._now() >= task.contest_end:
            self.escrow.finalize(task_id, sender=caller)
            self._changed(task_id)
            event("finalize: gold rejection")
            self._settle_gold_rejected(task_id, self.escrow.get_logs())
            return
        if task.status != TaskStatus.SUBMITTED or self._now() < task.review_end:
            self._reverts("finalize", lambda: self.escrow.finalize(task_id, sender=caller))
            return
        self.escrow.finalize(task_id, sender=caller)
        self._changed(task_id)
        event("finalize: ok")
        self._settle_accepted(task_id, self.escrow.get_logs())
        note(f"finalize #{task_id}")

    def _reclaim(self, task_id: int, caller: str) -> None:
        task = self.tasks[task_id]
        live = task.status in (TaskStatus.OPEN, TaskStatus.CLAIMED)
        if not live or self._now() <= self._claim_deadline(task):
            self._reverts("reclaim", lambda: self.escrow.reclaim(task_id, sender=caller))
            return
        self.escrow.reclaim(task_id, sender=caller)
        self._changed(task_id)
        event("reclaim: ok")
        logs = self.escrow.get_logs()
        refund = task.reward + task.fee + task.bond
        if task.status == TaskStatus.OPEN:
            self._settle(task_id, logs, TaskStatus.EXPIRED, refund, 0, 0)
        else:
            slash = bps_of(task.stake, task.params["late_slash_bps"])
            share = bps_of(slash, task.params["slash_treasury_bps"])
            self._settle(task_id, logs, TaskStatus.EXPIRED, refund + slash - share,
                         task.stake - slash, share)  # fmt: skip
        note(f"reclaim #{task_id}")

    def _rule(self, task_id: int, ruling: Ruling) -> None:
        task = self.tasks[task_id]
        if task.dispute_id is None:
            return  # the arbitrator has nothing to rule
        if task.status != TaskStatus.DISPUTED:
            self._reverts(
                "rule",
                lambda: self.m.arbitrator.give_ruling(task.dispute_id, ruling),
                "arbitrable: dispute already ruled",
            )
            return
        self.m.arbitrator.give_ruling(task.dispute_id, ruling)
        self._changed(task_id)
        event(f"rule: {ruling.name}")
        logs = self.m.arbitrator.get_logs()
        # A refused gold contest undoes the gold slashes; otherwise they stand.
        remaining = task.stake if task.contested else task.remaining_stake
        held = task.stake - remaining
        if ruling == Ruling.ACCEPT:
            self._settle_accepted(task_id, logs, gold_was_wrong=task.contested)
        elif ruling == Ruling.REJECT and task.contested:
            self._settle_gold_rejected(task_id, logs)
        elif ruling == Ruling.REJECT:
            slash = bps_of(remaining, task.params["reject_slash_bps"])
            share = bps_of(slash, task.params["slash_treasury_bps"])
            self._settle(task_id, logs, TaskStatus.REJECTED,
                         task.reward + task.fee + task.bond + slash - share, remaining - slash,
                         share + held)  # fmt: skip
        else:
            half_reward, half_fee = task.reward // 2, task.fee // 2
            self._settle(task_id, logs, TaskStatus.SPLIT,
                         task.reward - half_reward + task.fee - half_fee + task.bond,
                         half_reward + remaining, half_fee + held)  # fmt: skip
        note(f"ruling {ruling.name} on #{task_id}")

    def _withdraw(self, account: str) -> None:
        owed = self.claimable[account]
        if owed == 0:
            self._reverts(
                "withdraw",
                lambda: self.escrow.withdraw(sender=account),
                "escrow: nothing to withdraw",
            )
            return
        assert self.escrow.withdraw(sender=account) == owed
        self._changed()
        event("withdraw: ok")
        logs = self.escrow.get_logs()
        withdrawn, transfer = _log(logs, "Withdrawn"), _log(logs, "Transfer")
        assert (withdrawn.account, withdrawn.amount) == (account, owed)
        assert (transfer.sender, transfer.receiver, transfer.value) == (
            self.escrow.address,
            account,
            owed,
        )
        self.withdrawn[account] += withdrawn.amount
        self.claimable[account] = 0
        self.changed_accounts.add(account)
        note(f"withdraw {account}: {owed}")

    # -- rules ---------------------------------------------------------------

    @precondition(lambda self: self._live_count() < MAX_LIVE_TASKS)
    @rule(
        who=st.sampled_from(REQUESTERS),
        reward=amounts,
        stake=amounts,
        deadline_in=st.integers(min_value=DAY, max_value=10 * DAY) | st.just(1),
        review_period=st.integers(min_value=DAY, max_value=14 * DAY),
        wait=waits,
    )
    def create_task(self, who, reward, stake, deadline_in, review_period, wait):
        self._wait(wait)
        self._create(self.m.accounts[who], reward, stake, deadline_in, review_period)

    @precondition(lambda self: any(not t.status & TERMINAL for t in self.tasks))
    @rule(
        pick=picks,
        branch=picks,
        wrong=wrong_sets,
        item=st.sampled_from(GOLD_INDICES),
        ruling=st.sampled_from(list(Ruling)),
        wait=waits,
    )
    def advance(self, pick, branch, wrong, item, ruling, wait):
        """Time passes, then a live task moves one step along its lifecycle, as
        its parties would."""
        self._wait(wait)
        live = [i for i, t in enumerate(self.tasks) if not t.status & TERMINAL]
        task_id = live[pick % len(live)]
        task = self.tasks[task_id]
        late = self._now() > self._claim_deadline(task)
        unproven = sorted(set(task.wrong) - task.proven)
        too_late = branch % 16 == 1  # a party acts too late: it must revert
        if task.status == TaskStatus.OPEN and late and too_late:
            self._claim(task_id, self.m.accounts[ANNOTATORS[0]])
        elif task.status == TaskStatus.CLAIMED and late and too_late:
            self._submit(task_id, task.annotator, wrong)
        elif task.status in (TaskStatus.OPEN, TaskStatus.CLAIMED) and late:
            self._reclaim(task_id, self.m.accounts[ACTORS[branch % len(ACTORS)]])
        elif task.status == TaskStatus.OPEN:
            if branch % 6 == 0:
                self._cancel(task_id, task.requester)
            else:
                claimers = [a for a in self.m.accounts.values() if a != task.requester]
                self._claim(task_id, claimers[branch % len(claimers)])
        elif task.status == TaskStatus.CLAIMED:
            self._submit(task_id, task.annotator, wrong)
        elif task.status == TaskStatus.SUBMITTED and not self._in_review(task):
            choice = branch % 4  # the review period is over: proofs and rejections revert
            if choice == 0:
                self._accept(task_id, task.requester)
            elif choice == 1:
                self._prove(task_id, task.requester, unproven[0] if unproven else item)
            elif choice == 2:
                self._reject(task_id, task.requester)
            else:
                self._finalize(task_id, self.m.accounts[ACTORS[branch % len(ACTORS)]])
        elif task.status == TaskStatus.SUBMITTED:
            choice = branch % 4
            if choice == 0:
                self._accept(task_id, task.requester)
            elif choice == 1:
                self._reject(task_id, task.requester)
            else:  # prove a gold failure if there is one to prove
                self._prove(task_id, task.requester, unproven[0] if unproven else item)
        elif task.status == TaskStatus.DISPUTED:
            self._rule(task_id, ruling)
        elif task.status == TaskStatus.GOLD_FAILED:
            if branch % 3 == 0 or self._now() >= task.contest_end:
                self._finalize(task_id, self.m.accounts[ACTORS[branch % len(ACTORS)]])
            else:
                self._contest(task_id, task.annotator)

    @precondition(lambda self: self.tasks and self.attempts * 8 < self.steps)
    @rule(
        action=st.sampled_from(ACTIONS),
        pick=picks,
        who=st.sampled_from(ACTORS),
        wrong=wrong_sets,
        item=st.sampled_from(GOLD_INDICES),
        ruling=st.sampled_from(list(Ruling)),
        wait=waits,
    )
    def attempt(self, action, pick, who, wrong, item, ruling, wait):
        """Time passes, then anyone tries any action on any task: it succeeds
        or reverts as the model says. (About one step in eight: a revert
        costs titanoboa a dump of the contract's storage.)"""
        self.attempts += 1
        self._wait(wait)
        task_id = pick % len(self.tasks)
        caller = self.m.accounts[who]
        match action:
            case "cancel":
                self._cancel(task_id, caller)
            case "claim":
                self._claim(task_id, caller)
            case "submit":
                self._submit(task_id, caller, wrong)
            case "accept":
                self._accept(task_id, caller)
            case "reject":
                self._reject(task_id, caller)
            case "prove":
                self._prove(task_id, caller, item)
            case "finalize":
                self._finalize(task_id, caller)
            case "reclaim":
                self._reclaim(task_id, caller)
            case "rule":
                self._rule(task_id, ruling)
            case "contest":
                self._contest(task_id, caller)

    @precondition(lambda self: any(self.claimable.values()))
    @rule(pick=picks, who=st.sampled_from((*ACTORS, "treasury")))
    def withdraw(self, pick, who):
        """Seven times in eight an account that is owed something withdraws,
        else `who`, owed or not."""
        owed = [account for account, amount in self.claimable.items() if amount]
        account = owed[pick % len(owed)] if pick % 8 else self._account(who)
        self._withdraw(account)

    # -- invariants ----------------------------------------------------------

    def _chain(self) -> Any:
        """The chain's side of the invariants, read once per step that changed
        it: the escrow's balance and liabilities, and the claimables the model
        changed. (Crediting any other account would raise `liabilities` above
        the model's total, or leave a changed account short.)"""
        if self.chain is None:
            escrow = self.escrow
            self.chain = (
                self.m.token.balanceOf(escrow.address),
                escrow.liabilities(),
                {account: escrow.claimable(account) for account in self.changed_accounts},
            )
            self.changed_accounts = set()
        return self.chain

    @invariant()
    def balance_equals_what_is_owed(self):
        """The escrow's LDAO balance equals `liabilities`, which equals what the
        model says it owes: open rewards + fees + stakes + every claimable."""
        balance, liabilities, _ = self._chain()
        owed = sum(t.held for t in self.tasks) + sum(self.claimable.values())
        assert balance == liabilities == owed

    @invariant()
    def claimables_match_the_model(self):
        """Each account may withdraw exactly what the model credited it, and
        credited == withdrawn + claimable: nothing is paid twice or lost."""
        _, _, claimables = self._chain()
        for account, claimable in claimables.items():
            assert claimable == self.claimable[account]
        for account, owed in self.claimable.items():
            assert self.credited[account] == self.withdrawn[account] + owed

    @invariant()
    def slashes_never_exceed_the_stake(self):
        """The slashes logged for a task (gold, late, reject) add up to at most its stake."""
        for task in self.tasks:
            assert task.slashed_in_logs <= task.stake

    @invariant()
    def changed_tasks_have_one_status_the_models(self):
        """A task changed by the step has exactly one status, the model's; so a
        terminal status, which the model never leaves, never changes."""
        for task_id in sorted(self.touched):
            chain = self.escrow.tasks(task_id)
            assert bin(chain.status).count("1") == 1
            assert chain.status == self.tasks[task_id].status
            assert chain.gold_failures == len(self.tasks[task_id].proven)
        self.touched.clear()

    @invariant()
    def no_deadline_expires_while_its_action_is_paused(self):
        """The claim deadline (the only deadline whose action, `claim_task`,
        pauses) counts unpaused seconds: an open task's claim deadline is its
        deadline plus the seconds paused since its creation, so a pause never
        makes it pass. (Submission, review and contest deadlines wait for
        actions that work while paused: the rules call them while paused.)"""
        for task_id, task in enumerate(self.tasks):
            if task.status == TaskStatus.OPEN and task_id in self.touched | {len(self.tasks) - 1}:
                assert self.escrow.tasks(task_id).claim_deadline == self._claim_deadline(task)

    # -- the end: everything settles and leaves ------------------------------

    def _settle_everything(self) -> None:
        """Every task reaches exactly one terminal status; then everyone
        withdraws and the escrow holds nothing."""
        boa.env.time_travel(seconds=30 * DAY)
        for task_id, task in enumerate(self.tasks):
            if task.status in (TaskStatus.OPEN, TaskStatus.CLAIMED):
                self._reclaim(task_id, self.treasury)
            elif task.status == TaskStatus.SUBMITTED:
                self._finalize(task_id, self.treasury)
            elif task.status == TaskStatus.DISPUTED:
                self._rule(task_id, Ruling.ACCEPT)
            elif task.status == TaskStatus.GOLD_FAILED:
                self._finalize(task_id, self.treasury)
        self.touched.update(range(len(self.tasks)))
        self.changed_tasks_have_one_status_the_models()
        assert all(task.status & TERMINAL for task in self.tasks)
        for account, owed in self.claimable.items():
            if owed:
                self._withdraw(account)
        escrow = self.escrow
        assert all(escrow.claimable(account) == 0 for account in self.claimable)
        assert self.m.token.balanceOf(escrow.address) == escrow.liabilities() == 0


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


class GovernedEscrowMachine(EscrowMachine):
    """The same market while the timelock changes parameters and the guardian
    pauses: at most one governance action per four tasks created, and a
    pause is lifted soon."""

    def __init__(self, market: Market) -> None:
        super().__init__(market)
        self.governed = 0

    @precondition(lambda self: self.paused or self.governed * 4 < len(self.tasks))
    @rule(change=param_changes | st.sampled_from(["pause", "unpause", "unpause"]))
    def govern(self, change):
        """A new parameter version, or the guardian pauses/unpauses entries
        (more often unpauses, so that the market is mostly open)."""
        self.governed += 1
        if isinstance(change, str):
            paused = change == "pause"
            if paused == self.paused:
                return
            if paused:
                self.escrow.pause(sender=self.m.guardian)
                self.paused_since = self._now()
            else:
                self.escrow.unpause(sender=self.m.guardian)
                self.paused_total += self._now() - self.paused_since
            self._changed()
            event(f"govern: {change}")
            self.paused = paused
            note(f"paused: {paused}")
            return
        slashes = change.pop("gold")
        change.update(gold_slash_bps=slashes[0], gold_fail_limit=slashes[1])
        self.escrow.set_params(_with(self.escrow, change), sender=self.m.admin)
        self._changed()
        event("govern: set_params")
        self.params.update(change)
        note(f"params: {change}")


@pytest.fixture(scope="module")
def market() -> Market:
    return deploy_market()


def test_escrow_market(market):
    """The governed machine: every base action and invariant, across parameter
    versions and pauses. (`EscrowMachine` alone is the same suite with fixed
    parameters; running only its subclass keeps the `ci` profile near a minute.)"""
    run_state_machine_as_test(lambda: GovernedEscrowMachine(market))
