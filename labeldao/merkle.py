"""Merkle trees and proofs exactly as LabelDAO's contracts verify them.

The contracts verify with snekmate's `merkle_proof_verification` (sorted-pair
keccak256, as OpenZeppelin's `MerkleProof`). Leaves follow OpenZeppelin's
`StandardMerkleTree`: `keccak256(keccak256(abi_encode(values...)))`. Hashing
the leaf twice makes a leaf (a hash of a hash) impossible to confuse with an
inner node (a hash of 64 bytes), and it means requesters and providers can
build the same trees with OpenZeppelin's JavaScript `@openzeppelin/merkle-tree`
library.

Tree shape is OpenZeppelin's too: leaves sorted by hash, stored at the end of
a flat array, parents at `(i - 1) // 2`, so roots and proofs match its output
for the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi import encode
from eth_utils import keccak


def leaf_hash(types: Sequence[str], values: Sequence[Any]) -> bytes:
    """`keccak256(keccak256(abi_encode(values)))`, OpenZeppelin's standard leaf."""
    return keccak(keccak(encode(list(types), list(values))))


def hash_pair(a: bytes, b: bytes) -> bytes:
    """Parent of two nodes: keccak256 of the pair in ascending order."""
    return keccak(a + b) if a < b else keccak(b + a)


def process_proof(leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that `leaf` and `proof` lead to (what the contract computes)."""
    node = leaf
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node


def verify(root: bytes, leaf: bytes, proof: Sequence[bytes]) -> bool:
    """True when `proof` shows `leaf` is in the tree of `root`."""
    return process_proof(leaf, proof) == root


@dataclass(frozen=True)
class MerkleTree:
    """A complete tree over leaf hashes, in OpenZeppelin's flat layout."""

    nodes: tuple[bytes, ...]
    leaf_positions: dict[bytes, int]

    @classmethod
    def from_leaves(cls, leaves: Sequence[bytes]) -> MerkleTree:
        """Builds the tree of the given leaf hashes (at least one, no duplicates)."""
        if not leaves:
            raise ValueError("a Merkle tree needs at least one leaf")
        if len(set(leaves)) != len(leaves):
            raise ValueError("duplicate leaves: each value must appear once")
        ordered = sorted(leaves)
        size = 2 * len(ordered) - 1
        nodes: list[bytes] = [b""] * size
        for i, leaf in enumerate(ordered):
            nodes[size - 1 - i] = leaf
        for i in range(size - len(ordered) - 1, -1, -1):
            nodes[i] = hash_pair(nodes[2 * i + 1], nodes[2 * i + 2])
        positions = {nodes[i]: i for i in range(size - len(ordered), size)}
        return cls(nodes=tuple(nodes), leaf_positions=positions)

    @property
    def root(self) -> bytes:
        """The root hash."""
        return self.nodes[0]

    def proof(self, leaf: bytes) -> list[bytes]:
        """The sibling hashes from `leaf` up to the root."""
        try:
            index = self.leaf_positions[leaf]
        except KeyError:
            raise ValueError("leaf is not in the tree") from None
        proof = []
        while index > 0:
            sibling = index - 1 if index % 2 == 0 else index + 1
            proof.append(self.nodes[sibling])
            index = (index - 1) // 2
        return proof


@dataclass(frozen=True)
class ValueTree:
    """A tree over typed values (e.g. `(item_index, answer_hash)` rows)."""

    types: tuple[str, ...]
    values: tuple[tuple[Any, ...], ...]
    tree: MerkleTree

    @classmethod
    def of(cls, types: Sequence[str], values: Sequence[Sequence[Any]]) -> ValueTree:
        """Builds the tree of `values`, each row ABI-encoded with `types`."""
        rows = tuple(tuple(v) for v in values)
        leaves = [leaf_hash(types, row) for row in rows]
        return cls(types=tuple(types), values=rows, tree=MerkleTree.from_leaves(leaves))

    @property
    def root(self) -> bytes:
        """The root hash."""
        return self.tree.root

    def leaf(self, row: Sequence[Any]) -> bytes:
        """The leaf hash of one row."""
        return leaf_hash(self.types, row)

    def proof(self, row: Sequence[Any]) -> list[bytes]:
        """The proof of one row."""
        return self.tree.proof(self.leaf(row))
