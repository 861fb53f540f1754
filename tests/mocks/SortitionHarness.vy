# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title Sortition tree harness
@custom:contract-name SortitionHarness
@license GNU Affero General Public License v3.0 only
@notice Exposes `contracts/modules/sortition.vy` to test it on its own.
        Test code only.
"""


from contracts.modules import sortition
initializes: sortition

exports: (sortition.owner_of, sortition.leaves_used, sortition.vacant_count)


@deploy
def __init__(epoch_seconds_: uint256):
    """
    @dev Initialises the tree.
    @param epoch_seconds_ The epoch length in seconds.
    """
    sortition.__init__(epoch_seconds_)


@external
def add(position: uint256, amount: uint256):
    """
    @dev `_add`, after raising `leaves_used` to cover `position`.
    @param position The leaf.
    @param amount The amount.
    """
    sortition._grow(position + 1)
    sortition._add(position, amount)


@external
def sub(position: uint256, amount: uint256):
    """
    @dev `_sub`.
    @param position The leaf.
    @param amount The amount.
    """
    sortition._sub(position, amount)


@external
def lock(position: uint256, amount: uint256):
    """
    @dev `_lock`.
    @param position The leaf.
    @param amount The amount.
    """
    sortition._lock(position, amount)


@external
def allocate(owner: address) -> uint256:
    """
    @dev `_allocate`.
    @param owner The owner.
    @return uint256 The position.
    """
    return sortition._allocate(owner)


@external
def release(position: uint256):
    """
    @dev `_release`.
    @param position The leaf.
    """
    sortition._release(position)


@external
def fill(start: uint256, count: uint256, weight: uint256):
    """
    @dev Gives `weight` to `count` leaves from `start` on (benchmarks build
         large trees with it).
    @param start The first leaf.
    @param count The number of leaves, at most 256.
    @param weight The weight of each.
    """
    sortition._grow(start + count)
    for i: uint256 in range(count, bound=256):
        sortition._add(start + i, weight)


@external
def draw_seat(ticket: uint256, amount: uint256) -> uint256:
    """
    @dev What a seat does to the tree: `_find` the ticket's leaf, then
         `_lock` `amount` on it (benchmarks measure the tree walk with it).
    @param ticket A number below `snapshot_total()`.
    @param amount The lock.
    @return uint256 The leaf drawn.
    """
    position: uint256 = sortition._find(ticket)
    sortition._lock(position, amount)
    return position


@external
def touch():
    """
    @dev Does nothing: the base cost of a harness transaction.
    """
    pass


@external
def force_leaves_used(count: uint256):
    """
    @dev Pretends `count` leaves were handed out (to test a full tree).
    @param count The count.
    """
    sortition.leaves_used = count


@external
@view
def find(ticket: uint256) -> uint256:
    """
    @dev `_find`.
    @param ticket The ticket.
    @return uint256 The leaf.
    """
    return sortition._find(ticket)


@external
@view
def total() -> uint256:
    """
    @dev `_total`.
    @return uint256 The root's current weight.
    """
    return sortition._total()


@external
@view
def snapshot_total() -> uint256:
    """
    @dev `_snapshot_total`.
    @return uint256 The root's snapshot weight.
    """
    return sortition._snapshot_total()


@external
@view
def value(position: uint256) -> uint256:
    """
    @dev `_value`.
    @param position The leaf.
    @return uint256 The weight.
    """
    return sortition._value(position)


@external
@view
def snapshot_value(position: uint256) -> uint256:
    """
    @dev `_snapshot_value`.
    @param position The leaf.
    @return uint256 The snapshot weight.
    """
    return sortition._snapshot_value(position)


@external
@view
def epoch() -> uint256:
    """
    @dev `_epoch`.
    @return uint256 The epoch.
    """
    return sortition._epoch()


@external
@view
def capacity() -> uint256:
    """
    @dev The number of leaves.
    @return uint256 `CAPACITY`.
    """
    return sortition.CAPACITY
