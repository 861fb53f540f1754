"""RewardToken end to end through Ape: the same flows on the embedded chain
and on a real anvil node (`--network ethereum:local:foundry`)."""

import ape
import pytest

from labeldao.signing import sign_delegation, sign_permit

LDAO = 10**18
CAP = 1_000_000_000 * LDAO


@pytest.fixture(scope="module")
def holders(accounts):
    return accounts[1], accounts[2], accounts[3]


@pytest.fixture(scope="module")
def token(project, deployer, holders):
    token = project.RewardToken.deploy(CAP, sender=deployer)
    token.grantRole(token.MINTER_ROLE(), deployer, sender=deployer)
    for holder, amount in zip(holders, (600, 300, 100), strict=True):
        token.mint(holder, amount * LDAO, sender=deployer)
    return token


def _delegate(token, holder, to):
    # `token.delegate` is Ape's EIP-7702 property of every address.
    return token.invoke_transaction("delegate", to, sender=holder)


def test_votes__follow_transfers_and_stay_in_the_past(token, holders, chain):
    alice, bob, carol = holders
    _delegate(token, alice, alice)
    receipt = _delegate(token, carol, alice)
    assert [log.event_name for log in receipt.events] == ["DelegateChanged", "DelegateVotesChanged"]
    # The token's clock is the block timestamp (ERC-6372 "mode=timestamp").
    snapshot = chain.blocks[receipt.block_number].timestamp
    # Later blocks a few seconds on (anvil stamps blocks with the wall clock,
    # so blocks mined within one second share it): `getPastVotes` needs a
    # timepoint strictly before the latest block's.
    chain.mine(2, deltatime=2)
    token.transfer(bob, 200 * LDAO, sender=alice)
    chain.mine(1, deltatime=2)
    assert token.getVotes(alice) == 500 * LDAO
    assert token.getPastVotes(alice, snapshot) == 700 * LDAO
    assert token.getPastTotalSupply(snapshot) == 1_000 * LDAO
    assert token.CLOCK_MODE() == "mode=timestamp"
    assert token.clock() == chain.blocks.head.timestamp


def test_permit__signed_off_chain__is_spent_on_chain(token, holders, deployer, chain):
    alice, bob, _ = holders
    deadline = chain.pending_timestamp + 3600
    sig = sign_permit(
        alice.private_key,
        token=token.address,
        chain_id=chain.chain_id,
        owner=alice.address,
        spender=bob.address,
        value=50 * LDAO,
        nonce=token.nonces(alice),
        deadline=deadline,
    )
    args = (alice, bob, 50 * LDAO, deadline, *sig.as_args())
    token.permit(*args, sender=deployer)
    token.transferFrom(alice, bob, 50 * LDAO, sender=bob)
    assert token.balanceOf(bob) == 350 * LDAO
    with ape.reverts("erc20: invalid signature"):
        token.permit(*args, sender=deployer)


def test_delegate_by_sig__relayed_by_another_account(token, holders, deployer, chain):
    alice, bob, carol = holders
    expiry = chain.pending_timestamp + 3600
    nonce = token.nonces(carol)
    sig = sign_delegation(
        carol.private_key,
        token=token.address,
        chain_id=chain.chain_id,
        delegatee=bob.address,
        nonce=nonce,
        expiry=expiry,
    )
    token.delegateBySig(bob, nonce, expiry, *sig.as_args(), sender=deployer)
    assert token.delegates(carol) == bob.address
    assert token.getVotes(bob) == 100 * LDAO
    with ape.reverts("votes: invalid nonce"):
        token.delegateBySig(bob, nonce, expiry, *sig.as_args(), sender=deployer)


def test_mint__past_cap__reverts(token, deployer, holders):
    with ape.reverts("token: cap exceeded"):
        token.mint(holders[0], CAP, sender=deployer)
