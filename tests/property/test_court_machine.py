"""Stateful property test of the QualityCourt.

A base machine of actions (jurors stake, unstake and withdraw; arbitrables
open disputes; keepers draw, advance time, execute and deliver rulings;
jurors commit and reveal; funders appeal) runs against one deployment made
once per test run; every example starts from it (a snapshot restored at the
end of the example) with its own initial stakes. Invariants are checked
after every step that changed state, inside a snapshot so that they cannot
change it. Properties of one
transaction (no slash exceeds the juror's stake, a silent juror loses at
least what an incoherent one does, stake added after a draw has no weight,
locked stake cannot be withdrawn) are checked in the action itself,
against the state read just before it.

Period-bound actions are enabled only while some dispute is in their
period, and may end with a keeper's jump to the next period, so that
examples of a few dozen steps reach appeals and execution. The machine
keeps local beliefs (round timetables, who committed what) for speed; each
action asserts its outcome, so a wrong belief fails the test.

Profiles: HYPOTHESIS_PROFILE=default|ci|deep (tests/conftest.py).
"""

from __future__ import annotations

from types import SimpleNamespace

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
from labeldao.court import commitment
from tests.helpers import named
from tests.property.court_deployment import deploy_court

LDAO = 10**18
MIN_STAKE = 100 * LDAO
SEAT_LOCK = 20 * LDAO
FEE_PER_JUROR = 10 * LDAO
PERIOD = 600
EPOCH_SECONDS = 600  # the stake-snapshot epoch (50 blocks of 12 s)
N_JURORS = 5
MAX_DISPUTES = 3
EVIDENCE, COMMIT, REVEAL, APPEAL, EXECUTION = range(5)

PARAMS = (
    MIN_STAKE,
    2_000,  # alpha: a seat locks 20 LDAO
    20_000,  # a silent juror owes twice the lock
    PERIOD,  # unstake delay
    3,  # panel
    7,  # max panel: at most one appeal
    2,  # max rounds
    FEE_PER_JUROR,
    PERIOD,  # evidence
    PERIOD,  # commit
    PERIOD,  # reveal
    PERIOD,  # appeal
    PERIOD,  # draw timeout
    10_000,  # max dispute lock: the whole court (the machine's court is small)
)

pick = st.integers(0, 7)
# What each seated juror commits: the panel's majority choice ("m"), the
# other side ("d"), 0 (refuse), or nothing (None); panels then often have a
# majority and a dissenter, sometimes a tie.
seat_plan = st.lists(st.sampled_from(["m", "m", "m", "d", 0, None]), min_size=7, max_size=7)
# Most jurors who committed reveal; some stay silent.
silences = st.lists(st.sampled_from([False, False, False, True]), min_size=7, max_size=7)


def deploy() -> SimpleNamespace:
    """Token, randomness, court and arbitrable; jurors and funders funded."""
    d = deploy_court("machine", 11, EPOCH_SECONDS, {"juror": N_JURORS, "funder": 2})
    with boa.env.prank(d.admin):
        d.court.set_params((*PARAMS, d.randomness.address))
        arbitrable = deployer("MockArbitrable", "tests/mocks").deploy(
            d.court.address, d.token.address
        )
        d.token.mint(arbitrable.address, 10**6 * LDAO)
    return SimpleNamespace(
        token=d.token,
        court=d.court,
        lens=d.lens,
        arbitrable=arbitrable,
        treasury=d.treasury,
        jurors=d.accounts["juror"],
        funders=d.accounts["funder"],
    )


