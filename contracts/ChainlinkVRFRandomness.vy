# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title Chainlink VRF v2.5 randomness source of the QualityCourt
@custom:contract-name ChainlinkVRFRandomness
@license GNU Affero General Public License v3.0 only
@notice Each `request_randomness` asks a Chainlink VRF v2.5 coordinator
        for one random word, paid from a subscription (in LINK, or in the
        native coin when `NATIVE_PAYMENT`); the coordinator answers by
        calling `rawFulfillRandomWords`, which only it may call. The word
        is stored once and returned from then on (0 is stored as 1, since
        0 means "not ready"). Only the `consumer` (the court, or a
        `RandomnessWithFallback` in front of it) may request: every
        request spends the subscription. The deployer names the consumer
        once, after the consumer exists; the subscription's owner must add
        this contract as a consumer of the subscription.
@custom:security A request the coordinator never answers (a subscription
                 out of funds, a callback that ran out of gas) stays at 0
                 forever: put a `RandomnessWithFallback` in front of this
                 source so that a dispute cannot stall.
"""


from .interfaces import IRandomness
implements: IRandomness


# @dev VRF v2.5 request (`VRFV2PlusClient.RandomWordsRequest`).
struct RandomWordsRequest:
    keyHash: bytes32
    subId: uint256
    requestConfirmations: uint16
    callbackGasLimit: uint32
    numWords: uint32
    extraArgs: Bytes[36]


interface IVRFCoordinatorV2Plus:
    def requestRandomWords(req: RandomWordsRequest) -> uint256: nonpayable


# @dev A request was sent to the coordinator under its own id.
event VRFRequested:
    request_id: indexed(uint256)
    vrf_request_id: indexed(uint256)


# @dev The consumer was named.
event ConsumerSet:
    consumer: indexed(address)


# @dev `bytes4(keccak256("VRF ExtraArgsV1"))`, the tag of `ExtraArgsV1`.
EXTRA_ARGS_V1_TAG: constant(bytes4) = 0x92fd1338

# @dev Largest number of confirmations a VRF v2.5 coordinator accepts.
MAX_CONFIRMATIONS: public(constant(uint16)) = 200

# @dev Gas bounds of the callback (it stores one word and logs).
MIN_CALLBACK_GAS: public(constant(uint32)) = 50_000
MAX_CALLBACK_GAS: public(constant(uint32)) = 2_500_000

# @dev Most words a fulfilment may carry (one is requested).
MAX_WORDS: constant(uint256) = 8


# @dev The VRF v2.5 coordinator.
COORDINATOR: public(immutable(address))

# @dev The gas lane (key hash) requests use.
KEY_HASH: public(immutable(bytes32))

# @dev The subscription that pays for requests.
SUBSCRIPTION_ID: public(immutable(uint256))

# @dev Blocks the coordinator waits before answering.
REQUEST_CONFIRMATIONS: public(immutable(uint16))

# @dev Gas the coordinator gives `rawFulfillRandomWords`.
CALLBACK_GAS_LIMIT: public(immutable(uint32))

# @dev Whether requests are paid in the native coin (else in LINK).
NATIVE_PAYMENT: public(immutable(bool))

# @dev The account that may name the consumer (once).
DEPLOYER: public(immutable(address))


# @dev The only account that may request (empty until named).
consumer: public(address)

# @dev Number of requests made (ids are 0, 1, ...).
request_count: public(uint256)

# @dev The coordinator's id of each request.
vrf_request_id: public(HashMap[uint256, uint256])

# @dev Our id plus one of each coordinator id (0: not ours).
_request_of: HashMap[uint256, uint256]

# @dev Fulfilled values (0 until fulfilled).
value_of: public(HashMap[uint256, uint256])


@deploy
def __init__(
    coordinator_: address,
    key_hash_: bytes32,
    subscription_id_: uint256,
    request_confirmations_: uint16,
    callback_gas_limit_: uint32,
    native_payment_: bool,
):
    """
    @dev Fixes the coordinator, gas lane, subscription and payment.
    @param coordinator_ The VRF v2.5 coordinator (a contract).
    @param key_hash_ The gas lane's key hash (not zero).
    @param subscription_id_ The subscription (not zero).
    @param request_confirmations_ Blocks before an answer, up to `MAX_CONFIRMATIONS`.
    @param callback_gas_limit_ Callback gas, `MIN_CALLBACK_GAS` to `MAX_CALLBACK_GAS`.
    @param native_payment_ Pay in the native coin (True) or in LINK (False).
    """
    assert coordinator_.is_contract, "vrf: coordinator not a contract"
    assert key_hash_ != empty(bytes32), "vrf: zero key hash"
    assert subscription_id_ != 0, "vrf: zero subscription id"
    assert request_confirmations_ <= MAX_CONFIRMATIONS, "vrf: too many confirmations"
    assert (
        callback_gas_limit_ >= MIN_CALLBACK_GAS and callback_gas_limit_ <= MAX_CALLBACK_GAS
    ), "vrf: callback gas out of range"
    COORDINATOR = coordinator_
    KEY_HASH = key_hash_
    SUBSCRIPTION_ID = subscription_id_
    REQUEST_CONFIRMATIONS = request_confirmations_
    CALLBACK_GAS_LIMIT = callback_gas_limit_
    NATIVE_PAYMENT = native_payment_
    DEPLOYER = msg.sender


@external
def set_consumer(consumer_: address):
    """
    @dev Names the only account that may request (the deployer, once).
    @param consumer_ The consumer (the court or a fallback adapter).
    """
    assert msg.sender == DEPLOYER, "vrf: only the deployer names the consumer"
    assert self.consumer == empty(address), "vrf: consumer already set"
    assert consumer_ != empty(address), "vrf: zero consumer"
    self.consumer = consumer_
    log ConsumerSet(consumer=consumer_)


@external
def request_randomness() -> uint256:
    """
    @dev Requests one random word from the coordinator (the consumer only).
    @return uint256 The id of the request.
    """
    assert msg.sender == self.consumer, "vrf: only the consumer may request"
    request_id: uint256 = self.request_count
    self.request_count = request_id + 1
    extra_args: Bytes[36] = concat(EXTRA_ARGS_V1_TAG, convert(NATIVE_PAYMENT, bytes32))
    vrf_id: uint256 = extcall IVRFCoordinatorV2Plus(COORDINATOR).requestRandomWords(
        RandomWordsRequest(
            keyHash=KEY_HASH,
            subId=SUBSCRIPTION_ID,
            requestConfirmations=REQUEST_CONFIRMATIONS,
            callbackGasLimit=CALLBACK_GAS_LIMIT,
            numWords=1,
            extraArgs=extra_args,
        )
    )
    self.vrf_request_id[request_id] = vrf_id
    self._request_of[vrf_id] = request_id + 1
    log VRFRequested(request_id=request_id, vrf_request_id=vrf_id)
    log IRandomness.RandomnessRequested(
        request_id=request_id, requester=msg.sender, ready_block=block.number + convert(REQUEST_CONFIRMATIONS, uint256)
    )
    return request_id


@external
def rawFulfillRandomWords(requestId: uint256, randomWords: DynArray[uint256, MAX_WORDS]):
    """
    @dev The coordinator's answer to a request (the coordinator only).
    @param requestId The coordinator's id of the request.
    @param randomWords The random words (the first one is used).
    """
    assert msg.sender == COORDINATOR, "vrf: only the coordinator fulfils"
    ours: uint256 = self._request_of[requestId]
    assert ours != 0, "vrf: unknown coordinator request"
    assert len(randomWords) != 0, "vrf: no random word"
    request_id: uint256 = ours - 1
    assert self.value_of[request_id] == 0, "vrf: already fulfilled"
    value: uint256 = randomWords[0]
    if value == 0:
        value = 1
    self.value_of[request_id] = value
    log IRandomness.RandomnessRecorded(request_id=request_id, value=value)


@external
def receive_randomness(request_id: uint256) -> uint256:
    """
    @dev Returns the fulfilled value of a request, or 0 before fulfilment.
    @param request_id The id of the request.
    @return uint256 The random value (never 0), or 0 when not ready.
    """
    assert request_id < self.request_count, "vrf: unknown request"
    return self.value_of[request_id]


@external
@view
def is_ready(request_id: uint256) -> bool:
    """
    @dev Returns whether the coordinator has answered the request.
    @param request_id The id of the request.
    @return bool True when `receive_randomness` would return a value.
    """
    return self.value_of[request_id] != 0
