# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title LabelDAO Token (LDAO)
@custom:contract-name RewardToken
@license GNU Affero General Public License v3.0 only
@notice The reward and governance token of LabelDAO. Annotators, jurors
        and GPU providers are paid in LDAO, and LDAO is the vote: holders
        delegate it (ERC-5805) and an unmodified OpenZeppelin Governor or
        Tally can use it.

        - Clock (ERC-6372): `clock()` is `block.timestamp` and
          `CLOCK_MODE()` is "mode=timestamp", on every chain; there is no
          block-number mode. On Arbitrum `block.number` is an estimate of
          the L1 block, on OP-stack chains a block is 2 s: a Governor's
          delay and period in seconds mean the same everywhere. Vote
          checkpoints are keyed by timestamp (docs/decisions.md, "Clocks").

        - ERC-20 with EIP-2612 `permit` and EIP-5267 `eip712Domain`
          (`modules/erc20_votes.vy`, built on snekmate's EIP-712 and ECDSA).
        - `MINTER_ROLE` mints up to the immutable hard `cap`; after
          deployment only the escrow, the registry and the timelock hold
          it. Roles are snekmate's `access_control`.
        - Anyone burns their own tokens (`burn`) or, with an allowance,
          someone else's (`burn_from`); burnt supply may be minted again
          up to the cap.
@custom:security No function is pausable: holders can always move, burn
                 and delegate their tokens.
"""


from ethereum.ercs import IERC165
implements: IERC165


from snekmate.auth.interfaces import IAccessControl
implements: IAccessControl


from snekmate.auth import access_control
initializes: access_control


from .modules import erc20_votes
initializes: erc20_votes


exports: (
    # Role administration: the admin (the timelock) grants MINTER_ROLE.
    access_control.supportsInterface,
    access_control.hasRole,
    access_control.getRoleAdmin,
    access_control.grantRole,
    access_control.revokeRole,
    access_control.renounceRole,
    access_control.set_role_admin,
    access_control.DEFAULT_ADMIN_ROLE,
    # The whole token: ERC-20, EIP-2612, EIP-5267, ERC-5805, ERC-6372.
    erc20_votes.__interface__,
)


# @dev The role allowed to mint (escrow, registry, timelock).
MINTER_ROLE: public(constant(bytes32)) = keccak256("MINTER_ROLE")


# @dev The token's name, also the EIP-712 domain name.
_NAME: constant(String[25]) = "LabelDAO Token"


# @dev The token's symbol.
_SYMBOL: constant(String[5]) = "LDAO"


# @dev The EIP-712 domain version.
_EIP712_VERSION: constant(String[20]) = "1"


# @dev The hard cap on the total supply, in base units.
cap: public(immutable(uint256))


@deploy
@payable
def __init__(cap_: uint256):
    """
    @dev Deploys the token with a hard cap. The deployer receives
         `DEFAULT_ADMIN_ROLE` only, to wire the minters; the deploy
         script hands it to the timelock and renounces it.
    @param cap_ The hard cap on the total supply in base units
           (18 decimals); not zero and at most 2**96 - 1.
    """
    assert cap_ != 0, "token: cap is zero"
    assert cap_ <= erc20_votes.MAX_SUPPLY, "token: cap exceeds 2**96 - 1"
    cap = cap_
    access_control.__init__()
    erc20_votes.__init__(_NAME, _SYMBOL, 18, _NAME, _EIP712_VERSION)


@external
def mint(owner: address, amount: uint256):
    """
    @dev Creates `amount` tokens for `owner`. Only `MINTER_ROLE`; the
         total supply can never exceed `cap`.
    @param owner The 20-byte receiver address (not zero).
    @param amount The amount to create.
    """
    access_control._check_role(MINTER_ROLE, msg.sender)
    assert erc20_votes.totalSupply + amount <= cap, "token: cap exceeded"
    erc20_votes._mint(owner, amount)


@external
def burn(amount: uint256):
    """
    @dev Destroys `amount` of the caller's tokens.
    @param amount The amount to destroy.
    """
    erc20_votes._burn(msg.sender, amount)


@external
def burn_from(owner: address, amount: uint256):
    """
    @dev Destroys `amount` of `owner`'s tokens using the caller's
         allowance.
    @param owner The 20-byte holder address.
    @param amount The amount to destroy.
    """
    erc20_votes._spend_allowance(owner, msg.sender, amount)
    erc20_votes._burn(owner, amount)
