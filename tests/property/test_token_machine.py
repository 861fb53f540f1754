"""Stateful properties of RewardToken (DESIGN.md invariants 1 and 11).

Holders mint, transfer, approve and spend, burn, delegate (directly and by
signature) and sign permits while time advances (the token's clock is the
block timestamp); after every step the invariants below are checked against
the chain.
"""

from __future__ import annotations

import boa
from hypothesis import note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from labeldao.boa_tools import deployer
from labeldao.signing import sign_delegation, sign_permit
from tests.helpers import keyed_account

ZERO = "0x0000000000000000000000000000000000000000"
CAP = 10**24
HOLDERS = [keyed_account(f"token-machine-{i}") for i in range(5)]

holder = st.integers(0, len(HOLDERS) - 1)
delegatee = st.integers(-1, len(HOLDERS) - 1)  # -1: no delegate
amount = st.integers(0, 10**21)


class TokenMachine(RuleBasedStateMachine):
    """Base machine: the token's user actions and its invariants."""

    @initialize()
    def deploy(self) -> None:
        self.minter = boa.env.generate_address("machine-minter")
        self.token = deployer("RewardToken").deploy(CAP)
        self.token.grantRole(self.token.MINTER_ROLE(), self.minter)
        # (account, second) -> votes observed once `second` was in the past,
        # and second -> total supply. Every record is re-checked at teardown; the
        # most recent ones after every step (a window keeps steps fast).
        self.past_votes: dict[tuple[str, int], int] = {}
        self.past_supply: dict[int, int] = {}

    # --- actions -----------------------------------------------------------

    @rule(to=holder, value=amount)
    def mint(self, to: int, value: int) -> None:
        room = CAP - self.token.totalSupply()
        value = min(value, room)
        self.token.mint(HOLDERS[to].address, value, sender=self.minter)

    @rule(to=holder)
    def mint_past_cap_reverts(self, to: int) -> None:
        room = CAP - self.token.totalSupply()
        with boa.reverts("token: cap exceeded"):
            self.token.mint(HOLDERS[to].address, room + 1, sender=self.minter)

    @rule(src=holder, dst=holder, value=amount)
    def transfer(self, src: int, dst: int, value: int) -> None:
        owner = HOLDERS[src].address
        if value > self.token.balanceOf(owner):
            with boa.reverts("erc20: transfer amount exceeds balance"):
                self.token.transfer(HOLDERS[dst].address, value, sender=owner)
        else:
            self.token.transfer(HOLDERS[dst].address, value, sender=owner)

    @rule(src=holder, spender=holder, dst=holder, allowed=amount, value=amount)
    def approve_and_spend(self, src: int, spender: int, dst: int, allowed: int, value: int) -> None:
        owner, who = HOLDERS[src].address, HOLDERS[spender].address
        self.token.approve(who, allowed, sender=owner)
        if value > allowed:
            with boa.reverts("erc20: insufficient allowance"):
                self.token.transferFrom(owner, HOLDERS[dst].address, value, sender=who)
        elif value <= self.token.balanceOf(owner):
            self.token.transferFrom(owner, HOLDERS[dst].address, value, sender=who)
            assert self.token.allowance(owner, who) == allowed - value

    @rule(src=holder, value=amount)
    def burn(self, src: int, value: int) -> None:
        owner = HOLDERS[src].address
        value = min(value, self.token.balanceOf(owner))
        self.token.burn(value, sender=owner)

    @rule(src=holder, to=delegatee)
    def delegate(self, src: int, to: int) -> None:
        target = ZERO if to < 0 else HOLDERS[to].address
        self.token.delegate(target, sender=HOLDERS[src].address)

    @rule(src=holder, to=holder, replay=st.booleans())
    def delegate_by_sig(self, src: int, to: int, replay: bool) -> None:
        signer = HOLDERS[src]
        nonce = self.token.nonces(signer.address)
        expiry = boa.env.evm.patch.timestamp + 60
        sig = sign_delegation(
            signer.key,
            token=self.token.address,
            chain_id=boa.env.evm.patch.chain_id,
            delegatee=HOLDERS[to].address,
            nonce=nonce,
            expiry=expiry,
        )
        args = (HOLDERS[to].address, nonce, expiry, *sig.as_args())
        self.token.delegateBySig(*args)
        assert self.token.delegates(signer.address) == HOLDERS[to].address
        if replay:
            with boa.reverts("votes: invalid nonce"):
                self.token.delegateBySig(*args)

    @rule(src=holder, spender=holder, value=amount)
    def permit_once(self, src: int, spender: int, value: int) -> None:
        owner = HOLDERS[src]
        deadline = boa.env.evm.patch.timestamp + 60
        sig = sign_permit(
            owner.key,
            token=self.token.address,
            chain_id=boa.env.evm.patch.chain_id,
            owner=owner.address,
            spender=HOLDERS[spender].address,
            value=value,
            nonce=self.token.nonces(owner.address),
            deadline=deadline,
        )
        args = (owner.address, HOLDERS[spender].address, value, deadline, *sig.as_args())
        self.token.permit(*args)
        assert self.token.allowance(owner.address, HOLDERS[spender].address) == value
        with boa.reverts("erc20: invalid signature"):
            self.token.permit(*args)

    @rule(seconds=st.integers(1, 30), watched=st.lists(holder, min_size=1, max_size=2, unique=True))
    def advance(self, seconds: int, watched: list[int]) -> None:
        """Lets `seconds` pass and records what the second just closed says."""
        closed = boa.env.evm.patch.timestamp
        boa.env.time_travel(seconds=seconds)
        self.past_supply[closed] = self.token.getPastTotalSupply(closed)
        for i in watched:
            account = HOLDERS[i].address
            self.past_votes[(account, closed)] = self.token.getPastVotes(account, closed)
        note(f"advanced to {boa.env.evm.patch.timestamp}")

    @precondition(lambda self: bool(self.past_votes))
    @rule()
    def chain_id_change_voids_permits(self) -> None:
        owner, spender = HOLDERS[0], HOLDERS[1]
        deadline = boa.env.evm.patch.timestamp + 60
        original = boa.env.evm.patch.chain_id
        sig = sign_permit(
            owner.key,
            token=self.token.address,
            chain_id=original,
            owner=owner.address,
            spender=spender.address,
            value=1,
            nonce=self.token.nonces(owner.address),
            deadline=deadline,
        )
        boa.env.evm.patch.chain_id = original + 1
        try:
            with boa.reverts("erc20: invalid signature"):
                self.token.permit(owner.address, spender.address, 1, deadline, *sig.as_args())
        finally:
            boa.env.evm.patch.chain_id = original

    # --- invariants --------------------------------------------------------

    @invariant()
    def supply_and_votes_match_balances(self) -> None:
        """Invariant 1: sum(balanceOf) == totalSupply <= cap; each delegate's
        getVotes == the balances delegated to it, hence sum(getVotes) == sum of
        the balances of accounts that delegated <= totalSupply."""
        balances = {h.address: self.token.balanceOf(h.address) for h in HOLDERS}
        supply = self.token.totalSupply()
        assert sum(balances.values()) == supply <= CAP
        delegated: dict[str, int] = {}
        for account, balance in balances.items():
            target = self.token.delegates(account)
            if target != ZERO:
                delegated[target] = delegated.get(target, 0) + balance
        for h in HOLDERS:
            assert self.token.getVotes(h.address) == delegated.get(h.address, 0)
        assert sum(delegated.values()) <= supply

    @invariant()
    def recent_past_is_immutable(self) -> None:
        """Invariant 1: getPastVotes(a, t) and getPastTotalSupply(t) never change
        once t is in the past (the latest records; all of them at teardown)."""
        self._check_past(list(self.past_votes.items())[-4:], list(self.past_supply.items())[-2:])

    def teardown(self) -> None:
        """Invariant 1, in full: every past value recorded during the run."""
        if hasattr(self, "token"):
            self._check_past(list(self.past_votes.items()), list(self.past_supply.items()))

    def _check_past(
        self, votes: list[tuple[tuple[str, int], int]], supplies: list[tuple[int, int]]
    ) -> None:
        for (account, second), value in votes:
            assert self.token.getPastVotes(account, second) == value
        for second, value in supplies:
            assert self.token.getPastTotalSupply(second) == value


TestTokenMachine = TokenMachine.TestCase
