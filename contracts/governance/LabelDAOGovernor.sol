// SPDX-License-Identifier: MIT
// LabelDAO's Governor: OpenZeppelin's Governor and extensions (npm
// @openzeppelin/contracts, pinned in package.json), unmodified. LDAO votes
// (ERC-5805) decide, on the token's own ERC-6372 clock: GovernorVotes reads
// `clock()`/`CLOCK_MODE()` from the token, which is the block timestamp
// ("mode=timestamp"), so the voting delay and period are SECONDS on every
// chain (Arbitrum's block.number is an L1 estimate; OP-stack blocks are 2 s). The Governor holds the
// Timelock's PROPOSER_ROLE: a passed proposal's one call is the Timelock's
// `schedule_batch`, whose calls anyone may execute after the delay (snekmate's
// timelock speaks snake_case, so OpenZeppelin's GovernorTimelockControl,
// written for OpenZeppelin's own TimelockController, cannot drive it; see
// docs/decisions.md). Only the constructor and the overrides Solidity requires
// to combine the extensions are written here (as OpenZeppelin's Contracts
// Wizard writes them).
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorStorage} from "@openzeppelin/contracts/governance/extensions/GovernorStorage.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";

contract LabelDAOGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorStorage,
    GovernorVotes,
    GovernorVotesQuorumFraction
{
    /// @param token The LDAO token (its votes and its clock).
    /// @param initialVotingDelay Seconds from proposal to snapshot (the token's clock).
    /// @param initialVotingPeriod Seconds the vote stays open after the snapshot.
    /// @param quorumPercent Percent of the supply at the snapshot that must vote for or abstain.
    /// @param initialProposalThreshold Votes needed to propose (base units).
    constructor(
        IVotes token,
        uint48 initialVotingDelay,
        uint32 initialVotingPeriod,
        uint256 quorumPercent,
        uint256 initialProposalThreshold
    )
        Governor("LabelDAO Governor")
        GovernorSettings(initialVotingDelay, initialVotingPeriod, initialProposalThreshold)
        GovernorVotes(token)
        GovernorVotesQuorumFraction(quorumPercent)
    {}

    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingPeriod();
    }

    function quorum(uint256 timepoint) public view override(Governor, GovernorVotesQuorumFraction) returns (uint256) {
        return super.quorum(timepoint);
    }

    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override(Governor, GovernorStorage) returns (uint256) {
        return super._propose(targets, values, calldatas, description, proposer);
    }
}
