"""ComputeRegistry stateful property test (Hypothesis, titanoboa).

`RegistryMachine` drives a registry through random registrations, growth,
reports (valid and invalid), challenges and rulings, claims, deactivations,
withdrawals, emission changes and time, beside a pure-Python model of what
each call must do. Every call's result (amounts, or the exact revert
reason) is checked against the model, and after every step the invariants
below are checked with view calls only.

The contracts are deployed once per test (titanoboa spends ~0.4 s per
deployment building a source map); each machine instance, i.e. each
Hypothesis example, runs inside its own `boa.env.anchor()` on top of that
deployment, so every example starts from the same fresh state. From epoch
1 the reporting window and the challenge period are one day each, so an
epoch is final two days after it ends and an example of 75 steps lives
through many epochs, challenges and claims.

Rules that take `live=True` act on a target where the action can succeed
(an open report, a node with claimable epochs...); with `live=False` they
pick any target, which exercises the refusals and their exact reasons.

Reading every record back after every step costs more than the actions
(titanoboa runs a struct-returning view in ~3 ms), so the per-record
invariants check, at each step, the records the step's action touched plus
a rotating slice of `SAMPLE` others (each record again every few steps),
and `teardown` checks every record. A record no action touches cannot
legitimately change, and a corrupted record stays corrupted, so a
violation is still caught, at the latest when its example ends. Aggregate
invariants (balance, totals, slash conservation) are complete every step.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import boa
import pytest
from hypothesis import event, note
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from labeldao.boa_tools import deployer
from labeldao.registry import (
    DAY,
    DEFAULT_STAKE_PER_GPU,
    DEFAULT_UNITS_PER_GPU_SECOND,
    LDAO,
    NODE_ACTIVE,
    NODE_DEACTIVATED,
    NODE_WITHDRAWN,
    REPORT_CHALLENGED,
    REPORT_FILED,
    REPORT_UPHELD,
    REPORT_VOIDED,
    RULING_FRAUD,
    RULING_VALID,
    EpochClock,
    EpochTerms,
    capacity,
    effective_units,
    reward,
    slash_split,
)

EPOCH = DAY
WINDOW = DAY
CHALLENGE = DAY
UNBONDING = 14 * DAY
EMISSION = 1_000 * LDAO
BOND = 500 * LDAO
FEE = 30 * LDAO
CAP = 10**9 * LDAO
OPEN_END = 2**32 - 1
MAX_NODES = 6
SAMPLE = 2
FUNDS = 10**8 * LDAO  # each provider's and challenger's LDAO, approved to the registry
ROOT = b"\x42" * 32

# Allowed report status transitions (anything else rewrites history).
_TRANSITIONS = {
    REPORT_FILED: {REPORT_FILED, REPORT_CHALLENGED, REPORT_VOIDED},  # voided: forfeited
    REPORT_CHALLENGED: {REPORT_CHALLENGED, REPORT_UPHELD, REPORT_VOIDED},
    REPORT_UPHELD: {REPORT_UPHELD, REPORT_VOIDED},
    REPORT_VOIDED: {REPORT_VOIDED},
}

indexes = st.integers(0, 10_000)
shapes = st.tuples(st.integers(1, 8), st.integers(0, 3))  # (gpus, tier)


def step(action: Callable) -> Callable:
    """Counts the machine's steps: each action runs as step `self.step`."""

    @functools.wraps(action)
    def counted(self: RegistryMachine, **kwargs: Any) -> None:
        self.step += 1
        action(self, **kwargs)

    return counted


def _terms(emission: int) -> EpochTerms:
    """The machine's epoch terms: one-day window and challenge period."""
    return EpochTerms(emission, reporting_window=WINDOW, challenge_period=CHALLENGE)


@dataclass
class NodeModel:
    owner: str
    tier: int
    gpus: int
    prev_gpus: int
    gpus_from: int
    stake: int
    first_epoch: int
    end_epoch: int = OPEN_END
    status: int = NODE_ACTIVE
    open_challenges: int = 0
    withdrawable_at: int = 0
    bonded: int = 0
    slashed: int = 0
    convicted: bool = False


@dataclass
class ReportModel:
    units: int
    uptime: int
    reported_at: int
    status: int = REPORT_FILED
    claimed: bool = False
    reward: int = 0

    @property
    def effective(self) -> int:
        return effective_units(self.units, self.uptime)

    def move_to(self, status: int) -> None:
        """Changes the status, only along an allowed transition."""
        assert status in _TRANSITIONS[self.status], (self.status, status)
        self.status = status


