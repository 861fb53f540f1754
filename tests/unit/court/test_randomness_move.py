"""QualityCourt: moving a dispute's randomness (issue 15).

Every randomness request of the court goes to its current source (the newest
parameter version's `randomness`). A round whose request never answers is
re-requested by `draw` once its snapshot epoch is over (the timeout), from
the source governance installed since with `set_params`; its draws use the
latest request's seed, and the round's `DrawRequested` events name the source
of each request. The sources here are Chainlink's own VRFCoordinatorV2_5Mock
behind `ChainlinkVRFRandomness` adapters whose consumer is the court, and a
`RandomnessWithFallback` in front of one.
"""

from __future__ import annotations

import boa
import pytest
from eth_abi import encode
from eth_utils import keccak

from labeldao.boa_tools import deployer
from tests.helpers import events
from tests.unit.court.conftest import EPOCH_SECONDS, MOCKS, params_tuple
from tests.unit.randomness.conftest import (
    CALLBACK_GAS,
    CONFIRMATIONS,
    FALLBACK_DELAY,
    KEY_HASH,
    LINK_FUNDING,
    REREQUESTS,
    TIMEOUT,
    deploy_coordinator,
)

STAKE = 500 * 10**18


@pytest.fixture(scope="module")
def coordinator():
    """Chainlink's VRF v2.5 coordinator mock and a funded subscription."""
    mock = deploy_coordinator()
    subscription = mock.createSubscription()
    mock.fundSubscription(subscription, LINK_FUNDING)
    return mock, subscription


def vrf_source(court, coordinator, consumer=None):
    """A ChainlinkVRFRandomness on the subscription; its consumer is the court."""
    mock, subscription = coordinator
    adapter = deployer("ChainlinkVRFRandomness").deploy(
        mock.address, KEY_HASH, subscription, CONFIRMATIONS, CALLBACK_GAS, False
    )
    mock.addConsumer(subscription, adapter.address)
    adapter.set_consumer(consumer or court.address)
    return adapter


def fallback_source(court, coordinator, timeout=TIMEOUT):
    """A RandomnessWithFallback (the court its consumer) in front of a VRF adapter."""
    primary = deployer("ChainlinkVRFRandomness").deploy(
        coordinator[0].address, KEY_HASH, coordinator[1], CONFIRMATIONS, CALLBACK_GAS, False
    )
    coordinator[0].addConsumer(coordinator[1], primary.address)
    wrapper = deployer("RandomnessWithFallback").deploy(
        primary.address, timeout, REREQUESTS, FALLBACK_DELAY
    )
    primary.set_consumer(wrapper.address)
    wrapper.set_consumer(court.address)
    return primary, wrapper


def answer(coordinator, adapter, request_id: int, word: int) -> None:
    """The coordinator answers the adapter's request `request_id` with `word`."""
    coordinator[0].fulfillRandomWordsWithOverride(
        adapter.vrf_request_id(request_id), adapter.address, [word]
    )


def open_dispute(court, pay) -> int:
    """A dispute opened straight at the court (so that its logs are the court's)."""
    creator = boa.env.generate_address("creator")
    pay(creator, court.arbitrationCost(b""))
    return court.createDispute(2, b"", sender=creator)


BLOCKHASH = """
# pragma version ~=0.4.3
@external
@view
def at(number: uint256) -> bytes32:
    return blockhash(number)
"""


def fallback_value(target: int, request_id: int) -> int:
    """RandomnessWithFallback's fallback value for a request armed at `target`."""
    digest = boa.loads(BLOCKHASH).at(target)
    return int.from_bytes(keccak(encode(["bytes32", "uint256"], [digest, request_id])), "big")


