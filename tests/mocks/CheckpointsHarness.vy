# pragma version ~=0.4.3
"""
@title Checkpoints harness
@custom:contract-name CheckpointsHarness
@license GNU Affero General Public License v3.0 only
@notice Exposes `contracts/modules/checkpoints.vy` for direct tests. Test code only.
"""


from contracts.modules import checkpoints
initializes: checkpoints


@deploy
def __init__():
    """
    @dev Initialises the module.
    """
    checkpoints.__init__()


@external
def push(key: address, new_value: uint256) -> uint256:
    """
    @dev `_push`.
    @param key The key.
    @param new_value The value.
    @return uint256 The previous value.
    """
    return checkpoints._push(key, new_value)


@external
def increase(key: address, amount: uint256) -> (uint256, uint256):
    """
    @dev `_increase`.
    @param key The key.
    @param amount The amount.
    @return uint256 The previous value.
    @return uint256 The new value.
    """
    return checkpoints._increase(key, amount)


@external
def decrease(key: address, amount: uint256) -> (uint256, uint256):
    """
    @dev `_decrease`.
    @param key The key.
    @param amount The amount.
    @return uint256 The previous value.
    @return uint256 The new value.
    """
    return checkpoints._decrease(key, amount)


@external
@view
def latest(key: address) -> uint256:
    """
    @dev `_latest`.
    @param key The key.
    @return uint256 The latest value.
    """
    return checkpoints._latest(key)


@external
@view
def length(key: address) -> uint256:
    """
    @dev `_length`.
    @param key The key.
    @return uint256 The number of checkpoints.
    """
    return checkpoints._length(key)


@external
@view
def at(key: address, pos: uint256) -> (uint256, uint256):
    """
    @dev `_at`.
    @param key The key.
    @param pos The position.
    @return uint256 The block.
    @return uint256 The value.
    """
    return checkpoints._at(key, pos)


@external
@view
def upper_lookup(key: address, timepoint: uint256) -> uint256:
    """
    @dev `_upper_lookup`.
    @param key The key.
    @param timepoint The block.
    @return uint256 The value at `timepoint`.
    """
    return checkpoints._upper_lookup(key, timepoint)
