"""The 12 invariants of DESIGN.md, one named function each, checked after
every step. Each reads what the step may have changed (`touched`), and
everything every `SWEEP_EVERY` steps and at teardown; checks run inside a
`boa.env.anchor()`, so that they cannot change the state. Invariants about
events inside rules (4, 5, 6, 9, 11) are asserted in the rule and checked
again here from the ledgers the rules keep."""

from __future__ import annotations

import boa
from hypothesis.stateful import invariant

from labeldao.escrow import TERMINAL, TaskStatus
from tests.property.system.base import SystemBase
from tests.property.system.model import REPORT_CHALLENGED
from tests.property.system.world import ZERO

SLASH_CAUSES = {
    "escrow": {"gold", "deadline", "ruling"},
    "registry": {"ruling"},
    "court": {"lost round"},
}


class Invariants(SystemBase):
    """The invariant functions, `invariant_01_...` to `invariant_12_...`."""

    def _due(self, *areas: str) -> bool:
        """Whether any of `areas` (among this machine's) needs reading."""
        mine = self.areas.intersection(areas)
        return bool(mine) and (self.sweeping or bool(self.touched.intersection(mine)))

    @invariant()
    def invariant_01_supply_and_votes(self) -> None:
        """1. `sum(balanceOf) == totalSupply <= cap`; votes: `sum(getVotes)
        <= totalSupply` and each delegate's votes == the balances delegated
        to it, `getPastVotes(a, t)` never changes once `t` is in the past.
        (After a token step: the cap and the votes of delegates whose
        delegators moved; every sweep: every holder's balance, every
        delegate's votes and every recorded past vote.)"""
        if not self._due("token"):
            return
        token = self.w.token
        with boa.env.anchor():
            supply = token.totalSupply()
            assert supply <= self.w.cap
            delegates = {d for d in self.delegates.values() if d != ZERO}
            assert sum(token.getVotes(d) for d in delegates) <= supply
            # Each delegate's votes are exactly the balances delegated to
            # it (the delegates whose delegators moved, or all on sweeps).
            dirty = delegates if self.sweeping else self.votes_dirty & delegates
            for d in dirty:
                delegated = [a for a, t in self.delegates.items() if t == d]
                assert token.getVotes(d) == sum(token.balanceOf(a) for a in delegated), d
            self.votes_dirty = set()
            if not self.sweeping:
                return
            assert sum(token.balanceOf(h) for h in self.w.holders) == supply
            for (account, block), votes in self.past_votes.items():
                if account == ZERO:
                    assert token.getPastTotalSupply(block) == votes
                else:
                    assert token.getPastVotes(account, block) == votes

    @invariant()
    def invariant_02_contracts_hold_what_they_owe(self) -> None:
        """2. Each contract's LDAO balance == sum of what it owes (escrowed
        rewards + stakes + locks + unclaimed payouts + fees); nothing is
        created or lost. (After a step that touched a contract: its balance
        against its own books; every sweep: against what the machine knows
        it owes, task by task, juror by juror, node by node; at teardown
        every holder's claims too.)"""
        w = self.w
        with boa.env.anchor():
            if self._due("escrow"):
                balance = w.token.balanceOf(w.escrow.address)
                assert balance == w.escrow.liabilities()
                if self.sweeping:
                    assert balance == self._escrow_owed()
            if self._due("court"):
                owed = 0
                free = 0
                for juror in self.jurors:
                    s = w.system.court_lens.juror_status(w.court.address, juror)
                    free += s.free
                    owed += s.free + s.locked + s.pending_withdrawal + s.claimable
                others = w.holders if self.step == 0 else w.court_claimants
                owed += sum(w.court.claimable(h) for h in others if h not in self.jurors)
                for d, dispute in self.disputes.items():
                    for r in range(dispute.rounds):
                        if r not in dispute.executed:
                            owed += w.system.court_lens.round_balance(w.court.address, d, r)
                assert w.token.balanceOf(w.court.address) == owed
                assert w.court.total_free_stake() == free
            if self._due("registry"):
                reg = w.registry
                books = (reg.total_stake(), reg.total_bonds(), reg.total_credits())
                assert w.token.balanceOf(reg.address) == sum(books)
                if self.sweeping:
                    assert books == self._registry_owed()

    def _escrow_owed(self) -> int:
        """What the escrow owes: open tasks' rewards, fees, gold bonds and
        stakes (gold slashes stay held until the task settles), and every
        claimable balance."""
        w = self.w
        owed = 0
        for task in self.open_tasks():
            t = w.escrow.tasks(task.id)
            assert not t.status & TERMINAL
            owed += t.reward + t.fee + t.gold_bond
            if t.status != TaskStatus.OPEN:
                owed += t.stake
        claimants = w.holders if self.step == 0 else w.escrow_claimants
        return owed + sum(w.escrow.claimable(h) for h in claimants)

    def _registry_owed(self) -> tuple[int, int, int]:
        """What the registry owes: (node stakes, open challenge bonds,
        credits)."""
        w = self.w
        stakes = sum(w.registry.node(n.id).stake for n in self.nodes)
        bonds = sum(
            w.registry.challenge_of(*key).bond
            for key, status in self.reports.items()
            if status == REPORT_CHALLENGED
        )
        claimants = w.holders if self.step == 0 else w.registry_claimants
        return stakes, bonds, sum(w.registry.credits(h) for h in claimants)

    @invariant()
    def invariant_03_slashes_bounded_and_accounted(self) -> None:
        """3. A slash never exceeds the stake it comes from; total slashed ==
        total redistributed + burned + sent to treasury. (Escrow and
        registry slashes are split per slash; a court round pools its
        penalties with its fee: fee + slashed == rewarded + to_treasury,
        and slashed == the sum of its jurors' penalties.)"""
        for s in self.ledgers.slashes:
            assert 0 <= s.amount <= s.stake_before, s
            if s.contract != "court":
                assert s.amount == s.redistributed + s.burned + s.to_treasury, s
        for (d, r), (fee, slashed, rewarded, to_treasury) in self.ledgers.rounds_executed.items():
            assert fee + slashed == rewarded + to_treasury, (d, r)
            penalties = sum(
                p.penalty for p in self.ledgers.penalties if (p.dispute, p.round) == (d, r)
            )
            assert penalties == slashed, (d, r, penalties, slashed)

    @invariant()
    def invariant_04_only_the_judged_are_slashed(self) -> None:
        """4. Only the court's ruling, a proven gold failure or a missed
        deadline can slash an annotator; only a ruling can slash a
        provider; only a lost round can slash a juror — and only the
        account that was judged."""
        for s in self.ledgers.slashes:
            assert s.cause in SLASH_CAUSES[s.contract], s
            assert s.account == str(s.judged), s

    @invariant()
    def invariant_05_reveals_match_commitments(self) -> None:
        """5. A reveal that does not match its commitment is rejected; a
        commitment made by another juror or for another round can never be
        revealed."""
        if not (self.sweeping and self.ledgers.refused_reveals):
            return
        with boa.env.anchor():
            for d, r, juror, _ in self.ledgers.refused_reveals:
                committed = self.disputes[d].commits.get(r, {}).get(juror)
                jr = self.w.system.court_lens.juror_round(self.w.court.address, d, r, juror)
                # Revealed at all only with the juror's own commitment.
                assert not jr.revealed or (committed and jr.choice == committed[0])

    @invariant()
    def invariant_06_draw_weight_and_locks(self) -> None:
        """6. Stake added after a dispute's draw has no weight in it; stake
        locked by a draw cannot be withdrawn until execution."""
        for juror, locked in self.epoch_locked.items():
            assert locked <= self.epoch_free.get(juror, 0), juror
        if not (self.sweeping and self.disputes):
            return
        with boa.env.anchor():
            court = self.w.court
            for juror in self.jurors:
                expected = 0
                for d, dispute in self.disputes.items():
                    for r in range(dispute.rounds):
                        if r not in dispute.executed:
                            jr = self.w.system.court_lens.juror_round(court.address, d, r, juror)
                            expected += 0 if jr.settled else jr.locked
                assert (
                    self.w.system.court_lens.juror_status(court.address, juror).locked == expected
                ), juror

    @invariant()
    def invariant_07_silence_costs_at_least_incoherence(self) -> None:
        """7. A non-revealing juror loses at least as much as an incoherent
        one."""
        for p in self.ledgers.penalties:
            incoherent = p.seats * p.seat_lock
            if p.revealed:
                assert p.penalty == incoherent, p
            else:
                assert p.penalty >= incoherent, p

    @invariant()
    def invariant_08_rewards_within_emission(self) -> None:
        """8. Rewards claimed for an epoch never exceed its emission
        (bounded dust)."""
        if not self._due("escrow", "registry"):
            return
        with boa.env.anchor():
            for epoch in self.bonus_epochs:
                budget, minted = self.w.escrow.epoch_emission(epoch)
                assert minted <= budget
            for epoch in {e for (_, e) in self.claimed}:
                info = self.w.registry.epoch_total(epoch)
                assert info.rewarded <= self.w.registry.epoch_terms(epoch).epoch_emission

    @invariant()
    def invariant_09_exits_work_while_paused(self) -> None:
        """9. Withdrawals, finalization and execution work while paused."""
        exits = {"withdraw", "execute", "execute_ruling", "claim", "withdraw_stake",
                 "request_unstake", "cancel_task", "submit", "accept", "finalize", "reclaim",
                 "deactivate", "contest_gold"}  # fmt: skip
        assert all(action in exits for _, action in self.ledgers.paused_exits)
        entries = {"create_task", "create_task_with_permit", "claim_task", "stake", "createDispute",
                   "reject", "contest_gold", "challenge", "register_node", "add_stake",
                   "report"}  # fmt: skip
        assert all(action in entries for _, action in self.ledgers.paused_entries)
        if self.sweeping:
            with boa.env.anchor():
                for name, paused in self.paused.items():
                    if name in self.areas:
                        assert getattr(self.w, name).paused() == paused

    @invariant()
    def invariant_11_permits_bound_to_chain(self) -> None:
        """11. A permit signed for one chain id fails after a chain-id
        change."""
        if not (self.sweeping and self.ledgers.stale_permits):
            return
        with boa.env.anchor():
            for owner, _, _ in self.ledgers.stale_permits:
                # A refused permit consumed no nonce: only the permits used
                # on the right chain did.
                assert self.w.token.nonces(owner) == self.nonces.get(owner, 0)

    @invariant()
    def invariant_12_deployer_has_no_role(self) -> None:
        """12. The deployer holds no role after `deploy`."""
        if not self.sweeping:
            return
        deployer = self.w.system.deployer
        with boa.env.anchor():
            for contract, role in self.w.role_holders:
                if hasattr(contract, "hasRole"):
                    assert not contract.hasRole(self.w.roles[role], deployer), (contract, role)
