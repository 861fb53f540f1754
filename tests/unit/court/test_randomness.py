"""PrevrandaoRandomness, the court's default (testnet-grade) randomness source."""

import boa
import pytest
from eth_abi import encode
from eth_utils import keccak

from labeldao.boa_tools import deployer
from tests.helpers import events
from tests.unit.court.conftest import params_tuple


@pytest.fixture(scope="module")
def source():
    return deployer("PrevrandaoRandomness").deploy(3)


def test_request__fixes_a_target_block_and_logs(source):
    request_id = source.request_randomness()
    (requested,) = events(source, "RandomnessRequested")
    target = boa.env.evm.patch.block_number + 3
    assert request_id == 0
    assert source.ready_block(0) == target == requested.ready_block
    assert source.request_count() == 1


def test_receive__before_the_target_block__returns_zero(source):
    source.request_randomness()
    boa.env.time_travel(blocks=2)
    assert not source.is_ready(0)
    assert source.receive_randomness(0) == 0
    assert source.value_of(0) == 0


def test_receive__at_the_target_block__records_prevrandao_mixed_with_the_id(source):
    source.request_randomness()
    boa.env.time_travel(blocks=3)
    boa.env.evm.patch.prevrandao = b"\x11" * 32
    assert source.is_ready(0)
    value = source.receive_randomness(0)
    (recorded,) = events(source, "RandomnessRecorded")
    expected = int.from_bytes(keccak(encode(["bytes32", "uint256"], [b"\x11" * 32, 0])), "big")
    assert value == expected == recorded.value == source.value_of(0)


def test_receive__later__returns_the_recorded_value(source):
    source.request_randomness()
    boa.env.time_travel(blocks=3)
    first = source.receive_randomness(0)
    boa.env.time_travel(blocks=5)
    boa.env.evm.patch.prevrandao = b"\x22" * 32
    assert source.receive_randomness(0) == first


def test_receive__first_asked_after_the_target_block__records(source):
    """Nobody has to ask at the target block itself: a first call any block
    later records the value (the prevrandao of that block)."""
    source.request_randomness()
    boa.env.time_travel(blocks=8)
    assert source.is_ready(0)
    assert source.receive_randomness(0) == source.value_of(0) != 0


def test_is_ready__of_ids_never_requested__is_false(source):
    source.request_randomness()
    boa.env.time_travel(blocks=3)
    assert source.is_ready(0)
    assert not source.is_ready(1)
    assert not source.is_ready(7)


def test_receive__unknown_request__reverts(source):
    with boa.reverts("randomness: unknown request"):
        source.receive_randomness(0)
    assert not source.is_ready(0)


@pytest.mark.parametrize("delay", [0, 257])
def test_constructor__delay_out_of_range__reverts(delay):
    with boa.reverts("randomness: delay out of range"):
        deployer("PrevrandaoRandomness").deploy(delay)


@pytest.mark.parametrize("delay", [1, 256])
def test_constructor__delay_at_a_bound__deploys(delay):
    source = deployer("PrevrandaoRandomness").deploy(delay)
    assert source.DELAY() == delay
    assert source.MAX_DELAY() == 256
    source.request_randomness()
    assert source.ready_block(0) == boa.env.evm.patch.block_number + delay


def test_court__draws_with_prevrandao(court, lens, governor, source, flow, staked):
    court.set_params(params_tuple(source.address), sender=governor)
    staked(5)
    flow.next_epoch()  # three blocks later is still the request's epoch
    dispute = flow.create()
    with boa.reverts("court: randomness not ready"):
        court.draw(dispute, 3)
    boa.env.time_travel(blocks=3)
    # No new request: the epoch did not turn.
    assert court.current_epoch() == lens.round_info(court.address, dispute, 0).draw_epoch
    assert court.draw(dispute, 3) == 3
