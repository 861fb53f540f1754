"""An unmodified OpenZeppelin Governor runs a proposal with LDAO votes.

Compiled from npm @openzeppelin/contracts with solc-js (tests/mocks/OZGovernor.sol):
the Governor reads `clock`, `CLOCK_MODE`, `getPastVotes` and
`getPastTotalSupply` from the token exactly as it would from OpenZeppelin's
own ERC20Votes. The token's clock is the block timestamp, so the Governor's
voting delay (60) and period (600) are seconds, and time moves in seconds.
"""

import boa
import pytest
from eth_utils import keccak

from labeldao import solidity

LDAO = 10**18
PENDING, ACTIVE, DEFEATED, SUCCEEDED, EXECUTED = 0, 1, 3, 4, 7
AGAINST, FOR = 0, 1
VOTING_DELAY, VOTING_PERIOD = 60, 600  # seconds (tests/mocks/OZGovernor.sol)


@pytest.fixture(scope="module")
def governor(token):
    limit = boa.env.evm.patch.code_size_limit
    boa.env.evm.patch.code_size_limit = 2**32  # OpenZeppelin's Governor is large
    try:
        return solidity.deploy("tests/mocks/OZGovernor.sol", "OZGovernor", token.address)
    finally:
        boa.env.evm.patch.code_size_limit = limit


@pytest.fixture
def voters(token, fund, governor, alice, bob):
    fund(alice.address, 600 * LDAO)
    fund(bob.address, 400 * LDAO)
    fund(governor.address, 50 * LDAO)
    token.delegate(alice.address, sender=alice.address)
    token.delegate(bob.address, sender=bob.address)
    boa.env.time_travel(seconds=1)
    return alice, bob


def _proposal(token, receiver, amount):
    calldata = token.transfer.prepare_calldata(receiver, amount)
    return [token.address], [0], [calldata], f"pay {amount} to {receiver}"


def _vote_through(governor, proposal, ballots):
    targets, values, calldatas, description = proposal
    proposer = ballots[0][0]
    governor.propose(targets, values, calldatas, description, sender=proposer)
    proposal_id = governor.hashProposal(targets, values, calldatas, keccak(text=description))
    assert governor.state(proposal_id) == PENDING
    boa.env.time_travel(seconds=VOTING_DELAY)
    assert governor.state(proposal_id) == PENDING  # the snapshot second itself
    boa.env.time_travel(seconds=1)
    assert governor.state(proposal_id) == ACTIVE
    for voter, support in ballots:
        governor.castVote(proposal_id, support, sender=voter)
    return proposal_id


def test_governor__reads_the_token_clock(governor, token):
    assert governor.token() == token.address
    assert governor.CLOCK_MODE() == token.CLOCK_MODE() == "mode=timestamp"
    assert governor.clock() == token.clock() == boa.env.evm.patch.timestamp


def test_governor__snapshot_and_deadline__are_seconds_from_the_proposal(governor, token, voters):
    alice, _ = voters
    proposal = _proposal(token, alice.address, 1)
    targets, values, calldatas, description = proposal
    proposed_at = boa.env.evm.patch.timestamp
    governor.propose(targets, values, calldatas, description, sender=alice.address)
    proposal_id = governor.hashProposal(targets, values, calldatas, keccak(text=description))
    assert governor.proposalSnapshot(proposal_id) == proposed_at + VOTING_DELAY
    assert governor.proposalDeadline(proposal_id) == proposed_at + VOTING_DELAY + VOTING_PERIOD


def test_governor__passes_and_executes_a_proposal(governor, token, voters, carol):
    alice, bob = voters
    proposal = _proposal(token, carol.address, 10 * LDAO)
    proposal_id = _vote_through(governor, proposal, [(alice.address, FOR), (bob.address, AGAINST)])
    snapshot = governor.proposalSnapshot(proposal_id)
    assert governor.getVotes(alice.address, snapshot) == 600 * LDAO
    assert governor.quorum(snapshot) == token.getPastTotalSupply(snapshot) * 4 // 100
    assert governor.proposalDeadline(proposal_id) == snapshot + VOTING_PERIOD
    boa.env.time_travel(seconds=VOTING_PERIOD - 1)
    assert governor.state(proposal_id) == ACTIVE  # the deadline second itself
    boa.env.time_travel(seconds=1)
    assert governor.state(proposal_id) == SUCCEEDED
    targets, values, calldatas, description = proposal
    governor.execute(targets, values, calldatas, keccak(text=description))
    assert governor.state(proposal_id) == EXECUTED
    assert token.balanceOf(carol.address) == 10 * LDAO


def test_governor__counts_votes_at_the_snapshot_not_after(governor, token, voters, carol):
    alice, bob = voters
    proposal = _proposal(token, carol.address, LDAO)
    targets, values, calldatas, description = proposal
    governor.propose(targets, values, calldatas, description, sender=alice.address)
    proposal_id = governor.hashProposal(targets, values, calldatas, keccak(text=description))
    boa.env.time_travel(seconds=VOTING_DELAY + 1)
    assert governor.proposalSnapshot(proposal_id) < token.clock()
    # After the snapshot, alice moves all her tokens to bob: too late to count.
    token.transfer(bob.address, 600 * LDAO, sender=alice.address)
    governor.castVote(proposal_id, FOR, sender=alice.address)
    governor.castVote(proposal_id, AGAINST, sender=bob.address)
    against, for_votes, _ = governor.proposalVotes(proposal_id)
    assert (for_votes, against) == (600 * LDAO, 400 * LDAO)
    boa.env.time_travel(seconds=VOTING_PERIOD)
    assert governor.state(proposal_id) == SUCCEEDED


def test_governor__without_quorum__defeats_the_proposal(governor, token, fund, alice, carol):
    fund(alice.address, 10 * LDAO)
    fund(carol.address, 990 * LDAO)  # never delegated: counts for quorum, votes nothing
    token.delegate(alice.address, sender=alice.address)
    boa.env.time_travel(seconds=1)
    proposal_id = _vote_through(
        governor, _proposal(token, carol.address, 1), [(alice.address, FOR)]
    )
    boa.env.time_travel(seconds=VOTING_PERIOD + 1)
    assert governor.state(proposal_id) == DEFEATED
