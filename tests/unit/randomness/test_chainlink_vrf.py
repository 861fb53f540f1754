"""ChainlinkVRFRandomness against Chainlink's own VRFCoordinatorV2_5Mock:
requests carry the configured gas lane, subscription and payment; only the
coordinator answers; the answer is never 0 and never changes."""

import boa
import pytest
from eth_abi import encode
from eth_utils import keccak

from labeldao.boa_tools import deployer
from tests.helpers import events
from tests.unit.randomness.conftest import (
    CALLBACK_GAS,
    CONFIRMATIONS,
    KEY_HASH,
    make_vrf,
)


def _mock_word(vrf_id: int) -> int:
    """The word the mock sends when none is given: keccak(abi.encode(id, 0))."""
    return int.from_bytes(keccak(encode(["uint256", "uint256"], [vrf_id, 0])), "big")


def test_request__asks_the_coordinator_with_the_configured_request(vrf):
    request_id = vrf.adapter.request_randomness(sender=vrf.court)
    (requested,) = events(vrf.adapter, "VRFRequested")
    logs = vrf.coordinator.get_logs(vrf.adapter._computation, strict=False)
    (asked,) = [log for log in logs if type(log).__name__ == "RandomWordsRequested"]
    assert request_id == 0
    assert (requested.request_id, requested.vrf_request_id) == (0, 1)
    assert vrf.adapter.vrf_request_id(0) == 1
    assert asked.keyHash == KEY_HASH and asked.subId == vrf.subscription
    assert asked.minimumRequestConfirmations == CONFIRMATIONS
    assert (asked.callbackGasLimit, asked.numWords) == (CALLBACK_GAS, 1)
    assert asked.extraArgs == bytes.fromhex("92fd1338") + b"\x00" * 32  # LINK payment
    assert asked.sender == vrf.adapter.address
    assert vrf.adapter.request_count() == 1
    assert not vrf.adapter.is_ready(0)
    assert vrf.adapter.receive_randomness(0) == 0
    assert vrf.adapter.KEY_HASH() == KEY_HASH
    assert vrf.adapter.REQUEST_CONFIRMATIONS() == CONFIRMATIONS
    assert vrf.adapter.CALLBACK_GAS_LIMIT() == CALLBACK_GAS


@pytest.mark.parametrize("native", [False, True])
def test_fulfilment__stores_the_word_and_charges_the_chosen_balance(native):
    vrf = make_vrf(native=native)
    link_before, native_before, *_ = vrf.coordinator.getSubscription(vrf.subscription)
    _, vrf_id = vrf.request()
    vrf.fulfil(vrf_id)
    link_after, native_after, *_ = vrf.coordinator.getSubscription(vrf.subscription)
    assert vrf.adapter.is_ready(0)
    assert vrf.adapter.receive_randomness(0) == _mock_word(vrf_id) == vrf.adapter.value_of(0)
    if native:
        assert native_after < native_before and link_after == link_before
    else:
        assert link_after < link_before and native_after == native_before


def test_fulfilment__of_the_word_zero__is_stored_as_one(vrf):
    _, vrf_id = vrf.request()
    vrf.fulfil(vrf_id, [0])
    assert vrf.adapter.receive_randomness(0) == 1
    assert vrf.adapter.is_ready(0)


def test_fulfilment__answers_each_request_under_its_own_id(vrf):
    _, first = vrf.request()
    _, second = vrf.request()
    vrf.fulfil(second, [22])
    assert vrf.adapter.receive_randomness(0) == 0
    assert vrf.adapter.receive_randomness(1) == 22
    vrf.fulfil(first, [11])
    assert vrf.adapter.receive_randomness(0) == 11


def test_value__is_the_same_forever(vrf):
    _, vrf_id = vrf.request()
    vrf.fulfil(vrf_id, [7])
    with boa.reverts():  # the mock forgets a request once fulfilled (InvalidRequest)
        vrf.fulfil(vrf_id, [8])
    with boa.reverts("vrf: already fulfilled"):
        vrf.adapter.rawFulfillRandomWords(vrf_id, [8], sender=vrf.coordinator.address)
    boa.env.time_travel(blocks=1_000)
    assert vrf.adapter.receive_randomness(0) == 7


def test_callback__from_anyone_but_the_coordinator__reverts(vrf):
    _, vrf_id = vrf.request()
    with boa.reverts("vrf: only the coordinator fulfils"):
        vrf.adapter.rawFulfillRandomWords(vrf_id, [5], sender=vrf.court)
    assert vrf.adapter.receive_randomness(0) == 0


def test_callback__unknown_id_or_no_word__reverts(vrf):
    _, vrf_id = vrf.request()
    coordinator = vrf.coordinator.address
    with boa.reverts("vrf: unknown coordinator request"):
        vrf.adapter.rawFulfillRandomWords(vrf_id + 1, [5], sender=coordinator)
    with boa.reverts("vrf: no random word"):
        vrf.adapter.rawFulfillRandomWords(vrf_id, [], sender=coordinator)


