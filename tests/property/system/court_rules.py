"""Jurors and keepers at the QualityCourt: stakes (and dust stakes),
unstaking and withdrawals (and attempts on locked stake), draws, commits
and reveals (and wrong reveals, copied commitments, commitments for
another round), appeals, execution and the delivery of rulings to the
escrow, the registry and the attacker's arbitrable."""

from __future__ import annotations

from typing import Any

import boa
from eth_utils import keccak
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from labeldao.court import commitment
from tests.property.system.base import PAUSED, SystemBase
from tests.property.system.model import (
    APPEAL,
    COMMIT,
    EVIDENCE,
    EXECUTION,
    Dispute,
    JurorPenalty,
    Slash,
)
from tests.property.system.world import CHALLENGERS, JURORS, LDAO, REQUESTERS, refuse

ZERO = "0x" + "00" * 20

pick = st.integers(0, 15)
juror_index = st.integers(0, len(JURORS) - 1)
# What each seated juror commits: the majority choice ("m"), the other side
# ("d"), 0 (refuse to arbitrate) or nothing (None).
seat_plan = st.lists(st.sampled_from(["m", "m", "m", "d", 0, None]), min_size=9, max_size=9)
silences = st.lists(st.sampled_from([False, False, False, True]), min_size=9, max_size=9)
DRAW_BATCH = 8
# Draw batches, votes and period jumps `keeper_settle` may take for one dispute.
SETTLE_PHASES = 40
# Draw batches in a row that seat nobody before `keeper_settle` gives up.
FRUITLESS_DRAWS = 3


def _named(logs: list[Any], name: str) -> list[Any]:
    return [e for e in logs if type(e).__name__ == name]


