"""RandomnessWithFallback in front of a ChainlinkVRFRandomness (Chainlink's
own coordinator mock): the primary's answer is passed on; a request that
never answers is asked again after the timeout, then falls back to a
lookahead blockhash; the court's request id answers throughout, with a
value that is never 0 and never changes, and an event saying which source
answered."""

import boa
import pytest
from eth_abi import encode
from eth_utils import keccak

from labeldao.boa_tools import deployer
from tests.helpers import events
from tests.unit.randomness.conftest import FALLBACK_DELAY, TIMEOUT, make_fallback

BLOCKHASH = """
# pragma version ~=0.4.3
@external
@view
def at(number: uint256) -> bytes32:
    return blockhash(number)
"""


def _fallback_value(target: int, request_id: int) -> int:
    reader = boa.loads(BLOCKHASH)
    digest = reader.at(target)
    return int.from_bytes(keccak(encode(["bytes32", "uint256"], [digest, request_id])), "big")


def _arm(fb, request_id: int = 0) -> int:
    """Times out the first ask and the re-request; returns the fallback block."""
    for _ in range(2):
        boa.env.time_travel(seconds=TIMEOUT)
        fb.adapter.retry(request_id)
    return fb.adapter.fallback_block(request_id)


def test_primary_answers__passed_on_and_said_so(fallback):
    request_id = fallback.request()
    assert request_id == 0
    assert not fallback.adapter.is_ready(0)
    assert fallback.adapter.receive_randomness(0) == 0
    fallback.vrf.fulfil(fallback.primary_vrf_id(0), [42])
    assert fallback.adapter.is_ready(0)
    assert fallback.adapter.receive_randomness(0) == 42
    (answered,) = events(fallback.adapter, "RandomnessAnswered")
    assert answered.source == fallback.vrf.adapter.address
    assert not answered.fallback
    assert answered.primary_request_id == 0


def test_primary_word_zero__answers_one(fallback):
    fallback.request()
    fallback.vrf.fulfil(fallback.primary_vrf_id(0), [0])
    assert fallback.adapter.receive_randomness(0) == 1


def test_retry__before_the_timeout__reverts(fallback):
    fallback.request()
    boa.env.time_travel(seconds=TIMEOUT - 1)
    with boa.reverts("fallback: primary not timed out"):
        fallback.adapter.retry(0)


def test_rerequest__after_the_timeout__asks_again_and_only_the_new_ask_counts(fallback):
    fallback.request()
    first = fallback.primary_vrf_id(0)
    boa.env.time_travel(seconds=TIMEOUT)
    fallback.adapter.retry(0)
    (asked,) = events(fallback.adapter, "PrimaryRequested")
    second = fallback.primary_vrf_id(0)
    assert (asked.request_id, asked.attempt, asked.primary_request_id) == (0, 1, 1)
    assert second != first
    assert fallback.adapter.rerequests(0) == 1
    fallback.vrf.fulfil(first, [5])  # the abandoned ask answers late: ignored
    assert not fallback.adapter.is_ready(0)
    assert fallback.adapter.receive_randomness(0) == 0
    fallback.vrf.fulfil(second, [6])
    assert fallback.adapter.receive_randomness(0) == 6
    (answered,) = events(fallback.adapter, "RandomnessAnswered")
    assert answered.primary_request_id == 1 and not answered.fallback


def test_rerequest__resets_the_timeout(fallback):
    fallback.request()
    boa.env.time_travel(seconds=TIMEOUT)
    fallback.adapter.retry(0)
    boa.env.time_travel(seconds=TIMEOUT - 1)
    with boa.reverts("fallback: primary not timed out"):
        fallback.adapter.retry(0)


def test_never_answers__falls_back_to_the_lookahead_blockhash(fallback):
    fallback.request()
    boa.env.time_travel(seconds=TIMEOUT)
    fallback.adapter.retry(0)
    boa.env.time_travel(seconds=TIMEOUT)
    fallback.adapter.retry(0)
    (armed,) = events(fallback.adapter, "FallbackArmed")
    target = boa.env.evm.patch.block_number + FALLBACK_DELAY
    assert armed.target_block == target == fallback.adapter.fallback_block(0)
    boa.env.time_travel(blocks=FALLBACK_DELAY)  # the target block is the current one
    assert not fallback.adapter.is_ready(0)
    assert fallback.adapter.receive_randomness(0) == 0
    boa.env.time_travel(blocks=1)
    assert fallback.adapter.is_ready(0)
    value = fallback.adapter.receive_randomness(0)
    (answered,) = events(fallback.adapter, "RandomnessAnswered")
    assert answered.fallback and answered.source == fallback.adapter.address
    assert value == _fallback_value(target, 0) != 0


def test_fallback__a_late_primary_answer_changes_nothing(fallback):
    fallback.request()
    target = _arm(fallback)
    fallback.vrf.fulfil(fallback.primary_vrf_id(0), [9])
    assert fallback.adapter.receive_randomness(0) == 0  # the target block is not past yet
    boa.env.time_travel(blocks=FALLBACK_DELAY + 1)
    value = fallback.adapter.receive_randomness(0)
    assert value == _fallback_value(target, 0)


def test_value__is_the_same_forever(fallback):
    fallback.request()
    _arm(fallback)
    boa.env.time_travel(blocks=FALLBACK_DELAY + 1)
    value = fallback.adapter.receive_randomness(0)
    boa.env.time_travel(blocks=1_000)
    assert fallback.adapter.receive_randomness(0) == value
    assert fallback.adapter.is_ready(0)
    with boa.reverts("fallback: already answered"):
        fallback.adapter.retry(0)