def test_unfunded_subscription__the_request_never_answers():
    vrf = make_vrf(fund=False)
    _, vrf_id = vrf.request()
    with boa.reverts():  # the mock: InsufficientBalance
        vrf.fulfil(vrf_id)
    assert vrf.adapter.receive_randomness(0) == 0
    assert not vrf.adapter.is_ready(0)


def test_request__by_anyone_but_the_consumer__reverts(vrf):
    with boa.reverts("vrf: only the consumer may request"):
        vrf.adapter.request_randomness(sender=boa.env.generate_address("stranger"))


def test_receive__unknown_request__reverts(vrf):
    with boa.reverts("vrf: unknown request"):
        vrf.adapter.receive_randomness(0)
    vrf.request()
    with boa.reverts("vrf: unknown request"):  # any id past the last, not only the next
        vrf.adapter.receive_randomness(7)


def test_set_consumer__once_by_the_deployer_only(vrf):
    assert vrf.adapter.consumer() == vrf.court
    with boa.reverts("vrf: consumer already set"):
        vrf.adapter.set_consumer(vrf.court)
    fresh = deployer("ChainlinkVRFRandomness").deploy(
        vrf.coordinator.address, KEY_HASH, vrf.subscription, 3, CALLBACK_GAS, False
    )
    with boa.reverts("vrf: only the deployer names the consumer"):
        fresh.set_consumer(vrf.court, sender=vrf.court)
    with boa.reverts("vrf: zero consumer"):
        fresh.set_consumer("0x" + "00" * 20)
    with boa.reverts("vrf: only the consumer may request"):  # nobody before it is named
        fresh.request_randomness()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"coordinator": "eoa"}, "vrf: coordinator not a contract"),
        ({"key_hash": b"\x00" * 32}, "vrf: zero key hash"),
        ({"subscription": 0}, "vrf: zero subscription id"),
        ({"confirmations": 201}, "vrf: too many confirmations"),
        ({"gas": 49_999}, "vrf: callback gas out of range"),
        ({"gas": 2_500_001}, "vrf: callback gas out of range"),
    ],
)
def test_constructor__bad_argument__reverts(vrf, change, message):
    args = {
        "coordinator": vrf.coordinator.address,
        "key_hash": KEY_HASH,
        "subscription": vrf.subscription,
        "confirmations": 200,
        "gas": 50_000,
    } | change
    if args["coordinator"] == "eoa":
        args["coordinator"] = boa.env.generate_address("not a contract")
    with boa.reverts(message):
        deployer("ChainlinkVRFRandomness").deploy(*args.values(), False)


def test_constructor__bounds__deploy(vrf):
    for gas in (50_000, 2_500_000):
        adapter = deployer("ChainlinkVRFRandomness").deploy(
            vrf.coordinator.address, KEY_HASH, vrf.subscription, 200, gas, True
        )
        assert adapter.CALLBACK_GAS_LIMIT() == gas
        assert adapter.NATIVE_PAYMENT()
        assert adapter.MAX_CONFIRMATIONS() == 200


def test_fulfilment__of_eight_words__uses_the_first_and_logs_it(vrf):
    """The adapter decodes up to 8 words (Chainlink's mock sends exactly the
    one asked for, so the coordinator's address calls here); the first is
    the value, recorded with its event."""
    _, vrf_id = vrf.request()
    words = [31, *range(2, 9)]
    vrf.adapter.rawFulfillRandomWords(vrf_id, words, sender=vrf.coordinator.address)
    (recorded,) = events(vrf.adapter, "RandomnessRecorded")
    assert (recorded.request_id, recorded.value) == (0, 31)
    assert vrf.adapter.receive_randomness(0) == 31


def test_set_consumer__logs_the_consumer(vrf):
    fresh = deployer("ChainlinkVRFRandomness").deploy(
        vrf.coordinator.address, KEY_HASH, vrf.subscription, 3, CALLBACK_GAS, False
    )
    fresh.set_consumer(vrf.court)
    (named,) = events(fresh, "ConsumerSet")
    assert named.consumer == vrf.court


def test_request__by_a_contract_consumer__is_the_contracts(vrf):
    """The consumer is the calling contract (`msg.sender`), not the account
    that signed the transaction: the court, not whoever calls `draw`."""
    owner = boa.env.generate_address("wallet-owner")
    wallet = deployer("SmartWallet", "tests/mocks").deploy(sender=owner)
    fresh = deployer("ChainlinkVRFRandomness").deploy(
        vrf.coordinator.address, KEY_HASH, vrf.subscription, 3, CALLBACK_GAS, False
    )
    vrf.coordinator.addConsumer(vrf.subscription, fresh.address)
    fresh.set_consumer(wallet.address)
    wallet.execute(fresh.address, fresh.request_randomness.prepare_calldata(), sender=owner)
    assert fresh.request_count() == 1
    with boa.reverts("vrf: only the consumer may request"):
        fresh.request_randomness(sender=owner)
