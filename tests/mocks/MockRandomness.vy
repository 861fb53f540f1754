# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title Test randomness source (IRandomness)
@custom:contract-name MockRandomness
@license GNU Affero General Public License v3.0 only
@notice In automatic mode every request is ready at once with
        `keccak256(abi_encode(seed, request_id))`; in manual mode a request
        is ready once the test sets its value. Test code only.
"""


from contracts.interfaces import IRandomness
implements: IRandomness


# @dev Number of requests made.
request_count: public(uint256)

# @dev Whether requests are ready at once.
automatic: public(bool)

# @dev Mixed into automatic values.
seed: public(uint256)

# @dev Values set by the test (manual mode), 0 = not ready.
manual_value: public(HashMap[uint256, uint256])


@deploy
def __init__(seed_: uint256):
    """
    @dev Starts in automatic mode.
    @param seed_ The seed of automatic values.
    """
    self.automatic = True
    self.seed = seed_


@external
def set_automatic(flag: bool):
    """
    @dev Switches between automatic and manual mode (test control).
    @param flag True for automatic.
    """
    self.automatic = flag


@external
def set_seed(seed_: uint256):
    """
    @dev Changes the seed of automatic values (test control).
    @param seed_ The new seed.
    """
    self.seed = seed_


@external
def set_value(request_id: uint256, random_value: uint256):
    """
    @dev Sets the value of a request in manual mode (test control).
    @param request_id The request.
    @param random_value Its value (0 = not ready).
    """
    self.manual_value[request_id] = random_value


@external
def request_randomness() -> uint256:
    """
    @dev Records a request.
    @return uint256 Its id.
    """
    request_id: uint256 = self.request_count
    self.request_count = request_id + 1
    log IRandomness.RandomnessRequested(request_id=request_id, requester=msg.sender, ready_block=block.number)
    return request_id


@external
def receive_randomness(request_id: uint256) -> uint256:
    """
    @dev Returns the value of a request, or 0 when not ready.
    @param request_id The request.
    @return uint256 The value.
    """
    return self._value(request_id)


@external
@view
def is_ready(request_id: uint256) -> bool:
    """
    @dev Returns whether a request has a value.
    @param request_id The request.
    @return bool True when ready.
    """
    return self._value(request_id) != 0


@internal
@view
def _value(request_id: uint256) -> uint256:
    """
    @dev The value of a request in the current mode.
    @param request_id The request.
    @return uint256 The value, 0 when not ready.
    """
    if request_id >= self.request_count:
        return 0
    if self.automatic:
        return convert(keccak256(abi_encode(self.seed, request_id)), uint256) | 1
    return self.manual_value[request_id]
