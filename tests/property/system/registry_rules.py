"""Providers and challengers at the ComputeRegistry: nodes registered and
grown, epochs reported (and refused reports), reports challenged into the
court, rewards claimed once final (the exact share of the emission, topped
up when a fraud ruling or a forfeit shrinks the epoch), a convicted node's
reports forfeited, nodes deactivated and their stake withdrawn after
unbonding (never under challenge), credits withdrawn, new epoch terms
from the timelock, while paused too."""

from __future__ import annotations

from typing import Any

import boa
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from labeldao.registry import NODE_ACTIVE, NODE_WITHDRAWN, effective_units, reward
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
from tests.property.system.world import CHALLENGERS, LDAO, PEOPLE, PROVIDERS, as_dict, refuse

pick = st.integers(0, 15)
MAX_NODES = 4
# Allowed report status moves (anything else rewrites history).
MOVES = {
    REPORT_FILED: {REPORT_CHALLENGED, REPORT_VOIDED},  # voided: forfeited
    REPORT_CHALLENGED: {REPORT_UPHELD, REPORT_VOIDED},
    REPORT_UPHELD: {REPORT_VOIDED},
    REPORT_VOIDED: set(),
}
# What `registry_refusals` tries.
REFUSALS = ("report", "challenge", "deactivate", "withdraw_stake", "forfeit")