class CourtKeepers(SystemBase):
    """The court's keepers carrying escrow and registry disputes to their
    rulings (`keeper_settle`), on the jurors' initial stakes: what the
    escrow and registry machines need of the court."""

    AREAS = frozenset({"token", "court"})

    @initialize(stakes=st.lists(st.integers(0, 6_000), min_size=len(JURORS), max_size=len(JURORS)))
    def stake_jurors(self, stakes: list[int]) -> None:
        """Jurors start with stakes (0: not a juror yet; below the minimum
        counts as 0) and one snapshot epoch passes, so that early disputes
        can be drawn."""
        self.begin("initial stakes")
        minimum = self.w.court_params["min_juror_stake"]
        for juror, amount in zip(self.jurors, stakes, strict=True):
            if amount * LDAO >= minimum:
                self.w.court.stake(amount * LDAO, sender=juror)
        boa.env.time_travel(seconds=self.w.epoch_seconds)
        self.touch("token", "court")

    # -- helpers --------------------------------------------------------------------

    def _info(self, d: int, r: int | None = None) -> Any:
        dispute = self.disputes[d]
        return self.w.system.court_lens.round_info(
            self.w.court.address, d, dispute.rounds - 1 if r is None else r
        )

    def _in_period(self, period: int) -> list[int]:
        """Disputes whose current round is in `period` (computed from the
        timetable the court reported, refreshed by `_refresh`)."""
        return [d for d, t in self.timetables.items() if self._period_of(t) == period]

    def _period_of(self, t: tuple[int, int, int, int, int, int]) -> int:
        drawn, panel, commit_start, reveal_start, appeal_start, appeal_end = t
        if drawn < panel or self.now < commit_start:
            return EVIDENCE
        if self.now < reveal_start:
            return COMMIT
        if self.now < appeal_start:
            return 2
        return APPEAL if self.now < appeal_end else EXECUTION

    def _refresh(self, d: int) -> None:
        """Re-reads the current round's timetable of dispute `d`."""
        dispute = self.disputes[d]
        dispute.rounds = self.w.system.court_lens.dispute_info(self.w.court.address, d).rounds
        info = self._info(d)
        self.timetables[d] = (info.drawn, info.panel, info.commit_start, info.reveal_start,
                              info.appeal_start, info.appeal_end)  # fmt: skip

    def open_dispute(self, dispute: Dispute) -> None:
        """A dispute was just created (by the escrow, the registry or the
        attacker)."""
        self.disputes[dispute.id] = dispute
        self._refresh(dispute.id)

    def _advance(self, d: int) -> None:
        """A keeper's jump to the next period boundary of dispute `d`."""
        for boundary in self.timetables[d][2:]:
            if boundary > self.now:
                self.wait(boundary - self.now)
                return

    def _juror_total(self, juror: str) -> int:
        s = self.w.system.court_lens.juror_status(self.w.court.address, juror)
        return s.free + s.locked + s.pending_withdrawal

    # -- drawing ----------------------------------------------------------------------

    def _draw(self, d: int, then_advance: bool) -> bool:
        """One draw batch of dispute `d` (see `keeper_draw`); False if no
        juror had drawable stake (the draw is refused)."""
        court, es = self.w.court, self.w.epoch_seconds
        if self.now % es >= es - 3 * 12:  # no room for the randomness delay (12 s blocks)
            boa.env.time_travel(seconds=es - self.now % es)
        self.mark_court_epoch()
        info = self._info(d)
        if info.draw_epoch != self.court_epoch:
            assert court.draw(d, 1) == 0  # the snapshot is gone: new randomness
            info = self._info(d)
        if not self.w.system.randomness.is_ready(info.randomness_request):
            boa.env.time_travel(blocks=2)
        parties = {str(p) for p in court.parties(d)} - {ZERO}
        if self._too_thin(d, info, parties):
            refuse(
                court,
                "draw",
                d,
                DRAW_BATCH,
                sender=self.w.guardian,
                reason="court: too little drawable stake",
            )
            return False
        court.draw(d, DRAW_BATCH)
        for seat in _named(court.get_logs(), "SeatDrawn"):
            # Nobody judges their own case.
            assert str(seat.juror) not in parties, (d, seat.juror)
            self.epoch_locked[str(seat.juror)] += info.seat_lock
        for juror, locked in self.epoch_locked.items():
            assert locked <= self.epoch_free[juror], (juror, locked, self.epoch_free[juror])
        self._refresh(d)
        self.touch("court")
        complete = self.timetables[d][0] == self.timetables[d][1]
        event("court: panel complete" if complete else "court: draw")
        if complete and then_advance:
            self._advance(d)
        return True

    # -- voting -----------------------------------------------------------------------

    def _vote(
        self,
        d: int,
        plan: list[Any],
        majority: int,
        silent: list[bool],
        attack: str,
        then_advance: int,
    ) -> None:
        """The commits, attacks and reveals of `vote` on dispute `d`."""
        dispute = self.disputes[d]
        r = dispute.rounds - 1
        court = self.w.court
        info = self._info(d, r)
        seated = [str(court.round_juror(d, r, k)) for k in range(info.jurors)]
        outsiders = [j for j in self.jurors if j not in seated]
        if attack == "outsider" and outsiders:
            refuse(
                court,
                "commit",
                d,
                r,
                b"\x01" * 32,
                sender=outsiders[0],
                reason="court: no seat in this round",
            )
            event("court: outsider commit refused")
        commits = dispute.commits.setdefault(r, {})
        for juror, code in zip(seated, plan, strict=False):
            if code is None:
                continue
            choice = {"m": majority, "d": 3 - majority}.get(code, code)
            salt = keccak(text=f"{d}/{r}/{juror}")
            court.commit(d, r, commitment(d, r, juror, choice, salt), sender=juror)
            commits[juror] = (choice, salt)
        self._advance(d)  # to the reveal period
        committed = list(commits.items())
        if committed and attack in ("copy", "other round", "wrong reveal"):
            self._refused_reveal(d, r, committed, attack)
        for (juror, (choice, salt)), quiet in zip(committed, silent, strict=False):
            if not quiet:
                court.reveal(d, r, choice, salt, sender=juror)
                assert (
                    self.w.system.court_lens.juror_round(court.address, d, r, juror).choice
                    == choice
                )
        self.touch("court")
        event(f"court: {len(committed)} of {len(seated)} committed")
        for _ in range(then_advance):
            self._advance(d)

    def _too_thin(self, d: int, info: Any, parties: set[str]) -> bool:
        """Whether the court's drawable stake, the parties' left out, is too
        little for the round's panel (its locks above `max_dispute_lock_bps`
        of it): the draw is refused."""
        court = self.w.court
        version = self.w.system.court_lens.dispute_info(court.address, d).params_version
        share = court.params(version).max_dispute_lock_bps
        parties_stake = sum(
            self.w.system.court_lens.juror_status(court.address, p).drawable_this_epoch
            for p in parties
        )
        available = court.drawable_stake() - parties_stake + info.drawn * info.seat_lock
        return available * share < info.panel * info.seat_lock * 10_000

    def _refused_reveal(self, d: int, r: int, committed: list[Any], attack: str) -> None:
        """A reveal that does not match its commitment is refused and
        changes nothing."""
        court = self.w.court
        juror, (choice, salt) = committed[0]
        if attack == "copy" and len(committed) > 1:
            # The second juror commits the first one's commitment in the
            # commit period (the court keeps it) and reveals the first
            # one's vote: the commitment names the first juror.
            thief, _ = committed[1]
            reveal_as, args = thief, (choice, salt)
        elif attack == "other round":
            reveal_as, args = juror, (choice, keccak(text=f"{d}/{r + 1}/{juror}"))
        else:
            reveal_as, args = juror, ((choice + 1) % 3, salt)
        refuse(court, "reveal", d, r, *args, sender=reveal_as, reason="court: commitment mismatch")
        assert not self.w.system.court_lens.juror_round(court.address, d, r, reveal_as).revealed
        self.ledgers.refused_reveals.append((d, r, reveal_as, attack))
        event(f"court: {attack} reveal refused")

    # -- execution --------------------------------------------------------------------

    def _execute(self, d: int, r: int, steps: int) -> None:
        """One `execute` batch of round `r` of dispute `d` (see
        `keeper_execute`)."""
        court = self.w.court
        self.mark_court_epoch()
        info = self._info(d, r)
        seated = {str(court.round_juror(d, r, k)) for k in range(info.jurors)}
        before = {j: self._juror_total(j) for j in seated}
        court.execute(d, r, steps)
        logs = court.get_logs()
        for settled in _named(logs, "JurorSettled"):
            juror = str(settled.juror)
            if settled.coherent:
                continue
            self.ledgers.penalties.append(
                JurorPenalty(
                    d,
                    r,
                    juror,
                    settled.seats,
                    info.seat_lock,
                    settled.penalty,
                    self.w.system.court_lens.juror_round(court.address, d, r, juror).revealed,
                )  # fmt: skip
            )
            self.ledgers.slashes.append(
                Slash(
                    "court",
                    juror,
                    settled.penalty,
                    before.get(juror, 0),
                    "lost round",
                    juror if juror in seated else None,
                    redistributed=0,
                    to_treasury=0,
                )  # fmt: skip
            )
            event("court: juror penalized")
        for done in _named(logs, "RoundExecuted"):
            self.disputes[d].executed.add(r)
            self.ledgers.rounds_executed[(d, r)] = (
                done.fee,
                done.slashed,
                done.rewarded,
                done.to_treasury,
            )
            assert self.w.system.court_lens.round_balance(court.address, d, r) == 0
            # An executed round never changes again.
            refuse(court, "execute", d, r, 1, sender=self.w.guardian,
                   reason="court: round already executed")  # fmt: skip
            event("court: round executed")
        self._exit("court", "execute")

    def _deliver(self, d: int) -> None:
        """`execute_ruling` of dispute `d`, checked by its origin."""
        dispute = self.disputes[d]
        court = self.w.court
        ruling = court.currentRuling(d)
        keeper = self.w.guardian
        if dispute.origin == "attacker" and not self.attacker_accepts_ruling():
            refuse(court, "execute_ruling", d, sender=keeper, reason=None)
            self.ledgers.reentries_refused += 1
            event("court: re-entrant delivery reverted")
            return
        if dispute.origin == "escrow":
            task = self.tasks[dispute.subject]
            on_chain = self.w.escrow.tasks(task.id)
            before = self._claimable(task.requester, task.annotator, self.w.treasury)
            court.execute_ruling(d, sender=keeper)
            self.escrow_ruled(task, ruling, before, on_chain)
        elif dispute.origin == "registry":
            node, epoch = dispute.subject
            before = self.w.registry.node(node)
            court.execute_ruling(d, sender=keeper)
            self.registry_ruled(dispute, ruling, before, court.get_logs())
        else:
            court.execute_ruling(d, sender=keeper)
            self.attacker_ruled(d, ruling)
        dispute.ruled = True
        refuse(court, "execute_ruling", d, sender=keeper, reason="court: ruling already executed")
        self._exit("court", "execute_ruling")
        event(f"court: ruling {ruling} delivered to the {dispute.origin}")

    # -- a dispute carried to its ruling ------------------------------------------

    def _settleable(self) -> list[int]:
        """Escrow and registry disputes not yet ruled (the attacker's
        disputes reach their rulings through the single-period rules)."""
        return sorted(d for d, x in self.disputes.items() if x.origin != "attacker" and not x.ruled)

    @precondition(lambda self: self._settleable())
    @rule(i=pick, plan=seat_plan, majority=st.sampled_from([1, 2]), silent=silences)
    def keeper_settle(self, i: int, plan: list[Any], majority: int, silent: list[bool]) -> None:
        """A keeper carries one escrow or registry dispute through every
        period left, in one step: the panel is drawn, seated juror k
        commits `plan[k]` and reveals unless `silent[k]`, time moves past
        the appeal period, every round is executed and the ruling is
        delivered. Without it those rulings need a dozen rules in order and
        the machine seldom reached them (docs/FUZZING.md, known gap). Each
        part is checked as in its own rule; the invariants run after the
        whole step."""
        candidates = self._settleable()
        d = candidates[i % len(candidates)]
        dispute = self.disputes[d]
        self.begin(f"settle dispute {d} ({dispute.origin})")
        fruitless = 0  # draw batches in a row that seated nobody
        for _ in range(SETTLE_PHASES):
            self._refresh(d)
            timetable = self.timetables[d]
            period = self._period_of(timetable)
            if timetable[0] < timetable[1]:
                if not self._draw(d, then_advance=False):
                    event("court: settle stopped (no drawable stake)")
                    return
                fruitless = 0 if self.timetables[d][0] > timetable[0] else fruitless + 1
                if fruitless == FRUITLESS_DRAWS:
                    # Every attempt fell on a juror with less free or
                    # snapshot stake than a seat locks (DrawSkipped): the
                    # keeper gives up for now, as a real one would.
                    event("court: settle stopped (draws seat nobody)")
                    return
            elif period == COMMIT:
                self._vote(d, plan, majority, silent, "none", then_advance=2)
            elif period == EXECUTION:
                self._execute_all(d)
                self._deliver(d)
                event(f"court: {dispute.origin} dispute settled by a keeper")
                return
            else:
                self._advance(d)
        raise AssertionError(f"dispute {d} not settled in {SETTLE_PHASES} phases")

    def _execute_all(self, d: int) -> None:
        """Executes every round of dispute `d` to the end, in batches."""
        dispute = self.disputes[d]
        for r in range(dispute.rounds):
            for _ in range(SETTLE_PHASES):
                if r in dispute.executed:
                    break
                self._execute(d, r, DRAW_BATCH)
            assert r in dispute.executed, f"round {r} of dispute {d} not executed"


