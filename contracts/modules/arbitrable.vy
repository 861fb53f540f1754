# pragma version ~=0.4.3
"""
@title The arbitrable side of ERC-792, with ERC-1497 evidence
@custom:contract-name arbitrable
@license GNU Affero General Public License v3.0 only
@notice The dispute -> item map of an arbitrable contract (an item is
        whatever the contract disputes: a task, a report), keyed by the
        arbitrator because dispute ids are unique per arbitrator only.
        `_open_dispute` pulls the arbitration fee (and whatever the
        contract asks with it) from the caller, pays it to the arbitrator
        and records the dispute; its extra data names the two parties
        (the caller, who paid the fee, first: `abi_encode(payer,
        other_party)`) followed by the contract's own extra data, so that
        the court never seats a party and refunds the fee to its payer
        (docs/decisions.md, "Parties in the extra data"); `_take_ruling` accepts a ruling from that
        arbitrator only, once, in range. ERC-1497: evidence group = the
        arbitrator's dispute id.
@custom:security The arbitrator is trusted to rule; it must take exactly
                 its quoted fee (no allowance is left to it) and return a
                 dispute id it never returned to this contract before.
"""


from ethereum.ercs import IERC20


from ..interfaces import IArbitrable
from ..interfaces import IArbitrator
from ..interfaces import IEvidence


from . import utils


# @dev Longest extra data of a contract's own (the parties take 64 bytes
# of ERC-792's 256).
PARAMS_EXTRA_DATA_LENGTH: constant(uint256) = 192


# @dev Flag of a dispute whose ruling was taken (bit 255 of its record).
_RULED: constant(uint256) = 2**255


# @dev Item + 1 of each dispute, per arbitrator, with `_RULED` once ruled
# (0: no such dispute).
_dispute_items: HashMap[address, HashMap[uint256, uint256]]


@internal
def _open_dispute(
    token: address,
    arbitrator: address,
    params_extra_data: Bytes[PARAMS_EXTRA_DATA_LENGTH],
    item: uint256,
    also_pull: uint256,
    other_party: address,
) -> (uint256, uint256):
    """
    @dev Opens a two-choice dispute about `item` (below 2**255): pulls the
         arbitration fee plus `also_pull` from the caller in one transfer,
         approves the fee to the arbitrator, creates the dispute. Call it
         after the contract's own effects.
    @param token The fee token (the arbitrator's `feeToken`).
    @param arbitrator The arbitrator.
    @param params_extra_data The contract's extra data (e.g. a sub-court),
           sent after the parties.
    @param item The disputed item.
    @param also_pull What else the caller pays in the same transfer.
    @param other_party The party opposing the caller.
    @return uint256 The dispute id.
    @return uint256 The fee paid.
    """
    extra_data: Bytes[256] = concat(abi_encode(msg.sender, other_party), params_extra_data)
    fee: uint256 = staticcall IArbitrator(arbitrator).arbitrationCost(extra_data)
    if fee + also_pull != 0:
        assert extcall IERC20(token).transferFrom(msg.sender, self, fee + also_pull)
    if fee != 0:
        assert extcall IERC20(token).approve(arbitrator, fee)
    dispute_id: uint256 = extcall IArbitrator(arbitrator).createDispute(2, extra_data)
    # Nothing of the contract's other tokens stays approved to it.
    utils._require(
        staticcall IERC20(token).allowance(self, arbitrator) == 0, "arbitrable: arbitrator did not take its fee"
    )
    utils._require(self._dispute_items[arbitrator][dispute_id] == 0, "arbitrable: dispute id reused")
    self._dispute_items[arbitrator][dispute_id] = item + 1
    return dispute_id, fee


@internal
def _take_ruling(dispute_id: uint256, ruling: uint256, max_ruling: uint256) -> uint256:
    """
    @dev Accepts the caller's ruling of its dispute, once, and logs
         ERC-792's `Ruling`.
    @param dispute_id The caller's dispute id.
    @param ruling The ruling.
    @param max_ruling The highest ruling (the number of choices).
    @return uint256 The disputed item.
    """
    record: uint256 = self._dispute_items[msg.sender][dispute_id]
    utils._require(record != 0, "arbitrable: unknown dispute")
    utils._require(record & _RULED == 0, "arbitrable: dispute already ruled")
    utils._require(ruling <= max_ruling, "arbitrable: ruling out of range")
    self._dispute_items[msg.sender][dispute_id] = record | _RULED
    log IArbitrable.Ruling(arbitrator=msg.sender, dispute_id=dispute_id, ruling=ruling)
    # record & ~_RULED >= 1: it was stored as item + 1.
    return unsafe_sub(record, 1)


@internal
@view
def _item_of(arbitrator: address, dispute_id: uint256) -> (bool, uint256):
    """
    @dev Returns whether a dispute is the contract's, and its item.
    @param arbitrator The arbitrator.
    @param dispute_id Its dispute id.
    @return bool Whether the dispute is known.
    @return uint256 The item (0 if unknown).
    """
    record: uint256 = self._dispute_items[arbitrator][dispute_id] & ~_RULED
    if record == 0:
        return False, 0
    return True, unsafe_sub(record, 1)


@internal
def _log_dispute(arbitrator: address, dispute_id: uint256, meta_evidence_id: uint256):
    """
    @dev Logs ERC-1497's `Dispute` (evidence group = dispute id).
    @param arbitrator The arbitrator.
    @param dispute_id The dispute id.
    @param meta_evidence_id Its meta-evidence.
    """
    log IEvidence.Dispute(
        arbitrator=arbitrator, dispute_id=dispute_id, meta_evidence_id=meta_evidence_id, evidence_group_id=dispute_id
    )


@internal
def _log_evidence(arbitrator: address, dispute_id: uint256, evidence: String[256]):
    """
    @dev Logs ERC-1497's `Evidence` from the caller.
    @param arbitrator The arbitrator.
    @param dispute_id The dispute id (the evidence group).
    @param evidence The evidence URI.
    """
    log IEvidence.Evidence(arbitrator=arbitrator, evidence_group_id=dispute_id, party=msg.sender, evidence=evidence)


@internal
def _log_meta_evidence(meta_evidence_id: uint256, evidence: String[256]):
    """
    @dev Logs ERC-1497's `MetaEvidence`.
    @param meta_evidence_id The meta-evidence id.
    @param evidence The meta-evidence URI.
    """
    log IEvidence.MetaEvidence(meta_evidence_id=meta_evidence_id, evidence=evidence)
