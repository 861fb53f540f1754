"""RewardToken: EIP-2612 permit and the chain-bound EIP-712 domain."""

import boa

from labeldao.signing import sign_delegation, sign_permit
from tests.helpers import events


def _permit(token, owner, spender, value=100, nonce=None, deadline=None):
    nonce = token.nonces(owner.address) if nonce is None else nonce
    deadline = boa.env.evm.patch.timestamp + 600 if deadline is None else deadline
    sig = sign_permit(
        owner.key,
        token=token.address,
        chain_id=boa.env.evm.patch.chain_id,
        owner=owner.address,
        spender=spender,
        value=value,
        nonce=nonce,
        deadline=deadline,
    )
    return (owner.address, spender, value, deadline, *sig.as_args())


def test_permit__sets_allowance_and_nonce(token, alice, bob, carol):
    token.permit(*_permit(token, alice, bob.address), sender=carol.address)
    (approval,) = events(token, "Approval")
    assert (approval.owner, approval.spender, approval.value) == (alice.address, bob.address, 100)
    assert token.allowance(alice.address, bob.address) == 100
    assert token.nonces(alice.address) == 1


def test_permit__then_transfer_from__spends_it(token, fund, alice, bob):
    fund(alice.address, 100)
    token.permit(*_permit(token, alice, bob.address, value=60))
    token.transferFrom(alice.address, bob.address, 60, sender=bob.address)
    assert token.balanceOf(bob.address) == 60


def test_permit__replayed__reverts(token, alice, bob):
    args = _permit(token, alice, bob.address)
    token.permit(*args)
    with boa.reverts("erc20: invalid signature"):
        token.permit(*args)


def test_permit__expired__reverts(token, alice, bob):
    deadline = boa.env.evm.patch.timestamp - 1
    with boa.reverts("erc20: expired deadline"):
        token.permit(*_permit(token, alice, bob.address, deadline=deadline))


def test_permit__at_its_deadline__is_still_valid(token, alice, bob):
    """`deadline` is the last timestamp at which the signature is valid."""
    deadline = boa.env.evm.patch.timestamp
    token.permit(*_permit(token, alice, bob.address, value=7, deadline=deadline))
    assert token.allowance(alice.address, bob.address) == 7


def test_permit__signed_by_another__reverts(token, alice, bob):
    owner, spender, value, deadline, v, r, s = _permit(token, bob, alice.address)
    with boa.reverts("erc20: invalid signature"):
        token.permit(alice.address, spender, value, deadline, v, r, s)


def test_permit__with_wrong_nonce__reverts(token, alice, bob):
    with boa.reverts("erc20: invalid signature"):
        token.permit(*_permit(token, alice, bob.address, nonce=1))


def test_permit__to_zero_spender__reverts(token, alice):
    zero = "0x0000000000000000000000000000000000000000"
    with boa.reverts("erc20: approve to the zero address"):
        token.permit(*_permit(token, alice, zero))


def test_permit__signed_before_chain_id_change__reverts_after(token, alice, bob):
    args = _permit(token, alice, bob.address)
    separator = token.DOMAIN_SEPARATOR()
    original = boa.env.evm.patch.chain_id
    boa.env.evm.patch.chain_id = original + 1
    try:
        assert token.DOMAIN_SEPARATOR() != separator
        assert token.eip712Domain()[3] == original + 1
        with boa.reverts("erc20: invalid signature"):
            token.permit(*args)
        # Signed for the new chain id, it works.
        token.permit(*_permit(token, alice, bob.address))
        assert token.allowance(alice.address, bob.address) == 100
    finally:
        boa.env.evm.patch.chain_id = original
    assert token.DOMAIN_SEPARATOR() == separator


def test_permit__consumes_nonce_of_pending_delegation(token, alice, bob):
    nonce = token.nonces(alice.address)
    expiry = boa.env.evm.patch.timestamp + 600
    delegation = sign_delegation(
        alice.key,
        token=token.address,
        chain_id=boa.env.evm.patch.chain_id,
        delegatee=bob.address,
        nonce=nonce,
        expiry=expiry,
    )
    token.permit(*_permit(token, alice, bob.address))
    with boa.reverts("votes: invalid nonce"):
        token.delegateBySig(bob.address, nonce, expiry, *delegation.as_args())
