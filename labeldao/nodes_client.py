"""A GPU provider's (and a challenger's) client of `ComputeRegistry`.

`NodeClient` reads nodes, reports and epochs as typed records (statuses by
name), shows what a registration bonds and how many work units an epoch
may report, builds the `receipts_root` of a report from a receipts file
(`labeldao.receipts`), and checks every action before it is sent, saying
what is wrong and when it becomes possible. `ape run node`
(scripts/node.py) is a thin layer over it.

Receipts file: CSV or JSONL, one job per row, columns `job_id` (32 bytes
hex), `client` (address), `work_units` (TFLOP) and `output_hash` (32 bytes
hex); `node_id` and `epoch` columns, when present, must name the report's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labeldao.client_base import (
    InputError,
    Refusal,
    Wallet,
    checksum,
    field,
    read_rows,
    to_bytes32,
    to_int,
)
from labeldao.juror import Backend, format_duration, format_ldao, format_time, from_struct
from labeldao.receipts import EpochReceipts, JobReceipt
from labeldao.registry import BPS, N_TIERS, pending_reward, reward

MAX_GPUS_PER_NODE = 1_024  # ComputeRegistry.MAX_GPUS_PER_NODE
MAX_CLAIM_EPOCHS = 128  # ComputeRegistry.MAX_CLAIM_EPOCHS
MAX_URI_BYTES = 256
NODE_STATUS = {0: "NONE", 1: "ACTIVE", 2: "DEACTIVATED", 3: "WITHDRAWN"}
REPORT_STATUS = {0: "NONE", 1: "FILED", 2: "CHALLENGED", 3: "UPHELD", 4: "VOIDED"}
OPEN_END = 2**32 - 1


@dataclass(frozen=True)
class Node:
    """`ComputeRegistry.node(node_id)`."""

    owner: str
    tier: int
    status: int
    gpu_count: int
    prev_gpu_count: int
    gpus_from_epoch: int
    stake: int
    first_epoch: int
    end_epoch: int
    open_challenges: int
    registered_at: int
    deactivated_at: int
    withdrawable_at: int
    specs_hash: bytes
    convicted: bool

    @property
    def status_name(self) -> str:
        return NODE_STATUS.get(self.status, str(self.status))


@dataclass(frozen=True)
class Report:
    """`ComputeRegistry.report_of(node_id, epoch)`."""

    work_units: int
    effective_units: int
    uptime_bps: int
    receipts_root: bytes
    status: int
    reported_at: int
    challenge_deadline: int
    claimed: bool
    reward: int

    @property
    def status_name(self) -> str:
        return REPORT_STATUS.get(self.status, str(self.status))


@dataclass(frozen=True)
class Epoch:
    """`ComputeRegistry.epoch_total(epoch)`."""

    start: int
    end: int
    report_deadline: int
    final_at: int
    terms_version: int
    emission: int
    total_units: int
    rewarded: int
    reports: int


@dataclass(frozen=True)
class Challenge:
    """`ComputeRegistry.challenge_of(node_id, epoch)`."""

    challenger: str
    arbitrator: str
    dispute_id: int
    bond: int
    fee: int
    fraud_slash_bps: int
    challenger_share_bps: int
    ruling: int
    slashed: int


def read_receipts(path: Path, node_id: int, epoch: int) -> EpochReceipts:
    """The receipts of one node's epoch from a CSV/JSONL file, as a tree."""
    receipts = []
    for number, row in enumerate(read_rows(path), 1):
        where = f"{path} row {number}"
        for name, wanted in (("node_id", node_id), ("epoch", epoch)):
            if row.get(name) not in (None, "") and to_int(row[name], where, name) != wanted:
                raise InputError(f"{where}: {name} {row[name]} is not the report's {wanted}")
        try:
            client = checksum(field(row, ("client",), where), f"{where}: client")
        except Refusal as exc:
            raise InputError(str(exc)) from None
        receipts.append(
            JobReceipt(
                job_id=to_bytes32(field(row, ("job_id",), where), where, "job_id"),
                node_id=node_id,
                epoch=epoch,
                client=client,
                work_units=to_int(field(row, ("work_units",), where), where, "work_units"),
                output_hash=to_bytes32(field(row, ("output_hash",), where), where, "output_hash"),
            )
        )
    try:
        return EpochReceipts.of(node_id, epoch, receipts)
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from None


