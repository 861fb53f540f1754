"""Stateful properties of LDAO's votes on its timestamp clock (issue 15).

A separate model: it checks every checkpoint second by second (several blocks
in one second), which the token mixin of the system machine does not model.

Holders mint, burn, transfer and (re)delegate while time passes in seconds,
sometimes with several blocks in one second (as on an L2, where a second
holds many blocks). A plain Python model keeps balances and delegates, and,
each time a second closes, what every delegate's votes and the supply were.

Invariants, checked after every step on the most recent seconds and on all of
them at teardown:

1. Conservation at every checkpoint: for every closed second t (every
   checkpoint of every delegate is at one of them), the sum over delegates of
   `getPastVotes(d, t)` equals the delegated supply at t (the balances of
   holders whose delegate was not zero), and `getPastTotalSupply(t)` equals
   the supply at t.
2. The past never changes: once t has closed, `getPastVotes(d, t)` and
   `getPastTotalSupply(t)` equal what the model recorded when t closed,
   whatever transfers and delegations came later; a second without a
   transaction answers what the second before it answered.
3. The present: `getVotes(d)` equals the balances delegated to d now; each
   delegate's checkpoints have strictly increasing timestamps, all at or
   before now, the latest holding `getVotes(d)`.
"""

from __future__ import annotations

import boa
from hypothesis import note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from labeldao.boa_tools import deployer

ZERO = "0x0000000000000000000000000000000000000000"
CAP = 10**24
HOLDERS = [f"0x{0xA0 + i:040x}" for i in range(4)]
RECENT = 3  # seconds re-checked after every step (all of them at teardown)

holder = st.integers(0, len(HOLDERS) - 1)
delegatee = st.integers(-1, len(HOLDERS) - 1)  # -1: no delegate
amount = st.integers(0, 10**21)


class VotesMachine(RuleBasedStateMachine):
    """RewardToken against a model of balances, delegates and closed seconds."""

    @initialize()
    def deploy(self) -> None:
        self.minter = boa.env.generate_address("votes-machine-minter")
        self.token = deployer("RewardToken").deploy(CAP)
        self.token.grantRole(self.token.MINTER_ROLE(), self.minter)
        self.balance = dict.fromkeys(HOLDERS, 0)
        self.delegate_of = dict.fromkeys(HOLDERS, ZERO)
        # second -> (votes of each holder as a delegate, supply, delegated supply)
        self.closed: dict[int, tuple[dict[str, int], int, int]] = {}
        # Holders start with tokens, half of them self-delegated, so that most
        # steps move votes and write checkpoints.
        for i in range(len(HOLDERS)):
            self.mint(i, 10**20)
            if i % 2 == 0:
                self.delegate(i, i)

    # --- the model ------------------------------------------------------------

    def _votes_now(self) -> dict[str, int]:
        votes = dict.fromkeys(HOLDERS, 0)
        for account, to in self.delegate_of.items():
            if to != ZERO:
                votes[to] += self.balance[account]
        return votes

    @staticmethod
    def _now() -> int:
        return boa.env.evm.patch.timestamp

    # --- actions --------------------------------------------------------------

    @rule(to=holder, value=amount)
    def mint(self, to: int, value: int) -> None:
        value = min(value, CAP - sum(self.balance.values()))
        self.token.mint(HOLDERS[to], value, sender=self.minter)
        self.balance[HOLDERS[to]] += value

    @rule(src=holder, value=amount)
    def burn(self, src: int, value: int) -> None:
        owner = HOLDERS[src]
        value = min(value, self.balance[owner])
        self.token.burn(value, sender=owner)
        self.balance[owner] -= value

    @rule(src=holder, dst=holder, value=amount)
    def transfer(self, src: int, dst: int, value: int) -> None:
        owner, to = HOLDERS[src], HOLDERS[dst]
        value = min(value, self.balance[owner])
        self.token.transfer(to, value, sender=owner)
        self.balance[owner] -= value
        self.balance[to] += value

    @rule(src=holder, to=delegatee)
    def delegate(self, src: int, to: int) -> None:
        target = ZERO if to < 0 else HOLDERS[to]
        self.token.delegate(target, sender=HOLDERS[src])
        self.delegate_of[HOLDERS[src]] = target

    @rule(seconds=st.integers(1, 90))
    def let_time_pass(self, seconds: int) -> None:
        """The current second closes (every transaction of it is in); the
        model records what it says, then `seconds` pass."""
        votes = self._votes_now()
        self.closed[self._now()] = (votes, sum(self.balance.values()), sum(votes.values()))
        boa.env.time_travel(seconds=seconds)
        note(f"now {self._now()}")

    @rule()
    def another_block_in_the_same_second(self) -> None:
        """An L2 block in the same second: the clock does not tick."""
        boa.env.time_travel(blocks=1, block_delta=0)

    # --- invariants -----------------------------------------------------------

    @invariant()
    def present_votes_and_checkpoints(self) -> None:
        """3. getVotes == the balances delegated now; checkpoints ordered, none
        in the future, the latest holding getVotes, and a lookup at the
        latest checkpoint's second (once closed) answering its value."""
        if not hasattr(self, "token"):
            return
        now = self._now()
        for d, votes in self._votes_now().items():
            assert self.token.getVotes(d) == votes
            count = self.token.numCheckpoints(d)
            if count:
                last_at, last_votes = self.token.checkpoints(d, count - 1)
                assert last_at <= now and last_votes == votes
                if last_at < now:
                    assert self.token.getPastVotes(d, last_at) == votes
                if count > 1:
                    assert self.token.checkpoints(d, count - 2)[0] < last_at

    @invariant()
    def recent_past_conserved_and_fixed(self) -> None:
        """1 and 2 on the latest closed seconds."""
        if hasattr(self, "token"):
            self._check_past(sorted(self.closed)[-RECENT:])

    def teardown(self) -> None:
        """1, 2 and 3 over the whole run: every closed second, every second
        after one in which nothing happened, and every checkpoint."""
        if not hasattr(self, "token"):
            return
        self._check_past(sorted(self.closed))
        for d in HOLDERS:
            stamps = [self.token.checkpoints(d, i)[0] for i in range(self.token.numCheckpoints(d))]
            assert stamps == sorted(set(stamps))
            assert set(stamps) - {self._now()} <= set(self.closed)

    def _check_past(self, seconds: list[int]) -> None:
        token, now = self.token, self._now()
        for t in seconds:
            votes, supply, delegated = self.closed[t]
            past = {d: token.getPastVotes(d, t) for d in HOLDERS}
            assert past == votes  # 2: what the model saw when t closed
            assert sum(past.values()) == delegated  # 1: conservation
            assert token.getPastTotalSupply(t) == supply
            quiet = t + 1  # nothing happens between closed seconds
            if quiet < now and quiet not in self.closed:
                assert token.getPastVotes(HOLDERS[0], quiet) == votes[HOLDERS[0]]
                assert token.getPastTotalSupply(quiet) == supply


# Fast enough for every CI run: the profile's settings, with fewer examples
# and steps than the whole-system machine (a few seconds in total).
TestVotesMachine = VotesMachine.TestCase
TestVotesMachine.settings = settings(
    settings(), max_examples=min(settings().max_examples, 12), stateful_step_count=25
)
