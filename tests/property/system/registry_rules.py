"""Providers and challengers at the ComputeRegistry: nodes registered,
epochs reported, reports challenged into the court, rewards claimed once
final, nodes deactivated and their stake withdrawn after unbonding (never
under challenge), credits withdrawn, while paused too."""

from __future__ import annotations

from typing import Any

import boa
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from tests.property.system.base import PAUSED, SystemBase
from tests.property.system.model import (
    REPORT_CHALLENGED,
    REPORT_FILED,
    REPORT_UPHELD,
    REPORT_VOIDED,
    Dispute,
    Node,
    Slash,
)
from tests.property.system.world import CHALLENGERS, PEOPLE, PROVIDERS, refuse

pick = st.integers(0, 15)
MAX_NODES = 4


class RegistryUsers(SystemBase):
    """Compute providers and challengers."""

    def _node(self, node_id: int) -> Node:
        return next(n for n in self.nodes if n.id == node_id)

    def _active(self) -> list[Node]:
        return [n for n in self.nodes if n.active]

    @precondition(lambda self: len(self.nodes) < MAX_NODES)
    @rule(who=st.sampled_from(PROVIDERS), gpus=st.integers(1, 3), tier=st.integers(0, 3))
    def register_node(self, who: str, gpus: int, tier: int) -> None:
        """A provider bonds `stake_per_gpu[tier] x gpus`. Paused: refused."""
        self.begin(f"register node by {who}")
        registry, owner = self.w.registry, self.w.address(who)
        args = (b"\x03" * 32, "ipfs://specs", gpus, tier)
        if self.paused["registry"]:
            refuse(registry, "register_node", *args, sender=owner, reason=PAUSED)
            self.ledgers.paused_entries.append(("registry", "register_node"))
            return
        node_id = registry.register_node(*args, sender=owner)
        assert registry.node(node_id).stake == registry.required_stake(tier, gpus)
        self.nodes.append(Node(node_id, owner))
        self.touch("token", "registry")

    @precondition(lambda self: self._active())
    @rule(i=pick, load=st.integers(1, 100), uptime=st.integers(1_000, 10_000))
    def report(self, i: int, load: int, uptime: int) -> None:
        """The owner reports the last finished epoch (waiting for the node's
        first epoch to end), `load`% of its capacity. Works while paused: a
        pause never closes a reporting window on anyone."""
        node = self._active()[i % len(self._active())]
        self.begin(f"report node {node.id}")
        registry = self.w.registry
        first = registry.node(node.id).first_epoch
        if self.registry_epoch() <= first:
            self.wait(self.w.genesis + (first + 1) * self.w.epoch_length - self.now)
        epoch = self.registry_epoch() - 1
        if (node.id, epoch) in self.reports:
            return
        units = max(registry.max_work_units(node.id, epoch) * load // 100, 1)
        args = (node.id, epoch, units, uptime, b"\x04" * 32)
        if self.paused["registry"]:
            event("registry: report while paused")
        if units * uptime // 10_000 == 0:
            refuse(
                registry,
                "report",
                *args,
                sender=node.owner,
                reason="registry: no effective work units",
            )
            return
        registry.report(*args, sender=node.owner)
        self.reports[(node.id, epoch)] = REPORT_FILED
        self.touch("registry")

    def _challengeable(self) -> list[tuple[int, int]]:
        return [
            k
            for k, status in self.reports.items()
            if status == REPORT_FILED and k not in self.claimed
        ]

    @precondition(lambda self: self._challengeable())
    @rule(i=pick)
    def challenge(self, i: int) -> None:
        """A challenger bonds `challenge_bond` plus the court's fee against a
        report within its challenge period (too late: refused). The court
        paused: refused, since no dispute can be opened."""
        candidates = self._challengeable()
        node_id, epoch = candidates[i % len(candidates)]
        self.begin(f"challenge node {node_id} epoch {epoch}")
        registry = self.w.registry
        challenger = self.w.address(CHALLENGERS[0])
        report = registry.report_of(node_id, epoch)
        if self.now >= report.reported_at + self.w.registry_terms["challenge_period"]:
            refuse(registry, "challenge", node_id, epoch, "ipfs://evidence", sender=challenger,
                   reason="registry: challenge period over")  # fmt: skip
            return
        dispute_id = registry.challenge(node_id, epoch, "ipfs://evidence", sender=challenger)
        self.reports[(node_id, epoch)] = REPORT_CHALLENGED
        self.challenges[(node_id, epoch)] = dispute_id
        self.open_dispute(Dispute(dispute_id, "registry", (node_id, epoch)))
        self.touch("token", "registry", "court")
        event("registry: report challenged")

    def registry_ruled(self, dispute: Dispute, ruling: int, before: Any, logs: list[Any]) -> None:
        """After the court's ruling reached the registry: fraud (2) voids the
        report and slashes `fraud_slash_bps` of the node's stake, shared
        between the challenger and the treasury; otherwise no slash."""
        node_id, epoch = dispute.subject
        registry = self.w.registry
        after = registry.node(node_id)
        slashes = [e for e in logs if type(e).__name__ == "NodeSlashed"]
        if ruling == 2:
            (slashed,) = slashes
            self.reports[(node_id, epoch)] = REPORT_VOIDED
            assert after.stake == before.stake - slashed.amount
            self.ledgers.slashes.append(
                Slash(
                    "registry",
                    str(before.owner),
                    slashed.amount,
                    before.stake,
                    "ruling",
                    str(self._node(node_id).owner),
                    redistributed=slashed.to_challenger,
                    to_treasury=slashed.to_treasury,
                )  # fmt: skip
            )
            self._node(node_id).active = False
        else:
            assert not slashes and after.stake == before.stake
            self.reports[(node_id, epoch)] = REPORT_UPHELD
        assert registry.report_of(node_id, epoch).status == self.reports[(node_id, epoch)]

    def _claimable_reports(self) -> list[tuple[int, int]]:
        """Unclaimed reports of nodes neither under challenge nor convicted
        of fraud (their claims wait for the ruling, or are forfeited)."""
        held = {
            n
            for (n, _), status in self.reports.items()
            if status in (REPORT_CHALLENGED, REPORT_VOIDED)
        }
        return [
            k
            for k, status in self.reports.items()
            if status in (REPORT_FILED, REPORT_UPHELD)
            and k not in self.claimed
            and k[0] not in held
        ]

    @precondition(lambda self: self._claimable_reports())
    @rule(i=pick)
    def claim_rewards(self, i: int) -> None:
        """The owner claims a final epoch's reward (waiting until it is
        final; works while paused): at most its share of the emission."""
        candidates = self._claimable_reports()
        node_id, epoch = candidates[i % len(candidates)]
        self.begin(f"claim node {node_id} epoch {epoch}")
        registry, owner = self.w.registry, self._node(node_id).owner
        terms = self.w.registry_terms
        final_at = self.w.genesis + (epoch + 1) * self.w.epoch_length
        final_at += terms["reporting_window"] + terms["challenge_period"]
        if self.reports[(node_id, epoch)] == REPORT_FILED or self.now < final_at:
            self.wait(final_at - self.now)
        paid = registry.claim(node_id, [epoch], sender=owner)
        (claimed,) = [e for e in registry.get_logs() if type(e).__name__ == "RewardClaimed"]
        assert paid == claimed.amount <= claimed.entitled
        self.claimed.add((node_id, epoch))
        refuse(
            registry,
            "claim",
            node_id,
            [epoch],
            sender=owner,
            reason="registry: reward already claimed",
        )
        self._exit("registry", "claim")

    @precondition(lambda self: self._active())
    @rule(i=pick)
    def deactivate(self, i: int) -> None:
        """The owner stops a node (works while paused)."""
        node = self._active()[i % len(self._active())]
        self.begin(f"deactivate node {node.id}")
        self.w.registry.deactivate(node.id, sender=node.owner)
        node.active = False
        self._exit("registry", "deactivate")

    def _stopped(self) -> list[Any]:
        return [n for n in self.nodes if not n.active and not n.withdrawn]

    @precondition(lambda self: self._stopped())
    @rule(i=pick, wait=st.booleans())
    def withdraw_stake(self, i: int, wait: bool) -> None:
        """The owner takes the stake back after unbonding (works while
        paused); not while a report is under challenge."""
        node = self._stopped()[i % len(self._stopped())]
        self.begin(f"withdraw stake of node {node.id}")
        registry = self.w.registry
        info = registry.node(node.id)
        if wait:
            self.wait(info.withdrawable_at - self.now)
        if self.now < info.withdrawable_at:
            refuse(registry, "withdraw_stake", node.id, sender=node.owner,
                   reason="registry: unbonding period not over")  # fmt: skip
            return
        if info.open_challenges:
            reason = "registry: a report is under challenge, withdraw after the ruling"
            refuse(registry, "withdraw_stake", node.id, sender=node.owner, reason=reason)
            return
        assert registry.withdraw_stake(node.id, sender=node.owner) == info.stake
        node.withdrawn = True
        self._exit("registry", "withdraw_stake")

    @rule(who=st.sampled_from((*PROVIDERS, *CHALLENGERS, PEOPLE[0], "treasury")))
    def registry_withdraw(self, who: str) -> None:
        """Anyone withdraws registry credits (works while paused)."""
        self.begin(f"registry withdraw by {who}")
        registry = self.w.registry
        account = self.w.treasury if who == "treasury" else self.w.address(who)
        owed = registry.credits(account)
        if owed == 0:
            refuse(registry, "withdraw", sender=account, reason="registry: nothing to withdraw")
            return
        assert registry.withdraw(sender=account) == owed
        self._exit("registry", "withdraw")

    @invariant()
    def invariant_registry_voided_units_never_dilute(self) -> None:
        """Registry: an epoch's denominator is the effective units of its
        reports that are not voided, whenever the fraud ruling came (the
        honest nodes top up to it), so voided units never dilute a claim."""
        if not self._due("registry"):
            return
        registry = self.w.registry
        with boa.env.anchor():
            for epoch in {e for (_, e) in self.reports}:
                live = [
                    registry.report_of(n, e).effective_units
                    for (n, e), status in self.reports.items()
                    if e == epoch and status != REPORT_VOIDED
                ]
                assert registry.epoch_total(epoch).total_units == sum(live)
