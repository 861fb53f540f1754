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
deployment, so every example starts from the same fresh state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boa
import pytest
from hypothesis import note
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
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
CHALLENGE = 3 * DAY
UNBONDING = 14 * DAY
EMISSION = 1_000 * LDAO
BOND = 500 * LDAO
FEE = 30 * LDAO
CAP = 10**9 * LDAO
OPEN_END = 2**32 - 1
ROOT = b"\x42" * 32

# Allowed report status transitions (anything else rewrites history).
_TRANSITIONS = {
    REPORT_FILED: {REPORT_FILED, REPORT_CHALLENGED},
    REPORT_CHALLENGED: {REPORT_CHALLENGED, REPORT_UPHELD, REPORT_VOIDED},
    REPORT_UPHELD: {REPORT_UPHELD},
    REPORT_VOIDED: {REPORT_VOIDED},
}


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
        """Deploys and wires everything; `admin` holds PARAMS_ROLE and may mint."""
        admin = boa.env.generate_address("machine-admin")
        treasury = boa.env.generate_address("machine-treasury")
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
            token.grantRole(token.MINTER_ROLE(), registry.address)
            token.grantRole(token.MINTER_ROLE(), admin)
        return cls(
            admin=admin,
            treasury=treasury,
            providers=tuple(boa.env.generate_address(f"machine-provider-{i}") for i in range(3)),
            challengers=tuple(
                boa.env.generate_address(f"machine-challenger-{i}") for i in range(2)
            ),
            token=token,
            arbitrator=arbitrator,
            registry=registry,
        )


