"""Rebuilds the ComputeRegistry ledger from its events alone.

The registry logs every change to a node, a report or an epoch total, so
anyone can rebuild the full per-node, per-epoch history from logs, without
trusting an indexer and without calling the contract. `rebuild` folds the
registry's events, in chain order, into the same records the contract's
views return (`node`, `report_of`, `epoch_total`):

    ledger = rebuild((log.event_name, log.event_arguments) for log in logs)
    ledger.reports[(node_id, epoch)].reward

An epoch's total units are the effective units of its reports minus those
removed by fraud rulings (`ReportRuled.units_removed`) and by forfeits of a
convicted node's reports (`ReportForfeited.units_removed`), whenever they
came; a report's reward is the sum of its claims (a claim tops up after
units left its epoch).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from labeldao.registry import (
    NODE_ACTIVE,
    NODE_DEACTIVATED,
    NODE_WITHDRAWN,
    REPORT_CHALLENGED,
    REPORT_FILED,
    REPORT_VOIDED,
)

OPEN_END = 2**32 - 1


@dataclass
class NodeRecord:
    """A node as its events describe it."""

    owner: str
    tier: int
    gpu_count: int
    stake: int
    first_epoch: int
    specs_hash: bytes
    status: int = NODE_ACTIVE
    end_epoch: int = OPEN_END
    withdrawable_at: int = 0
    convicted: bool = False


@dataclass
class ReportRecord:
    """A report as its events describe it."""

    work_units: int
    uptime_bps: int
    effective_units: int
    receipts_root: bytes
    status: int = REPORT_FILED
    dispute_id: int | None = None
    ruling: int | None = None
    claimed: bool = False
    reward: int = 0


@dataclass
class EpochRecord:
    """An epoch's totals as its events describe them."""

    total_units: int = 0
    rewarded: int = 0
    reports: int = 0


@dataclass
class Ledger:
    """The registry's history, rebuilt event by event."""

    nodes: dict[int, NodeRecord] = field(default_factory=dict)
    reports: dict[tuple[int, int], ReportRecord] = field(default_factory=dict)
    epochs: dict[int, EpochRecord] = field(default_factory=dict)

    def apply(self, name: str, args: Mapping[str, Any]) -> None:
        """Applies one event; events the ledger does not track are ignored."""
        handler = getattr(self, f"_on_{name}", None)
        if handler is not None:
            handler(args)

    def _on_NodeRegistered(self, a: Mapping[str, Any]) -> None:
        self.nodes[a["node_id"]] = NodeRecord(
            owner=str(a["owner"]),
            tier=a["tier"],
            gpu_count=a["gpu_count"],
            stake=a["stake"],
            first_epoch=a["first_epoch"],
            specs_hash=bytes(a["specs_hash"]),
        )

    def _on_NodeUpdated(self, a: Mapping[str, Any]) -> None:
        self.nodes[a["node_id"]].specs_hash = bytes(a["specs_hash"])

    def _on_StakeAdded(self, a: Mapping[str, Any]) -> None:
        node = self.nodes[a["node_id"]]
        node.gpu_count, node.stake = a["gpu_count"], a["stake"]

    def _on_NodeDeactivated(self, a: Mapping[str, Any]) -> None:
        node = self.nodes[a["node_id"]]
        node.status = NODE_DEACTIVATED
        node.end_epoch, node.withdrawable_at = a["end_epoch"], a["withdrawable_at"]

    def _on_StakeWithdrawn(self, a: Mapping[str, Any]) -> None:
        node = self.nodes[a["node_id"]]
        node.status, node.stake = NODE_WITHDRAWN, 0

    def _on_NodeSlashed(self, a: Mapping[str, Any]) -> None:
        node = self.nodes[a["node_id"]]
        node.stake, node.convicted = a["stake_left"], True

    def _on_ReportFiled(self, a: Mapping[str, Any]) -> None:
        self.reports[(a["node_id"], a["epoch"])] = ReportRecord(
            work_units=a["work_units"],
            uptime_bps=a["uptime_bps"],
            effective_units=a["effective_units"],
            receipts_root=bytes(a["receipts_root"]),
        )
        epoch = self.epochs.setdefault(a["epoch"], EpochRecord())
        epoch.total_units += a["effective_units"]
        epoch.reports += 1

    def _on_ReportChallenged(self, a: Mapping[str, Any]) -> None:
        report = self.reports[(a["node_id"], a["epoch"])]
        report.status, report.dispute_id = REPORT_CHALLENGED, a["dispute_id"]

    def _on_ReportRuled(self, a: Mapping[str, Any]) -> None:
        report = self.reports[(a["node_id"], a["epoch"])]
        report.status, report.ruling = a["status"], a["ruling"]
        self.epochs[a["epoch"]].total_units -= a["units_removed"]

    def _on_ReportForfeited(self, a: Mapping[str, Any]) -> None:
        self.reports[(a["node_id"], a["epoch"])].status = REPORT_VOIDED
        self.epochs[a["epoch"]].total_units -= a["units_removed"]

    def _on_RewardClaimed(self, a: Mapping[str, Any]) -> None:
        report = self.reports[(a["node_id"], a["epoch"])]
        report.claimed = True
        report.reward += a["amount"]
        self.epochs[a["epoch"]].rewarded += a["amount"]


def rebuild(events: Iterable[tuple[str, Mapping[str, Any]]]) -> Ledger:
    """Folds `(event_name, arguments)` pairs, in chain order, into a ledger."""
    ledger = Ledger()
    for name, args in events:
        ledger.apply(name, args)
    return ledger
