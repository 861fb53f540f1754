"""labeldao.merkle builds the trees and proofs the contracts verify."""

import pytest
from eth_utils import keccak
from hypothesis import given
from hypothesis import strategies as st

from labeldao.boa_tools import deployer
from labeldao.merkle import MerkleTree, ValueTree, hash_pair, leaf_hash, verify

ANSWER_TYPES = ("uint256", "bytes32")


@pytest.fixture(scope="module")
def harness():
    return deployer("MerkleHarness", "tests/mocks").deploy()


def _rows(n: int) -> list[tuple[int, bytes]]:
    return [(i, keccak(text=f"answer-{i}")) for i in range(n)]


def test_leaf_hash__matches_contract_encoding(harness):
    row = (7, keccak(text="cat"))
    assert harness.answer_leaf(*row) == leaf_hash(ANSWER_TYPES, row)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 33])
def test_every_proof__verifies_on_chain(harness, size):
    tree = ValueTree.of(ANSWER_TYPES, _rows(size))
    for row in tree.values:
        proof = tree.proof(row)
        assert verify(tree.root, tree.leaf(row), proof)
        assert harness.verify(proof, tree.root, tree.leaf(row))


def test_proof__of_another_row__fails_on_chain(harness):
    tree = ValueTree.of(ANSWER_TYPES, _rows(6))
    forged = tree.leaf((0, keccak(text="wrong answer")))
    assert not harness.verify(tree.proof(tree.values[0]), tree.root, forged)


def test_single_leaf__is_its_own_root():
    tree = ValueTree.of(ANSWER_TYPES, _rows(1))
    assert tree.root == tree.leaf(tree.values[0])
    assert tree.proof(tree.values[0]) == []


def test_inner_node__is_not_a_valid_leaf():
    tree = ValueTree.of(ANSWER_TYPES, _rows(4))
    left, right = tree.tree.nodes[1], tree.tree.nodes[2]
    assert hash_pair(left, right) == tree.root
    assert tree.root not in tree.tree.leaf_positions


def test_openzeppelin_layout__root_of_two_leaves_is_their_pair():
    a, b = leaf_hash(ANSWER_TYPES, _rows(2)[0]), leaf_hash(ANSWER_TYPES, _rows(2)[1])
    assert MerkleTree.from_leaves([a, b]).root == hash_pair(a, b)


def test_empty_and_duplicate_leaves__are_rejected():
    with pytest.raises(ValueError, match="at least one leaf"):
        MerkleTree.from_leaves([])
    with pytest.raises(ValueError, match="duplicate"):
        ValueTree.of(ANSWER_TYPES, [(1, b"\x01" * 32), (1, b"\x01" * 32)])
    with pytest.raises(ValueError, match="not in the tree"):
        ValueTree.of(ANSWER_TYPES, _rows(2)).proof((9, b"\x00" * 32))


@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=40, unique=True))
def test_any_tree__proves_every_leaf(leaves):
    """Invariant: every leaf of any tree has a proof that reaches the root."""
    tree = MerkleTree.from_leaves(leaves)
    assert all(verify(tree.root, leaf, tree.proof(leaf)) for leaf in leaves)


def test_root__matches_openzeppelin_standard_merkle_tree():
    """Known answer from @openzeppelin/merkle-tree 1.x:
    StandardMerkleTree.of([[i, "0x" + hex(0x11 * (i + 1)) * 32] for i < 5], ["uint256", "bytes32"]).
    """
    rows = [(i, bytes([0x11 * (i + 1)]) * 32) for i in range(5)]
    tree = ValueTree.of(ANSWER_TYPES, rows)
    assert tree.root.hex() == "6e1d9e66184d99e70f2d5592b4508a0742aa8de47743c690cfaddadca3752201"
    assert [p.hex() for p in tree.proof(rows[2])] == [
        "1e24d4f129d04c87152c416d316caaa5242b11ccf6ca9663437d1a7b2e2ac685",
        "f42d3a99d8861c2cbb006d73692309ef0586ad91c0216cb051c7cbcc3e87080b",
        "88004c318b87ecc79015bd0dac2d4bef34259ef7e258274e4ca8d85fe8c0851a",
    ]
