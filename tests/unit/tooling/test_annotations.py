"""labeldao.annotations builds the escrow's answer and gold trees as the contract checks them.

The end-to-end check (a gold failure proven with these trees is accepted by
`TaskEscrow.prove_gold_failure`) is in tests/unit/escrow/test_gold.py.
"""

import pytest
from eth_utils import keccak
from hypothesis import given
from hypothesis import strategies as st

from labeldao.annotations import (
    ANSWER_TYPES,
    GOLD_TYPES,
    GoldItem,
    answer_hash,
    answer_tree,
    gold_failure_args,
    gold_tree,
    new_salt,
)
from labeldao.boa_tools import deployer
from labeldao.merkle import leaf_hash, verify


@pytest.fixture(scope="module")
def harness():
    return deployer("MerkleHarness", "tests/mocks").deploy()


def _sheet(n: int, prefix: str = "label") -> dict[int, bytes]:
    return {i: answer_hash(f"{prefix}-{i}") for i in range(n)}


def _gold(indices: list[int]) -> list[GoldItem]:
    return [GoldItem(i, answer_hash(f"gold-{i}"), keccak(text=f"salt-{i}")) for i in indices]


def test_answer_hash__of_text_is_keccak_of_utf8():
    assert answer_hash("chat") == keccak(b"chat")
    assert answer_hash("é") == keccak("é".encode())
    assert answer_hash(b"\x00\x01") == keccak(b"\x00\x01")


def test_new_salt__is_32_fresh_bytes():
    salts = {new_salt() for _ in range(8)}
    assert len(salts) == 8
    assert all(len(s) == 32 for s in salts)


@pytest.mark.parametrize("size", [1, 2, 7, 32])
def test_answer_tree__every_proof_verifies_on_chain(harness, size):
    sheet = answer_tree(_sheet(size))
    for index, hashed in sheet.answers.items():
        leaf = harness.answer_leaf(index, hashed)
        assert leaf == leaf_hash(ANSWER_TYPES, (index, hashed))
        assert harness.verify(sheet.proof(index), sheet.root, leaf)


def test_answer_tree__proof_does_not_verify_another_answer(harness):
    sheet = answer_tree(_sheet(5))
    forged = harness.answer_leaf(2, answer_hash("something else"))
    assert not harness.verify(sheet.proof(2), sheet.root, forged)


def test_gold_tree__every_proof_verifies_on_chain(harness):
    gold = gold_tree(_gold([3, 1, 40]))
    for index, item in gold.items.items():
        leaf = leaf_hash(GOLD_TYPES, (index, item.answer_hash, item.salt))
        assert harness.verify(gold.proof(index), gold.root, leaf)


def test_gold_tree__salt_changes_the_root():
    plain = gold_tree(_gold([1]))
    resalted = gold_tree([GoldItem(1, answer_hash("gold-1"), b"\x07" * 32)])
    assert plain.root != resalted.root


def test_gold_tree__root_differs_from_answer_tree_of_same_answers():
    """A gold leaf (three values) never collides with an answer leaf (two)."""
    gold = gold_tree(_gold([0]))
    sheet = answer_tree({0: gold.items[0].answer_hash})
    assert gold.root != sheet.root


def test_gold_tree__two_items_for_one_index__are_rejected():
    with pytest.raises(ValueError, match="two gold items for item 4"):
        gold_tree(_gold([4]) + [GoldItem(4, answer_hash("other"), b"\x01" * 32)])


def test_trees__empty_or_negative_index__are_rejected():
    with pytest.raises(ValueError, match="at least one item"):
        answer_tree({})
    with pytest.raises(ValueError, match="at least one item"):
        gold_tree([])
    with pytest.raises(ValueError, match="not a uint256"):
        answer_tree({-1: answer_hash("x")})
    with pytest.raises(ValueError, match="not a uint256"):
        gold_tree([GoldItem(2**256, answer_hash("x"), b"\x00" * 32)])


def test_gold_failure_args__follow_the_contract_signature():
    gold = gold_tree(_gold([2, 5]))
    sheet = answer_tree(_sheet(6, prefix="wrong"))
    args = gold_failure_args(9, gold, sheet, 5)
    task_id, index, gold_hash, salt, gold_proof, submitted, answer_proof = args
    assert (task_id, index) == (9, 5)
    assert (gold_hash, salt) == (gold.items[5].answer_hash, gold.items[5].salt)
    assert submitted == sheet.answers[5]
    assert verify(gold.root, leaf_hash(GOLD_TYPES, (5, gold_hash, salt)), gold_proof)
    assert verify(sheet.root, leaf_hash(ANSWER_TYPES, (5, submitted)), answer_proof)


def test_gold_failure_args__matching_answer__raises():
    gold = gold_tree(_gold([2]))
    sheet = answer_tree({2: answer_hash("gold-2")})
    with pytest.raises(ValueError, match="matches the gold answer"):
        gold_failure_args(0, gold, sheet, 2)


@given(
    st.dictionaries(
        st.integers(min_value=0, max_value=2**32 - 1),
        st.binary(min_size=32, max_size=32),
        min_size=1,
        max_size=40,
    )
)
def test_any_answer_tree__proves_every_answer(answers):
    """Invariant: every answer of any sheet has a proof that reaches the root."""
    sheet = answer_tree(answers)
    for index, hashed in answers.items():
        assert verify(sheet.root, leaf_hash(ANSWER_TYPES, (index, hashed)), sheet.proof(index))
