# pragma version ~=0.4.3
"""
@title Merkle verification harness
@custom:contract-name MerkleHarness
@license GNU Affero General Public License v3.0 only
@notice Exposes snekmate's proof verification and the leaf encoding the
        contracts use, to check `labeldao.merkle` against them. Test code only.
"""


from snekmate.utils import merkle_proof_verification as mpv


@external
@pure
def verify(proof: DynArray[bytes32, 255], root: bytes32, leaf: bytes32) -> bool:
    """
    @dev snekmate's `_verify`.
    @param proof The sibling hashes.
    @param root The root.
    @param leaf The leaf hash.
    @return bool Whether the proof holds.
    """
    return mpv._verify(proof, root, leaf)


@external
@pure
def answer_leaf(item_index: uint256, answer_hash: bytes32) -> bytes32:
    """
    @dev The double-hashed leaf of an `(item_index, answer_hash)` row.
    @param item_index The item.
    @param answer_hash The answer's hash.
    @return bytes32 The leaf.
    """
    return keccak256(concat(keccak256(abi_encode(item_index, answer_hash)), b""))