class NodeClient:
    """A provider's view of, and actions at, one registry. `registry`,
    `token` and `court` are contract handles (Ape or titanoboa)."""

    def __init__(
        self,
        registry: Any,
        token: Any,
        court: Any,
        backend: Backend,
        log: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.registry = registry
        self.court = court
        self.wallet = Wallet(backend, token)
        self.log = log

    # -- views ----------------------------------------------------------------

    @property
    def address(self) -> str:
        return str(self.registry.address)

    def now(self) -> int:
        return self.wallet.now()

    def current_epoch(self) -> int:
        return int(self.registry.current_epoch())

    def count(self) -> int:
        return int(self.registry.node_count())

    def node(self, node_id: int) -> Node:
        count = self.count()
        if not 1 <= node_id <= count:
            raise Refusal(
                f"no node {node_id} at registry {self.address}"
                + (f": nodes are 1 to {count}" if count else ": no node yet")
            )
        return from_struct(Node, self.registry.node(node_id))

    def owned(self, node_id: int, action: str) -> Node:
        node = self.node(node_id)
        if node.owner != self.wallet.address:
            raise Refusal(
                f"only node {node_id}'s owner ({node.owner}) may {action}; "
                f"you are {self.wallet.address}"
            )
        return node

    def nodes_of(self, owner: str) -> list[tuple[int, Node]]:
        return [
            (node_id, node)
            for node_id in range(1, self.count() + 1)
            if (node := from_struct(Node, self.registry.node(node_id))).owner == owner
        ]

    def report(self, node_id: int, epoch: int) -> Report:
        return from_struct(Report, self.registry.report_of(node_id, epoch))

    def epoch(self, epoch: int) -> Epoch:
        return from_struct(Epoch, self.registry.epoch_total(epoch))

    def challenge_of(self, node_id: int, epoch: int) -> Challenge:
        return from_struct(Challenge, self.registry.challenge_of(node_id, epoch))

    def required_stake(self, tier: int, gpus: int) -> int:
        self.check_shape(tier, gpus)
        return int(self.registry.required_stake(tier, gpus))

    def max_work_units(self, node_id: int, epoch: int) -> int:
        return int(self.registry.max_work_units(node_id, epoch))

    def units_per_gpu_second(self, epoch: int, tier: int) -> int:
        return int(self.registry.epoch_terms(epoch).max_units_per_gpu_second[tier])

    def epoch_length(self) -> int:
        return int(self.registry.EPOCH_LENGTH())

    def credits(self, account: str | None = None) -> int:
        return int(self.registry.credits(account or self.wallet.address))

    def challenge_cost(self) -> tuple[int, int]:
        """(bond, arbitration fee) a challenge pulls now."""
        params = self.registry.params()
        return int(params.challenge_bond), int(
            self.court.arbitrationCost(bytes(params.arbitrator_extra_data))
        )

    def claimable_epochs(self, node_id: int) -> list[tuple[int, int]]:
        """(epoch, reward) of every epoch `claim` would pay now."""
        node = self.node(node_id)
        last = min(self.current_epoch(), node.end_epoch)
        return [
            (epoch, reward)
            for epoch in range(node.first_epoch, last)
            if (reward := self.pending_reward(node_id, epoch))
        ][:MAX_CLAIM_EPOCHS]

    def pending_reward(self, node_id: int, epoch: int) -> int:
        """What `claim` would pay for one epoch now, before the cap clamp
        (`ComputeRegistryLens.pending_reward`, computed from the views): the
        entitlement at the epoch's current total less what was paid; 0 while
        the node is under challenge or once it is convicted."""
        node, report = self.node(node_id), self.report(node_id, epoch)
        if not report.status or node.convicted or node.open_challenges:
            return 0
        info = self.epoch(epoch)
        if self.now() < info.final_at:
            return 0
        entitled = reward(info.emission, report.effective_units, info.total_units)
        return pending_reward(entitled, report.reward)

    # -- checks ---------------------------------------------------------------

    @staticmethod
    def check_shape(tier: int, gpus: int) -> None:
        if not 0 <= tier < N_TIERS:
            raise Refusal(f"tier {tier} does not exist: tiers are 0 to {N_TIERS - 1}")
        if not 1 <= gpus <= MAX_GPUS_PER_NODE:
            raise Refusal(f"a node has 1 to {MAX_GPUS_PER_NODE:,} GPUs, not {gpus:,}")

    def _not_paused(self, what: str) -> None:
        if bool(self.registry.paused()):
            raise Refusal(f"the registry is paused: {what} is refused until the guardian unpauses")

    def _active(self, node_id: int, node: Node, action: str) -> None:
        if node.status_name != "ACTIVE":
            raise Refusal(f"node {node_id} is {node.status_name}: cannot {action}")

    # -- provider -------------------------------------------------------------

    def register(
        self, specs_hash: bytes, specs_uri: str, gpus: int, tier: int, permit: bool = True
    ) -> int:
        """Registers a node (bonding its stake, by permit or approval); returns its id."""
        self._not_paused("registration")
        stake = self.required_stake(tier, gpus)
        if specs_hash == bytes(32):
            raise Refusal("the specs hash is empty")
        if len(specs_uri.encode()) > MAX_URI_BYTES:
            raise Refusal(f"the specs URI is longer than {MAX_URI_BYTES} bytes")
        self.wallet.require_balance(stake, f"registering {gpus} GPU(s) of tier {tier}")
        node_id = self.count() + 1
        allowance = int(self.wallet.token.allowance(self.wallet.address, self.address))
        if permit and allowance < stake:
            self.log(f"signing a permit for {format_ldao(stake)}")
            deadline, v, r, s = self.wallet.permit(self.address, stake)
            self.wallet.send(
                self.registry,
                "register_node_with_permit",
                specs_hash,
                specs_uri,
                gpus,
                tier,
                deadline,
                v,
                r,
                s,
            )
        else:
            self.wallet.approve(self.address, stake, self.log)
            self.wallet.send(self.registry, "register_node", specs_hash, specs_uri, gpus, tier)
        for candidate in range(self.count(), node_id - 1, -1):
            if self.node(candidate).owner == self.wallet.address:
                return candidate
        return node_id

    def update(self, node_id: int, specs_hash: bytes, specs_uri: str) -> None:
        node = self.owned(node_id, "update its specs")
        self._active(node_id, node, "update its specs")
        if len(specs_uri.encode()) > MAX_URI_BYTES:
            raise Refusal(f"the specs URI is longer than {MAX_URI_BYTES} bytes")
        self.wallet.send(self.registry, "update_node", node_id, specs_hash, specs_uri)

    def add_stake(self, node_id: int, extra_gpus: int) -> int:
        self._not_paused("adding GPUs")
        node = self.owned(node_id, "add GPUs")
        self._active(node_id, node, "add GPUs")
        if extra_gpus < 1 or node.gpu_count + extra_gpus > MAX_GPUS_PER_NODE:
            raise Refusal(
                f"node {node_id} has {node.gpu_count} GPU(s): add 1 to "
                f"{MAX_GPUS_PER_NODE - node.gpu_count} (at most {MAX_GPUS_PER_NODE} per node)"
            )
        amount = self.required_stake(node.tier, extra_gpus)
        self.wallet.require_balance(amount, f"adding {extra_gpus} GPU(s)")
        self.wallet.approve(self.address, amount, self.log)
        self.wallet.send(self.registry, "add_stake", node_id, extra_gpus)
        return amount

    def check_report(
        self, node_id: int, epoch: int, work_units: int, uptime_bps: int
    ) -> tuple[Node, int]:
        """Raises Refusal unless the report can be filed now; returns the
        node and the epoch's bound on work units."""
        node = self.owned(node_id, "report for it")
        current = self.current_epoch()
        now = self.now()
        if epoch >= current:
            end = self.epoch(epoch).end
            raise Refusal(
                f"epoch {epoch} is not finished: it can be reported from "
                f"{format_time(end, now)} (the current epoch is {current})"
            )
        if epoch < node.first_epoch:
            raise Refusal(
                f"node {node_id} reports from epoch {node.first_epoch} "
                "(the first full epoch after its registration)"
            )
        if epoch >= node.end_epoch:
            raise Refusal(
                f"node {node_id} was deactivated: its last reportable epoch is {node.end_epoch - 1}"
            )
        existing = self.report(node_id, epoch)
        if existing.status:
            raise Refusal(f"node {node_id} already reported epoch {epoch} ({existing.status_name})")
        info = self.epoch(epoch)
        if now >= info.report_deadline:
            raise Refusal(
                f"the reporting window of epoch {epoch} closed "
                f"{format_time(info.report_deadline, now)}"
            )
        if not 0 <= uptime_bps <= BPS:
            raise Refusal(f"uptime is 0 to {BPS} bps, not {uptime_bps}")
        bound = self.max_work_units(node_id, epoch)
        if work_units > bound:
            raise Refusal(
                f"{work_units:,} work units exceed node {node_id}'s capacity in epoch {epoch}: "
                f"at most {bound:,} ({_capacity_formula(self, node, epoch)})"
            )
        if work_units * uptime_bps // BPS == 0:
            raise Refusal("the report has no effective work units (work units x uptime is 0)")
        return node, bound

    def file_report(
        self, node_id: int, epoch: int, batch: EpochReceipts, uptime_bps: int
    ) -> Report:
        self.check_report(node_id, epoch, batch.work_units, uptime_bps)
        self.wallet.send(
            self.registry, "report", node_id, epoch, batch.work_units, uptime_bps, batch.root
        )
        return self.report(node_id, epoch)

    def claim(self, node_id: int, epochs: list[int] | None = None) -> int:
        """Claims the rewards of `epochs` (default: every claimable one)."""
        node = self.owned(node_id, "claim its rewards")
        if node.convicted:
            raise Refusal(f"node {node_id} was convicted of fraud: its rewards are forfeited")
        if node.open_challenges:
            raise Refusal(
                f"node {node_id} has {node.open_challenges} report(s) under challenge: "
                "its rewards wait for the court's ruling"
            )
        if epochs is None:
            epochs = [epoch for epoch, _ in self.claimable_epochs(node_id)]
            if not epochs:
                raise Refusal(
                    f"node {node_id} has no reward to claim now: " + self._next_final(node_id)
                )
        if len(epochs) > MAX_CLAIM_EPOCHS:
            raise Refusal(f"claim at most {MAX_CLAIM_EPOCHS} epochs at a time")
        now = self.now()
        for epoch in epochs:
            report = self.report(node_id, epoch)
            if report.status_name == "NONE":
                raise Refusal(f"epoch {epoch} of node {node_id} cannot be claimed: NONE")
            final_at = self.epoch(epoch).final_at
            if now < final_at:
                raise Refusal(f"epoch {epoch} becomes final {format_time(final_at, now)}")
            if report.claimed and not self.pending_reward(node_id, epoch):
                raise Refusal(f"epoch {epoch} of node {node_id} cannot be claimed: already claimed")
        before = self.wallet.balance()
        self.wallet.send(self.registry, "claim", node_id, epochs)
        return self.wallet.balance() - before

    def _next_final(self, node_id: int) -> str:
        node = self.node(node_id)
        now = self.now()
        for epoch in range(node.first_epoch, min(self.current_epoch(), node.end_epoch)):
            report = self.report(node_id, epoch)
            if report.status_name in ("FILED", "UPHELD", "CHALLENGED") and not report.claimed:
                final_at = self.epoch(epoch).final_at
                if final_at > now:
                    return f"epoch {epoch} becomes final {format_time(final_at, now)}"
        return "no unclaimed report (report finished epochs with `node report`)"

    def deactivate(self, node_id: int) -> Node:
        node = self.owned(node_id, "deactivate it")
        self._active(node_id, node, "deactivate it")
        self.wallet.send(self.registry, "deactivate", node_id)
        return self.node(node_id)

    def withdraw_stake(self, node_id: int) -> int:
        node = self.owned(node_id, "withdraw its stake")
        now = self.now()
        if node.status_name == "ACTIVE":
            unbonding = int(self.registry.params().unbonding_period)
            raise Refusal(
                f"node {node_id} is active: `node deactivate` it first, then wait the "
                f"unbonding period ({format_duration(unbonding)})"
            )
        if node.status_name == "WITHDRAWN":
            raise Refusal(f"node {node_id}'s stake was already withdrawn")
        if now < node.withdrawable_at:
            raise Refusal(
                f"node {node_id}'s unbonding period ends {format_time(node.withdrawable_at, now)}"
            )
        if node.open_challenges:
            raise Refusal(
                f"node {node_id} has {node.open_challenges} report(s) under challenge: "
                "withdraw after the court's ruling is executed"
            )
        self.wallet.send(self.registry, "withdraw_stake", node_id)
        return node.stake

    def withdraw(self) -> int:
        amount = self.credits()
        if not amount:
            raise Refusal(
                "nothing to withdraw from the registry: bonds and slash shares are credited "
                "when a challenge is ruled"
            )
        self.wallet.send(self.registry, "withdraw")
        return amount

    # -- anyone -----------------------------------------------------------------

    def forfeitable_epochs(self, node_id: int) -> list[int]:
        """Epochs of a convicted node's reports that `forfeit_reports` would void."""
        node = self.node(node_id)
        if not node.convicted:
            return []
        last = min(self.current_epoch(), node.end_epoch)
        return [
            epoch
            for epoch in range(node.first_epoch, last)
            if (report := self.report(node_id, epoch)).status_name in ("FILED", "UPHELD")
            and not report.claimed
        ][:MAX_CLAIM_EPOCHS]

    def forfeit(self, node_id: int) -> list[int]:
        """Voids a convicted node's unclaimed reports (their shares go to the
        honest nodes of their epochs); returns the epochs voided."""
        if not self.node(node_id).convicted:
            raise Refusal(f"node {node_id} was not convicted of fraud: its reports stand")
        epochs = self.forfeitable_epochs(node_id)
        if not epochs:
            raise Refusal(f"node {node_id} has no unclaimed report left to forfeit")
        self.wallet.send(self.registry, "forfeit_reports", node_id, epochs)
        return epochs

    def challenge(self, node_id: int, epoch: int, evidence_uri: str) -> int:
        """Challenges a report (bond + arbitration fee); returns the dispute id."""
        if self.node(node_id).convicted:
            raise Refusal(
                f"node {node_id} was already convicted of fraud: its stake is slashed and its "
                "rewards forfeited (`node forfeit` voids its other reports)"
            )
        report = self.report(node_id, epoch)
        now = self.now()
        if report.status_name == "NONE":
            raise Refusal(f"node {node_id} filed no report for epoch {epoch}")
        if report.status_name != "FILED":
            raise Refusal(
                f"node {node_id}'s report of epoch {epoch} is {report.status_name}: "
                "a report is challenged once, ever"
            )
        if now >= report.challenge_deadline:
            raise Refusal(
                f"the challenge period of this report ended "
                f"{format_time(report.challenge_deadline, now)}"
            )
        if not evidence_uri.strip() or len(evidence_uri.encode()) > MAX_URI_BYTES:
            raise Refusal(f"the evidence URI is required, 1 to {MAX_URI_BYTES} bytes")
        bond, fee = self.challenge_cost()
        self.wallet.require_balance(bond + fee, "a challenge (bond + arbitration fee)")
        self.wallet.approve(self.address, bond + fee, self.log)
        self.wallet.send(self.registry, "challenge", node_id, epoch, evidence_uri)
        return self.challenge_of(node_id, epoch).dispute_id


def _capacity_formula(client: NodeClient, node: Node, epoch: int) -> str:
    gpus = node.gpu_count if epoch >= node.gpus_from_epoch else node.prev_gpu_count
    per_second = client.units_per_gpu_second(epoch, node.tier)
    return (
        f"{gpus} GPU(s) x {per_second:,} units/GPU-second (tier {node.tier}) "
        f"x {client.epoch_length():,} s"
    )
