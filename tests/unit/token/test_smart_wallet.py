"""RewardToken with a contract account as the caller (Safe, ERC-4337).

The caller of `mint`, `burn` and `burn_from` is `msg.sender`, the contract
that calls, not `tx.origin`, the EOA that signed the transaction: a role
held by a Safe works through the Safe, and a wallet burns its own tokens
with its own allowance. `tests/mocks/SmartWallet.vy` relays its owner's
calls, as such wallets do.
"""

from __future__ import annotations

import boa
import pytest

from labeldao.boa_tools import deployer

MOCKS = "tests/mocks"
AMOUNT = 5 * 10**18


@pytest.fixture
def wallet(alice):
    """A contract wallet owned by alice, who holds no role and no tokens."""
    return deployer("SmartWallet", MOCKS).deploy(sender=alice.address)


def _relay(wallet, owner, contract, fn_name, *args):
    data = getattr(contract, fn_name).prepare_calldata(*args)
    return wallet.execute(contract.address, data, sender=owner)


def test_mint__by_a_wallet_holding_the_role__mints(token, admin, wallet, alice, bob):
    token.grantRole(token.MINTER_ROLE(), wallet.address, sender=admin)
    _relay(wallet, alice.address, token, "mint", bob.address, AMOUNT)
    assert token.balanceOf(bob.address) == AMOUNT


def test_mint__by_the_owner_of_a_minting_wallet__reverts(token, admin, wallet, alice, bob):
    """The role is the wallet's: its owner's own EOA cannot mint."""
    token.grantRole(token.MINTER_ROLE(), wallet.address, sender=admin)
    with boa.reverts("access_control: account is missing role"):
        token.mint(bob.address, AMOUNT, sender=alice.address)


def test_mint__by_a_wallet_whose_owner_holds_the_role__reverts(token, admin, wallet, alice, bob):
    """The role of the EOA behind a wallet does not reach the wallet."""
    token.grantRole(token.MINTER_ROLE(), alice.address, sender=admin)
    with boa.reverts("access_control: account is missing role"):
        _relay(wallet, alice.address, token, "mint", bob.address, AMOUNT)


def test_burn__by_a_wallet__burns_the_wallets_tokens(token, fund, wallet, alice):
    fund(wallet.address, AMOUNT)
    fund(alice.address, AMOUNT)
    supply = token.totalSupply()
    _relay(wallet, alice.address, token, "burn", AMOUNT)
    assert (token.balanceOf(wallet.address), token.balanceOf(alice.address)) == (0, AMOUNT)
    assert token.totalSupply() == supply - AMOUNT


def test_burn_from__by_a_wallet__spends_the_wallets_allowance(token, fund, wallet, alice, bob):
    fund(bob.address, AMOUNT)
    token.approve(wallet.address, AMOUNT, sender=bob.address)
    _relay(wallet, alice.address, token, "burn_from", bob.address, AMOUNT)
    assert token.balanceOf(bob.address) == 0
    assert token.allowance(bob.address, wallet.address) == 0


def test_burn_from__allowance_of_the_wallets_owner__reverts(token, fund, wallet, alice, bob):
    """An allowance to the EOA behind a wallet is not the wallet's."""
    fund(bob.address, AMOUNT)
    token.approve(alice.address, AMOUNT, sender=bob.address)
    with boa.reverts("erc20: insufficient allowance"):
        _relay(wallet, alice.address, token, "burn_from", bob.address, AMOUNT)