def test_fallback__unrecorded_for_256_blocks__is_armed_again(fallback):
    fallback.request()
    first = _arm(fallback)
    with boa.reverts("fallback: fallback already armed"):
        fallback.adapter.retry(0)
    boa.env.time_travel(blocks=FALLBACK_DELAY + 256)
    assert fallback.adapter.is_ready(0)
    with boa.reverts("fallback: fallback already armed"):
        fallback.adapter.retry(0)
    boa.env.time_travel(blocks=1)  # the target's hash is gone
    assert not fallback.adapter.is_ready(0)
    assert fallback.adapter.receive_randomness(0) == 0
    fallback.adapter.retry(0)
    second = fallback.adapter.fallback_block(0)
    assert second == boa.env.evm.patch.block_number + FALLBACK_DELAY > first
    boa.env.time_travel(blocks=FALLBACK_DELAY + 1)
    assert fallback.adapter.receive_randomness(0) == _fallback_value(second, 0)


def test_retry__when_the_primary_has_answered__reverts(fallback):
    fallback.request()
    boa.env.time_travel(seconds=TIMEOUT)
    fallback.vrf.fulfil(fallback.primary_vrf_id(0), [3])
    with boa.reverts("fallback: primary has answered"):
        fallback.adapter.retry(0)
    assert fallback.adapter.receive_randomness(0) == 3


def test_no_rerequests__falls_back_after_one_timeout(vrf):
    fb = make_fallback(vrf, rerequests=0)
    fb.request()
    boa.env.time_travel(seconds=TIMEOUT)
    fb.adapter.retry(0)
    assert fb.adapter.fallback_block(0) != 0


def test_requests__are_independent(fallback):
    fallback.request()
    fallback.request()
    fallback.vrf.fulfil(fallback.primary_vrf_id(1), [77])
    assert fallback.adapter.receive_randomness(1) == 77
    assert fallback.adapter.receive_randomness(0) == 0


def test_unknown_request__reverts_or_is_not_ready(fallback):
    with boa.reverts("fallback: unknown request"):
        fallback.adapter.receive_randomness(0)
    with boa.reverts("fallback: unknown request"):
        fallback.adapter.retry(0)
    assert not fallback.adapter.is_ready(0)


def test_unknown_request__is_not_ready_once_the_primarys_first_ask_answered(fallback):
    """An id never requested is not ready, whatever the primary's request 0
    (the default primary id of an unknown request) has become."""
    fallback.request()
    fallback.vrf.fulfil(fallback.primary_vrf_id(0), [5])
    assert fallback.adapter.is_ready(0)
    assert not fallback.adapter.is_ready(1)


def test_request__logs_the_request_ready_at_once(fallback):
    request_id = fallback.request()
    # The primary's own RandomnessRequested names the wrapper as requester.
    logged = events(fallback.adapter, "RandomnessRequested")
    (requested,) = [e for e in logged if e.requester == fallback.court]
    assert requested.request_id == request_id
    assert requested.ready_block == boa.env.evm.patch.block_number


def test_request__by_anyone_but_the_consumer__reverts(fallback):
    with boa.reverts("fallback: only the consumer may request"):
        fallback.adapter.request_randomness(sender=boa.env.generate_address("stranger"))
    with boa.reverts("vrf: only the consumer may request"):  # nor around the wrapper
        fallback.vrf.adapter.request_randomness(sender=fallback.court)


def test_set_consumer__once_by_the_deployer_only(fallback):
    with boa.reverts("fallback: consumer already set"):
        fallback.adapter.set_consumer(fallback.court)
    fresh = deployer("RandomnessWithFallback").deploy(fallback.vrf.adapter.address, 60, 0, 1)
    with boa.reverts("fallback: only the deployer names the consumer"):
        fresh.set_consumer(fallback.court, sender=fallback.court)
    with boa.reverts("fallback: zero consumer"):
        fresh.set_consumer("0x" + "00" * 20)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((None, 60, 1, 4), "fallback: primary not a contract"),
        (("primary", 0, 1, 4), "fallback: timeout out of range"),
        (("primary", 30 * 86_400 + 1, 1, 4), "fallback: timeout out of range"),
        (("primary", 60, 9, 4), "fallback: too many re-requests"),
        (("primary", 60, 1, 0), "fallback: delay out of range"),
        (("primary", 60, 1, 129), "fallback: delay out of range"),
    ],
)
def test_constructor__bad_argument__reverts(fallback, args, message):
    primary = (
        fallback.vrf.adapter.address if args[0] else boa.env.generate_address("not a contract")
    )
    with boa.reverts(message):
        deployer("RandomnessWithFallback").deploy(primary, *args[1:])


def test_constructor__bounds__deploy(fallback):
    primary = fallback.vrf.adapter.address
    low = deployer("RandomnessWithFallback").deploy(primary, 1, 0, 1)
    high = deployer("RandomnessWithFallback").deploy(primary, 30 * 86_400, 8, 128)
    assert (low.TIMEOUT(), low.MAX_REREQUESTS(), low.FALLBACK_DELAY()) == (1, 0, 1)
    assert (high.TIMEOUT(), high.MAX_REREQUESTS(), high.FALLBACK_DELAY()) == (2_592_000, 8, 128)
    assert high.MAX_TIMEOUT() == 2_592_000 and high.MAX_REREQUESTS_BOUND() == 8
    assert high.MAX_FALLBACK_DELAY() == 128
