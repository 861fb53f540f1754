# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title Packed Timestamp Checkpoints
@custom:contract-name checkpoints
@license GNU Affero General Public License v3.0 only
@notice Keeps, for every key (an `address`), the complete history of a
        96-bit value as checkpoints `(timestamp, value)` and answers "what
        was the value at the end of second `t`?" by binary search. It backs
        the ERC-5805 votes of `RewardToken` (one history per delegate and
        one, under the zero address, for the total supply), and any other
        contract that needs a value whose past must stay readable.

        Timepoints are `block.timestamp` (ERC-6372 `mode=timestamp`): on
        Arbitrum `block.number` follows an estimate of the L1 block and on
        OP-stack chains blocks come every 2 s, so only the timestamp means
        the same thing on every chain (docs/decisions.md, "Clocks").

        Storage layout, per key:
          - header (one slot): latest value (bits 0..95) | timestamp of the
            latest value (bits 96..127) | number of checkpoints (bits
            128..159);
          - history: checkpoint `i` (every one but the latest) lives in
            slot `i // 2`, the low 128 bits for even `i`, the high 128
            bits for odd `i`; each half is value (bits 0..95) | timestamp
            (bits 96..127).

        Why this layout: OpenZeppelin's `Checkpoint208[]` reads a length
        slot and the last element, then writes a fresh slot (22,100 gas)
        for every new timepoint. Here the latest checkpoint and the length
        share one slot, and two archived checkpoints share a history slot,
        so only every second new timepoint pays for a fresh slot. Updates
        at one timestamp (several transactions, or several L2 blocks of the
        same second) overwrite the header only.
@custom:security Values must fit in 96 bits (the token caps its supply below
                 2**96) and timestamps in 32 bits (until February 2106);
                 `_push` reverts otherwise instead of truncating.
