"""The escrow's two Merkle trees, built exactly as `TaskEscrow` verifies them.

- The **answer tree** of a submission: one leaf per item,
  `(uint256 item_index, bytes32 answer_hash)`; its root is `result_root`.
- The **gold tree** of a task: one leaf per hidden gold item,
  `(uint256 item_index, bytes32 answer_hash, bytes32 salt)`; its root is
  `gold_root`, committed at creation. The salt keeps a low-entropy answer
  (a class label) from being guessed from the root.

Both are OpenZeppelin `StandardMerkleTree`s (double-hashed leaves, sorted
pairs; see `labeldao.merkle`), so requesters and annotators can also build
them with `@openzeppelin/merkle-tree`. `gold_failure_args` returns the
arguments of `prove_gold_failure` for one gold item.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from eth_utils import keccak

from labeldao.merkle import ValueTree

ANSWER_TYPES = ("uint256", "bytes32")
GOLD_TYPES = ("uint256", "bytes32", "bytes32")


def answer_hash(answer: str | bytes) -> bytes:
    """The `answer_hash` of an answer: keccak256 of its bytes (UTF-8 for text)."""
    return keccak(answer.encode() if isinstance(answer, str) else answer)


def new_salt() -> bytes:
    """A fresh random 32-byte salt for a gold item."""
    return os.urandom(32)


@dataclass(frozen=True)
class GoldItem:
    """A hidden gold item: the expected answer of one item, salted."""

    item_index: int
    answer_hash: bytes
    salt: bytes

    def row(self) -> tuple[int, bytes, bytes]:
        """The leaf's values in `GOLD_TYPES` order."""
        return (self.item_index, self.answer_hash, self.salt)


@dataclass(frozen=True)
class AnswerTree:
    """An annotator's answers, one per item, and their Merkle tree."""

    answers: Mapping[int, bytes]
    tree: ValueTree

    @property
    def root(self) -> bytes:
        """The `result_root` to submit."""
        return self.tree.root

    def proof(self, item_index: int) -> list[bytes]:
        """The proof of the answer to `item_index` against `root`."""
        return self.tree.proof((item_index, self.answers[item_index]))


@dataclass(frozen=True)
class GoldTree:
    """A requester's gold items and their Merkle tree."""

    items: Mapping[int, GoldItem]
    tree: ValueTree

    @property
    def root(self) -> bytes:
        """The `gold_root` to commit at creation."""
        return self.tree.root

    def proof(self, item_index: int) -> list[bytes]:
        """The proof of the gold item `item_index` against `root`."""
        return self.tree.proof(self.items[item_index].row())


def answer_tree(answers: Mapping[int, bytes]) -> AnswerTree:
    """Builds the answer tree of `{item_index: answer_hash}` (at least one item)."""
    _check_indices(answers)
    rows = [(index, answers[index]) for index in sorted(answers)]
    return AnswerTree(answers=dict(answers), tree=ValueTree.of(ANSWER_TYPES, rows))


def gold_tree(items: Iterable[GoldItem]) -> GoldTree:
    """Builds the gold tree of `items` (at least one, one per item index)."""
    by_index: dict[int, GoldItem] = {}
    for item in items:
        if item.item_index in by_index:
            raise ValueError(f"two gold items for item {item.item_index}")
        by_index[item.item_index] = item
    _check_indices(by_index)
    rows = [by_index[index].row() for index in sorted(by_index)]
    return GoldTree(items=by_index, tree=ValueTree.of(GOLD_TYPES, rows))


def gold_failure_args(
    task_id: int, gold: GoldTree, answers: AnswerTree, item_index: int
) -> tuple[int, int, bytes, bytes, list[bytes], bytes, list[bytes]]:
    """The arguments of `TaskEscrow.prove_gold_failure` for one gold item.

    Raises `ValueError` when the annotator's answer matches the gold answer
    (the contract would revert: there is no failure to prove).
    """
    item = gold.items[item_index]
    submitted = answers.answers[item_index]
    if submitted == item.answer_hash:
        raise ValueError(f"item {item_index}: the answer matches the gold answer")
    return (
        task_id,
        item_index,
        item.answer_hash,
        item.salt,
        gold.proof(item_index),
        submitted,
        answers.proof(item_index),
    )


def _check_indices(rows: Mapping[int, object]) -> None:
    """Item indices must be uint256 values; a tree needs at least one row."""
    if not rows:
        raise ValueError("a tree needs at least one item")
    for index in rows:
        if not 0 <= index < 2**256:
            raise ValueError(f"item index {index} is not a uint256")
