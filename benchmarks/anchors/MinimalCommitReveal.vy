# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title Minimal commit-reveal vote (gas anchor)
@custom:contract-name MinimalCommitReveal
@license GNU Affero General Public License v3.0 only
@notice The least a commit-reveal vote can do: `commit` stores one hash
        per voter; `reveal` checks it, clears it (no double reveal) and
        adds one to the tally of the choice. No periods, no seats, no
        events, no access control. Benchmark anchor only.
"""


# @dev Each voter's commitment.
commitments: public(HashMap[address, bytes32])

# @dev Votes per choice.
tally: public(HashMap[uint256, uint256])


@external
def commit(commitment: bytes32):
    """
    @dev Stores the caller's commitment.
    @param commitment `keccak256(abi_encode(voter, choice, salt))`.
    """
    self.commitments[msg.sender] = commitment


@external
def reveal(choice: uint256, salt: bytes32):
    """
    @dev Checks the caller's commitment, clears it and counts the vote.
    @param choice The choice.
    @param salt The salt.
    """
    assert keccak256(abi_encode(msg.sender, choice, salt)) == self.commitments[msg.sender], "minimal: mismatch"
    self.commitments[msg.sender] = empty(bytes32)
    self.tally[choice] += 1
