"""RewardToken: ERC-20 transfers, allowances, minting and burning."""

import boa

from tests.conftest import TOKEN_CAP
from tests.helpers import events

MAX_UINT = 2**256 - 1
ZERO = "0x0000000000000000000000000000000000000000"


def test_mint__by_minter__credits_and_logs(token, minter, alice):
    token.mint(alice.address, 500, sender=minter)
    (transfer,) = events(token, "Transfer")
    assert token.balanceOf(alice.address) == 500
    assert token.totalSupply() == 500
    assert (transfer.sender, transfer.receiver, transfer.value) == (ZERO, alice.address, 500)


def test_mint__by_non_minter__reverts(token, admin, alice):
    with boa.reverts("access_control: account is missing role"):
        token.mint(alice.address, 1, sender=admin)


def test_mint__up_to_cap__succeeds_and_one_more__reverts(token, minter, alice):
    token.mint(alice.address, TOKEN_CAP, sender=minter)
    assert token.totalSupply() == TOKEN_CAP
    with boa.reverts("token: cap exceeded"):
        token.mint(alice.address, 1, sender=minter)


def test_mint__to_zero_address__reverts(token, minter):
    with boa.reverts("erc20: mint to the zero address"):
        token.mint(ZERO, 1, sender=minter)


def test_transfer__moves_balance_and_logs(token, fund, alice, bob):
    fund(alice.address, 1_000)
    assert token.transfer(bob.address, 400, sender=alice.address)
    (transfer,) = events(token, "Transfer")
    assert token.balanceOf(alice.address) == 600
    assert token.balanceOf(bob.address) == 400
    assert token.totalSupply() == 1_000
    assert (transfer.sender, transfer.receiver, transfer.value) == (alice.address, bob.address, 400)


def test_transfer__more_than_balance__reverts(token, fund, alice, bob):
    fund(alice.address, 10)
    with boa.reverts("erc20: transfer amount exceeds balance"):
        token.transfer(bob.address, 11, sender=alice.address)


def test_transfer__to_zero_address__reverts(token, fund, alice):
    fund(alice.address, 10)
    with boa.reverts("erc20: transfer to the zero address"):
        token.transfer(ZERO, 1, sender=alice.address)


def test_transfer__to_self__keeps_balance(token, fund, alice):
    fund(alice.address, 10)
    token.delegate(alice.address, sender=alice.address)
    token.transfer(alice.address, 7, sender=alice.address)
    assert token.balanceOf(alice.address) == 10
    assert token.getVotes(alice.address) == 10


def test_transfer__of_zero__succeeds_without_votes_event(token, fund, alice, bob):
    fund(alice.address, 10)
    token.delegate(alice.address, sender=alice.address)
    token.transfer(bob.address, 0, sender=alice.address)
    assert [type(e).__name__ for e in token.get_logs()] == ["Transfer"]
    assert token.balanceOf(bob.address) == 0


def test_approve__sets_allowance_and_logs(token, alice, bob):
    assert token.approve(bob.address, 123, sender=alice.address)
    (approval,) = events(token, "Approval")
    assert token.allowance(alice.address, bob.address) == 123
    assert (approval.owner, approval.spender, approval.value) == (alice.address, bob.address, 123)


def test_approve__to_zero_spender__reverts(token, alice):
    with boa.reverts("erc20: approve to the zero address"):
        token.approve(ZERO, 1, sender=alice.address)


def test_transfer_from__spends_allowance(token, fund, alice, bob, carol):
    fund(alice.address, 100)
    token.approve(bob.address, 60, sender=alice.address)
    assert token.transferFrom(alice.address, carol.address, 50, sender=bob.address)
    assert token.balanceOf(carol.address) == 50
    assert token.allowance(alice.address, bob.address) == 10


def test_transfer_from__with_infinite_allowance__keeps_it(token, fund, alice, bob):
    fund(alice.address, 100)
    token.approve(bob.address, MAX_UINT, sender=alice.address)
    token.transferFrom(alice.address, bob.address, 100, sender=bob.address)
    assert events(token, "Approval") == []
    assert token.allowance(alice.address, bob.address) == MAX_UINT


def test_transfer_from__over_allowance__reverts(token, fund, alice, bob):
    fund(alice.address, 100)
    token.approve(bob.address, 5, sender=alice.address)
    with boa.reverts("erc20: insufficient allowance"):
        token.transferFrom(alice.address, bob.address, 6, sender=bob.address)


def test_transfer_from__zero_owner__reverts(token, bob):
    with boa.reverts("erc20: approve from the zero address"):
        token.transferFrom(ZERO, bob.address, 0, sender=bob.address)


def test_burn__destroys_supply_and_logs(token, fund, alice):
    fund(alice.address, 100)
    token.burn(30, sender=alice.address)
    (transfer,) = events(token, "Transfer")
    assert token.balanceOf(alice.address) == 70
    assert token.totalSupply() == 70
    assert (transfer.sender, transfer.receiver, transfer.value) == (alice.address, ZERO, 30)


def test_burn__more_than_balance__reverts(token, fund, alice):
    fund(alice.address, 100)
    with boa.reverts("erc20: burn amount exceeds balance"):
        token.burn(101, sender=alice.address)


def test_burn__frees_room_under_cap(token, minter, alice):
    token.mint(alice.address, TOKEN_CAP, sender=minter)
    token.burn(5, sender=alice.address)
    token.mint(alice.address, 5, sender=minter)
    assert token.totalSupply() == TOKEN_CAP


def test_burn_from__spends_allowance(token, fund, alice, bob):
    fund(alice.address, 100)
    token.approve(bob.address, 40, sender=alice.address)
    token.burn_from(alice.address, 40, sender=bob.address)
    assert token.balanceOf(alice.address) == 60
    assert token.allowance(alice.address, bob.address) == 0
    assert token.totalSupply() == 60


def test_burn_from__without_allowance__reverts(token, fund, alice, bob):
    fund(alice.address, 100)
    with boa.reverts("erc20: insufficient allowance"):
        token.burn_from(alice.address, 1, sender=bob.address)
