"""contracts/modules/sortition.vy on its own (tests/mocks/SortitionHarness.vy).

The tree draws leaf `p` for tickets in `[prefix(p), prefix(p) + snapshot(p))`,
where weights are those at the start of the current epoch minus the locks
taken since; the root's current weight is the sum of current weights.
"""

import boa
import pytest
from eth_utils import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from labeldao.boa_tools import deployer

EPOCH = 120  # seconds
MAX_VALUE = 2**96 - 1


@pytest.fixture(scope="module")
def tree():
    return deployer("SortitionHarness", "tests/mocks").deploy(EPOCH)


def _next_epoch():
    boa.env.time_travel(seconds=EPOCH - boa.env.evm.patch.timestamp % EPOCH)


def _owner(i: int) -> str:
    return to_checksum_address(f"0x{0xA000 + i:040x}")


def test_allocate__hands_out_fresh_positions_in_order(tree):
    assert [tree.allocate(_owner(i)) for i in range(3)] == [0, 1, 2]
    assert tree.leaves_used() == 3
    assert tree.owner_of(1) == _owner(1)


def test_add__updates_leaf_and_root(tree):
    tree.add(0, 5)
    tree.add(7, 11)
    assert (tree.value(0), tree.value(7), tree.total()) == (5, 11, 16)


def test_add__beyond_96_bits__reverts(tree):
    tree.add(0, MAX_VALUE)
    with boa.reverts("sortition: value exceeds 96 bits"):
        tree.add(1, 1)


def test_sub__more_than_leaf__reverts(tree):
    tree.add(3, 5)
    with boa.reverts("sortition: value below zero"):
        tree.sub(3, 6)


def test_sub__updates_leaf_and_root(tree):
    tree.add(3, 5)
    tree.add(4, 5)
    tree.sub(3, 2)
    assert (tree.value(3), tree.total()) == (3, 8)


def test_snapshot__ignores_changes_made_in_the_epoch(tree):
    tree.add(0, 10)
    _next_epoch()
    tree.add(1, 100)
    tree.sub(0, 4)
    assert (tree.total(), tree.snapshot_total()) == (106, 10)
    assert (tree.snapshot_value(0), tree.snapshot_value(1)) == (10, 0)
    _next_epoch()
    assert tree.snapshot_total() == 106
    assert (tree.snapshot_value(0), tree.snapshot_value(1)) == (6, 100)


def test_find__never_lands_on_weight_added_in_the_epoch(tree):
    tree.add(0, 10)
    tree.add(2, 10)
    _next_epoch()
    tree.add(1, 1_000)
    assert {tree.find(t) for t in range(20)} == {0, 2}


def test_find__maps_tickets_to_prefix_intervals(tree):
    for position, weight in ((0, 3), (5, 2), (1_000_000, 4)):
        tree.add(position, weight)
    _next_epoch()
    found = [tree.find(t) for t in range(9)]
    assert found == [0, 0, 0, 5, 5, 1_000_000, 1_000_000, 1_000_000, 1_000_000]


def test_lock__lowers_current_and_snapshot(tree):
    tree.add(0, 10)
    _next_epoch()
    tree.lock(0, 4)
    assert (tree.value(0), tree.snapshot_value(0)) == (6, 6)
    assert (tree.total(), tree.snapshot_total()) == (6, 6)


def test_lock__more_than_current__reverts(tree):
    tree.add(0, 10)
    _next_epoch()
    tree.sub(0, 8)
    with boa.reverts("sortition: value below zero"):
        tree.lock(0, 4)


def test_lock__more_than_snapshot__reverts(tree):
    _next_epoch()
    tree.add(0, 10)
    with boa.reverts("sortition: snapshot below zero"):
        tree.lock(0, 4)


def test_release__of_non_empty_leaf__reverts(tree):
    position = tree.allocate(_owner(0))
    tree.add(position, 1)
    with boa.reverts("sortition: leaf not empty"):
        tree.release(position)


def test_release__is_reused_only_from_the_next_epoch(tree):
    first = tree.allocate(_owner(0))
    tree.release(first)
    assert tree.owner_of(first) == "0x0000000000000000000000000000000000000000"
    assert tree.allocate(_owner(1)) == first + 1  # same epoch: a fresh leaf
    _next_epoch()
    assert tree.allocate(_owner(2)) == first
    assert tree.owner_of(first) == _owner(2)
    assert tree.vacant_count() == 0


def _to_odd_epoch():
    """Moves to the next odd epoch: its number sets bit 32 of a vacant entry."""
    _next_epoch()
    if (boa.env.evm.patch.timestamp // EPOCH) % 2 == 0:
        _next_epoch()


def test_allocate__after_two_releases__reuses_the_latest_released_first(tree):
    positions = [tree.allocate(_owner(i)) for i in range(3)]
    _to_odd_epoch()
    tree.release(positions[1])
    tree.release(positions[2])
    assert tree.vacant_count() == 2
    _next_epoch()
    assert tree.allocate(_owner(3)) == positions[2]
    assert tree.vacant_count() == 1
    assert tree.allocate(_owner(4)) == positions[1]
    assert tree.vacant_count() == 0
    assert tree.allocate(_owner(5)) == positions[2] + 1  # then fresh leaves again
    assert [tree.owner_of(p) for p in positions[1:]] == [_owner(4), _owner(3)]


def test_capacity__is_four_to_the_tenth_leaves(tree):
    """The documented capacity: a 4-ary tree, 10 levels, 1,048,576 jurors."""
    assert tree.capacity() == 4**10 == 1_048_576


def test_allocate__when_full__reverts(tree):
    tree.force_leaves_used(tree.capacity() - 1)
    assert tree.allocate(_owner(0)) == tree.capacity() - 1
    with boa.reverts("sortition: tree is full"):
        tree.allocate(_owner(1))


def test_allocate__when_full__reuses_a_released_leaf(tree):
    position = tree.allocate(_owner(0))
    tree.release(position)
    tree.force_leaves_used(tree.capacity())
    _next_epoch()
    assert tree.allocate(_owner(1)) == position


@settings(max_examples=15, deadline=None)
@given(
    weights=st.lists(
        st.tuples(st.integers(0, 4**10 - 1), st.integers(1, 10**24)), min_size=1, max_size=12
    ),
    late=st.lists(st.tuples(st.integers(0, 4**10 - 1), st.integers(1, 10**24)), max_size=4),
    data=st.data(),
)
def test_find__matches_a_prefix_sum_model(weights, late, data):
    """Drawing from the snapshot equals a linear scan over snapshot weights."""
    with boa.env.anchor():
        harness = deployer("SortitionHarness", "tests/mocks").deploy(EPOCH)
        model: dict[int, int] = {}
        for position, weight in weights:
            harness.add(position, weight)
            model[position] = model.get(position, 0) + weight
        _next_epoch()
        for position, weight in late:
            harness.add(position, weight)
        total = sum(model.values())
        assert harness.snapshot_total() == total
        assert harness.total() == total + sum(w for _, w in late)
        ordered = sorted(model.items())
        for _ in range(6):
            ticket = data.draw(st.integers(0, total - 1), label="ticket")
            cumulative = 0
            for position, weight in ordered:
                cumulative += weight
                if ticket < cumulative:
                    expected = position
                    break
            assert harness.find(ticket) == expected
