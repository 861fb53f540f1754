"""Token holders: transfers, allowances, burns, mints by the timelock (and
past the cap, refused), delegation (also by signature, replays refused),
permits (replays and permits across a chain-id change refused), and the
vote history that must never change."""

from __future__ import annotations

import boa
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from tests.property.system.base import SystemBase
from tests.property.system.world import LDAO, PEOPLE, ZERO, refuse

MISSING_ALLOWANCE = "erc20: insufficient allowance"

people = st.sampled_from(PEOPLE)
PERMIT_DEADLINE = 2**48  # far in the future, so that examples share signatures


class TokenHolders(SystemBase):
    """Every person holds LDAO and may move, burn or delegate it."""

    AREAS = frozenset({"token"})

    @rule(src=people, dst=people, amount=st.integers(0, 5_000), overdraw=st.booleans())
    def transfer(self, src: str, dst: str, amount: int, overdraw: bool) -> None:
        """A plain transfer, or one above the balance (refused)."""
        self.begin(f"transfer {src} -> {dst}")
        token, a, b = self.w.token, self.w.address(src), self.w.address(dst)
        balance = token.balanceOf(a)
        if overdraw:
            refuse(token, "transfer", b, balance + 1, sender=a,
                   reason="erc20: transfer amount exceeds balance")  # fmt: skip
            return
        token.transfer(b, min(amount * LDAO, balance), sender=a)
        self._moved(a, b)

    @rule(src=people, spender=people, dst=people, allowed=st.integers(0, 3_000),
          amount=st.integers(0, 3_000))  # fmt: skip
    def approve_and_spend(
        self, src: str, spender: str, dst: str, allowed: int, amount: int
    ) -> None:
        """`src` approves `spender`, who moves `amount` to `dst`: above the
        allowance refused; else the allowance falls by what was spent."""
        self.begin(f"approve {spender} by {src}, spend {amount}")
        token = self.w.token
        a, b, c = self.w.address(src), self.w.address(spender), self.w.address(dst)
        token.approve(b, allowed * LDAO, sender=a)
        value = amount * LDAO
        if value > allowed * LDAO:
            refuse(token, "transferFrom", a, c, value, sender=b, reason=MISSING_ALLOWANCE)
            return
        if value > token.balanceOf(a):
            return
        token.transferFrom(a, c, value, sender=b)
        assert token.allowance(a, b) == (allowed - amount) * LDAO
        self._moved(a, c)

    @rule(dst=people, amount=st.integers(0, 5_000), past_cap=st.booleans())
    def mint(self, dst: str, amount: int, past_cap: bool) -> None:
        """The timelock (a minter) mints up to the cap; one unit past the
        cap is refused."""
        self.begin(f"mint to {dst}")
        token, to, minter = self.w.token, self.w.address(dst), self.w.timelock
        room = self.w.cap - token.totalSupply()
        if past_cap:
            refuse(token, "mint", to, room + 1, sender=minter, reason="token: cap exceeded")
            return
        token.mint(to, min(amount * LDAO, room), sender=minter)
        self._moved(to)

    @rule(src=people, amount=st.integers(0, 1_000))
    def burn(self, src: str, amount: int) -> None:
        """Anyone burns their own LDAO; the supply falls with it."""
        self.begin(f"burn {src}")
        token, a = self.w.token, self.w.address(src)
        value = min(amount * LDAO, token.balanceOf(a))
        supply = token.totalSupply()
        token.burn(value, sender=a)
        assert token.totalSupply() == supply - value
        self._moved(a)

    @rule(src=people, to=st.sampled_from((*PEOPLE, None)))
    def delegate(self, src: str, to: str | None) -> None:
        """Delegates votes to a person (or to nobody)."""
        self.begin(f"delegate {src} -> {to}")
        a = self.w.address(src)
        target = ZERO if to is None else self.w.address(to)
        self.w.token.delegate(target, sender=a)
        old = self.delegates.get(a, ZERO)
        self.delegates[a] = target
        self.votes_dirty.update({old, target} - {ZERO})
        self.touch("token")
        event("token: delegate")

    @rule(src=people, to=people, replay=st.booleans())
    def delegate_by_sig(self, src: str, to: str, replay: bool) -> None:
        """Anyone relays `src`'s signed delegation; the signature's nonce
        is spent (shared with permits), so a replay is refused."""
        self.begin(f"delegate by signature {src} -> {to}")
        token, a, target = self.w.token, self.w.address(src), self.w.address(to)
        nonce = self.nonces.get(a, 0)
        sig = self.w.delegation(src, target, nonce, PERMIT_DEADLINE, boa.env.evm.patch.chain_id)
        args = (target, nonce, PERMIT_DEADLINE, *sig.as_args())
        token.delegateBySig(*args, sender=self.w.address(PEOPLE[-1]))
        assert token.delegates(a) == target
        self.nonces[a] = nonce + 1
        old = self.delegates.get(a, ZERO)
        self.delegates[a] = target
        self.votes_dirty.update({old, target} - {ZERO})
        self.touch("token")
        if replay:
            refuse(token, "delegateBySig", *args, sender=a, reason="votes: invalid nonce")
            event("token: replayed delegation refused")

    @rule(
        owner=people, spender=people, value=st.sampled_from([1, 10 * LDAO]), then_use=st.booleans()
    )
    def permit_after_chain_change(
        self, owner: str, spender: str, value: int, then_use: bool
    ) -> None:
        """A permit signed on this chain is replayed after the chain id
        changed (a fork): refused, the nonce untouched. Back on the right
        chain the same signature still works, once."""
        self.begin(f"stale permit {owner}")
        token, a, b = self.w.token, self.w.address(owner), self.w.address(spender)
        chain = boa.env.evm.patch.chain_id
        nonce = self.nonces.get(a, 0)
        sig = self.w.permit(owner, b, value, nonce, PERMIT_DEADLINE, chain)
        args = (a, b, value, PERMIT_DEADLINE, *sig.as_args())
        boa.env.evm.patch.chain_id = chain + 1
        try:
            refuse(token, "permit", *args, sender=a, reason="erc20: invalid signature")
        finally:
            boa.env.evm.patch.chain_id = chain
        self.ledgers.stale_permits.append((a, nonce, chain))
        event("token: stale-chain permit refused")
        if then_use:
            token.permit(*args, sender=b)
            self.nonces[a] = nonce + 1
            assert token.allowance(a, b) == value
            refuse(token, "permit", *args, sender=b, reason="erc20: invalid signature")
            self.touch("token")

    @precondition(lambda self: self.now > 1)
    @rule(who=people)
    def record_past_votes(self, who: str) -> None:
        """Records what the last closed second (the token's clock is the
        block timestamp) says of someone's votes and of the supply: the
        invariants check that it never changes."""
        self.begin(f"record past votes of {who}")
        a, closed = self.w.address(who), self.now - 1
        self.past_votes[(a, closed)] = self.w.token.getPastVotes(a, closed)
        self.past_votes[(ZERO, closed)] = self.w.token.getPastTotalSupply(closed)

    def _moved(self, *accounts: str) -> None:
        """Balances of `accounts` changed: so did their delegates' votes."""
        self.touch("token")
        for account in accounts:
            if (delegate := self.delegates.get(account, ZERO)) != ZERO:
                self.votes_dirty.add(delegate)
