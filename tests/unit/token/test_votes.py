"""RewardToken: ERC-5805 delegation, vote checkpoints and past lookups, on
the token's ERC-6372 timestamp clock (`clock()` is `block.timestamp`)."""

import boa

from labeldao.signing import sign_delegation
from tests.helpers import events

ZERO = "0x0000000000000000000000000000000000000000"


def _now() -> int:
    return boa.env.evm.patch.timestamp


def _next_second() -> None:
    boa.env.time_travel(seconds=1)


def test_votes__before_delegation__are_zero(token, fund, alice):
    fund(alice.address, 100)
    assert token.delegates(alice.address) == ZERO
    assert token.getVotes(alice.address) == 0


def test_delegate__to_self__activates_votes_and_logs(token, fund, alice):
    fund(alice.address, 100)
    token.delegate(alice.address, sender=alice.address)
    (changed,) = events(token, "DelegateChanged")
    (votes,) = events(token, "DelegateVotesChanged")
    assert (changed.delegator, changed.fromDelegate, changed.toDelegate) == (
        alice.address,
        ZERO,
        alice.address,
    )
    assert (votes.delegate, votes.previousVotes, votes.newVotes) == (alice.address, 0, 100)
    assert token.delegates(alice.address) == alice.address
    assert token.getVotes(alice.address) == 100


def test_delegate__to_another__moves_votes(token, fund, alice, bob):
    fund(alice.address, 100)
    token.delegate(alice.address, sender=alice.address)
    token.delegate(bob.address, sender=alice.address)
    moved = events(token, "DelegateVotesChanged")
    assert [(e.delegate, e.previousVotes, e.newVotes) for e in moved] == [
        (alice.address, 100, 0),
        (bob.address, 0, 100),
    ]
    assert token.getVotes(alice.address) == 0
    assert token.getVotes(bob.address) == 100
    assert token.balanceOf(alice.address) == 100


def test_delegate__to_zero__removes_votes(token, fund, alice):
    fund(alice.address, 100)
    token.delegate(alice.address, sender=alice.address)
    token.delegate(ZERO, sender=alice.address)
    assert token.getVotes(alice.address) == 0
    assert token.delegates(alice.address) == ZERO


def test_delegate__without_balance__changes_delegate_only(token, alice, bob):
    token.delegate(bob.address, sender=alice.address)
    assert len(events(token, "DelegateChanged")) == 1
    assert events(token, "DelegateVotesChanged") == []
    assert token.delegates(alice.address) == bob.address


def test_transfer__between_delegates__moves_votes(token, fund, alice, bob):
    fund(alice.address, 100)
    token.delegate(alice.address, sender=alice.address)
    token.delegate(bob.address, sender=bob.address)
    token.transfer(bob.address, 30, sender=alice.address)
    moved = events(token, "DelegateVotesChanged")
    assert [(e.delegate, e.newVotes) for e in moved] == [(alice.address, 70), (bob.address, 30)]


def test_transfer__to_undelegated_holder__burns_sender_votes_only(token, fund, alice, bob):
    fund(alice.address, 100)
    token.delegate(alice.address, sender=alice.address)
    token.transfer(bob.address, 40, sender=alice.address)
    assert token.getVotes(alice.address) == 60
    assert token.getVotes(bob.address) == 0
    token.delegate(bob.address, sender=bob.address)
    assert token.getVotes(bob.address) == 40


def test_transfer__between_holders_of_one_delegate__keeps_votes(token, fund, alice, bob, carol):
    fund(alice.address, 100)
    token.delegate(carol.address, sender=alice.address)
    token.delegate(carol.address, sender=bob.address)
    token.transfer(bob.address, 25, sender=alice.address)
    assert events(token, "DelegateVotesChanged") == []
    assert token.getVotes(carol.address) == 100


def test_mint_and_burn__move_delegate_votes(token, fund, alice, bob):
    token.delegate(bob.address, sender=alice.address)
    fund(alice.address, 100)
    assert token.getVotes(bob.address) == 100
    token.burn(60, sender=alice.address)
    assert token.getVotes(bob.address) == 40