@dataclass
class EpochModel:
    total_units: int = 0
    rewarded: int = 0
    reports: int = 0


@dataclass
class ChallengeModel:
    node_id: int
    epoch: int
    challenger: str
    dispute_id: int
    open: bool = True


@dataclass
class Ledger:
    """Everything the model knows, in one place."""

    nodes: dict[int, NodeModel] = field(default_factory=dict)
    reports: dict[tuple[int, int], ReportModel] = field(default_factory=dict)
    epochs: dict[int, EpochModel] = field(default_factory=dict)
    challenges: list[ChallengeModel] = field(default_factory=list)
    credits: dict[str, int] = field(default_factory=dict)
    versions: list[tuple[int, int]] = field(default_factory=list)  # (from_epoch, emission)
    bonds: int = 0
    slashed_total: int = 0
    slash_paid_out: int = 0
    paused: bool = False

    def emission(self, epoch: int) -> int:
        return [e for start, e in self.versions if start <= epoch][-1]

    def credit(self, account: str, amount: int) -> None:
        self.credits[account] = self.credits.get(account, 0) + amount


@dataclass(frozen=True)
class Deployment:
    """Token, mock court and registry, and the accounts that use them."""

    admin: str
    treasury: str
    providers: tuple[str, ...]
    challengers: tuple[str, ...]
    token: Any
    arbitrator: Any
    registry: Any

    @classmethod
    def fresh(cls) -> Deployment:
        """Deploys and wires everything; `admin` holds PARAMS_ROLE; every
        provider and challenger holds FUNDS, approved to the registry. The
        machine's terms apply from epoch 1."""
        admin = boa.env.generate_address("machine-admin")
        treasury = boa.env.generate_address("machine-treasury")
        providers = tuple(boa.env.generate_address(f"machine-provider-{i}") for i in range(3))
        challengers = tuple(boa.env.generate_address(f"machine-challenger-{i}") for i in range(2))
        with boa.env.prank(admin):
            token = deployer("RewardToken").deploy(CAP)
            arbitrator = deployer("MockArbitrator", "tests/mocks").deploy(token.address, FEE)
            registry = deployer("ComputeRegistry").deploy(
                token.address,
                arbitrator.address,
                treasury,
                EPOCH,
                boa.env.evm.patch.timestamp,
                EMISSION,
                "ipfs://rules",
            )
            registry.grantRole(registry.PARAMS_ROLE(), admin)
            registry.grantRole(registry.GUARDIAN_ROLE(), admin)
            registry.set_epoch_terms(_terms(EMISSION).as_tuple())
            token.grantRole(token.MINTER_ROLE(), registry.address)
            token.grantRole(token.MINTER_ROLE(), admin)
            for account in (*providers, *challengers):
                token.mint(account, FUNDS)
        for account in (*providers, *challengers):
            token.approve(registry.address, 2**256 - 1, sender=account)
        return cls(
            admin=admin,
            treasury=treasury,
            providers=providers,
            challengers=challengers,
            token=token,
            arbitrator=arbitrator,
            registry=registry,
        )


