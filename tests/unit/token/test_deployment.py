"""RewardToken: construction, metadata, roles and the clock."""

import boa
from eth_utils import keccak

from labeldao.boa_tools import deployer
from tests.conftest import TOKEN_CAP

MAX_SUPPLY = 2**96 - 1
DEFAULT_ADMIN_ROLE = b"\x00" * 32


def test_metadata__is_labeldao_token(token):
    assert token.name() == "LabelDAO Token"
    assert token.symbol() == "LDAO"
    assert token.decimals() == 18
    assert token.cap() == TOKEN_CAP
    assert token.totalSupply() == 0


def test_roles__deployer_is_admin_only(token, admin, minter):
    assert token.MINTER_ROLE() == keccak(text="MINTER_ROLE")
    assert token.hasRole(DEFAULT_ADMIN_ROLE, admin)
    assert not token.hasRole(token.MINTER_ROLE(), admin)
    assert token.hasRole(token.MINTER_ROLE(), minter)
    assert token.getRoleAdmin(token.MINTER_ROLE()) == DEFAULT_ADMIN_ROLE


def test_supports_interface__erc165_and_access_control(token):
    assert token.supportsInterface(bytes.fromhex("01ffc9a7"))
    assert token.supportsInterface(bytes.fromhex("7965db0b"))
    assert not token.supportsInterface(bytes.fromhex("ffffffff"))


def test_constructor__with_zero_cap__reverts():
    with boa.reverts("token: cap is zero"):
        deployer("RewardToken").deploy(0)


def test_constructor__with_cap_above_96_bits__reverts():
    with boa.reverts("token: cap exceeds 2**96 - 1"):
        deployer("RewardToken").deploy(MAX_SUPPLY + 1)


def test_constructor__with_largest_cap__mints_up_to_it(minter):
    token = deployer("RewardToken").deploy(MAX_SUPPLY)
    token.grantRole(token.MINTER_ROLE(), minter)
    token.mint(minter, MAX_SUPPLY, sender=minter)
    assert token.balanceOf(minter) == MAX_SUPPLY
    assert token.getPastTotalSupply(boa.env.evm.patch.timestamp - 1) == 0


def test_clock__is_the_block_timestamp(token):
    """ERC-6372 timestamp mode: the clock follows seconds, not blocks."""
    assert token.CLOCK_MODE() == "mode=timestamp"
    assert token.clock() == boa.env.evm.patch.timestamp
    boa.env.time_travel(seconds=7)
    assert token.clock() == boa.env.evm.patch.timestamp
    boa.env.time_travel(blocks=5, block_delta=0)  # blocks without time: no tick
    assert token.clock() == boa.env.evm.patch.timestamp


def test_eip712_domain__names_the_token(token):
    fields, name, version, chain_id, verifying, salt, extensions = token.eip712Domain()
    assert fields == b"\x0f"
    assert (name, version) == ("LabelDAO Token", "1")
    assert chain_id == boa.env.evm.patch.chain_id
    assert verifying == token.address
    assert salt == b"\x00" * 32
    assert extensions == []