class RegistryMachine(RuleBasedStateMachine):
    """Actions on one registry; each instance runs in its own boa anchor."""

    def __init__(self, deployment: Deployment) -> None:
        super().__init__()
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

    def teardown(self) -> None:
        self._anchor.__exit__(None, None, None)

    # --- helpers -------------------------------------------------------------

    @property
    def now(self) -> int:
        return boa.env.evm.patch.timestamp

    def _epoch(self) -> int:
        return self.clock.epoch_at(self.now)

    def _pay_in(self, account: str, amount: int) -> None:
        self.token.mint(account, amount, sender=self.admin)
        self.token.approve(self.registry.address, amount, sender=account)

    def _pick_node(self, index: int) -> tuple[int, NodeModel]:
        node_id = 1 + index % len(self.ledger.nodes)
        return node_id, self.ledger.nodes[node_id]

    def _final_at(self, epoch: int) -> int:
        return self.clock.end(epoch) + WINDOW + CHALLENGE

    def _capacity(self, node: NodeModel, epoch: int) -> int:
        gpus = node.gpus if epoch >= node.gpus_from else node.prev_gpus
        return capacity(gpus, DEFAULT_UNITS_PER_GPU_SECOND[node.tier], EPOCH)

    # --- nodes ---------------------------------------------------------------

    @rule(who=st.integers(0, 2), gpus=st.integers(1, 8), tier=st.integers(0, 3))
    def register(self, who: int, gpus: int, tier: int) -> None:
        owner = self.providers[who]
        stake = DEFAULT_STAKE_PER_GPU[tier] * gpus
        self._pay_in(owner, stake)
        node_id = self.registry.register_node(ROOT, "ipfs://specs", gpus, tier, sender=owner)
        first = self._epoch() + 1
        note(f"register node {node_id}: {gpus} GPUs tier {tier}, first epoch {first}")
        assert node_id == len(self.ledger.nodes) + 1
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

    @precondition(lambda self: self.ledger.nodes)
    @rule(index=st.integers(0, 50), extra=st.integers(1, 4))
    def grow(self, index: int, extra: int) -> None:
        node_id, node = self._pick_node(index)
        if node.status != NODE_ACTIVE:
            with boa.reverts("registry: node not active"):
                self.registry.add_stake(node_id, extra, sender=node.owner)
            return
        amount = DEFAULT_STAKE_PER_GPU[node.tier] * extra
        self._pay_in(node.owner, amount)
        assert self.registry.add_stake(node_id, extra, sender=node.owner) == amount
        next_epoch = self._epoch() + 1
        if node.gpus_from < next_epoch:
            node.prev_gpus = node.gpus
        node.gpus += extra
        node.gpus_from = next_epoch
        node.stake += amount
        node.bonded += amount
        note(f"grow node {node_id} by {extra} GPUs from epoch {next_epoch}")

    @precondition(lambda self: self.ledger.nodes)
    @rule(index=st.integers(0, 50))
    def deactivate(self, index: int) -> None:
        node_id, node = self._pick_node(index)
        if node.status != NODE_ACTIVE:
            with boa.reverts("registry: node not active"):
                self.registry.deactivate(node_id, sender=node.owner)
            return
        self.registry.deactivate(node_id, sender=node.owner)
        self._deactivate(node)
        note(f"deactivate node {node_id}")

    def _deactivate(self, node: NodeModel) -> None:
        node.status = NODE_DEACTIVATED
        node.end_epoch = self._epoch()
        node.withdrawable_at = self.now + UNBONDING

    @precondition(lambda self: self.ledger.nodes)
    @rule(index=st.integers(0, 50))
    def withdraw_stake(self, index: int) -> None:
        node_id, node = self._pick_node(index)
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
            with boa.reverts(expected):
                self.registry.withdraw_stake(node_id, sender=node.owner)
            return
        assert self.registry.withdraw_stake(node_id, sender=node.owner) == node.stake
        note(f"withdraw stake of node {node_id}: {node.stake}")
        node.stake = 0
        node.status = NODE_WITHDRAWN

    # --- reports -------------------------------------------------------------

    @precondition(lambda self: self.ledger.nodes)
    @rule(
        index=st.integers(0, 50),
        back=st.integers(1, 3),
        load_bps=st.integers(0, 11_000),
        uptime=st.integers(0, 10_000),
    )
    def report(self, index: int, back: int, load_bps: int, uptime: int) -> None:
        node_id, node = self._pick_node(index)
        epoch = self._epoch() - back
        if epoch < 0:
            return
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
            with boa.reverts(expected):
                self.registry.report(node_id, epoch, units, uptime, ROOT, sender=node.owner)
            return
        self.registry.report(node_id, epoch, units, uptime, ROOT, sender=node.owner)
        record = ReportModel(units=units, uptime=uptime, reported_at=self.now)
        self.ledger.reports[(node_id, epoch)] = record
        totals = self.ledger.epochs.setdefault(epoch, EpochModel())
        totals.total_units += record.effective
        totals.reports += 1
        note(f"report node {node_id} epoch {epoch}: {units} units, uptime {uptime}")

    # --- challenges ----------------------------------------------------------

    @precondition(lambda self: self.ledger.reports)
    @rule(index=st.integers(0, 200), who=st.integers(0, 1))
    def challenge(self, index: int, who: int) -> None:
        keys = sorted(self.ledger.reports)
        node_id, epoch = keys[index % len(keys)]
        record = self.ledger.reports[(node_id, epoch)]
        challenger = self.challengers[who]
        expected = None
        if record.status != REPORT_FILED:
            expected = "registry: report already challenged"
        elif self.now >= record.reported_at + CHALLENGE:
            expected = "registry: challenge period over"
        if expected:
            with boa.reverts(expected):
                self.registry.challenge(node_id, epoch, "ipfs://ev", sender=challenger)
            return
        self._pay_in(challenger, BOND + FEE)
        dispute_id = self.registry.challenge(node_id, epoch, "ipfs://ev", sender=challenger)
        record.move_to(REPORT_CHALLENGED)
        self.ledger.nodes[node_id].open_challenges += 1
        self.ledger.bonds += BOND
        self.ledger.challenges.append(ChallengeModel(node_id, epoch, challenger, dispute_id))
        note(f"challenge node {node_id} epoch {epoch}: dispute {dispute_id}")

    @precondition(lambda self: any(c.open for c in self.ledger.challenges))
    @rule(index=st.integers(0, 50), ruling=st.sampled_from([0, 1, 2]))
    def rule_dispute(self, index: int, ruling: int) -> None:
        open_ = [c for c in self.ledger.challenges if c.open]
        c = open_[index % len(open_)]
        node = self.ledger.nodes[c.node_id]
        record = self.ledger.reports[(c.node_id, c.epoch)]
        stake_before = node.stake
        self.arbitrator.give_ruling(c.dispute_id, ruling)
        c.open = False
        node.open_challenges -= 1
        self.ledger.bonds -= BOND
        if ruling == RULING_FRAUD:
            to_challenger, to_treasury = slash_split(stake_before, 2_500, 5_000)
            slashed = to_challenger + to_treasury
            assert slashed <= stake_before
            node.stake -= slashed
            node.slashed += slashed
            self.ledger.slashed_total += slashed
            self.ledger.slash_paid_out += to_challenger + to_treasury
            self.ledger.credit(c.challenger, BOND + to_challenger)
            self.ledger.credit(self.treasury, to_treasury)
            record.move_to(REPORT_VOIDED)
            if self.now < self._final_at(c.epoch):
                self.ledger.epochs[c.epoch].total_units -= record.effective
            if node.status == NODE_ACTIVE:
                self._deactivate(node)
        else:
            record.move_to(REPORT_UPHELD)
            self.ledger.credit(node.owner if ruling == RULING_VALID else c.challenger, BOND)
        note(f"ruling {ruling} on node {c.node_id} epoch {c.epoch}")

    # --- rewards and payments ------------------------------------------------

    @precondition(lambda self: self.ledger.nodes)
    @rule(index=st.integers(0, 50), limit=st.integers(1, 5))
    def claim(self, index: int, limit: int) -> None:
        node_id, node = self._pick_node(index)
        mine = sorted(e for (n, e) in self.ledger.reports if n == node_id)
        claimable = [
            e
            for e in mine
            if self.ledger.reports[(node_id, e)].status in (REPORT_FILED, REPORT_UPHELD)
            and not self.ledger.reports[(node_id, e)].claimed
            and self.now >= self._final_at(e)
        ][:limit]
        if not claimable:
            pending = [e for e in mine if self.now < self._final_at(e)]
            if pending and self.ledger.reports[(node_id, pending[0])].status == REPORT_FILED:
                with boa.reverts("registry: epoch not final"):
                    self.registry.claim(node_id, [pending[0]], sender=node.owner)
            return
        expected = []
        for epoch in claimable:
            record = self.ledger.reports[(node_id, epoch)]
            totals = self.ledger.epochs[epoch]
            amount = reward(self.ledger.emission(epoch), record.effective, totals.total_units)
            record.claimed, record.reward = True, amount
            totals.rewarded += amount
            expected.append(amount)
        balance = self.token.balanceOf(node.owner)
        assert self.registry.claim(node_id, claimable, sender=node.owner) == sum(expected)
        assert self.token.balanceOf(node.owner) - balance == sum(expected)
        note(f"claim node {node_id} epochs {claimable}: {expected}")

    @rule(who=st.integers(0, 5))
    def withdraw(self, who: int) -> None:
        account = (self.treasury, *self.providers, *self.challengers)[who]
        owed = self.ledger.credits.get(account, 0)
        if owed == 0:
            with boa.reverts("registry: nothing to withdraw"):
                self.registry.withdraw(sender=account)
            return
        assert self.registry.withdraw(sender=account) == owed
        self.ledger.credits[account] = 0

    @rule(emission=st.integers(0, 5_000 * LDAO))
    def set_emission(self, emission: int) -> None:
        from_epoch = self.registry.set_epoch_terms(
            EpochTerms(emission).as_tuple(), sender=self.admin
        )
        versions = [(s, e) for s, e in self.ledger.versions if s != from_epoch]
        self.ledger.versions = [*versions, (from_epoch, emission)]
        note(f"emission {emission} from epoch {from_epoch}")

    @rule(seconds=st.integers(600, 3 * DAY))
    def advance_time(self, seconds: int) -> None:
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
        assert self.registry.total_stake() == stakes
        assert self.registry.total_bonds() == self.ledger.bonds

    @invariant()
    def epoch_claims_within_emission(self) -> None:
        """Per epoch: LDAO claimed == model, and never above the emission."""
        for epoch, totals in self.ledger.epochs.items():
            onchain = self.registry.epoch_total(epoch)
            assert onchain.rewarded == totals.rewarded
            assert onchain.rewarded <= self.ledger.emission(epoch) == onchain.emission
            assert onchain.total_units == totals.total_units
            assert onchain.reports == totals.reports

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
        """Every report ever filed is still there with its original units,
        uptime, root and filing time; its status moves only forward
        (filed -> challenged -> upheld | voided) and a reward, once claimed,
        stays recorded."""
        for (node_id, epoch), record in self.ledger.reports.items():
            onchain = self.registry.report_of(node_id, epoch)
            assert (onchain.work_units, onchain.uptime_bps, onchain.receipts_root) == (
                record.units,
                record.uptime,
                ROOT,
            )
            assert onchain.reported_at == record.reported_at
            assert onchain.status == record.status
            assert (onchain.claimed, onchain.reward) == (record.claimed, record.reward)

    @invariant()
    def nodes_are_permanent(self) -> None:
        """Node records are never deleted: owner, tier and reportable range
        stay, whatever the status, and each stake is what the model says."""
        assert self.registry.node_count() == len(self.ledger.nodes)
        for node_id, node in self.ledger.nodes.items():
            onchain = self.registry.node(node_id)
            assert (onchain.owner, onchain.tier, onchain.status) == (
                node.owner,
                node.tier,
                node.status,
            )
            assert (onchain.first_epoch, onchain.end_epoch) == (node.first_epoch, node.end_epoch)
            assert onchain.open_challenges == node.open_challenges
            assert onchain.stake == node.stake


@pytest.fixture(scope="module")
def deployment() -> Deployment:
    """One deployment for the whole test; examples run in anchors on top."""
    return Deployment.fresh()


def test_registry_machine(deployment):
    """Runs `RegistryMachine` with the active Hypothesis profile."""
    run_state_machine_as_test(lambda: RegistryMachine(deployment))
