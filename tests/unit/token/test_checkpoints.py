"""modules/checkpoints.vy and modules/erc20_votes.vy limits, through harnesses."""

import boa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labeldao.boa_tools import deployer

KEY = "0x00000000000000000000000000000000000000aa"
MAX_VALUE = 2**96 - 1


@pytest.fixture(scope="module")
def history():
    return deployer("CheckpointsHarness", "tests/mocks").deploy()


def test_push__same_timestamp__overwrites_latest(history):
    history.push(KEY, 5)
    history.push(KEY, 9)
    assert history.length(KEY) == 1
    assert history.latest(KEY) == 9


def test_push__new_timestamps__archives_two_per_slot(history):
    stamps = []
    for value in (1, 2, 3, 4, 5):
        history.push(KEY, value)
        stamps.append(boa.env.evm.patch.timestamp)
        boa.env.time_travel(seconds=1)
    assert history.length(KEY) == 5
    assert [history.at(KEY, i) for i in range(5)] == list(zip(stamps, [1, 2, 3, 4, 5], strict=True))


def test_push__new_block_at_the_same_timestamp__overwrites_latest(history):
    """Several L2 blocks in one second share one checkpoint."""
    history.push(KEY, 1)
    boa.env.time_travel(blocks=2, block_delta=0)
    history.push(KEY, 2)
    assert history.length(KEY) == 1
    assert history.at(KEY, 0) == (boa.env.evm.patch.timestamp, 2)


def test_push__value_above_96_bits__reverts(history):
    history.push(KEY, MAX_VALUE)
    with boa.reverts("checkpoints: value exceeds 96 bits"):
        history.push(KEY, MAX_VALUE + 1)


def test_increase__past_96_bits__reverts(history):
    history.push(KEY, MAX_VALUE)
    with boa.reverts("checkpoints: value exceeds 96 bits"):
        history.increase(KEY, 1)


def test_decrease__below_zero__reverts(history):
    history.push(KEY, 3)
    assert history.decrease(KEY, 3) == (3, 0)
    with boa.reverts("checkpoints: value below zero"):
        history.decrease(KEY, 1)


def test_push__at_timestamp_beyond_32_bits__reverts(history):
    original = boa.env.evm.patch.timestamp
    boa.env.evm.patch.timestamp = 2**32  # 2106-02-07 06:28:16 UTC
    try:
        with boa.reverts("checkpoints: timestamp exceeds 32 bits"):
            history.push(KEY, 1)
    finally:
        boa.env.evm.patch.timestamp = original


def test_at__out_of_range__reverts(history):
    with boa.reverts("checkpoints: position out of range"):
        history.at(KEY, 0)


def test_erc20_votes__supply_beyond_96_bits__reverts(alice):
    harness = deployer("ERC20VotesHarness", "tests/mocks").deploy()
    harness.mint(alice.address, MAX_VALUE)
    with boa.reverts("erc20: supply exceeds 2**96 - 1"):
        harness.mint(alice.address, 1)


@settings(max_examples=30)
@given(
    steps=st.lists(st.tuples(st.integers(0, 3), st.integers(0, MAX_VALUE)), min_size=1, max_size=24)
)
def test_upper_lookup__matches_a_plain_history(history, steps):
    """Invariant: for every second t, `_upper_lookup(t)` is the last value pushed
    at or before t (0 before the first push), whatever the gaps between pushes."""
    record: list[tuple[int, int]] = []
    for gap, value in steps:
        if gap:
            boa.env.time_travel(seconds=gap)
        history.push(KEY, value)
        now = boa.env.evm.patch.timestamp
        record = [(t, v) for t, v in record if t != now] + [(now, value)]
    boa.env.time_travel(seconds=1)
    first, last = record[0][0], record[-1][0]
    for second in range(first - 1, last + 1):
        earlier = [v for t, v in record if t <= second]
        assert history.upper_lookup(KEY, second) == (earlier[-1] if earlier else 0)
    assert history.length(KEY) == len(record)


def _lookup_gas(size: int) -> tuple[int, int]:
    """Gas of `upper_lookup` in a fresh history of `size` checkpoints (one
    every other second): answered by the header (the latest timestamp), and
    the most any earlier timestamp's lookup costs."""
    with boa.env.anchor():
        history = deployer("CheckpointsHarness", "tests/mocks").deploy()
        stamps = []
        for value in range(1, size + 1):
            history.push(KEY, value)
            stamps.append(boa.env.evm.patch.timestamp)
            boa.env.time_travel(seconds=2)
        history.upper_lookup(KEY, stamps[-1])
        header = history._computation.get_gas_used()
        searched = []
        for stamp in stamps[:-1]:
            history.upper_lookup(KEY, stamp)
            searched.append(history._computation.get_gas_used())
        return header, max(searched)


def test_upper_lookup__gas__one_search_step_per_doubling_of_the_history():
    """The binary search stops once it has found the checkpoint: a lookup in
    2 checkpoints costs one search step more than the header's answer, and
    each doubling adds at most one step, so 64 checkpoints (five doublings
    more) cost at most six steps more than 2. A search that ran on to its
    33-step bound would cost about four times as much."""
    header, two = _lookup_gas(2)
    _, sixty_four = _lookup_gas(64)
    step = two - header
    assert step > 0
    assert sixty_four <= two + 6 * step, (header, two, sixty_four)