def test_get_past_votes__returns_value_at_each_timestamp(token, fund, alice):
    token.delegate(alice.address, sender=alice.address)
    history = {}
    for amount in (10, 20, 30):
        fund(alice.address, amount)
        history[_now()] = token.getVotes(alice.address)
        _next_second()
    for timestamp, votes in history.items():
        assert token.getPastVotes(alice.address, timestamp) == votes
    first = min(history)
    assert token.getPastVotes(alice.address, first - 1) == 0


def test_get_past_votes__at_current_timestamp__reverts(token, alice):
    with boa.reverts("votes: future lookup"):
        token.getPastVotes(alice.address, _now())


def test_get_past_votes__blocks_of_one_second__one_checkpoint(token, fund, alice):
    """L2s make several blocks per second: the votes at second t are those
    after the last of them, and the blocks share one checkpoint."""
    token.delegate(alice.address, sender=alice.address)
    fund(alice.address, 10)
    second = _now()
    boa.env.time_travel(blocks=3, block_delta=0)  # three more blocks, same second
    fund(alice.address, 5)
    assert token.numCheckpoints(alice.address) == 1
    boa.env.time_travel(blocks=1, block_delta=1)
    assert token.getPastVotes(alice.address, second) == 15


def test_get_past_votes__seconds_without_blocks__answer_the_last_value(token, fund, alice):
    token.delegate(alice.address, sender=alice.address)
    fund(alice.address, 10)
    recorded = _now()
    boa.env.time_travel(seconds=3_600)
    assert token.getPastVotes(alice.address, recorded + 1_800) == 10
    assert token.getPastVotes(alice.address, _now() - 1) == 10


def test_get_past_total_supply__tracks_mints_and_burns(token, fund, alice):
    fund(alice.address, 100)
    minted_at = _now()
    _next_second()
    token.burn(40, sender=alice.address)
    burned_at = _now()
    _next_second()
    assert token.getPastTotalSupply(minted_at) == 100
    assert token.getPastTotalSupply(burned_at) == 60
    assert token.getPastTotalSupply(minted_at - 1) == 0


def test_get_past_total_supply__at_current_timestamp__reverts(token):
    with boa.reverts("votes: future lookup"):
        token.getPastTotalSupply(_now())


def test_get_past_total_supply__in_the_future__reverts(token):
    with boa.reverts("votes: future lookup"):
        token.getPastTotalSupply(_now() + 3_600)


def test_transfer__to_an_account_without_delegate__moves_votes_nowhere(token, fund, alice, bob):
    """Votes leave the sender's delegate and go nowhere: the zero address
    means "no delegate" and gets no votes (its history key holds the total
    supply, which a transfer leaves as it is)."""
    token.delegate(alice.address, sender=alice.address)
    fund(alice.address, 100)
    token.transfer(bob.address, 30, sender=alice.address)
    moved = events(token, "DelegateVotesChanged")
    assert [(e.delegate, e.previousVotes, e.newVotes) for e in moved] == [(alice.address, 100, 70)]
    sent_at = _now()
    _next_second()
    assert token.getPastTotalSupply(sent_at) == token.totalSupply() == 100


def test_checkpoints__one_per_timestamp(token, fund, alice):
    token.delegate(alice.address, sender=alice.address)
    fund(alice.address, 1)
    fund(alice.address, 2)
    assert token.numCheckpoints(alice.address) == 1
    _next_second()
    fund(alice.address, 3)
    assert token.numCheckpoints(alice.address) == 2
    first_at, first_votes = token.checkpoints(alice.address, 0)
    second_at, second_votes = token.checkpoints(alice.address, 1)
    assert (first_votes, second_votes) == (3, 6)
    assert second_at == first_at + 1 == _now()


def test_checkpoints__position_out_of_range__reverts(token, alice):
    with boa.reverts("checkpoints: position out of range"):
        token.checkpoints(alice.address, 0)