class CourtMachine(RuleBasedStateMachine):
    """Actions of jurors, arbitrables, appeal funders and keepers on one
    deployment, restored to its initial state after every example."""

    def __init__(self, deployment: SimpleNamespace):
        super().__init__()
        self.__dict__.update(vars(deployment))

    @initialize(stakes=st.lists(st.integers(100, 500), min_size=N_JURORS, max_size=N_JURORS))
    def stake_jurors(self, stakes):
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()
        boa.env.sstore_trace = {}
        for juror, amount in zip(self.jurors, stakes, strict=True):
            self.court.stake(amount * LDAO, sender=juror)
        boa.env.time_travel(seconds=EPOCH_SECONDS)
        self.rounds: list[int] = []  # rounds per dispute
        self.info: dict[tuple[int, int], object] = {}  # round_info as last read
        self.executed: set[tuple[int, int]] = set()
        self.ruled: set[int] = set()
        # Free stake of each juror at the start of the current epoch, and the
        # seats each got in this epoch's draws.
        self.epoch = -1
        self.epoch_free: dict[str, int] = {}
        self.epoch_seats: dict[str, int] = {}
        self.dirty = True

    def teardown(self):
        if hasattr(self, "_anchor"):
            self._anchor.__exit__(None, None, None)

    # -- local beliefs ---------------------------------------------------------

    def _mark_epoch(self) -> None:
        """Records every juror's free stake when a new epoch is first touched."""
        epoch = boa.env.evm.patch.timestamp // EPOCH_SECONDS
        if epoch != self.epoch:
            self.epoch = epoch
            self.epoch_free = {
                j: self.lens.juror_status(self.court.address, j).free for j in self.jurors
            }
            self.epoch_seats = dict.fromkeys(self.jurors, 0)

    def _refresh(self, d: int) -> None:
        self.rounds[d] = self.lens.dispute_info(self.court.address, d).rounds
        for r in range(self.rounds[d]):
            self.info[(d, r)] = self.lens.round_info(self.court.address, d, r)

    def _period(self, d: int) -> int:
        info = self.info[(d, self.rounds[d] - 1)]
        now = boa.env.evm.patch.timestamp
        if info.drawn < info.panel or now < info.commit_start:
            return EVIDENCE
        if now < info.reveal_start:
            return COMMIT
        if now < info.appeal_start:
            return REVEAL
        return APPEAL if now < info.appeal_end else EXECUTION

    def _in(self, period: int) -> list[int]:
        return [d for d in range(len(self.rounds)) if self._period(d) == period]

    def _drawing(self) -> list[int]:
        return [
            d
            for d in self._in(EVIDENCE)
            if self.info[(d, self.rounds[d] - 1)].drawn < self.info[(d, self.rounds[d] - 1)].panel
        ]

    def _advance(self, d: int) -> None:
        """A keeper's jump to the next period boundary of dispute `d`."""
        info = self.info[(d, self.rounds[d] - 1)]
        now = boa.env.evm.patch.timestamp
        for boundary in (info.commit_start, info.reveal_start, info.appeal_start, info.appeal_end):
            if boundary > now:
                boa.env.time_travel(seconds=boundary - now)
                return

    def _seated(self, d: int, r: int) -> list[str]:
        return [self.court.round_juror(d, r, i) for i in range(self.info[(d, r)].jurors)]

    # -- jurors ----------------------------------------------------------------

    @rule(
        kind=st.sampled_from(["stake", "unstake", "withdraw", "wait"]),
        j=st.integers(0, N_JURORS + 2),
        amount=st.integers(1, 400),
    )
    def juror_action(self, kind, j, amount):
        """One of a juror's own actions (or time passing), so that they do
        not crowd out the steps of disputes."""
        if kind == "stake":
            self.stake(j % N_JURORS, amount)
        elif kind == "unstake":
            self.request_unstake(j % N_JURORS, amount % 100 + 1)
        elif kind == "withdraw":
            self.withdraw(j)
        else:
            boa.env.time_travel(seconds=60 * (amount % 5 + 1))

    def stake(self, j, amount):
        self._mark_epoch()
        juror = self.jurors[j]
        status = self.lens.juror_status(self.court.address, juror)
        value = amount * LDAO
        if status.free + status.locked + value < MIN_STAKE:
            with boa.reverts("court: stake below minimum"):
                self.court.stake(value, sender=juror)
            return
        self.court.stake(value, sender=juror)
        self.dirty = True
        (staked,) = named(self.court.get_logs(), "Staked")
        assert staked.free == status.free + value
        note(f"juror {j} staked {amount}")

    def request_unstake(self, j, share):
        self._mark_epoch()
        juror = self.jurors[j]
        status = self.lens.juror_status(self.court.address, juror)
        # Locked stake can never be requested.
        with boa.reverts("court: amount exceeds free stake"):
            self.court.request_unstake(status.free + 1, sender=juror)
        amount = status.free * share // 100
        if amount == 0:
            return
        remaining = status.free - amount
        if 0 < remaining < MIN_STAKE:
            with boa.reverts("court: remainder below minimum"):
                self.court.request_unstake(amount, sender=juror)
            return
        self.court.request_unstake(amount, sender=juror)
        self.dirty = True
        (requested,) = named(self.court.get_logs(), "UnstakeRequested")
        assert requested.pending_withdrawal == status.pending_withdrawal + amount
        note(f"juror {j} requested {amount / LDAO:.2f}")

    def withdraw(self, j):
        account = [*self.jurors, *self.funders, self.treasury][j]
        status = self.lens.juror_status(self.court.address, account)
        if status.withdrawable_now == 0:
            with boa.reverts():
                self.court.withdraw(sender=account)
            return
        balance = self.token.balanceOf(account)
        paid = self.court.withdraw(sender=account)
        self.dirty = True
        after = self.lens.juror_status(self.court.address, account)
        # Withdrawals pay claimable and matured pending stake, never locked stake.
        assert paid == status.withdrawable_now
        assert self.token.balanceOf(account) == balance + paid
        assert (after.locked, after.free) == (status.locked, status.free)
        event("withdraw")

    # -- disputes --------------------------------------------------------------

    @precondition(lambda self: len(self.rounds) < MAX_DISPUTES)
    @rule()
    def create_dispute(self):
        dispute = self.arbitrable.create_dispute(2, b"")
        self.dirty = True
        assert dispute == len(self.rounds)
        self.rounds.append(1)
        self._refresh(dispute)
        note(f"dispute {dispute} created")

    @precondition(lambda self: self._drawing())
    @rule(d=pick, attempts=st.integers(1, 4), then_advance=st.booleans())
    def draw(self, d, attempts, then_advance):
        candidates = self._drawing()
        d = candidates[d % len(candidates)]
        r = self.rounds[d] - 1
        self._mark_epoch()
        info = self.info[(d, r)]
        # The arbitrable (the payer: no parties in its extra data) never
        # stakes, so the whole snapshot is drawable; with
        # max_dispute_lock_bps = 10,000 the panel must fit in it.
        available = self.court.drawable_stake() + info.drawn * SEAT_LOCK
        if info.draw_epoch == self.epoch and available < info.panel * SEAT_LOCK:
            with boa.reverts("court: too little drawable stake"):
                self.court.draw(d, attempts)
            return
        self.court.draw(d, attempts)
        self.dirty = True
        drawn = named(self.court.get_logs(), "SeatDrawn")
        for seat in drawn:
            self.epoch_seats[seat.juror] += 1
        # Stake added after the epoch started has no weight: every seat is
        # covered by the juror's free stake at the start of the epoch.
        for juror, seats in self.epoch_seats.items():
            assert seats * SEAT_LOCK <= self.epoch_free[juror], (juror, seats)
        self._refresh(d)
        event("draw: seats drawn" if drawn else "draw: no seat")
        if then_advance:
            self._advance(d)

    @precondition(lambda self: self.rounds)
    @rule(d=pick)
    def advance(self, d):
        self._advance(d % len(self.rounds))

    @precondition(lambda self: self._in(COMMIT))
    @rule(
        d=pick,
        plan=seat_plan,
        majority=st.sampled_from([1, 2]),
        silent=silences,
        stranger=st.integers(0, N_JURORS - 1),
        lie=st.booleans(),
        then_advance=st.booleans(),
    )
    def vote(self, d, plan, majority, silent, stranger, lie, then_advance):
        """Seated juror i commits `plan[i]` (None: does not commit) and, in
        the reveal period, reveals unless `silent[i]`. A juror without a seat
        cannot commit; a juror cannot reveal another choice than committed."""
        candidates = self._in(COMMIT)
        d = candidates[d % len(candidates)]
        r = self.rounds[d] - 1
        seated = self._seated(d, r)
        outsider = self.jurors[stranger]
        if outsider not in seated:
            with boa.reverts("court: no seat in this round"):
                self.court.commit(d, r, b"\x01" * 32, sender=outsider)
        committed = []
        for juror, code in zip(seated, plan, strict=False):
            if code is None:
                continue
            choice = {"m": majority, "d": 3 - majority}.get(code, code)
            salt = commitment(d, r, juror, choice, b"\x5a" * 32)
            self.court.commit(d, r, commitment(d, r, juror, choice, salt), sender=juror)
            committed.append((juror, choice, salt))
            self.dirty = True
        event(f"vote: {len(committed)} of {len(seated)} jurors committed")
        self._advance(d)
        if committed and lie:
            juror, choice, salt = committed[0]
            with boa.reverts("court: commitment mismatch"):
                self.court.reveal(d, r, (choice + 1) % 3, salt, sender=juror)
        for (juror, choice, salt), quiet in zip(committed, silent, strict=False):
            if not quiet:
                self.court.reveal(d, r, choice, salt, sender=juror)
                event("vote: revealed")
        if then_advance:
            self._advance(d)

    @precondition(lambda self: self._in(APPEAL))
    @rule(
        d=pick,
        sides=st.sampled_from([[1], [2], [1, 2], [2, 1], [2, 2]]),
        then_advance=st.booleans(),
    )
    def appeal(self, d, sides, then_advance):
        """Funders fund `sides` in turn (the same side twice is refused)."""
        candidates = self._in(APPEAL)
        d = candidates[d % len(candidates)]
        for f, side in enumerate(sides):
            self._fund(d, side, f)
        if then_advance and self._period(d) == APPEAL:
            self._advance(d)

    def _fund(self, d, side, f):
        r = self.rounds[d] - 1
        if self._period(d) != APPEAL:
            return
        info = self.info[(d, r)]
        funding = self.court.funding(d, r)
        ruling = self.court.currentRuling(d)
        now = boa.env.evm.patch.timestamp
        half = (info.appeal_end - info.appeal_start) // 2
        in_window = side == ruling or funding.side_a != 0 or now < info.appeal_start + half
        extra = side.to_bytes(32, "big")
        if side == funding.side_a:
            with boa.reverts("court: side already funded"):
                self.court.appeal(d, extra, sender=self.funders[f])
        elif not in_window:
            with boa.reverts("court: funding window over"):
                self.court.appeal(d, extra, sender=self.funders[f])
        else:
            self.court.appeal(d, extra, sender=self.funders[f])
            self.dirty = True
            self._refresh(d)
            event("appeal: raised" if self.rounds[d] > r + 1 else "appeal: one side funded")

    def _executable(self) -> list[tuple[int, int]]:
        return [
            (d, r)
            for d in self._in(EXECUTION)
            for r in range(self.rounds[d])
            if (d, r) not in self.executed
        ]

    @precondition(lambda self: self._executable())
    @rule(i=pick, steps=st.integers(1, 6))
    def execute(self, i, steps):
        candidates = self._executable()
        d, r = candidates[i % len(candidates)]
        self._mark_epoch()
        before = {}
        for juror in self.jurors:
            status = self.lens.juror_status(self.court.address, juror)
            before[juror] = status.free + status.locked + status.pending_withdrawal
        self.court.execute(d, r, steps)
        self.dirty = True
        logs = self.court.get_logs()
        if named(logs, "RoundExecuted"):
            self.executed.add((d, r))
            event(f"execute: round {r} executed")
            # Tokens in == tokens out: nothing of the round stays in the court
            # (an executed round never changes again).
            assert self.lens.round_balance(self.court.address, d, r) == 0
            with boa.reverts("court: round already executed"):
                self.court.execute(d, r, 1)
        for settled in named(logs, "JurorSettled"):
            if settled.coherent:
                event("execute: coherent juror rewarded")
                continue
            # No slash exceeds the juror's stake.
            assert settled.penalty <= before[settled.juror]
            # A silent juror loses at least what an incoherent one loses (the
            # seat locks), even when the multiple is capped by the stake.
            assert settled.penalty >= settled.seats * SEAT_LOCK
            if self.lens.juror_round(self.court.address, d, r, settled.juror).revealed:
                assert settled.penalty == settled.seats * SEAT_LOCK
                event("execute: incoherent juror slashed")
            else:
                event("execute: silent juror slashed")

    def _rulable(self) -> list[int]:
        return [d for d in self._in(EXECUTION) if d not in self.ruled]

    @precondition(lambda self: self._rulable())
    @rule(d=pick)
    def execute_ruling(self, d):
        candidates = self._rulable()
        d = candidates[d % len(candidates)]
        self.court.execute_ruling(d)
        self.dirty = True
        self.ruled.add(d)
        assert self.arbitrable.ruling_of(d) == self.court.currentRuling(d)
        with boa.reverts("court: ruling already executed"):
            self.court.execute_ruling(d)
        # `rule` reached the arbitrable exactly once.
        assert self.arbitrable.rule_calls(d) == 1
        event("ruling delivered")

    # -- invariants ------------------------------------------------------------

    @invariant()
    def ledger_matches_tokens(self):
        """Tokens are conserved and the tree is exact: the court's LDAO balance
        equals what it owes (free, locked and pending stakes, claimable
        balances, and every round's unpaid pool and unreturned appeal
        deposit; executed rounds hold nothing, as `execute` checks); the
        sortition tree's root equals the jurors' total free stake."""
        if not getattr(self, "dirty", False):
            return
        self.dirty = False
        with boa.env.anchor():
            owed = 0
            free = 0
            for juror in self.jurors:
                status = self.lens.juror_status(self.court.address, juror)
                free += status.free
                owed += status.free + status.locked + status.pending_withdrawal + status.claimable
            for account in [*self.funders, self.treasury]:
                owed += self.court.claimable(account)
            for d, rounds in enumerate(self.rounds):
                for r in range(rounds):
                    if (d, r) not in self.executed:
                        owed += self.lens.round_balance(self.court.address, d, r)
            assert self.token.balanceOf(self.court.address) == owed
            assert self.court.total_free_stake() == free


@pytest.fixture(scope="module")
def deployment() -> SimpleNamespace:
    """One deployment for the whole run; each example starts from it."""
    return deploy()


def test_court_machine(deployment):
    run_state_machine_as_test(lambda: CourtMachine(deployment))
