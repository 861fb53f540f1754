# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title Sortition Sum Tree with Epoch Snapshots
@custom:contract-name sortition
@license GNU Affero General Public License v3.0 only
@notice A K-ary sum tree over up to `CAPACITY` weighted leaves (jurors'
        free stake) that draws a leaf with probability proportional to its
        weight, in O(log_K leaves) storage operations per weight change and
        per draw, and never loops over the leaves. The reasons are in
        docs/decisions.md, "Draws sample a stake snapshot taken at the start
        of an epoch" and "A 4-ary tree that grows at the top".

        Draws read the tree AS IT WAS AT THE START OF THE CURRENT EPOCH
        (`EPOCH_SECONDS` seconds of `block.timestamp` long), so that weight added or removed after
        a randomness request (always made inside the epoch whose snapshot is
        drawn from) has no influence on which leaf a ticket lands on, even
        when a panel is drawn in several transactions. A draw's own locks
        are the one change that lowers the snapshot too (`_lock`), so the
        snapshot is "weight at the epoch start minus the seats drawn since".

        Layout. Node `(level, index)` is stored under `level << 32 | index`;
        leaves are level 0 (leaf position `p` is node `(0, p)`), the
        children of `(l, i)` are `(l - 1, K * i .. K * i + K - 1)`. The
        root is `(depth, 0)`, where `depth` is the smallest `d` with
        `K**d >= leaves_used`: the tree grows at the top as positions are
        handed out (the old root is copied into the new one, which is then
        the only node of its level with weight), so a leaf never moves and
        every update touches `depth + 1` nodes, log_K of the jurors.

        Every node is ONE slot:
          bits   0..95   `now`: the current weight of the subtree,
          bits  96..191  `snap`: its weight at the start of `epoch`,
                         minus the locks drawn since (valid only when
                         `epoch` is the current epoch),
          bits 192..255  `epoch`: the epoch of the node's last write.
        A node not written in the current epoch has `snap == now`. The
        first write of an epoch copies `now` into `snap`, so the snapshot
        costs no extra slot and no extra write. Sums stay consistent:
        for every node, `now` and the current-epoch `snap` are the sums
        of its children's.

        Leaves are handed out by `_allocate` and returned by `_release`; a
        released leaf is reused only from the next epoch on, so a newcomer
        never inherits the snapshot weight of the leaf's previous owner.
@custom:security Weights must stay below 2**96: the court holds LDAO, whose
                 supply is capped below 2**96, and `_add` reverts rather
                 than wrap. `EPOCH_SECONDS` must exceed the delay of the
                 randomness source plus the time needed to draw a panel;
                 a draw that runs past its epoch needs a new request.
                 The epoch counts seconds, not blocks: on Arbitrum
                 `block.number` is an estimate of the L1 block, and the
                 randomness timeouts it must outlast are seconds too.