def first_seat(court, seed: int, dispute: int, round_: int) -> str:
    """The juror attempt 0 of a draw with `seed` lands on: five jurors with equal
    stakes fill leaves 0..4 in staking order."""
    ticket = (
        int.from_bytes(keccak(encode(["uint256"] * 4, [seed, dispute, round_, 0])), "big")
        % court.drawable_stake()
    )
    return deployer("SortitionTree").at(court.TREE()).owner_of(ticket // STAKE)


def test_stalled_request__moved_after_the_epoch_to_the_new_source__drawn_with_its_seed(
    court, lens, flow, staked, governor, coordinator, pay
):
    stalled, fresh = vrf_source(court, coordinator), vrf_source(court, coordinator)
    court.set_params(params_tuple(stalled.address), sender=governor)
    staked(5)
    dispute = open_dispute(court, pay)
    (first,) = events(court, "DrawRequested")
    version = court.params_version()
    assert (first.source, first.request_id) == (stalled.address, 0)
    with boa.reverts("court: randomness not ready"):
        court.draw(dispute, 3)

    # Governance installs a new source; the round keeps its request until the
    # snapshot epoch is over (the timeout).
    court.set_params(params_tuple(fresh.address), sender=governor)
    with boa.reverts("court: randomness not ready"):
        court.draw(dispute, 3)
    assert lens.randomness_source(court.address, dispute, 0) == stalled.address

    flow.next_epoch()
    assert court.draw(dispute, 3) == 0  # moved: a new request, nothing drawn
    (moved,) = events(court, "DrawRequested")
    info = lens.round_info(court.address, dispute, 0)
    assert (moved.source, moved.request_id) == (fresh.address, 0)
    assert info.randomness_request == 0 and info.draw_epoch == moved.epoch
    assert lens.randomness_source(court.address, dispute, 0) == fresh.address
    assert lens.dispute_info(court.address, dispute).params_version == version  # kept

    # The abandoned request answers late: ignored. The new one answers: drawn with its seed.
    answer(coordinator, stalled, 0, 111)
    with boa.reverts("court: randomness not ready"):
        court.draw(dispute, 3)
    answer(coordinator, fresh, 0, 4242)
    expected = first_seat(court, 4242, dispute, 0)
    assert court.draw(dispute, 3) == 3
    seats = events(court, "SeatDrawn")
    assert seats[0].juror == expected
    assert fresh.value_of(0) == 4242


def test_moved_request__seats_come_from_the_latest_requests_seed(
    court, flow, staked, governor, coordinator
):
    stalled, fresh = vrf_source(court, coordinator), vrf_source(court, coordinator)
    court.set_params(params_tuple(stalled.address), sender=governor)
    staked(5)
    dispute = flow.create()
    court.set_params(params_tuple(fresh.address), sender=governor)
    flow.next_epoch()
    court.draw(dispute, 3)
    answer(coordinator, fresh, 0, 7)
    total = court.drawable_stake()
    expected = first_seat(court, 7, dispute, 0)
    assert total == 5 * STAKE
    court.draw(dispute, 1)
    (seat,) = events(court, "SeatDrawn")
    assert seat.juror == expected


def test_source_that_never_answers__re_requested_every_epoch_until_governance_moves_it(
    court, lens, flow, staked, governor, coordinator, pay
):
    stalled, fresh = vrf_source(court, coordinator), vrf_source(court, coordinator)
    court.set_params(params_tuple(stalled.address), sender=governor)
    staked(5)
    dispute = open_dispute(court, pay)
    sources = [e.source for e in events(court, "DrawRequested")]
    for _ in range(2):  # nobody acts: the same (current) source is asked again
        flow.next_epoch()
        assert court.draw(dispute, 3) == 0
        sources += [e.source for e in events(court, "DrawRequested")]
    court.set_params(params_tuple(fresh.address), sender=governor)
    flow.next_epoch()
    court.draw(dispute, 3)
    sources += [e.source for e in events(court, "DrawRequested")]
    assert sources == [stalled.address] * 3 + [fresh.address]
    assert stalled.request_count() == 3
    answer(coordinator, fresh, 0, 99)
    flow.draw_all(dispute)
    assert lens.round_info(court.address, dispute, 0).drawn == 3
    # The draw deadline was never moved: the round could have been closed.
    assert lens.draw_deadline(court.address, dispute) > 0


def test_drawn_round__is_never_moved(court, lens, flow, staked, governor, randomness):
    staked(5)
    dispute = flow.create()
    flow.draw_all(dispute)
    other = deployer("MockRandomness", MOCKS).deploy(8)
    court.set_params(params_tuple(other.address), sender=governor)
    flow.next_epoch()
    with boa.reverts("court: panel already drawn"):
        court.draw(dispute, 3)
    assert lens.randomness_source(court.address, dispute, 0) == randomness.address


def test_appeal_round__asks_the_current_source(
    court, lens, flow, keys, whole_seats, pay, appellant, defender, governor, randomness
):
    whole_seats(8, seats=4)
    dispute = flow.create()
    flow.draw_all(dispute)
    seated = flow.seated(dispute, 0)
    flow.vote(dispute, 0, dict.fromkeys(seated, 1), keys)
    flow.goto(dispute, 3)
    cost = court.appealCost(dispute, b"")
    pay(appellant, cost)
    pay(defender, cost)
    court.appeal(dispute, (2).to_bytes(32, "big"), sender=appellant)
    other = deployer("MockRandomness", MOCKS).deploy(8)
    court.set_params(params_tuple(other.address, alpha_bps=10_000), sender=governor)
    court.appeal(dispute, (1).to_bytes(32, "big"), sender=defender)
    (requested,) = events(court, "DrawRequested")
    assert (requested.round, requested.source) == (1, other.address)
    assert lens.randomness_source(court.address, dispute, 1) == other.address
    assert lens.randomness_source(court.address, dispute, 0) == randomness.address
    flow.draw_all(dispute)
    assert lens.round_info(court.address, dispute, 1).drawn == 7


def test_fallback__reached_from_the_court_when_the_coordinator_never_answers(
    court, lens, flow, staked, governor, coordinator, pay
):
    # Its two asks and its lookahead fit in one snapshot epoch (the rule the
    # deploy plan checks: docs/decisions.md, "Clocks").
    timeout = EPOCH_SECONDS // 4
    primary, wrapper = fallback_source(court, coordinator, timeout)
    court.set_params(params_tuple(wrapper.address), sender=governor)
    staked(5)
    flow.next_epoch()
    dispute = open_dispute(court, pay)
    (requested,) = events(court, "DrawRequested")
    assert requested.source == wrapper.address
    request = lens.round_info(court.address, dispute, 0).randomness_request
    # The coordinator never answers: after each timeout anyone retries, inside
    # the court's snapshot epoch.
    for _ in range(REREQUESTS + 1):
        with boa.reverts("court: randomness not ready"):
            court.draw(dispute, 3)
        boa.env.time_travel(seconds=timeout)
        wrapper.retry(request)
    assert primary.request_count() == REREQUESTS + 1
    target = wrapper.fallback_block(request)
    boa.env.time_travel(blocks=FALLBACK_DELAY + 1)
    assert boa.env.evm.patch.timestamp // EPOCH_SECONDS == requested.epoch
    assert court.draw(dispute, 3) == 3
    # The seed is the fallback's: the lookahead block's hash mixed with the id.
    assert wrapper.value_of(request) == fallback_value(target, request) != 0
    assert primary.value_of(wrapper.primary_request_id(request)) == 0
    assert events(court, "DrawRequested") == []  # no new request: the same one answered


def test_fallback__slower_than_the_epoch__the_court_asks_again(
    court, flow, staked, governor, coordinator
):
    """A fallback that cannot answer within the snapshot epoch is abandoned: the
    court asks its current source again (why `epoch_seconds` must outlast the
    fallback's whole wait: docs/decisions.md, "Moving a dispute's randomness")."""
    _primary, wrapper = fallback_source(court, coordinator)
    court.set_params(params_tuple(wrapper.address), sender=governor)
    staked(5)
    dispute = flow.create()
    boa.env.time_travel(seconds=TIMEOUT)  # three epochs of 1,200 s
    wrapper.retry(0)
    assert court.draw(dispute, 3) == 0
    (again,) = events(court, "DrawRequested")
    assert (again.source, again.request_id) == (wrapper.address, 1)


def test_round_closed_undrawn__is_never_drawn_nor_asked_again(court, lens, flow, staked):
    staked(5)
    dispute = flow.create()
    deadline = lens.draw_deadline(court.address, dispute)
    boa.env.time_travel(seconds=deadline - boa.env.evm.patch.timestamp)  # epochs pass too
    court.close_undrawn(dispute)
    with boa.reverts("court: panel already drawn"):
        court.draw(dispute, 3)
    info = lens.round_info(court.address, dispute, 0)
    assert (info.drawn, info.jurors, info.randomness_request) == (0, 0, 0)