class RegistryMachine(RuleBasedStateMachine):
    """Actions on one registry; each instance runs in its own boa anchor."""

    def __init__(self, deployment: Deployment) -> None:
        super().__init__()
        # titanoboa prints the contract's storage on every revert, walking
        # every storage key it has traced in the session; start each example
        # with empty traces (as boa does when it forks), so that a refusal
        # costs the same in the 80th example as in the first.
        boa.env.sha3_trace = {}
        boa.env.sstore_trace = {}
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()
        self.admin = deployment.admin
        self.treasury = deployment.treasury
        self.providers = deployment.providers
        self.challengers = deployment.challengers
        self.token = deployment.token
        self.arbitrator = deployment.arbitrator
        self.registry = deployment.registry
        self.clock = EpochClock(self.registry.GENESIS(), EPOCH)
        self.ledger = Ledger(versions=[(0, EMISSION)])
        self.step = 0
        self.touched: dict[tuple[str, Any], int] = {}

    def teardown(self) -> None:
        """Checks every record once more, then drops the example's state."""
        try:
            for key in self.ledger.reports:
                self._check_report(key)
            for node_id in self.ledger.nodes:
                self._check_node(node_id)
            for epoch in self.ledger.epochs:
                self._check_epoch(epoch)
        finally:
            self._anchor.__exit__(None, None, None)

    def _touch(self, kind: str, *keys: Any) -> None:
        """Records that this step's action changed these records."""
        for key in keys:
            self.touched[(kind, key)] = self.step

    def _due(self, kind: str, keys: Iterable) -> list:
        """The records a step checks: those its action touched, plus a
        rotating slice of SAMPLE others (a pure function of the step)."""
        ordered = sorted(keys)
        if len(ordered) <= SAMPLE:
            return ordered
        start = (self.step * SAMPLE) % len(ordered)
        due = {ordered[(start + i) % len(ordered)] for i in range(SAMPLE)}
        due.update(k for k in ordered if self.touched.get((kind, k)) == self.step)
        return sorted(due)

    # --- helpers -------------------------------------------------------------

    @property
    def now(self) -> int:
        return boa.env.evm.patch.timestamp

    def _epoch(self) -> int:
        return self.clock.epoch_at(self.now)

    @staticmethod
    def _pick(items: list, index: int) -> Any:
        return items[index % len(items)]

    def _pick_node(self, index: int, live: list[int]) -> tuple[int, NodeModel]:
        """A node from `live` if any, else any node."""
        node_id = self._pick(live or sorted(self.ledger.nodes), index)
        return node_id, self.ledger.nodes[node_id]

    def _final_at(self, epoch: int) -> int:
        return self.clock.end(epoch) + WINDOW + CHALLENGE

    def _capacity(self, node: NodeModel, epoch: int) -> int:
        gpus = node.gpus if epoch >= node.gpus_from else node.prev_gpus
        return capacity(gpus, DEFAULT_UNITS_PER_GPU_SECOND[node.tier], EPOCH)

    def _entitled(self, key: tuple[int, int]) -> int:
        """A report's share of its epoch's emission at the current total."""
        record, totals = self.ledger.reports[key], self.ledger.epochs[key[1]]
        return reward(self.ledger.emission(key[1]), record.effective, totals.total_units)

    def _claimable(self, node_id: int) -> list[int]:
        """Final epochs whose report is owed more than it was paid (first
        claims and top-ups after a fraud ruling), of a node neither under
        challenge nor convicted."""
        node = self.ledger.nodes[node_id]
        if node.convicted or node.open_challenges:
            return []
        return sorted(
            e
            for (n, e), r in self.ledger.reports.items()
            if n == node_id
            and r.status in (REPORT_FILED, REPORT_UPHELD)
            and (not r.claimed or self._entitled((n, e)) > r.reward)
            and self.now >= self._final_at(e)
        )

    def _active(self) -> list[int]:
        return [i for i, n in self.ledger.nodes.items() if n.status == NODE_ACTIVE]

    # --- nodes ---------------------------------------------------------------

    def _register(self, who: int, gpus: int, tier: int) -> None:
        owner = self.providers[who]
        stake = DEFAULT_STAKE_PER_GPU[tier] * gpus
        node_id = self.registry.register_node(ROOT, "ipfs://specs", gpus, tier, sender=owner)
        first = self._epoch() + 1
        note(f"register node {node_id}: {gpus} GPUs tier {tier}, first epoch {first}")
        assert node_id == len(self.ledger.nodes) + 1
        self._touch("node", node_id)
        self.ledger.nodes[node_id] = NodeModel(
            owner=owner,
            tier=tier,
            gpus=gpus,
            prev_gpus=gpus,
            gpus_from=first,
            stake=stake,
            first_epoch=first,
            bonded=stake,
        )

    @initialize(first=shapes, second=shapes, third=shapes)
    @step
    def three_providers(self, first: tuple, second: tuple, third: tuple) -> None:
        """Each provider registers a node in epoch 0; time moves to the
        reporting window of epoch 1."""
        for who, (gpus, tier) in enumerate((first, second, third)):
            self._register(who, gpus, tier)
        boa.env.time_travel(seconds=self.clock.end(1) + 60 - self.now)

    @precondition(lambda self: len(self.ledger.nodes) < MAX_NODES)
    @rule(who=st.integers(0, 2), shape=shapes)
    @step
    def register(self, who: int, shape: tuple) -> None:
        """Up to MAX_NODES nodes per example (the invariants read them all)."""
        if self.ledger.paused:
            with boa.reverts("pausable: contract is paused"):
                self.registry.register_node(
                    ROOT, "", shape[0], shape[1], sender=self.providers[who]
                )
            return
        self._register(who, *shape)

    @rule(index=indexes, extra=st.integers(1, 4), live=st.booleans())
    @step
    def grow(self, index: int, extra: int, live: bool) -> None:
        node_id, node = self._pick_node(index, self._active() if live else [])
        if self.ledger.paused:
            with boa.reverts("pausable: contract is paused"):
                self.registry.add_stake(node_id, extra, sender=node.owner)
            return
        if node.status != NODE_ACTIVE:
            with boa.reverts("registry: node not active"):
                self.registry.add_stake(node_id, extra, sender=node.owner)
            return
        amount = DEFAULT_STAKE_PER_GPU[node.tier] * extra
        assert self.registry.add_stake(node_id, extra, sender=node.owner) == amount
        next_epoch = self._epoch() + 1
        if node.gpus_from < next_epoch:
            node.prev_gpus = node.gpus
        node.gpus += extra
        node.gpus_from = next_epoch
        node.stake += amount
        node.bonded += amount
        self._touch("node", node_id)
        note(f"grow node {node_id} by {extra} GPUs from epoch {next_epoch}")

    @precondition(lambda self: len(self._active()) > 2)
    @rule(index=indexes)
    @step
    def deactivate(self, index: int) -> None:
        """Keeps at least two nodes active, so that reports go on."""
        node_id, node = self._pick_node(index, [])
        if node.status != NODE_ACTIVE:
            with boa.reverts("registry: node not active"):
                self.registry.deactivate(node_id, sender=node.owner)
            return
        self.registry.deactivate(node_id, sender=node.owner)
        self._deactivate(node)
        self._touch("node", node_id)
        event("node deactivated")
        note(f"deactivate node {node_id}")

    def _deactivate(self, node: NodeModel) -> None:
        node.status = NODE_DEACTIVATED
        node.end_epoch = self._epoch()
        node.withdrawable_at = self.now + UNBONDING

    @rule(index=indexes, live=st.booleans())
    @step
    def withdraw_stake(self, index: int, live: bool) -> None:
        retired = [i for i, n in self.ledger.nodes.items() if n.status == NODE_DEACTIVATED]
        node_id, node = self._pick_node(index, retired if live else [])
        expected = None
        if node.status == NODE_ACTIVE:
            expected = "registry: node still active"
        elif node.status == NODE_WITHDRAWN:
            expected = "registry: stake already withdrawn"
        elif self.now < node.withdrawable_at:
            expected = "registry: unbonding period not over"
        elif node.open_challenges:
            expected = "registry: a report is under challenge, withdraw after the ruling"
        if expected:
            event(f"withdraw_stake refused: {expected}")
            with boa.reverts(expected):
                self.registry.withdraw_stake(node_id, sender=node.owner)
            return
        event("withdraw_stake paid")
        assert self.registry.withdraw_stake(node_id, sender=node.owner) == node.stake
        note(f"withdraw stake of node {node_id}: {node.stake}")
        node.stake = 0
        node.status = NODE_WITHDRAWN
        self._touch("node", node_id)

    # --- reports -------------------------------------------------------------

    @rule(
        index=indexes,
        back=st.sampled_from([1, 1, 1, 2, 3]),
        load_bps=st.one_of(st.integers(1, 10_000), st.integers(0, 11_000)),
        uptime=st.one_of(st.integers(5_000, 10_000), st.integers(0, 10_000)),
        live=st.booleans(),
    )
    @step
    def report(self, index: int, back: int, load_bps: int, uptime: int, live: bool) -> None:
        epoch = max(self._epoch() - back, 0)
        unreported = [
            i
            for i, n in self.ledger.nodes.items()
            if n.first_epoch <= epoch < n.end_epoch and (i, epoch) not in self.ledger.reports
        ]
        node_id, node = self._pick_node(index, unreported if live else [])
        units = self._capacity(node, epoch) * load_bps // 10_000
        expected = None
        if epoch < node.first_epoch:
            expected = "registry: epoch before node registration"
        elif epoch >= node.end_epoch:
            expected = "registry: epoch after node deactivation"
        elif (node_id, epoch) in self.ledger.reports:
            expected = "registry: report already filed"
        elif self.now >= self.clock.end(epoch) + WINDOW:
            expected = "registry: reporting window closed"
        elif units > self._capacity(node, epoch):
            expected = "registry: work units exceed GPU capacity"
        elif effective_units(units, uptime) == 0:
            expected = "registry: no effective work units"
        if expected:
            event(f"report refused: {expected}")
            with boa.reverts(expected):
                self.registry.report(node_id, epoch, units, uptime, ROOT, sender=node.owner)
            return
        event("report filed")
        self.registry.report(node_id, epoch, units, uptime, ROOT, sender=node.owner)
        record = ReportModel(units=units, uptime=uptime, reported_at=self.now)
        self.ledger.reports[(node_id, epoch)] = record
        totals = self.ledger.epochs.setdefault(epoch, EpochModel())
        totals.total_units += record.effective
        totals.reports += 1
        self._touch("report", (node_id, epoch))
        self._touch("epoch", epoch)
        note(f"report node {node_id} epoch {epoch}: {units} units, uptime {uptime}")

    @rule(
        offset=st.integers(60, WINDOW - 60),
        loads=st.lists(
            st.tuples(st.integers(1, 10_000), st.integers(2_000, 10_000)), min_size=8, max_size=8
        ),
    )
    @step
    def next_epoch(self, offset: int, loads: list) -> None:
        """Moves into the next epoch's reporting window, where every node
        that can report the epoch just ended does (diligent providers)."""
        boa.env.time_travel(seconds=self.clock.end(self._epoch()) + offset - self.now)
        epoch = self._epoch() - 1
        due = [
            i
            for i, n in self.ledger.nodes.items()
            if n.first_epoch <= epoch < n.end_epoch and (i, epoch) not in self.ledger.reports
        ]
        for k, node_id in enumerate(due):
            node = self.ledger.nodes[node_id]
            load_bps, uptime = loads[k % len(loads)]
            units = self._capacity(node, epoch) * load_bps // 10_000
            self.registry.report(node_id, epoch, units, uptime, ROOT, sender=node.owner)
            record = ReportModel(units=units, uptime=uptime, reported_at=self.now)
            self.ledger.reports[(node_id, epoch)] = record
            totals = self.ledger.epochs.setdefault(epoch, EpochModel())
            totals.total_units += record.effective
            totals.reports += 1
            self._touch("report", (node_id, epoch))
        self._touch("epoch", epoch)
        event(f"next epoch: {len(due)} reports")
        note(f"epoch {epoch}: nodes {due} reported")

    # --- challenges ----------------------------------------------------------

    @precondition(lambda self: self.ledger.reports)
    @rule(index=indexes, who=st.integers(0, 1), live=st.booleans())
    @step
    def challenge(self, index: int, who: int, live: bool) -> None:
        open_ = [
            key
            for key, r in self.ledger.reports.items()
            if r.status == REPORT_FILED and self.now < r.reported_at + CHALLENGE
        ]
        node_id, epoch = self._pick((open_ if live else []) or sorted(self.ledger.reports), index)
        record = self.ledger.reports[(node_id, epoch)]
        challenger = self.challengers[who]
        expected = None
        if record.status != REPORT_FILED:
            expected = "registry: report already challenged"
        elif self.now >= record.reported_at + CHALLENGE:
            expected = "registry: challenge period over"
        if expected:
            event(f"challenge refused: {expected}")
            with boa.reverts(expected):
                self.registry.challenge(node_id, epoch, "ipfs://ev", sender=challenger)
            return
        event("challenge opened")
        dispute_id = self.registry.challenge(node_id, epoch, "ipfs://ev", sender=challenger)
        record.move_to(REPORT_CHALLENGED)
        self.ledger.nodes[node_id].open_challenges += 1
        self.ledger.bonds += BOND
        self.ledger.challenges.append(ChallengeModel(node_id, epoch, challenger, dispute_id))
        self._touch("report", (node_id, epoch))
        self._touch("node", node_id)
        note(f"challenge node {node_id} epoch {epoch}: dispute {dispute_id}")

    @precondition(lambda self: any(c.open for c in self.ledger.challenges))
    @rule(index=indexes, ruling=st.sampled_from([0, 1, 2]))
    @step
    def rule_dispute(self, index: int, ruling: int) -> None:
        c = self._pick([c for c in self.ledger.challenges if c.open], index)
        node = self.ledger.nodes[c.node_id]
        record = self.ledger.reports[(c.node_id, c.epoch)]
        stake_before = node.stake
        final = self.now >= self._final_at(c.epoch)
        event(f"ruling {ruling}" + (" after the epoch was final" if final else ""))
        self.arbitrator.give_ruling(c.dispute_id, ruling)
        c.open = False
        node.open_challenges -= 1
        self.ledger.bonds -= BOND
        if ruling == RULING_FRAUD:
            to_challenger, to_treasury = slash_split(stake_before, 10_000, 5_000, FEE)
            slashed = to_challenger + to_treasury
            assert slashed <= stake_before
            node.stake -= slashed
            node.slashed += slashed
            self.ledger.slashed_total += slashed
            self.ledger.slash_paid_out += to_challenger + to_treasury
            self.ledger.credit(c.challenger, BOND + to_challenger)
            self.ledger.credit(self.treasury, to_treasury)
            record.move_to(REPORT_VOIDED)
            # Final or not: the honest nodes top up to the smaller total.
            self.ledger.epochs[c.epoch].total_units -= record.effective
            node.convicted = True
            if node.status == NODE_ACTIVE:
                self._deactivate(node)
        else:
            record.move_to(REPORT_UPHELD)
            self.ledger.credit(node.owner if ruling == RULING_VALID else c.challenger, BOND)
        self._touch("report", (c.node_id, c.epoch))
        self._touch("node", c.node_id)
        self._touch("epoch", c.epoch)
        note(f"ruling {ruling} on node {c.node_id} epoch {c.epoch}")

    # --- rewards and payments ------------------------------------------------

    @rule(index=indexes, limit=st.integers(1, 5), live=st.booleans())
    @step
    def claim(self, index: int, limit: int, live: bool) -> None:
        ready = [i for i in self.ledger.nodes if self._claimable(i)]
        node_id, node = self._pick_node(index, ready if live else [])
        claimable = self._claimable(node_id)[:limit]
        if not claimable:
            refusal = None
            if node.convicted:
                refusal = "registry: node convicted of fraud"
            elif node.open_challenges:
                refusal = "registry: node under challenge"
            reported = sorted(e for (n, e) in self.ledger.reports if n == node_id)
            if refusal and reported:
                event(f"claim refused: {refusal}")
                with boa.reverts(refusal):
                    self.registry.claim(node_id, reported[:1], sender=node.owner)
                return
            pending = sorted(
                e
                for (n, e), r in self.ledger.reports.items()
                if n == node_id and r.status == REPORT_FILED and self.now < self._final_at(e)
            )
            if pending:
                event("claim refused: registry: epoch not final")
                with boa.reverts("registry: epoch not final"):
                    self.registry.claim(node_id, pending[:1], sender=node.owner)
            return
        expected = []
        for epoch in claimable:
            record = self.ledger.reports[(node_id, epoch)]
            totals = self.ledger.epochs[epoch]
            entitled = self._entitled((node_id, epoch))
            amount = entitled - record.reward
            event("top-up claim" if record.claimed else "first claim")
            record.claimed, record.reward = True, entitled
            totals.rewarded += amount
            expected.append(amount)
            self._touch("report", (node_id, epoch))
            self._touch("epoch", epoch)
        event(f"claim paid ({len(claimable)} epochs)")
        balance = self.token.balanceOf(node.owner)
        assert self.registry.claim(node_id, claimable, sender=node.owner) == sum(expected)
        assert self.token.balanceOf(node.owner) - balance == sum(expected)
        note(f"claim node {node_id} epochs {claimable}: {expected}")

    @precondition(lambda self: any(n.convicted for n in self.ledger.nodes.values()))
    @rule(index=indexes, limit=st.integers(1, 3), live=st.booleans())
    @step
    def forfeit(self, index: int, limit: int, live: bool) -> None:
        """Anyone voids a convicted node's unclaimed reports; refused for an
        honest node or a report already voided or claimed."""
        convicted = [i for i, n in self.ledger.nodes.items() if n.convicted]
        node_id, node = self._pick_node(index, convicted if live else [])
        mine = sorted(e for (n, e) in self.ledger.reports if n == node_id)
        forfeitable = [
            e
            for e in mine
            if self.ledger.reports[(node_id, e)].status in (REPORT_FILED, REPORT_UPHELD)
            and not self.ledger.reports[(node_id, e)].claimed
        ][:limit]
        anyone = self.challengers[index % 2]
        if not node.convicted or not forfeitable:
            expected = "registry: node not convicted" if not node.convicted else None
            if expected is None and mine:
                expected = "registry: report not forfeitable"
            if expected is None:
                return
            event(f"forfeit refused: {expected}")
            with boa.reverts(expected):
                self.registry.forfeit_reports(node_id, mine[:1] or [0], sender=anyone)
            return
        removed = 0
        for epoch in forfeitable:
            record = self.ledger.reports[(node_id, epoch)]
            record.move_to(REPORT_VOIDED)
            self.ledger.epochs[epoch].total_units -= record.effective
            removed += record.effective
            self._touch("report", (node_id, epoch))
            self._touch("epoch", epoch)
        event("reports forfeited")
        assert self.registry.forfeit_reports(node_id, forfeitable, sender=anyone) == removed
        note(f"forfeit node {node_id} epochs {forfeitable}")

    @rule(who=st.integers(0, 5), live=st.booleans())
    @step
    def withdraw(self, who: int, live: bool) -> None:
        accounts = (self.treasury, *self.providers, *self.challengers)
        owed = [a for a in accounts if self.ledger.credits.get(a, 0)]
        account = self._pick((owed if live else []) or list(accounts), who)
        amount = self.ledger.credits.get(account, 0)
        if amount == 0:
            with boa.reverts("registry: nothing to withdraw"):
                self.registry.withdraw(sender=account)
            return
        event("credits withdrawn")
        assert self.registry.withdraw(sender=account) == amount
        self.ledger.credits[account] = 0

    @rule(emission=st.integers(0, 5_000 * LDAO))
    @step
    def set_emission(self, emission: int) -> None:
        from_epoch = self.registry.set_epoch_terms(_terms(emission).as_tuple(), sender=self.admin)
        versions = [(s, e) for s, e in self.ledger.versions if s != from_epoch]
        self.ledger.versions = [*versions, (from_epoch, emission)]
        note(f"emission {emission} from epoch {from_epoch}")

    @rule(
        seconds=st.one_of(
            st.integers(3_600, DAY), st.integers(3_600, DAY), st.integers(DAY, 16 * DAY)
        ),
        toggle=st.integers(0, 3),
    )
    @step
    def advance_time(self, seconds: int, toggle: int) -> None:
        """Mostly within an epoch or two; sometimes past an unbonding period.
        One time in four the guardian pauses or unpauses first: only
        registration and growth wait, so time runs on through pauses."""
        if toggle == 0:
            if self.ledger.paused:
                self.registry.unpause(sender=self.admin)
            else:
                self.registry.pause(sender=self.admin)
            self.ledger.paused = not self.ledger.paused
            event("paused" if self.ledger.paused else "unpaused")
        boa.env.time_travel(seconds=seconds)

    # --- invariants ----------------------------------------------------------

    @invariant()
    def balance_equals_what_is_owed(self) -> None:
        """The registry's LDAO == stakes + open bonds + unpaid credits, on
        chain and in the model (nothing created, nothing lost)."""
        stakes = sum(n.stake for n in self.ledger.nodes.values())
        owed = stakes + self.ledger.bonds + sum(self.ledger.credits.values())
        assert self.token.balanceOf(self.registry.address) == owed
        assert self.registry.accounted() == owed
        assert self.registry.total_bonds() == self.ledger.bonds

    @invariant()
    def epoch_claims_within_emission(self) -> None:
        """Per epoch: LDAO claimed == model, never above the emission; the
        epoch's units and report count are the model's (due epochs)."""
        for epoch in self._due("epoch", self.ledger.epochs):
            self._check_epoch(epoch)

    @invariant()
    def voided_units_never_dilute(self) -> None:
        """Per epoch: the denominator is exactly the effective units of its
        reports that are not voided, whenever the ruling or forfeit came, so
        a voided report's units never reach an honest node's claim as
        dilution; each report is paid at most its share of that total, and
        the shares of the epoch's live reports add up to its emission (less
        rounding, under one base unit per report)."""
        for epoch in self._due("epoch", self.ledger.epochs):
            live = [
                key
                for key, r in self.ledger.reports.items()
                if key[1] == epoch and r.status != REPORT_VOIDED
            ]
            units = sum(self.ledger.reports[k].effective for k in live)
            assert self.registry.epoch_total(epoch).total_units == units
            if not live:
                continue
            shares = [self._entitled(k) for k in live]
            paid = [self.ledger.reports[k].reward for k in live]
            assert all(r <= e for r, e in zip(paid, shares, strict=True))
            emission = self.ledger.emission(epoch)
            assert emission - len(live) < sum(shares) <= emission

    @invariant()
    def deadlines_never_wait_on_a_pause(self) -> None:
        """While paused, every action a deadline waits for still works: the
        first report in its window is accepted, the first challengeable
        report can be challenged, and the first claimable epoch claimed
        (each tried in a snapshot, so nothing changes)."""
        if not self.ledger.paused:
            return
        epoch = self._epoch() - 1
        for node_id, node in sorted(self.ledger.nodes.items()):
            if node.first_epoch <= epoch < node.end_epoch and (node_id, epoch) not in (
                self.ledger.reports
            ):
                if self.now < self.clock.end(epoch) + WINDOW:
                    with boa.env.anchor():
                        self.registry.report(node_id, epoch, 1, 10_000, ROOT, sender=node.owner)
                break
        for (node_id, epoch), r in sorted(self.ledger.reports.items()):
            if r.status == REPORT_FILED and self.now < r.reported_at + CHALLENGE:
                with boa.env.anchor():
                    self.registry.challenge(node_id, epoch, "ipfs://ev", sender=self.challengers[0])
                break
        for node_id, node in sorted(self.ledger.nodes.items()):
            if claimable := self._claimable(node_id):
                with boa.env.anchor():
                    self.registry.claim(node_id, claimable[:1], sender=node.owner)
                break

    @invariant()
    def slashes_within_stake(self) -> None:
        """A slash never exceeds the stake it comes from (per node, over its
        life: slashed + left <= bonded); every slashed token is credited to
        the challenger or the treasury."""
        for node in self.ledger.nodes.values():
            assert node.stake + node.slashed <= node.bonded
        assert self.ledger.slashed_total == self.ledger.slash_paid_out
        assert self.registry.total_stake() == sum(n.stake for n in self.ledger.nodes.values())

    @invariant()
    def history_is_append_only(self) -> None:
        """Every report ever filed keeps its original units, uptime, root and
        filing time; its status moves only forward (filed -> challenged ->
        upheld | voided, enforced by `move_to`) and a reward, once claimed,
        stays recorded (due reports; all of them at teardown)."""
        for key in self._due("report", self.ledger.reports):
            self._check_report(key)

    @invariant()
    def nodes_are_permanent(self) -> None:
        """Node records are never deleted: owner, tier and reportable range
        stay, whatever the status, and each stake is what the model says
        (due nodes; all of them at teardown)."""
        assert self.registry.node_count() == len(self.ledger.nodes)
        for node_id in self._due("node", self.ledger.nodes):
            self._check_node(node_id)

    # --- record checks (views only) --------------------------------------------

    def _check_epoch(self, epoch: int) -> None:
        totals = self.ledger.epochs[epoch]
        onchain = self.registry.epoch_total(epoch)
        assert onchain.rewarded == totals.rewarded
        assert onchain.rewarded <= self.ledger.emission(epoch) == onchain.emission
        assert onchain.total_units == totals.total_units
        assert onchain.reports == totals.reports

    def _check_report(self, key: tuple[int, int]) -> None:
        record = self.ledger.reports[key]
        onchain = self.registry.report_of(*key)
        assert (onchain.work_units, onchain.uptime_bps, onchain.receipts_root) == (
            record.units,
            record.uptime,
            ROOT,
        )
        assert onchain.reported_at == record.reported_at
        assert onchain.status == record.status
        assert (onchain.claimed, onchain.reward) == (record.claimed, record.reward)

    def _check_node(self, node_id: int) -> None:
        node = self.ledger.nodes[node_id]
        onchain = self.registry.node(node_id)
        assert (onchain.owner, onchain.tier, onchain.status) == (node.owner, node.tier, node.status)
        assert (onchain.first_epoch, onchain.end_epoch) == (node.first_epoch, node.end_epoch)
        assert onchain.open_challenges == node.open_challenges
        assert onchain.stake == node.stake
        assert onchain.convicted == node.convicted


@pytest.fixture(scope="module")
def deployment() -> Deployment:
    """One deployment for the whole test; examples run in anchors on top."""
    return Deployment.fresh()


def test_registry_machine(deployment):
    """Runs `RegistryMachine` with the active Hypothesis profile."""
    run_state_machine_as_test(lambda: RegistryMachine(deployment))