"""


# @dev Children per node.
K: constant(uint256) = 4


# @dev Most levels above the leaves (the depth of a full tree).
MAX_DEPTH: constant(uint256) = 10


# @dev Number of leaves: K**MAX_DEPTH = 1,048,576 jurors.
CAPACITY: constant(uint256) = K**MAX_DEPTH


# @dev Bit offset of the level in a node key (`level << 32 | index`).
_LEVEL_SHIFT: constant(uint256) = 32


# @dev Largest weight a node can hold.
MAX_VALUE: constant(uint256) = 2**96 - 1


# @dev Bit offsets inside a node.
_SNAP_SHIFT: constant(uint256) = 96
_EPOCH_SHIFT: constant(uint256) = 192


# @dev Mask of a leaf position inside a vacant-stack entry.
_POSITION_MASK: constant(uint256) = 2**32 - 1


# @dev Length of a snapshot epoch, in seconds of `block.timestamp`.
EPOCH_SECONDS: immutable(uint256)


# @dev The nodes, keyed by `level << 32 | index`, packed as described in
# the module header.
_nodes: HashMap[uint256, uint256]


# @dev The account that owns each leaf position (zero when vacant).
owner_of: public(HashMap[uint256, address])


# @dev Leaf positions handed out so far (the next fresh position).
leaves_used: public(uint256)


# @dev Stack of released positions: `position | release_epoch << 32`.
_vacant: HashMap[uint256, uint256]


# @dev Number of entries on the vacant stack.
vacant_count: public(uint256)


@deploy
@payable
def __init__(epoch_seconds: uint256):
    """
    @dev Sets the snapshot epoch length.
    @param epoch_seconds The length of an epoch in seconds (not zero; the
           deploying contract enforces its own bounds).
    """
    EPOCH_SECONDS = epoch_seconds


@internal
@view
def _epoch() -> uint256:
    """
    @dev Returns the current epoch number.
    @return uint256 `block.timestamp // EPOCH_SECONDS`.
    """
    return block.timestamp // EPOCH_SECONDS


@internal
@pure
def _snap_of(node: uint256, epoch: uint256) -> uint256:
    """
    @dev Returns the weight a packed node had at the start of `epoch`
         (minus the locks drawn since), `epoch` being the current epoch.
    @param node The packed node.
    @param epoch The current epoch.
    @return uint256 The snapshot weight.
    """
    if node >> _EPOCH_SHIFT == epoch:
        return (node >> _SNAP_SHIFT) & MAX_VALUE
    return node & MAX_VALUE


@internal
@pure
def _depth_for(count: uint256) -> uint256:
    """
    @dev Returns the depth of a tree holding `count` leaf positions: the
         smallest `d` with `K**d >= count`.
    @param count The number of positions (at most `CAPACITY`).
    @return uint256 The depth.
    """
    depth: uint256 = 0
    width: uint256 = 1
    for _: uint256 in range(MAX_DEPTH):
        if width >= count:
            break
        width = unsafe_mul(width, K)
        depth = unsafe_add(depth, 1)
    return depth


@internal
@view
def _root_key() -> uint256:
    """
    @dev Returns the key of the root, `(depth, 0)`.
    @return uint256 The key.
    """
    return self._depth_for(self.leaves_used) << _LEVEL_SHIFT


@internal
@view
def _total() -> uint256:
    """
    @dev Returns the current total weight (the root).
    @return uint256 The sum of all leaves' current weights.
    """
    return self._nodes[self._root_key()] & MAX_VALUE


@internal
@view
def _snapshot_total() -> uint256:
    """
    @dev Returns the total weight draws of this epoch sample from.
    @return uint256 The root's snapshot weight.
    """
    return self._snap_of(self._nodes[self._root_key()], self._epoch())


@internal
@view
def _value(position: uint256) -> uint256:
    """
    @dev Returns the current weight of a leaf.
    @param position The leaf position (its node key: leaves are level 0).
    @return uint256 The weight.
    """
    return self._nodes[position] & MAX_VALUE


@internal
@view
def _snapshot_value(position: uint256) -> uint256:
    """
    @dev Returns the snapshot weight of a leaf in the current epoch.
    @param position The leaf position.
    @return uint256 The snapshot weight.
    """
    return self._snap_of(self._nodes[position], self._epoch())


@internal
def _add(position: uint256, amount: uint256):
    """
    @dev Adds `amount` to the current weight of a leaf and its ancestors.
         Snapshots are untouched: weight added now counts from the next
         epoch on.
    @param position The leaf position (below `leaves_used`).
    @param amount The weight to add.
    """
    # The root is the largest node: if it does not overflow, none does.
    assert self._total() + amount <= MAX_VALUE, "sortition: value exceeds 96 bits"
    self._update(position, amount, False, False)


@internal
def _sub(position: uint256, amount: uint256):
    """
    @dev Subtracts `amount` from the current weight of a leaf and its
         ancestors. Snapshots are untouched: weight removed now still
         counts in this epoch's draws (the caller checks that a drawn
         leaf can still cover its lock).
    @param position The leaf position (below `leaves_used`).
    @param amount The weight to remove; at most the leaf's weight.
    """
    # The leaf is the smallest node of its path: checking it suffices.
    assert self._value(position) >= amount, "sortition: value below zero"
    self._update(position, amount, True, False)


@internal
def _lock(position: uint256, amount: uint256):
    """
    @dev Removes `amount` from BOTH the current and the snapshot weight of
         a leaf and its ancestors: a seat drawn in this epoch consumes the
         snapshot weight it was drawn with.
    @param position The leaf position (below `leaves_used`).
    @param amount The weight to lock; at most the leaf's current and
           snapshot weights.
    """
    leaf: uint256 = self._nodes[position]
    assert leaf & MAX_VALUE >= amount, "sortition: value below zero"
    assert self._snap_of(leaf, self._epoch()) >= amount, "sortition: snapshot below zero"
    self._update(position, amount, True, True)


@internal
def _update(position: uint256, amount: uint256, subtract: bool, lock: bool):
    """
    @dev Writes `amount` into every node from a leaf up to the root, one
         load and one store per node. The callers check the bounds: the
         root cannot overflow (`_add`), and every ancestor holds at least
         the leaf's current and snapshot weights, since each node's
         weights are the sums of its children's (`_sub`, `_lock`).
    @param position The leaf position.
    @param amount The weight.
    @param subtract True to subtract, False to add.
    @param lock True to subtract from the snapshot weight too.
    """
    epoch: uint256 = self._epoch()
    depth: uint256 = self._depth_for(self.leaves_used)
    index: uint256 = position
    for level: uint256 in range(MAX_DEPTH + 1):
        key: uint256 = (level << _LEVEL_SHIFT) | index
        node: uint256 = self._nodes[key]
        snap: uint256 = self._snap_of(node, epoch)
        now: uint256 = node & MAX_VALUE
        if not subtract:
            now = unsafe_add(now, amount)
        else:
            now = unsafe_sub(now, amount)
            if lock:
                snap = unsafe_sub(snap, amount)
        self._nodes[key] = now | (snap << _SNAP_SHIFT) | (epoch << _EPOCH_SHIFT)
        if level == depth:
            break
        index = unsafe_div(index, K)


@internal
@view
def _find(ticket: uint256) -> uint256:
    """
    @dev Returns the leaf position whose snapshot weight interval contains
         `ticket`: leaf `p` is returned for tickets in
         `[sum of snapshot weights of leaves < p, that sum + weight of p)`.
         Reads at most `K - 1` children per level (the last child needs no
         read: the ticket is in it if it is in no other).
    @param ticket A number below `_snapshot_total()`.
    @return uint256 The leaf position.
    """
    epoch: uint256 = self._epoch()
    level: uint256 = self._depth_for(self.leaves_used)
    remaining: uint256 = ticket
    index: uint256 = 0
    for _: uint256 in range(MAX_DEPTH):
        if level == 0:
            break
        level = unsafe_sub(level, 1)
        # The children of `index`, one level down; indices stay below
        # `CAPACITY`, far below 2**32.
        first: uint256 = (level << _LEVEL_SHIFT) | unsafe_mul(index, K)
        child: uint256 = unsafe_add(first, K - 1)
        for j: uint256 in range(K - 1):
            weight: uint256 = self._snap_of(self._nodes[unsafe_add(first, j)], epoch)
            if remaining < weight:
                child = unsafe_add(first, j)
                break
            remaining = unsafe_sub(remaining, weight)
        index = child & _POSITION_MASK
    return index


@internal
def _grow(count: uint256):
    """
    @dev Raises `leaves_used` to `count`, adding levels at the top when
         needed: each new root is a copy of the old one (both its weights
         and its epoch), the only child with weight at its level.
    @param count The new number of positions (at most `CAPACITY`).
    """
    used: uint256 = self.leaves_used
    if count <= used:
        return
    for level: uint256 in range(self._depth_for(used), self._depth_for(count), bound=MAX_DEPTH):
        self._nodes[unsafe_add(level, 1) << _LEVEL_SHIFT] = self._nodes[level << _LEVEL_SHIFT]
    self.leaves_used = count


@internal
def _allocate(owner: address) -> uint256:
    """
    @dev Hands a leaf position to `owner`: the most recently released one
         if it was released before the current epoch, else a fresh one.
    @param owner The account that will own the leaf.
    @return uint256 The leaf position.
    """
    count: uint256 = self.vacant_count
    if count != 0:
        top: uint256 = self._vacant[unsafe_sub(count, 1)]
        if top >> 32 < self._epoch():
            self.vacant_count = unsafe_sub(count, 1)
            self._vacant[unsafe_sub(count, 1)] = 0
            reused: uint256 = top & _POSITION_MASK
            self.owner_of[reused] = owner
            return reused
    position: uint256 = self.leaves_used
    assert position < CAPACITY, "sortition: tree is full"
    self._grow(unsafe_add(position, 1))
    self.owner_of[position] = owner
    return position


@internal
def _release(position: uint256):
    """
    @dev Returns a leaf position whose current weight is zero to the pool.
         It may still carry snapshot weight in this epoch; draws that land
         on it find no owner and are skipped.
    @param position The leaf position.
    """
    assert self._value(position) == 0, "sortition: leaf not empty"
    self.owner_of[position] = empty(address)
    count: uint256 = self.vacant_count
    self._vacant[count] = position | (self._epoch() << 32)
    self.vacant_count = unsafe_add(count, 1)
