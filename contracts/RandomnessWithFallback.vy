# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title Randomness source that cannot stall: a primary source, re-requests, a blockhash fallback
@custom:contract-name RandomnessWithFallback
@license GNU Affero General Public License v3.0 only
@notice Sits between the court and a primary `IRandomness` source (such as
        `ChainlinkVRFRandomness`) and answers the court's request id
        whatever happens to the primary's requests:
          - `request_randomness` asks the primary;
          - if the primary has not answered `TIMEOUT` seconds after the
            latest ask, anyone may call `retry`: it asks the primary again
            (up to `MAX_REREQUESTS` times; only the latest ask counts),
            then arms the fallback;
          - the fallback is the hash of the block `FALLBACK_DELAY` blocks
            after the one that armed it (a lookahead, as Kleros v2's
            `BlockhashRNG`), mixed with the request id. If nobody records
            it within 256 blocks of that block, `retry` arms it again.
        Once armed, the fallback alone answers (a late primary answer is
        ignored), so whoever records the value never chooses between two.
        `RandomnessAnswered` says which source answered each request.
@custom:security The fallback trades unpredictability for liveness: the
                 producer of the target block (on an L2, the sequencer)
                 can choose or withhold its hash. It is used only after the
                 primary failed for `(MAX_REREQUESTS + 1) * TIMEOUT`
                 seconds, and its use is logged.