class RegistryUsers(SystemBase):
    """Compute providers and challengers."""

    AREAS = frozenset({"token", "registry"})

    def __init__(self, world: Any) -> None:
        super().__init__(world)
        # (node, epoch) -> (units, uptime, reported_at) as filed: never changes.
        self.filed: dict[tuple[int, int], tuple[int, int, int]] = {}
        # Claimed reports owed a top-up: their epoch's total units fell.
        self.topups: set[tuple[int, int]] = set()
        self.registry_versions = 0  # epoch terms the timelock scheduled

    def _move(self, key: tuple[int, int], status: int) -> None:
        """A report's status moves, only forward."""
        assert status in MOVES[self.reports[key]], (key, self.reports[key], status)
        self.reports[key] = status

    def _shrunk(self, epoch: int) -> None:
        """Units of `epoch` were voided: its claimed reports are owed more."""
        self.topups.update(
            k for k in self.claimed if k[1] == epoch and self.reports[k] != REPORT_VOIDED
        )

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
        self.filed[(node.id, epoch)] = (units, uptime, self.now)
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
        report within its challenge period (too late: refused); neither the
        registry's pause nor the court's stops it (the court's
        `createDispute` never pauses)."""
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
        self._move((node_id, epoch), REPORT_CHALLENGED)
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
            bps = self.w.registry_params["fraud_slash_bps"]
            assert slashed.amount == before.stake * bps // 10_000
            self._move((node_id, epoch), REPORT_VOIDED)
            self._shrunk(epoch)
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
            self._node(node_id).convicted = True
        else:
            assert not slashes and after.stake == before.stake
            self._move((node_id, epoch), REPORT_UPHELD)
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
            and (k not in self.claimed or k in self.topups)
            and k[0] not in held
        ]

    @precondition(lambda self: self._claimable_reports())
    @rule(i=pick)
    def claim_rewards(self, i: int) -> None:
        """The owner claims a final epoch's reward (waiting until it is
        final; works while paused): its share of the epoch's emission at
        the epoch's current total, less what it was paid (a top-up after
        a fraud ruling or a forfeit shrank the total), within the cap."""
        candidates = self._claimable_reports()
        node_id, epoch = candidates[i % len(candidates)]
        self.begin(f"claim node {node_id} epoch {epoch}")
        registry, owner = self.w.registry, self._node(node_id).owner
        terms = self.w.registry_terms
        final_at = self.w.genesis + (epoch + 1) * self.w.epoch_length
        final_at += terms["reporting_window"] + terms["challenge_period"]
        if self.reports[(node_id, epoch)] == REPORT_FILED or self.now < final_at:
            self.wait(final_at - self.now)
        filed = registry.report_of(node_id, epoch)
        emission = registry.epoch_terms(epoch).epoch_emission
        entitled = reward(emission, filed.effective_units, registry.epoch_total(epoch).total_units)
        room = self.w.cap - self.w.token.totalSupply()
        self.topups.discard((node_id, epoch))
        if filed.claimed and entitled <= filed.reward:
            refuse(registry, "claim", node_id, [epoch], sender=owner,
                   reason="registry: reward already claimed")  # fmt: skip
            return
        paid = registry.claim(node_id, [epoch], sender=owner)
        (claimed,) = [e for e in registry.get_logs() if type(e).__name__ == "RewardClaimed"]
        assert paid == claimed.amount <= claimed.entitled
        assert paid == min(entitled - filed.reward, room), (paid, entitled, filed.reward)
        event("registry: top-up claim" if filed.claimed else "registry: first claim")
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

    def _forfeitable(self) -> list[tuple[int, int]]:
        convicted = {n.id for n in self.nodes if n.convicted}
        return [
            k
            for k, status in self.reports.items()
            if k[0] in convicted
            and status in (REPORT_FILED, REPORT_UPHELD)
            and k not in self.claimed
        ]

    @precondition(lambda self: self._forfeitable())
    @rule(i=pick)
    def forfeit(self, i: int) -> None:
        """Anyone voids a convicted node's unclaimed reports (works while
        paused): their units leave their epochs' totals, and the honest
        nodes' claims there are topped up."""
        candidates = self._forfeitable()
        node_id, epoch = candidates[i % len(candidates)]
        self.begin(f"forfeit node {node_id} epoch {epoch}")
        registry = self.w.registry
        units = registry.report_of(node_id, epoch).effective_units
        anyone = self.w.address(CHALLENGERS[0])
        assert registry.forfeit_reports(node_id, [epoch], sender=anyone) == units
        self._move((node_id, epoch), REPORT_VOIDED)
        self._shrunk(epoch)
        refuse(registry, "forfeit_reports", node_id, [epoch], sender=anyone,
               reason="registry: report not forfeitable")  # fmt: skip
        self.touch("registry")
        event("registry: report forfeited")

    @precondition(lambda self: self.nodes)
    @rule(i=pick, extra=st.integers(1, 3))
    def grow(self, i: int, extra: int) -> None:
        """The owner adds GPUs to an active node, bonding `stake_per_gpu[tier]
        x extra` more. Paused, or the node stopped: refused."""
        node = self.nodes[i % len(self.nodes)]
        self.begin(f"grow node {node.id} by {extra}")
        registry = self.w.registry
        info = registry.node(node.id)
        if self.paused["registry"]:
            refuse(registry, "add_stake", node.id, extra, sender=node.owner, reason=PAUSED)
            self.ledgers.paused_entries.append(("registry", "add_stake"))
            return
        if not node.active:
            refuse(registry, "add_stake", node.id, extra, sender=node.owner,
                   reason="registry: node not active")  # fmt: skip
            return
        epoch = self.registry_epoch()
        now_units, next_units = (registry.max_work_units(node.id, e) for e in (epoch, epoch + 1))
        bonded = registry.add_stake(node.id, extra, sender=node.owner)
        assert bonded == registry.required_stake(info.tier, extra)
        assert registry.node(node.id).stake == info.stake + bonded
        # The new GPUs count from the next epoch on, not in this one.
        assert registry.max_work_units(node.id, epoch) == now_units
        assert registry.max_work_units(node.id, epoch + 1) > next_units
        self.touch("token", "registry")

    @precondition(lambda self: self.registry_versions * 4 <= len(self.reports))
    @rule(emission=st.sampled_from([0, 100, 1_000, 50_000]))
    def registry_set_emission(self, emission: int) -> None:
        """The timelock schedules a new emission from the next epoch on (at
        most one change per four reports); each epoch keeps the terms it was
        first reported under (invariant 8 and `claim_rewards` read them)."""
        self.begin(f"registry: emission {emission} from the next epoch")
        registry = self.w.registry
        terms = as_dict(registry.epoch_terms(self.registry_epoch() + 1))
        terms["epoch_emission"] = emission * LDAO
        registry.set_epoch_terms(tuple(terms.values()), sender=self.w.timelock)
        self.registry_versions += 1
        event("registry: set_epoch_terms")

    @precondition(lambda self: self.nodes)
    @rule(kind=st.sampled_from(REFUSALS), i=pick, back=st.integers(0, 3))
    def registry_refusals(self, kind: str, i: int, back: int) -> None:
        """The owner (or anyone) tries what the model says must fail: a
        report of an unfinished epoch, one before the node's registration,
        after its deactivation, twice, after the window or with no
        effective units; a second challenge; stopping a stopped node;
        withdrawing an active or withdrawn node's stake; forfeiting an
        honest node's report. Each reverts with the model's reason."""
        node = self.nodes[i % len(self.nodes)]
        self.begin(f"registry refusal: {kind} on node {node.id}")
        registry, owner = self.w.registry, node.owner
        if kind == "report":
            self._refused_report(node, max(self.registry_epoch() + 1 - back, 0))
        elif kind == "challenge":
            mine = sorted(k for k in self.reports if k[0] == node.id)
            key = mine[i % len(mine)] if mine else (node.id, 0)
            if self.reports.get(key, REPORT_FILED) == REPORT_FILED and key in self.reports:
                return
            reason = "registry: no report" if key not in self.reports else None
            refuse(registry, "challenge", *key, "ipfs://evidence",
                   sender=self.w.address(CHALLENGERS[0]),
                   reason=reason or "registry: report already challenged")  # fmt: skip
        elif kind == "deactivate" and not node.active:
            refuse(registry, "deactivate", node.id, sender=owner,
                   reason="registry: node not active")  # fmt: skip
        elif kind == "withdraw_stake" and (node.active or node.withdrawn):
            reason = "node still active" if node.active else "stake already withdrawn"
            refuse(registry, "withdraw_stake", node.id, sender=owner,
                   reason=f"registry: {reason}")  # fmt: skip
        elif kind == "forfeit" and not node.convicted:
            refuse(registry, "forfeit_reports", node.id, [0], sender=self.w.address(PEOPLE[0]),
                   reason="registry: node not convicted")  # fmt: skip

    def _refused_report(self, node: Node, epoch: int) -> None:
        """A report of `epoch` the model says must fail, refused with the
        model's reason (the first check the registry makes that fails)."""
        registry, terms = self.w.registry, self.w.registry_terms
        info = registry.node(node.id)
        end = self.w.genesis + (epoch + 1) * self.w.epoch_length
        checks = [
            (epoch >= self.registry_epoch(), "epoch not finished"),
            (epoch < info.first_epoch, "epoch before node registration"),
            (epoch >= info.end_epoch, "epoch after node deactivation"),
            ((node.id, epoch) in self.reports, "report already filed"),
            (self.now >= end + terms["reporting_window"], "reporting window closed"),
        ]
        reason = next((f"registry: {why}" for failed, why in checks if failed), None)
        units, uptime = 1, 10_000
        if reason is None:  # a report that could go through: one unit too many
            units = registry.max_work_units(node.id, epoch) + 1
            reason = "registry: work units exceed GPU capacity"
        assert effective_units(units, uptime) > 0
        refuse(registry, "report", node.id, epoch, units, uptime, b"\x04" * 32,
               sender=node.owner, reason=reason)  # fmt: skip
        event(f"registry: report refused ({reason})")

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

    @precondition(lambda self: self.challenges)
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
    def invariant_registry_history_is_append_only(self) -> None:
        """Registry (sweeps): every report keeps the units, uptime and filing
        time it was filed with, and the status the model moved it to (only
        forward: `_move`); every node keeps its owner, and its status and
        conviction are the model's."""
        if not (self.sweeping and "registry" in self.areas):
            return
        registry = self.w.registry
        with boa.env.anchor():
            for key, (units, uptime, at) in self.filed.items():
                r = registry.report_of(*key)
                assert (r.work_units, r.uptime_bps, r.reported_at) == (units, uptime, at), key
                assert r.status == self.reports[key], key
            for node in self.nodes:
                info = registry.node(node.id)
                assert str(info.owner) == node.owner, node
                assert (info.status == NODE_ACTIVE) == node.active, node
                assert (info.status == NODE_WITHDRAWN) == node.withdrawn, node
                assert info.convicted == node.convicted, node

    @invariant()
    def invariant_registry_deadlines_never_wait_on_a_pause(self) -> None:
        """Registry: while paused, every action a deadline waits for still
        works: the first report in its window is accepted, the first
        challengeable report can be challenged (whatever the court's pause), the
        first claimable report claimed (each tried in an anchor, so nothing
        changes)."""
        if not (self.paused["registry"] and self._due("registry")):
            return
        registry, terms = self.w.registry, self.w.registry_terms
        epoch = self.registry_epoch() - 1
        window_open = (
            self.now
            < self.w.genesis + (epoch + 1) * self.w.epoch_length + terms["reporting_window"]
        )
        for node in self._active() if window_open else []:
            if (node.id, epoch) not in self.reports and registry.node(node.id).first_epoch <= epoch:
                with boa.env.anchor():
                    registry.report(node.id, epoch, 1, 10_000, b"\x04" * 32, sender=node.owner)
                break
        for key in self._challengeable():
            if self.now < registry.report_of(*key).reported_at + terms["challenge_period"]:
                with boa.env.anchor():
                    registry.challenge(*key, "e", sender=self.w.address(CHALLENGERS[0]))
                break
        final = self.now - terms["reporting_window"] - terms["challenge_period"]
        for node_id, e in self._claimable_reports():
            if (node_id, e) not in self.claimed and self.w.genesis + (
                e + 1
            ) * self.w.epoch_length <= final:
                with boa.env.anchor():
                    registry.claim(node_id, [e], sender=self._node(node_id).owner)
                break

    @invariant()
    def invariant_registry_voided_units_never_dilute(self) -> None:
        """Registry: an epoch's denominator is the effective units of its
        reports that are not voided, whenever the fraud ruling or forfeit
        came (the honest nodes top up to it), so voided units never dilute
        a claim; each live report was paid at most its share of the
        emission, and the shares add up to the emission less rounding
        (under one base unit per report)."""
        if not self._due("registry"):
            return
        registry = self.w.registry
        with boa.env.anchor():
            for epoch in {e for (_, e) in self.reports}:
                live = [
                    registry.report_of(n, e)
                    for (n, e), status in self.reports.items()
                    if e == epoch and status != REPORT_VOIDED
                ]
                total = sum(r.effective_units for r in live)
                assert registry.epoch_total(epoch).total_units == total
                if not live:
                    continue
                emission = registry.epoch_terms(epoch).epoch_emission
                shares = [reward(emission, r.effective_units, total) for r in live]
                assert all(r.reward <= share for r, share in zip(live, shares, strict=True))
                assert emission - len(live) < sum(shares) <= emission