def test_get_past_votes__over_long_history__matches_record(token, fund, alice, bob):
    """Binary search over 37 archived checkpoints, with gaps between them."""
    token.delegate(alice.address, sender=alice.address)
    fund(alice.address, 10_000)
    record = {}
    for step in range(37):
        token.transfer(bob.address, step + 1, sender=alice.address)
        record[_now()] = token.getVotes(alice.address)
        boa.env.time_travel(seconds=1 + step % 3)

    def expected(timestamp: int) -> int:
        earlier = [t for t in record if t <= timestamp]
        return record[max(earlier)] if earlier else 0

    for timestamp in range(min(record) - 1, max(record) + 1):
        assert token.getPastVotes(alice.address, timestamp) == expected(timestamp)


def _signed_delegation(token, signer, delegatee, nonce=None, expiry=None):
    nonce = token.nonces(signer.address) if nonce is None else nonce
    expiry = boa.env.evm.patch.timestamp + 600 if expiry is None else expiry
    sig = sign_delegation(
        signer.key,
        token=token.address,
        chain_id=boa.env.evm.patch.chain_id,
        delegatee=delegatee,
        nonce=nonce,
        expiry=expiry,
    )
    return (delegatee, nonce, expiry, *sig.as_args())


def test_delegate_by_sig__delegates_for_signer(token, fund, alice, bob, carol):
    fund(alice.address, 50)
    token.delegateBySig(*_signed_delegation(token, alice, bob.address), sender=carol.address)
    (changed,) = events(token, "DelegateChanged")
    assert changed.delegator == alice.address
    assert token.delegates(alice.address) == bob.address
    assert token.getVotes(bob.address) == 50
    assert token.nonces(alice.address) == 1


def test_delegate_by_sig__replayed__reverts(token, alice, bob, carol):
    args = _signed_delegation(token, alice, bob.address)
    token.delegateBySig(*args, sender=carol.address)
    with boa.reverts("votes: invalid nonce"):
        token.delegateBySig(*args, sender=carol.address)


def test_delegate_by_sig__future_nonce__reverts(token, alice, bob):
    with boa.reverts("votes: invalid nonce"):
        token.delegateBySig(*_signed_delegation(token, alice, bob.address, nonce=5))


def test_delegate_by_sig__expired__reverts(token, alice, bob):
    expiry = boa.env.evm.patch.timestamp - 1
    with boa.reverts("votes: signature expired"):
        token.delegateBySig(*_signed_delegation(token, alice, bob.address, expiry=expiry))


def test_delegate_by_sig__at_its_expiry__is_still_valid(token, alice, bob):
    """`expiry` is the last timestamp at which the signature is valid."""
    expiry = boa.env.evm.patch.timestamp
    token.delegateBySig(*_signed_delegation(token, alice, bob.address, expiry=expiry))
    assert token.delegates(alice.address) == bob.address


def test_delegate_by_sig__tampered_delegatee__delegates_nothing_of_signer(token, alice, bob, carol):
    _, nonce, expiry, v, r, s = _signed_delegation(token, alice, bob.address)
    # A signature over another delegatee recovers some other address, whose
    # nonce (0) may match: it then delegates that address's (empty) votes.
    token.delegateBySig(carol.address, nonce, expiry, v, r, s)
    assert token.delegates(alice.address) == ZERO
    assert token.nonces(alice.address) == 0


def test_delegate_by_sig__malleable_s__reverts(token, alice, bob):
    delegatee, nonce, expiry, v, r, s = _signed_delegation(token, alice, bob.address)
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    high_s = (n - int.from_bytes(s, "big")).to_bytes(32, "big")
    with boa.reverts("ecdsa: invalid signature `s` value"):
        token.delegateBySig(delegatee, nonce, expiry, 55 - v, r, high_s)


def test_delegate_by_sig__invalid_signature__reverts(token, bob):
    with boa.reverts("ecdsa: invalid signature"):
        token.delegateBySig(bob.address, 0, 2**64, 27, b"\x00" * 32, b"\x00" * 32)
