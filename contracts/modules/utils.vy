# pragma version ~=0.4.3
"""
@title Shared constants and the one revert path
@custom:contract-name utils
@license GNU Affero General Public License v3.0 only
@notice Stateless helpers imported by the mechanism contracts: basis
        points, the bit masks of packed storage words, and `_require`, the
        one revert path. An inline `assert cond, "reason"` costs about 100
        bytes of code per use; a call to `_require` about 30, at about 50
        gas more when it passes. Contracts call it on every path that is
        not a juror's or provider's hot loop.
"""


# @dev Basis points in a whole.
BPS: constant(uint256) = 10_000


# @dev Bit masks of packed fields, by width.
MASK_8: constant(uint256) = 2**8 - 1
MASK_16: constant(uint256) = 2**16 - 1
MASK_24: constant(uint256) = 2**24 - 1
MASK_32: constant(uint256) = 2**32 - 1
MASK_40: constant(uint256) = 2**40 - 1
MASK_64: constant(uint256) = 2**64 - 1
MASK_96: constant(uint256) = 2**96 - 1
MASK_160: constant(uint256) = 2**160 - 1


@internal
@pure
def _require(ok: bool, reason: String[64]):
    """
    @dev Reverts with `reason` unless `ok`.
    @param ok The condition that must hold.
    @param reason The revert string, prefixed with the contract or module.
    """
    if not ok:
        raise reason


@internal
@pure
def _bps(amount: uint256, bps: uint256) -> uint256:
    """
    @dev Returns `bps` basis points of `amount`, rounded down.
    @param amount The amount.
    @param bps The share in basis points.
    @return uint256 `amount * bps // BPS`.
    """
    return amount * bps // BPS