"""


from .interfaces import IRandomness
implements: IRandomness


# @dev The primary source was asked (attempt 0 is the first ask).
event PrimaryRequested:
    request_id: indexed(uint256)
    primary_request_id: uint256
    attempt: uint256


# @dev The fallback was armed: its value is the hash of `target_block`.
event FallbackArmed:
    request_id: indexed(uint256)
    target_block: uint256


# @dev Which source answered a request: the primary (`source` is the
#      primary, `primary_request_id` its request) or the blockhash fallback
#      (`source` is this contract, `fallback` is true).
event RandomnessAnswered:
    request_id: indexed(uint256)
    source: indexed(address)
    primary_request_id: uint256
    fallback: bool


# @dev The consumer was named.
event ConsumerSet:
    consumer: indexed(address)


# @dev Bounds of the parameters.
MAX_TIMEOUT: public(constant(uint256)) = 30 * 86_400
MAX_REREQUESTS_BOUND: public(constant(uint256)) = 8
MAX_FALLBACK_DELAY: public(constant(uint256)) = 128

# @dev Blocks whose hash the EVM still returns.
BLOCKHASH_WINDOW: constant(uint256) = 256


# @dev The primary source.
PRIMARY: public(immutable(address))

# @dev Seconds the primary has to answer each ask.
TIMEOUT: public(immutable(uint256))

# @dev Asks of the primary after the first one, before the fallback.
MAX_REREQUESTS: public(immutable(uint256))

# @dev Blocks between arming the fallback and the block whose hash it uses.
FALLBACK_DELAY: public(immutable(uint256))

# @dev The account that may name the consumer (once).
DEPLOYER: public(immutable(address))


# @dev The only account that may request (empty until named).
consumer: public(address)

# @dev Number of requests made (ids are 0, 1, ...).
request_count: public(uint256)

# @dev The primary's id of the latest ask of each request.
primary_request_id: public(HashMap[uint256, uint256])

# @dev When the latest ask of each request was made (seconds).
asked_at: public(HashMap[uint256, uint256])

# @dev Asks of the primary after the first one, per request.
rerequests: public(HashMap[uint256, uint256])

# @dev The block whose hash answers a request (0: fallback not armed).
fallback_block: public(HashMap[uint256, uint256])

# @dev Recorded values (0 until recorded).
value_of: public(HashMap[uint256, uint256])


@deploy
def __init__(primary_: address, timeout_: uint256, max_rerequests_: uint256, fallback_delay_: uint256):
    """
    @dev Fixes the primary source, the timeout, the re-requests and the lookahead.
    @param primary_ The primary `IRandomness` source (a contract).
    @param timeout_ Seconds the primary has to answer an ask, 1 to `MAX_TIMEOUT`.
    @param max_rerequests_ Asks after the first one, up to `MAX_REREQUESTS_BOUND`.
    @param fallback_delay_ Lookahead of the fallback in blocks, 1 to `MAX_FALLBACK_DELAY`.
    """
    assert primary_.is_contract, "fallback: primary not a contract"
    assert timeout_ >= 1 and timeout_ <= MAX_TIMEOUT, "fallback: timeout out of range"
    assert max_rerequests_ <= MAX_REREQUESTS_BOUND, "fallback: too many re-requests"
    assert fallback_delay_ >= 1 and fallback_delay_ <= MAX_FALLBACK_DELAY, "fallback: delay out of range"
    PRIMARY = primary_
    TIMEOUT = timeout_
    MAX_REREQUESTS = max_rerequests_
    FALLBACK_DELAY = fallback_delay_
    DEPLOYER = msg.sender


@external
def set_consumer(consumer_: address):
    """
    @dev Names the only account that may request (the deployer, once).
    @param consumer_ The consumer (the court).
    """
    assert msg.sender == DEPLOYER, "fallback: only the deployer names the consumer"
    assert self.consumer == empty(address), "fallback: consumer already set"
    assert consumer_ != empty(address), "fallback: zero consumer"
    self.consumer = consumer_
    log ConsumerSet(consumer=consumer_)


@external
def request_randomness() -> uint256:
    """
    @dev Requests a random number: asks the primary (the consumer only).
    @return uint256 The id of the request.
    """
    assert msg.sender == self.consumer, "fallback: only the consumer may request"
    request_id: uint256 = self.request_count
    self.request_count = request_id + 1
    self._ask_primary(request_id, 0)
    log IRandomness.RandomnessRequested(request_id=request_id, requester=msg.sender, ready_block=block.number)
    return request_id


@external
def retry(request_id: uint256):
    """
    @dev Moves an unanswered request on (anyone): after `TIMEOUT` seconds
         without an answer, asks the primary again while re-requests
         remain, else arms the fallback; re-arms a fallback whose block
         hash is no longer available.
    @param request_id The id of the request.
    """
    assert request_id < self.request_count, "fallback: unknown request"
    assert self.value_of[request_id] == 0, "fallback: already answered"
    target: uint256 = self.fallback_block[request_id]
    if target != 0:
        assert block.number > target + BLOCKHASH_WINDOW, "fallback: fallback already armed"
        self._arm(request_id)
        return
    assert block.timestamp >= self.asked_at[request_id] + TIMEOUT, "fallback: primary not timed out"
    assert not staticcall IRandomness(PRIMARY).is_ready(
        self.primary_request_id[request_id]
    ), "fallback: primary has answered"
    attempt: uint256 = self.rerequests[request_id]
    if attempt < MAX_REREQUESTS:
        self.rerequests[request_id] = attempt + 1
        self._ask_primary(request_id, attempt + 1)
    else:
        self._arm(request_id)


@external
def receive_randomness(request_id: uint256) -> uint256:
    """
    @dev Returns the value of a request, recording it on the first call at
         which its source (the primary's latest ask, or the armed fallback)
         has answered; returns 0 before that.
    @param request_id The id of the request.
    @return uint256 The random value (never 0), or 0 when not ready.
    """
    assert request_id < self.request_count, "fallback: unknown request"
    value: uint256 = self.value_of[request_id]
    if value != 0:
        return value
    target: uint256 = self.fallback_block[request_id]
    primary_id: uint256 = self.primary_request_id[request_id]
    if target == 0:
        value = extcall IRandomness(PRIMARY).receive_randomness(primary_id)
        if value == 0:
            return 0
        log RandomnessAnswered(request_id=request_id, source=PRIMARY, primary_request_id=primary_id, fallback=False)
    else:
        if block.number <= target or block.number > target + BLOCKHASH_WINDOW:
            return 0
        value = convert(keccak256(abi_encode(blockhash(target), request_id)), uint256)
        if value == 0:
            value = 1
        log RandomnessAnswered(request_id=request_id, source=self, primary_request_id=primary_id, fallback=True)
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
    if self.value_of[request_id] != 0:
        return True
    target: uint256 = self.fallback_block[request_id]
    if target == 0:
        return staticcall IRandomness(PRIMARY).is_ready(self.primary_request_id[request_id])
    return block.number > target and block.number <= target + BLOCKHASH_WINDOW


@internal
def _ask_primary(request_id: uint256, attempt: uint256):
    """
    @dev Asks the primary and restarts the timeout.
    @param request_id The id of the request.
    @param attempt 0 for the first ask, then 1, 2, ...
    """
    primary_id: uint256 = extcall IRandomness(PRIMARY).request_randomness()
    self.primary_request_id[request_id] = primary_id
    self.asked_at[request_id] = block.timestamp
    log PrimaryRequested(request_id=request_id, primary_request_id=primary_id, attempt=attempt)


@internal
def _arm(request_id: uint256):
    """
    @dev Arms (or re-arms) the fallback `FALLBACK_DELAY` blocks ahead.
    @param request_id The id of the request.
    """
    target: uint256 = block.number + FALLBACK_DELAY
    self.fallback_block[request_id] = target
    log FallbackArmed(request_id=request_id, target_block=target)