"""


# @dev Largest value a checkpoint can hold.
MAX_VALUE: constant(uint256) = 2**96 - 1


# @dev Largest timestamp a checkpoint can hold (2106-02-07).
MAX_TIMEPOINT: constant(uint256) = 2**32 - 1


# @dev Mask of one packed checkpoint (value | timestamp << 96).
_CHECKPOINT_MASK: constant(uint256) = 2**128 - 1


# @dev Binary search depth: history lengths are below 2**32.
_SEARCH_STEPS: constant(uint256) = 33


# @dev Latest checkpoint and count per key (layout in the module header).
_headers: HashMap[address, uint256]


# @dev Archived checkpoints per key, two per slot.
_history: HashMap[address, HashMap[uint256, uint256]]


@deploy
@payable
def __init__():
    """
    @dev Nothing to initialise; declared so that the module can be
         `initializes:`-ed like snekmate's stateful modules.
    """
    pass


@internal
@view
def _latest(key: address) -> uint256:
    """
    @dev Returns the latest value recorded for `key` (0 if none).
    @param key The 20-byte key of the history.
    @return uint256 The latest value.
    """
    return self._headers[key] & MAX_VALUE


@internal
@view
def _length(key: address) -> uint256:
    """
    @dev Returns how many checkpoints `key` has.
    @param key The 20-byte key of the history.
    @return uint256 The number of checkpoints.
    """
    return self._headers[key] >> 128


@internal
@view
def _at(key: address, pos: uint256) -> (uint256, uint256):
    """
    @dev Returns checkpoint number `pos` of `key` as `(timestamp, value)`.
    @param key The 20-byte key of the history.
    @param pos The index of the checkpoint, oldest first.
    @return uint256 The timestamp the value was recorded at.
    @return uint256 The value.
    """
    header: uint256 = self._headers[key]
    count: uint256 = header >> 128
    assert pos < count, "checkpoints: position out of range"
    packed: uint256 = header & _CHECKPOINT_MASK
    if pos != unsafe_sub(count, 1):
        packed = self._archived(key, pos)
    return ((packed >> 96) & MAX_TIMEPOINT, packed & MAX_VALUE)


@internal
@view
def _upper_lookup(key: address, timepoint: uint256) -> uint256:
    """
    @dev Returns the value of `key` at the end of second `timepoint`:
         the value of the last checkpoint whose timestamp is `<= timepoint`,
         or 0 if there is none. O(log n) storage reads; the latest
         checkpoint is answered from the header alone.
    @param key The 20-byte key of the history.
    @param timepoint The timestamp to look up.
    @return uint256 The value at `timepoint`.
    """
    header: uint256 = self._headers[key]
    count: uint256 = header >> 128
    if count == 0:
        return 0
    if (header >> 96) & MAX_TIMEPOINT <= timepoint:
        return header & MAX_VALUE

    # Search the archive `[0, count - 1)` for the first checkpoint whose
    # timestamp is after `timepoint`; the answer is the one before it.
    low: uint256 = 0
    high: uint256 = unsafe_sub(count, 1)
    for _: uint256 in range(_SEARCH_STEPS):
        if low >= high:
            break
        # `low + high < 2**33`, so the sum cannot overflow.
        mid: uint256 = unsafe_add(low, high) >> 1
        if (self._archived(key, mid) >> 96) & MAX_TIMEPOINT > timepoint:
            high = mid
        else:
            low = unsafe_add(mid, 1)
    if high == 0:
        return 0
    return self._archived(key, unsafe_sub(high, 1)) & MAX_VALUE


@internal
def _push(key: address, new_value: uint256) -> uint256:
    """
    @dev Records `value` as the value of `key` from the current timestamp
         on. A second write at the same timestamp overwrites the first.
    @param key The 20-byte key of the history.
    @param new_value The new value; must fit in 96 bits.
    @return uint256 The previous latest value.
    """
    header: uint256 = self._headers[key]
    self._store(key, header, new_value)
    return header & MAX_VALUE


@internal
def _increase(key: address, amount: uint256) -> (uint256, uint256):
    """
    @dev Adds `amount` to the latest value of `key` and records it.
    @param key The 20-byte key of the history.
    @param amount The amount to add.
    @return uint256 The previous value.
    @return uint256 The new value.
    """
    header: uint256 = self._headers[key]
    old: uint256 = header & MAX_VALUE
    new: uint256 = old + amount
    self._store(key, header, new)
    return (old, new)


@internal
def _decrease(key: address, amount: uint256) -> (uint256, uint256):
    """
    @dev Subtracts `amount` from the latest value of `key` and records it.
    @param key The 20-byte key of the history.
    @param amount The amount to subtract; reverts on underflow.
    @return uint256 The previous value.
    @return uint256 The new value.
    """
    header: uint256 = self._headers[key]
    old: uint256 = header & MAX_VALUE
    assert old >= amount, "checkpoints: value below zero"
    new: uint256 = unsafe_sub(old, amount)
    self._store(key, header, new)
    return (old, new)


@internal
@view
def _archived(key: address, pos: uint256) -> uint256:
    """
    @dev Returns archived checkpoint `pos` of `key`, packed.
    @param key The 20-byte key of the history.
    @param pos The index of an archived checkpoint.
    @return uint256 The packed checkpoint (value | timestamp << 96).
    """
    word: uint256 = self._history[key][pos >> 1]
    if pos & 1 == 0:
        return word & _CHECKPOINT_MASK
    return word >> 128


@internal
def _store(key: address, header: uint256, new_value: uint256):
    """
    @dev Writes `new_value` at the current timestamp, given the current
         `header` of `key`: overwrites the header at the same timestamp, otherwise
         archives the previous latest checkpoint and starts a new one.
    @param key The 20-byte key of the history.
    @param header The header of `key` as read by the caller.
    @param new_value The new value.
    """
    assert new_value <= MAX_VALUE, "checkpoints: value exceeds 96 bits"
    now: uint256 = block.timestamp
    assert now <= MAX_TIMEPOINT, "checkpoints: timestamp exceeds 32 bits"
    count: uint256 = header >> 128
    if count != 0:
        if (header >> 96) & MAX_TIMEPOINT == now:
            self._headers[key] = (header & ~MAX_VALUE) | new_value
            return
        # Archive the previous latest checkpoint at index `count - 1`.
        pos: uint256 = unsafe_sub(count, 1)
        packed: uint256 = header & _CHECKPOINT_MASK
        if pos & 1 == 0:
            # The slot is unused so far: its high half is still empty.
            self._history[key][pos >> 1] = packed
        else:
            self._history[key][pos >> 1] = self._history[key][pos >> 1] | (packed << 128)
    # `count < 2**32` because each checkpoint takes a distinct 32-bit timestamp.
    self._headers[key] = (unsafe_add(count, 1) << 128) | (now << 96) | new_value
