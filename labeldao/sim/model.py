"""The pure-Python reference model of LabelDAO's mechanisms.

The model re-derives every amount from the mechanism rules (DESIGN.md and
docs/decisions.md): fees, bonuses and their clamps, gold, reject and fraud
slashes and their splits, juror locks, penalties and pro-rata rewards,
epoch rewards. It never reads an amount from the chain. Its inputs are the
agents' decisions and the outcomes of chance the chain alone knows: which
jurors a draw seated, in which order (the sortition randomness).

`Model.expected()` lists what the chain must show: every tracked LDAO
balance, escrow `claimable`, court free/locked/claimable stake, registry
node stakes and credits, and the status of every task changed since the
last check. The engine reads the same quantities from the contracts and
stops on any difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labeldao.escrow import TaskStatus

BPS = 10_000
ESCROW_EPOCH = 7 * 86_400  # TaskEscrow.EPOCH_LENGTH (fixed in the contract)

# Registry report statuses as the model names them.
FILED, CHALLENGED, VOIDED, UPHELD = "filed", "challenged", "voided", "upheld"
# Task statuses whose tokens the escrow still holds.
LIVE = (
    TaskStatus.OPEN
    | TaskStatus.CLAIMED
    | TaskStatus.SUBMITTED
    | TaskStatus.DISPUTED
    | TaskStatus.GOLD_FAILED
)


class ModelError(RuntimeError):
    """An action the model says cannot happen (a bug in the engine or agents)."""


@dataclass(frozen=True)
class EscrowTerms:
    """The escrow parameters the model needs (a task keeps its version)."""

    fee_bps: int
    gold_slash_bps: int
    gold_fail_limit: int
    reject_slash_bps: int
    slash_treasury_bps: int
    bonus_per_item: int
    bonus_fee_cap_bps: int
    epoch_budget: int
    gold_bond: int = 0  # posted at create_task with a gold root (issue 14)
    gold_contest_period: int = 0


@dataclass(frozen=True)
class CourtTerms:
    """The court parameters the model needs."""

    min_juror_stake: int
    alpha_bps: int
    non_reveal_multiplier_bps: int
    panel_size: int
    fee_per_juror: int

    @property
    def seat_lock(self) -> int:
        return self.min_juror_stake * self.alpha_bps // BPS

    @property
    def arbitration_cost(self) -> int:
        return self.fee_per_juror * self.panel_size


@dataclass(frozen=True)
class RegistryTerms:
    """The registry parameters and epoch terms the model needs."""

    stake_per_gpu: tuple[int, int, int, int]
    challenge_bond: int
    fraud_slash_bps: int
    challenger_share_bps: int
    epoch_length: int
    genesis: int
    epoch_emission: int
    reporting_window: int
    challenge_period: int

    def epoch_of(self, timestamp: int) -> int:
        return (timestamp - self.genesis) // self.epoch_length

    def final_at(self, epoch: int) -> int:
        end = self.genesis + (epoch + 1) * self.epoch_length
        return end + self.reporting_window + self.challenge_period


@dataclass
class Task:
    """A task as the model sees it."""

    requester: str
    reward: int
    fee: int
    stake: int
    n_items: int
    status: TaskStatus = TaskStatus.OPEN
    annotator: str = ""
    gold_failures: int = 0
    bond: int = 0  # the requester's gold bond, held until settlement
    contest: bool = False  # the dispute is the annotator's gold contest

    def remaining_stake(self, terms: EscrowTerms) -> int:
        return self.stake - self.gold_failures * (self.stake * terms.gold_slash_bps // BPS)


@dataclass
class Round:
    """One court round: its fee, seats, votes and the appeal funding it collected."""

    fee: int
    jurors: list[str] = field(default_factory=list)  # in draw order
    seats: dict[str, int] = field(default_factory=dict)
    revealed: dict[str, int] = field(default_factory=dict)  # juror -> choice
    funding: list[tuple[int, str]] = field(default_factory=list)  # (side, funder)
    funding_cost: int = 0
    closed: bool = False  # closed undrawn (`close_undrawn`): judged nothing


@dataclass
class Dispute:
    """A dispute: its rounds (an appeal funded by two sides opens the next)."""

    arbitrable: str
    rounds: list[Round]
    executed: bool = False
    payer: str = ""  # who paid round 0's fee (refunded if it is closed undrawn)


@dataclass
class Juror:
    free: int = 0
    locked: int = 0


@dataclass
class Node:
    owner: str
    stake: int
    first_epoch: int
    active: bool = True
    convicted: bool = False  # a fraud ruling: its unclaimed rewards are forfeited


@dataclass
class Report:
    effective: int
    status: str = FILED
    challenger: str = ""
    bond: int = 0
    claimed: bool = False
    fee: int = 0  # the challenger's arbitration fee, refunded out of a fraud slash
    paid: int = 0  # claims top up to the epoch's current total


@dataclass
class Model:
    """Token, escrow, court and registry state, derived from actions alone."""

    escrow_terms: EscrowTerms
    court_terms: CourtTerms
    registry_terms: RegistryTerms
    cap: int
    treasury: str
    escrow: str
    court: str
    registry: str
    balances: dict[str, int] = field(default_factory=dict)
    total_supply: int = 0
    tasks: dict[int, Task] = field(default_factory=dict)
    escrow_claimable: dict[str, int] = field(default_factory=dict)
    bonus_minted: dict[int, int] = field(default_factory=dict)  # escrow epoch -> minted
    disputes: dict[int, Dispute] = field(default_factory=dict)
    jurors: dict[str, Juror] = field(default_factory=dict)
    court_claimable: dict[str, int] = field(default_factory=dict)
    nodes: dict[int, Node] = field(default_factory=dict)
    reports: dict[tuple[int, int], Report] = field(default_factory=dict)
    # The same reports by node (node -> epoch -> report): a node's claim
    # looks at its own reports, not at every node's since the first epoch.
    node_reports: dict[int, dict[int, Report]] = field(default_factory=dict)
    epoch_units: dict[int, int] = field(default_factory=dict)
    registry_credits: dict[str, int] = field(default_factory=dict)
    changed_tasks: set[int] = field(default_factory=set)
    # Totals for the summary.
    slashed: dict[str, int] = field(default_factory=dict)  # account -> slashed from it

    # -- token --------------------------------------------------------------

    def mint(self, to: str, amount: int) -> None:
        if self.total_supply + amount > self.cap:
            raise ModelError("mint past the cap")
        self.balances[to] = self.balances.get(to, 0) + amount
        self.total_supply += amount

    def transfer(self, frm: str, to: str, amount: int) -> None:
        have = self.balances.get(frm, 0)
        if amount > have:
            raise ModelError(f"{frm} cannot pay {amount}: holds {have}")
        self.balances[frm] = have - amount
        self.balances[to] = self.balances.get(to, 0) + amount

    def balance(self, account: str) -> int:
        return self.balances.get(account, 0)

    def _slash(self, account: str, amount: int) -> None:
        if amount:
            self.slashed[account] = self.slashed.get(account, 0) + amount

    # -- escrow -------------------------------------------------------------

    def task_cost(self, reward: int, gold: bool = True) -> int:
        """Reward, fee and (with gold items) the gold bond."""
        bond = self.escrow_terms.gold_bond if gold else 0
        return reward + reward * self.escrow_terms.fee_bps // BPS + bond

    def create_task(
        self, task_id: int, requester: str, reward: int, stake: int, n: int, gold: bool = False
    ) -> None:
        """A new task; with a gold root the requester posts the gold bond."""
        if task_id in self.tasks:
            raise ModelError(f"task {task_id} exists")
        fee = reward * self.escrow_terms.fee_bps // BPS
        bond = self.escrow_terms.gold_bond if gold else 0
        self.transfer(requester, self.escrow, reward + fee + bond)
        self.tasks[task_id] = Task(requester, reward, fee, stake, n, bond=bond)
        self.changed_tasks.add(task_id)

    def claim_task(self, task_id: int, annotator: str) -> None:
        task = self._task(task_id, TaskStatus.OPEN)
        self.transfer(annotator, self.escrow, task.stake)
        task.annotator, task.status = annotator, TaskStatus.CLAIMED
        self.changed_tasks.add(task_id)

    def submit(self, task_id: int) -> None:
        self._task(task_id, TaskStatus.CLAIMED).status = TaskStatus.SUBMITTED
        self.changed_tasks.add(task_id)

    def accept(self, task_id: int, now: int) -> int:
        """accept, finalize and ruling 1; returns the bonus minted. The
        held gold slashes go to the treasury, the bond back to the
        requester; a won gold contest (the gold was wrong) gives the
        annotator its whole stake and the bond."""
        task = self._task(task_id, TaskStatus.SUBMITTED | TaskStatus.DISPUTED)
        bonus = self._bonus(task, now)
        if bonus:
            self.mint(self.escrow, bonus)
        stake_back = task.stake if task.contest else task.remaining_stake(self.escrow_terms)
        bond_to = task.annotator if task.contest else task.requester
        self._credit(task.annotator, task.reward + stake_back + bonus)
        self._credit(bond_to, task.bond)
        self._credit(self.treasury, task.fee + task.stake - stake_back)
        self._slash(task.annotator, task.stake - stake_back)
        task.status = TaskStatus.ACCEPTED
        self.changed_tasks.add(task_id)
        return bonus

    def _bonus(self, task: Task, now: int) -> int:
        t = self.escrow_terms
        amount = min(t.bonus_per_item * task.n_items, task.fee * t.bonus_fee_cap_bps // BPS)
        if amount == 0:
            return 0
        epoch = now // ESCROW_EPOCH
        minted = self.bonus_minted.get(epoch, 0)
        amount = min(amount, t.epoch_budget - minted, self.cap - self.total_supply)
        self.bonus_minted[epoch] = minted + amount
        return amount

    def prove_gold_failure(self, task_id: int) -> bool:
        """One proven gold failure (its slash held in the task until it
        settles); True when it reached the limit: the task is GOLD_FAILED,
        its contest window open."""
        task = self._task(task_id, TaskStatus.SUBMITTED)
        task.gold_failures += 1
        self.changed_tasks.add(task_id)
        if task.gold_failures < self.escrow_terms.gold_fail_limit:
            return False
        task.status = TaskStatus.GOLD_FAILED
        return True

    def finalize_gold_failed(self, task_id: int) -> None:
        """`finalize` after the contest window (and a gold contest's
        ruling 2): REJECTED, the requester refunded with its bond, the
        treasury the gold slashes, the annotator the rest of its stake."""
        task = self._task(task_id, TaskStatus.GOLD_FAILED | TaskStatus.DISPUTED)
        remaining = task.remaining_stake(self.escrow_terms)
        self._credit(task.requester, task.reward + task.fee + task.bond)
        self._credit(task.annotator, remaining)
        self._credit(self.treasury, task.stake - remaining)
        self._slash(task.annotator, task.stake - remaining)
        task.status = TaskStatus.REJECTED
        self.changed_tasks.add(task_id)

    def contest_gold(self, task_id: int, dispute_id: int) -> None:
        """The annotator takes a gold rejection to the court, paying the fee."""
        task = self._task(task_id, TaskStatus.GOLD_FAILED)
        cost = self.court_terms.arbitration_cost
        self.transfer(task.annotator, self.escrow, cost)
        self.transfer(self.escrow, self.court, cost)
        task.status, task.contest = TaskStatus.DISPUTED, True
        self.disputes[dispute_id] = Dispute(
            f"task:{task_id}", [Round(fee=cost)], payer=task.annotator
        )
        self.changed_tasks.add(task_id)

    def reject(self, task_id: int, dispute_id: int) -> None:
        task = self._task(task_id, TaskStatus.SUBMITTED)
        cost = self.court_terms.arbitration_cost
        self.transfer(task.requester, self.escrow, cost)
        self.transfer(self.escrow, self.court, cost)
        task.status = TaskStatus.DISPUTED
        self.disputes[dispute_id] = Dispute(
            f"task:{task_id}", [Round(fee=cost)], payer=task.requester
        )
        self.changed_tasks.add(task_id)

    def rule_task(self, task_id: int, ruling: int, now: int) -> None:
        task = self._task(task_id, TaskStatus.DISPUTED)
        t = self.escrow_terms
        if ruling == 1:
            self.accept(task_id, now)
            return
        if ruling == 2 and task.contest:
            self.finalize_gold_failed(task_id)
            return
        # A refused gold contest proved nobody wrong: its gold slashes go back.
        remaining = task.stake if task.contest else task.remaining_stake(t)
        held = task.stake - remaining
        self._slash(task.annotator, held)
        if ruling == 2:
            slashed = remaining * t.reject_slash_bps // BPS
            to_treasury = slashed * t.slash_treasury_bps // BPS
            self._credit(task.requester, task.reward + task.fee + slashed - to_treasury + task.bond)
            self._credit(task.annotator, remaining - slashed)
            self._credit(self.treasury, to_treasury + held)
            self._slash(task.annotator, slashed)
            task.status = TaskStatus.REJECTED
        else:
            half_reward, half_fee = task.reward // 2, task.fee // 2
            self._credit(
                task.requester, task.reward - half_reward + task.fee - half_fee + task.bond
            )
            self._credit(task.annotator, half_reward + remaining)
            self._credit(self.treasury, half_fee + held)
            task.status = TaskStatus.SPLIT
        self.changed_tasks.add(task_id)

    def escrow_withdraw(self, account: str) -> int:
        amount = self.escrow_claimable.pop(account, 0)
        self.transfer(self.escrow, account, amount)
        return amount

    def _credit(self, account: str, amount: int) -> None:
        if amount:
            self.escrow_claimable[account] = self.escrow_claimable.get(account, 0) + amount

    def _task(self, task_id: int, allowed: TaskStatus) -> Task:
        task = self.tasks.get(task_id)
        if task is None or not task.status & allowed:
            raise ModelError(f"task {task_id}: not in {allowed!r}")
        return task

    # -- court --------------------------------------------------------------

    def stake(self, juror: str, amount: int) -> None:
        self.transfer(juror, self.court, amount)
        self.jurors.setdefault(juror, Juror()).free += amount

    def seated(self, dispute_id: int, juror: str, seats: int) -> None:
        """The draw gave `juror` `seats` more seats in the current round (chance)."""
        rnd = self.disputes[dispute_id].rounds[-1]
        if juror not in rnd.seats:
            rnd.jurors.append(juror)
            rnd.seats[juror] = 0
        rnd.seats[juror] += seats
        lock = seats * self.court_terms.seat_lock
        state = self.jurors[juror]
        if lock > state.free:
            raise ModelError(f"{juror} seated without the free stake to cover the lock")
        state.free -= lock
        state.locked += lock

    def reveal(self, dispute_id: int, juror: str, choice: int) -> None:
        self.disputes[dispute_id].rounds[-1].revealed[juror] = choice

    def plurality(self, dispute_id: int, round_: int = -1) -> tuple[int, bool]:
        """(ruling, tied) of a round: plurality of revealed seats; a tie or no vote rules 0."""
        rnd = self.disputes[dispute_id].rounds[round_]
        tally: dict[int, int] = {}
        for juror, choice in rnd.revealed.items():
            tally[choice] = tally.get(choice, 0) + rnd.seats[juror]
        if not tally:
            return 0, True
        top = max(tally.values())
        winners = [c for c, v in tally.items() if v == top]
        return (winners[0], False) if len(winners) == 1 else (0, True)

    def appeal_cost(self, dispute_id: int) -> int:
        """`fee_per_juror x (2n + 1)` for a current panel of n seats."""
        panel = sum(self.disputes[dispute_id].rounds[-1].seats.values())
        return self.court_terms.fee_per_juror * (2 * panel + 1)

    def fund_appeal(self, dispute_id: int, side: int, funder: str) -> bool:
        """Funds one side of an appeal of the current round; True when it
        was the second side, which opens the next round (one deposit is its fee)."""
        dispute = self.disputes[dispute_id]
        rnd = dispute.rounds[-1]
        cost = self.appeal_cost(dispute_id)
        if any(s == side for s, _ in rnd.funding) or len(rnd.funding) == 2:
            raise ModelError(f"dispute {dispute_id}: side {side} cannot be funded")
        self.transfer(funder, self.court, cost)
        rnd.funding.append((side, funder))
        rnd.funding_cost = cost
        if len(rnd.funding) == 2:
            dispute.rounds.append(Round(fee=cost))
            return True
        return False

    def close_undrawn(self, dispute_id: int) -> None:
        """`close_undrawn`: the current round, not fully drawn by its draw
        deadline, judged nothing; its fee goes back to whoever paid it (the
        payer for round 0, the second funder of the appeal for a later one)."""
        dispute = self.disputes[dispute_id]
        rnd = dispute.rounds[-1]
        if rnd.closed or dispute.executed:
            raise ModelError(f"dispute {dispute_id}: nothing to close")
        payer = dispute.rounds[-2].funding[1][1] if len(dispute.rounds) > 1 else dispute.payer
        self._court_credit(payer, rnd.fee)
        rnd.fee, rnd.closed = 0, True

    def final_ruling(self, dispute_id: int) -> tuple[int, int, bool]:
        """(ruling, jury ruling, tied): a side funded alone in the last round's
        appeal period wins by default; coherence is judged on the jury's ruling.
        A last round closed undrawn: round 0 refuses (ruling 0), a later one
        leaves the previous round's jury ruling standing."""
        rounds = self.disputes[dispute_id].rounds
        if rounds[-1].closed:
            if len(rounds) == 1:
                return 0, 0, False
            jury, tied = self.plurality(dispute_id, -2)
            return jury, jury, tied
        jury, tied = self.plurality(dispute_id)
        last = rounds[-1]
        if len(last.funding) == 1 and last.funding[0][0] != jury:
            return last.funding[0][0], jury, tied
        return jury, jury, tied

    def execute(self, dispute_id: int) -> dict[str, int]:
        """Settles every round of a final dispute; returns each juror's change."""
        dispute = self.disputes[dispute_id]
        if dispute.executed:
            raise ModelError(f"dispute {dispute_id} executed twice")
        ruling, jury, tied = self.final_ruling(dispute_id)
        change: dict[str, int] = {}
        for i, rnd in enumerate(dispute.rounds):
            after_closed = i + 1 < len(dispute.rounds) and dispute.rounds[i + 1].closed
            self._return_appeal_funds(rnd, ruling, after_closed)
            if rnd.closed:  # every seat released, no reward, no penalty
                self._release(rnd)
                continue
            for juror, amount in self._execute_round(rnd, jury, tied).items():
                change[juror] = change.get(juror, 0) + amount
        dispute.executed = True
        return change

    def _release(self, rnd: Round) -> None:
        lock_per_seat = self.court_terms.seat_lock
        for juror in rnd.jurors:
            lock = rnd.seats[juror] * lock_per_seat
            self.jurors[juror].locked -= lock
            self.jurors[juror].free += lock

    def _return_appeal_funds(self, rnd: Round, ruling: int, failed: bool = False) -> None:
        """The appeal deposits of a round; `failed`: the appeal's round was
        closed undrawn (the first funder gets its deposit back, the second
        got the round's fee at the close)."""
        if not rnd.funding:
            return
        cost = rnd.funding_cost
        (side_a, funder_a) = rnd.funding[0]
        if len(rnd.funding) == 1 or ruling == side_a or failed:
            self._court_credit(funder_a, cost)
            return
        side_b, funder_b = rnd.funding[1]
        if ruling == side_b:
            self._court_credit(funder_b, cost)
        else:
            self._court_credit(funder_a, cost // 2)
            self._court_credit(funder_b, cost - cost // 2)

    def _execute_round(self, rnd: Round, jury: int, tied: bool) -> dict[str, int]:
        terms = self.court_terms
        lock_per_seat = terms.seat_lock
        change: dict[str, int] = {}

        def coherent(j: str) -> bool:
            return j in rnd.revealed and (tied or rnd.revealed[j] == jury)

        slashed = 0
        for juror in rnd.jurors:
            if coherent(juror):
                continue
            state = self.jurors[juror]
            lock = rnd.seats[juror] * lock_per_seat
            penalty = lock
            state.locked -= lock
            if juror not in rnd.revealed:
                extra = lock * terms.non_reveal_multiplier_bps // BPS - lock
                from_free = min(extra, state.free)
                state.free -= from_free
                penalty += from_free
            slashed += penalty
            change[juror] = -penalty
            self._slash(juror, penalty)
        pool = rnd.fee + slashed
        good = [j for j in rnd.jurors if coherent(j)]
        good_seats = sum(rnd.seats[j] for j in good)
        paid = 0
        for i, juror in enumerate(good):
            seats = rnd.seats[juror]
            share = pool - paid if i == len(good) - 1 else pool * seats // good_seats
            paid += share
            state = self.jurors[juror]
            lock = seats * lock_per_seat
            state.locked -= lock
            state.free += lock
            change[juror] = share
            self._court_credit(juror, share)
        if not good:
            self._court_credit(self.treasury, pool)
        return change

    def _court_credit(self, account: str, amount: int) -> None:
        if amount:
            self.court_claimable[account] = self.court_claimable.get(account, 0) + amount

    def court_withdraw(self, account: str) -> int:
        amount = self.court_claimable.pop(account, 0)
        self.transfer(self.court, account, amount)
        return amount

    # -- registry -----------------------------------------------------------

    def register_node(self, node_id: int, owner: str, gpus: int, tier: int, now: int) -> None:
        stake = self.registry_terms.stake_per_gpu[tier] * gpus
        self.transfer(owner, self.registry, stake)
        first = self.registry_terms.epoch_of(now) + 1
        self.nodes[node_id] = Node(owner, stake, first)

    def report(self, node_id: int, epoch: int, units: int, uptime_bps: int) -> int:
        node = self.nodes[node_id]
        if not node.active or epoch < node.first_epoch or (node_id, epoch) in self.reports:
            raise ModelError(f"node {node_id} cannot report epoch {epoch}")
        effective = units * uptime_bps // BPS
        if effective == 0:
            raise ModelError("a report with no effective units")
        report = self.reports[(node_id, epoch)] = Report(effective)
        self.node_reports.setdefault(node_id, {})[epoch] = report
        self.epoch_units[epoch] = self.epoch_units.get(epoch, 0) + effective
        return effective

    def challenge(self, node_id: int, epoch: int, challenger: str, dispute_id: int) -> None:
        report = self.reports[(node_id, epoch)]
        if report.status != FILED:
            raise ModelError(f"report ({node_id}, {epoch}) cannot be challenged")
        bond, cost = self.registry_terms.challenge_bond, self.court_terms.arbitration_cost
        self.transfer(challenger, self.registry, bond + cost)
        self.transfer(self.registry, self.court, cost)
        report.status, report.challenger, report.bond = CHALLENGED, challenger, bond
        report.fee = cost
        self.disputes[dispute_id] = Dispute(
            f"report:{node_id}:{epoch}", [Round(fee=cost)], payer=challenger
        )

    def rule_report(self, node_id: int, epoch: int, ruling: int, now: int) -> None:
        report = self.reports[(node_id, epoch)]
        node = self.nodes[node_id]
        if ruling == 2:
            t = self.registry_terms
            slash = node.stake * t.fraud_slash_bps // BPS
            refund = min(report.fee, slash)  # the fee first, then a share of the rest
            share = refund + (slash - refund) * t.challenger_share_bps // BPS
            node.stake -= slash
            node.active = False
            node.convicted = True
            self._registry_credit(report.challenger, report.bond + share)
            self._registry_credit(self.treasury, slash - share)
            self._slash(node.owner, slash)
            report.status = VOIDED
            # Final or not: the other reports' claims top up to the new total.
            self.epoch_units[epoch] -= report.effective
        elif ruling == 1:
            self._registry_credit(node.owner, report.bond)
            report.status = UPHELD
        else:
            self._registry_credit(report.challenger, report.bond)
            report.status = UPHELD

    def claimable_epochs(self, node_id: int, now: int) -> list[int]:
        """Reported, final, owed more than paid, of a node neither under
        challenge nor convicted: claimable (first claims and top-ups)."""
        mine = self.node_reports.get(node_id, {})
        if self.nodes[node_id].convicted or any(r.status == CHALLENGED for r in mine.values()):
            return []
        return sorted(
            e
            for e, r in mine.items()
            if r.status in (FILED, UPHELD)
            and now >= self.registry_terms.final_at(e)
            and (not r.claimed or self._entitled(e, r) > r.paid)
        )

    def _entitled(self, epoch: int, report: Report) -> int:
        return self.registry_terms.epoch_emission * report.effective // self.epoch_units[epoch]

    def claim(self, node_id: int, epochs: list[int]) -> int:
        owner = self.nodes[node_id].owner
        room = self.cap - self.total_supply
        total = 0
        for epoch in epochs:
            report = self.reports[(node_id, epoch)]
            paid = min(self._entitled(epoch, report) - report.paid, room)
            room -= paid
            total += paid
            report.claimed = True
            report.paid += paid
        if total:
            self.mint(owner, total)
        return total

    def registry_withdraw(self, account: str) -> int:
        amount = self.registry_credits.pop(account, 0)
        self.transfer(self.registry, account, amount)
        return amount

    def _registry_credit(self, account: str, amount: int) -> None:
        if amount:
            self.registry_credits[account] = self.registry_credits.get(account, 0) + amount

    # -- the check ----------------------------------------------------------

    def expected(self, accounts: list[str]) -> dict[tuple[str, str], int]:
        """What the chain must show: (quantity, subject) -> value."""
        out: dict[tuple[str, str], int] = {}
        for account in [*accounts, self.escrow, self.court, self.registry, self.treasury]:
            out[("balanceOf", account)] = self.balance(account)
        out[("totalSupply", "token")] = self.total_supply
        for account in [*accounts, self.treasury]:
            out[("escrow.claimable", account)] = self.escrow_claimable.get(account, 0)
            out[("registry.credits", account)] = self.registry_credits.get(account, 0)
            out[("court.claimable", account)] = self.court_claimable.get(account, 0)
        for juror, state in self.jurors.items():
            out[("court.free", juror)] = state.free
            out[("court.locked", juror)] = state.locked
        for node_id, node in self.nodes.items():
            out[("registry.stake", str(node_id))] = node.stake
        for task_id in sorted(self.changed_tasks):
            out[("task.status", str(task_id))] = int(self.tasks[task_id].status)
        return out

    def conservation(self) -> list[str]:
        """Each contract holds exactly what the model says it owes."""
        problems = []
        # A live task holds its reward, fee, gold bond and the whole stake
        # (gold slashes are held until it settles).
        escrow_owed = sum(self.escrow_claimable.values()) + sum(
            t.reward + t.fee + t.bond + (t.stake if t.annotator else 0)
            for t in self.tasks.values()
            if t.status & LIVE
        )
        if escrow_owed != self.balance(self.escrow):
            problems.append(f"escrow owes {escrow_owed}, holds {self.balance(self.escrow)}")
        court_owed = (
            sum(j.free + j.locked for j in self.jurors.values())
            + sum(self.court_claimable.values())
            + sum(
                r.fee + (r.funding_cost if r.funding else 0)
                for d in self.disputes.values()
                if not d.executed
                for r in d.rounds
            )
        )
        if court_owed != self.balance(self.court):
            problems.append(f"court owes {court_owed}, holds {self.balance(self.court)}")
        registry_owed = (
            sum(n.stake for n in self.nodes.values())
            + sum(self.registry_credits.values())
            + sum(r.bond for r in self.reports.values() if r.status == CHALLENGED)
        )
        if registry_owed != self.balance(self.registry):
            problems.append(f"registry owes {registry_owed}, holds {self.balance(self.registry)}")
        return problems