class CourtUsers(CourtKeepers):
    """Jurors, appeal funders and keepers, one period at a time."""

    # -- jurors ---------------------------------------------------------------------

    @rule(j=juror_index, amount=st.integers(1, 3_000), dust=st.booleans())
    def juror_stake(self, j: int, amount: int, dust: bool) -> None:
        """A juror stakes; a newcomer's dust stake (below the minimum) is
        refused. Paused: refused."""
        juror = self.jurors[j]
        self.begin(f"stake {amount} by juror {j}")
        court = self.w.court
        self.mark_court_epoch()
        status = self.w.system.court_lens.juror_status(court.address, juror)
        minimum = self.w.court_params["min_juror_stake"]
        value = min(amount * LDAO, self.w.token.balanceOf(juror))
        if self.paused["court"]:
            refuse(court, "stake", max(value, 1), sender=juror, reason=PAUSED)
            self.ledgers.paused_entries.append(("court", "stake"))
            return
        if dust and status.free + status.locked == 0:
            refuse(court, "stake", minimum - 1, sender=juror, reason="court: stake below minimum")
            event("court: dust stake refused")
            return
        if value == 0 or status.free + status.locked + value < minimum:
            return
        court.stake(value, sender=juror)
        assert (
            self.w.system.court_lens.juror_status(court.address, juror).free == status.free + value
        )
        self.touch("token", "court")

    @rule(j=juror_index, share=st.integers(1, 100))
    def juror_unstake(self, j: int, share: int) -> None:
        """A juror asks for `share`% of the free stake back (works while
        paused); asking for more than the free stake (locked stake) is
        refused."""
        juror = self.jurors[j]
        self.begin(f"request unstake {share}% by juror {j}")
        court = self.w.court
        self.mark_court_epoch()
        status = self.w.system.court_lens.juror_status(court.address, juror)
        refuse(court, "request_unstake", status.free + max(status.locked, 1), sender=juror,
               reason="court: amount exceeds free stake")  # fmt: skip
        if status.locked:
            self.ledgers.refused_unlocks.append((juror, "request_unstake"))
        amount = status.free * share // 100
        if amount == 0:
            return
        remaining = status.free - amount
        if 0 < remaining < self.w.court_params["min_juror_stake"]:
            refuse(
                court,
                "request_unstake",
                amount,
                sender=juror,
                reason="court: remainder below minimum",
            )
            return
        court.request_unstake(amount, sender=juror)
        after = self.w.system.court_lens.juror_status(court.address, juror)
        assert after.pending_withdrawal == status.pending_withdrawal + amount
        assert after.locked == status.locked
        self._exit("court", "request_unstake")

    @rule(who=st.sampled_from((*JURORS, *CHALLENGERS, *REQUESTERS, "treasury")), wait=st.booleans())
    def court_withdraw(self, who: str, wait: bool) -> None:
        """Anyone withdraws what the court owes (works while paused): never
        locked stake; pending stake only after the unstake delay."""
        self.begin(f"court withdraw by {who}")
        court = self.w.court
        account = self.w.treasury if who == "treasury" else self.w.address(who)
        status = self.w.system.court_lens.juror_status(court.address, account)
        if wait and status.pending_withdrawal and status.unlock_time > self.now:
            self.wait(status.unlock_time - self.now)
            status = self.w.system.court_lens.juror_status(court.address, account)
        if status.withdrawable_now == 0:
            reason = (
                "court: unstake delay not over"
                if status.pending_withdrawal
                else "court: nothing to withdraw"
            )
            refuse(court, "withdraw", sender=account, reason=reason)
            if status.locked:
                self.ledgers.refused_unlocks.append((account, "withdraw"))
            return
        balance = self.w.token.balanceOf(account)
        assert court.withdraw(sender=account) == status.withdrawable_now
        assert self.w.token.balanceOf(account) == balance + status.withdrawable_now
        after = self.w.system.court_lens.juror_status(court.address, account)
        assert (after.free, after.locked) == (status.free, status.locked)  # locked stays
        self._exit("court", "withdraw")

    def _drawing(self) -> list[int]:
        return [d for d, t in self.timetables.items() if t[0] < t[1]]

    @precondition(lambda self: self._drawing())
    @rule(i=pick, then_advance=st.booleans())
    def keeper_draw(self, i: int, then_advance: bool) -> None:
        """A keeper draws seats once the round's randomness is ready (and,
        with `then_advance`, moves time to the commit period once the panel
        is complete). No juror gets more seat locks in an epoch than the
        free stake they had when it began: stake added after the draw's
        snapshot has no weight."""
        candidates = self._drawing()
        d = candidates[i % len(candidates)]
        self.begin(f"draw dispute {d}")
        self._draw(d, then_advance)

    @precondition(lambda self: self.timetables)
    @rule(i=pick)
    def keeper_advance(self, i: int) -> None:
        """Time passes to the next period boundary of a dispute."""
        d = sorted(self.timetables)[i % len(self.timetables)]
        self.begin(f"advance dispute {d}")
        self._advance(d)

    @precondition(lambda self: self._in_period(COMMIT))
    @rule(
        i=pick,
        plan=seat_plan,
        majority=st.sampled_from([1, 2]),
        silent=silences,
        attack=st.sampled_from(["none", "outsider", "copy", "other round", "wrong reveal"]),
        then_advance=st.integers(0, 2),
    )
    def vote(
        self,
        i: int,
        plan: list[Any],
        majority: int,
        silent: list[bool],
        attack: str,
        then_advance: int,
    ) -> None:
        """Seated juror k commits `plan[k]` (None: nothing), then in the
        reveal period reveals unless `silent[k]`; then time moves on by
        `then_advance` periods (to the appeal period, or past it to
        execution). Attacks, all refused: a
        juror without a seat commits; a juror reveals a commitment copied
        from another juror, or one made for another round; a juror reveals
        another choice than committed."""
        candidates = self._in_period(COMMIT)
        d = candidates[i % len(candidates)]
        self.begin(f"vote dispute {d} round {self.disputes[d].rounds - 1} ({attack})")
        self._vote(d, plan, majority, silent, attack, then_advance)

    # -- appeals ----------------------------------------------------------------------

    @precondition(lambda self: self._in_period(APPEAL))
    @rule(i=pick, sides=st.sampled_from([[1], [2], [1, 2], [2, 1]]))
    def appeal(self, i: int, sides: list[int]) -> None:
        """Funders (the challenger, then a requester) fund sides in turn:
        a fully funded appeal opens a new round with a larger panel."""
        candidates = self._in_period(APPEAL)
        d = candidates[i % len(candidates)]
        self.begin(f"appeal dispute {d} sides {sides}")
        court = self.w.court
        funders = (self.w.address(CHALLENGERS[0]), self.w.address(REQUESTERS[1]))
        for side, funder in zip(sides, funders, strict=False):
            r = self.disputes[d].rounds - 1
            info = self._info(d, r)
            if info.period != APPEAL:
                return
            funding = court.funding(d, r)
            ruling = court.currentRuling(d)
            half = (info.appeal_end - info.appeal_start) // 2
            extra = side.to_bytes(32, "big")
            if side == funding.side_a:
                refuse(
                    court, "appeal", d, extra, sender=funder, reason="court: side already funded"
                )
                continue
            if side != ruling and funding.side_a == 0 and self.now >= info.appeal_start + half:
                refuse(
                    court, "appeal", d, extra, sender=funder, reason="court: funding window over"
                )
                continue
            params = self.w.court_params
            if r + 1 >= params["max_rounds"] or 2 * info.panel + 1 > params["max_panel"]:
                refuse(court, "appeal", d, extra, sender=funder, reason="court: no more appeals")
                return
            court.appeal(d, extra, sender=funder)
            self._refresh(d)
            self.touch("token", "court")
            event(
                "court: appeal raised" if self.disputes[d].rounds > r + 1 else "court: side funded"
            )

    def _executable(self) -> list[tuple[int, int]]:
        return [
            (d, r)
            for d in self._in_period(EXECUTION)
            for r in range(self.disputes[d].rounds)
            if r not in self.disputes[d].executed
        ]

    @precondition(lambda self: self._executable())
    @rule(i=pick, steps=st.integers(1, 12))
    def keeper_execute(self, i: int, steps: int) -> None:
        """A keeper settles a round in batches: a juror who was not coherent
        loses the seat locks (a silent one the multiple), never more than
        the stake, and only jurors seated in the round are touched."""
        candidates = self._executable()
        d, r = candidates[i % len(candidates)]
        self.begin(f"execute dispute {d} round {r}")
        self._execute(d, r, steps)

    def _rulable(self) -> list[int]:
        return [d for d in self._in_period(EXECUTION) if not self.disputes[d].ruled]

    @precondition(lambda self: self._rulable())
    @rule(i=pick)
    def execute_ruling(self, i: int) -> None:
        """Anyone delivers a final ruling, once (works while paused): to the
        escrow (the task settles), the registry (the report is upheld or
        the node slashed) or the attacker's arbitrable (which may try to
        re-enter the court)."""
        candidates = self._rulable()
        d = candidates[i % len(candidates)]
        self.begin(f"execute ruling of dispute {d} ({self.disputes[d].origin})")
        self._deliver(d)
