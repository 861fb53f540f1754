# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title Default randomness source of the QualityCourt (block.prevrandao)
@custom:contract-name PrevrandaoRandomness
@license GNU Affero General Public License v3.0 only
@notice `request_randomness` fixes a target block `DELAY` blocks ahead; the
        first `receive_randomness` call in the target block or after it
        records `keccak256(abi_encode(block.prevrandao, request_id))` and
        returns it from then on. The value depends on a block that did not
        exist when the request was made, so it is unknown at request time.
@custom:security TESTNET-GRADE. `block.prevrandao` can be biased: the
                 proposer of a block may withhold it (one bit of bias per
                 slot it gives up), and the value a transaction will see is
                 known one block in advance, so whoever records the value
                 may wait for a block whose value suits them (a race that an
                 honest keeper calling at the target block wins). Use a VRF
                 adapter implementing `IRandomness` where the stakes of a
                 dispute justify it; the court takes the source as a
                 parameter and needs no change.
"""


from .interfaces import IRandomness
implements: IRandomness


# @dev Blocks between a request and the block whose prevrandao is used.
DELAY: public(immutable(uint256))


# @dev Largest accepted delay (the court's snapshot epochs must outlast it).
MAX_DELAY: public(constant(uint256)) = 256


# @dev Number of requests made (ids are 0, 1, ...).
request_count: public(uint256)


# @dev The first block in which a request can be recorded.
ready_block: public(HashMap[uint256, uint256])


# @dev Recorded values (0 until recorded).
value_of: public(HashMap[uint256, uint256])


@deploy
def __init__(delay_: uint256):
    """
    @dev Sets the delay between a request and its target block.
    @param delay_ The delay in blocks, 1 to `MAX_DELAY`.
    """
    assert delay_ >= 1 and delay_ <= MAX_DELAY, "randomness: delay out of range"
    DELAY = delay_


@external
def request_randomness() -> uint256:
    """
    @dev Requests a random number, ready `DELAY` blocks from now.
    @return uint256 The id of the request.
    """
    request_id: uint256 = self.request_count
    self.request_count = request_id + 1
    target: uint256 = block.number + DELAY
    self.ready_block[request_id] = target
    log IRandomness.RandomnessRequested(request_id=request_id, requester=msg.sender, ready_block=target)
    return request_id


@external
def receive_randomness(request_id: uint256) -> uint256:
    """
    @dev Returns the value of a request, recording it on the first call at
         or after its target block; returns 0 before that block.
    @param request_id The id of the request.
    @return uint256 The random value (never 0), or 0 when not ready.
    """
    assert request_id < self.request_count, "randomness: unknown request"
    value: uint256 = self.value_of[request_id]
    if value != 0:
        return value
    if block.number < self.ready_block[request_id]:
        return 0
    value = convert(keccak256(abi_encode(block.prevrandao, request_id)), uint256)
    if value == 0:
        value = 1
    self.value_of[request_id] = value
    log IRandomness.RandomnessRecorded(request_id=request_id, value=value)
    return value


@external
@view
def is_ready(request_id: uint256) -> bool:
    """
    @dev Returns whether the request has, or can now record, a value.
    @param request_id The id of the request.
    @return bool True when `receive_randomness` would return a value.
    """
    if request_id >= self.request_count:
        return False
    return self.value_of[request_id] != 0 or block.number >= self.ready_block[request_id]
