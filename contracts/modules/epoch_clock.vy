# pragma version ~=0.4.3
"""
@title The epoch clock of the timestamp-based contracts
@custom:contract-name epoch_clock
@license GNU Affero General Public License v3.0 only
@notice One definition of an epoch for the contracts that count time in
        seconds (TaskEscrow, ComputeRegistry): epoch `e` is
        `[GENESIS + e * EPOCH_LENGTH, GENESIS + (e + 1) * EPOCH_LENGTH)`.
        Both are immutable, so epoch numbers never shift. (The court's
        stake snapshots count blocks: `sortition.vy` keeps that clock.)
"""


# @dev Length of an epoch, in seconds.
EPOCH_LENGTH: public(immutable(uint256))


# @dev Start of epoch 0, a timestamp never in the future.
GENESIS: public(immutable(uint256))


@deploy
def __init__(genesis_: uint256, epoch_length_: uint256):
    """
    @dev Fixes the clock. The user checks the bounds it needs (genesis
         not in the future, a length it accepts) before calling it.
    @param genesis_ The start of epoch 0 (not in the future).
    @param epoch_length_ The epoch length in seconds (not zero).
    """
    GENESIS = genesis_
    EPOCH_LENGTH = epoch_length_


@internal
@view
def _current_epoch() -> uint256:
    """
    @dev The epoch in progress.
    @return uint256 The current epoch.
    """
    return (block.timestamp - GENESIS) // EPOCH_LENGTH


@internal
@view
def _epoch_end(epoch: uint256) -> uint256:
    """
    @dev The end of an epoch (exclusive), the start of the next.
    @param epoch The epoch.
    @return uint256 The timestamp.
    """
    return GENESIS + (epoch + 1) * EPOCH_LENGTH
