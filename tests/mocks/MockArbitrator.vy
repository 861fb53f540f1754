# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title Test arbitrator (ERC-792, LDAO fees)
@custom:contract-name MockArbitrator
@license GNU Affero General Public License v3.0 only
@notice Stands in for `QualityCourt` in the tests of its arbitrables
        (escrow, registry): takes the fee like the court does, and lets the
        test give any ruling with `give_ruling`. Test code only.
"""


from ethereum.ercs import IERC20

from contracts.interfaces import IArbitrator
implements: IArbitrator

from contracts.interfaces import IArbitrable


struct Dispute:
    arbitrable: address
    choices: uint256
    ruling: uint256
    status: uint8
    fee: uint256


# @dev The fee token (LDAO).
FEE_TOKEN: public(immutable(address))


# @dev The fee of a new dispute.
fee: public(uint256)


# @dev Disputes by id, from 0.
disputes: public(HashMap[uint256, Dispute])


# @dev The number of disputes created.
dispute_count: public(uint256)


# @dev The extra data of the last `createDispute` call.
last_extra_data: public(Bytes[256])


@deploy
def __init__(fee_token_: address, fee_: uint256):
    """
    @dev Sets the fee token and the fee.
    @param fee_token_ The LDAO token.
    @param fee_ The fee of a new dispute.
    """
    FEE_TOKEN = fee_token_
    self.fee = fee_


@external
def set_fee(fee_: uint256):
    """
    @dev Changes the fee of new disputes (test control).
    @param fee_ The new fee.
    """
    self.fee = fee_


@external
def createDispute(choices: uint256, extra_data: Bytes[256]) -> uint256:
    """
    @dev Creates a dispute for the caller and pulls the fee.
    @param choices The number of choices.
    @param extra_data Stored for inspection.
    @return uint256 The dispute id.
    """
    assert choices >= 2, "mock: fewer than two choices"
    dispute_id: uint256 = self.dispute_count
    self.dispute_count = dispute_id + 1
    self.disputes[dispute_id] = Dispute(arbitrable=msg.sender, choices=choices, ruling=0, status=0, fee=self.fee)
    self.last_extra_data = extra_data
    if self.fee > 0:
        assert extcall IERC20(FEE_TOKEN).transferFrom(msg.sender, self, self.fee)
    log IArbitrator.DisputeCreation(dispute_id=dispute_id, arbitrable=msg.sender)
    return dispute_id


@external
@view
def arbitrationCost(extra_data: Bytes[256]) -> uint256:
    """
    @dev Returns the fee.
    @param extra_data Ignored.
    @return uint256 The fee.
    """
    return self.fee


@external
def appeal(dispute_id: uint256, extra_data: Bytes[256]):
    """
    @dev Not supported by the mock.
    @param dispute_id Ignored.
    @param extra_data Ignored.
    """
    raise "mock: no appeals"


@external
@view
def appealCost(dispute_id: uint256, extra_data: Bytes[256]) -> uint256:
    """
    @dev Not supported by the mock.
    @param dispute_id Ignored.
    @param extra_data Ignored.
    @return uint256 Max uint256.
    """
    return max_value(uint256)


@external
@view
def appealPeriod(dispute_id: uint256) -> (uint256, uint256):
    """
    @dev No appeal period in the mock.
    @param dispute_id Ignored.
    @return uint256 Zero.
    @return uint256 Zero.
    """
    return (0, 0)


@external
@view
def disputeStatus(dispute_id: uint256) -> uint8:
    """
    @dev Returns the status (0 Waiting, 2 Solved).
    @param dispute_id The dispute.
    @return uint8 The status.
    """
    return self.disputes[dispute_id].status


@external
@view
def currentRuling(dispute_id: uint256) -> uint256:
    """
    @dev Returns the ruling given so far.
    @param dispute_id The dispute.
    @return uint256 The ruling.
    """
    return self.disputes[dispute_id].ruling


@external
@view
def feeToken() -> address:
    """
    @dev Returns the fee token.
    @return address LDAO.
    """
    return FEE_TOKEN


@external
def give_ruling(dispute_id: uint256, ruling: uint256):
    """
    @dev Rules a dispute and calls `rule` on its arbitrable (test control).
    @param dispute_id The dispute.
    @param ruling The ruling to give.
    """
    dispute: Dispute = self.disputes[dispute_id]
    assert dispute.arbitrable != empty(address), "mock: unknown dispute"
    assert ruling <= dispute.choices, "mock: ruling out of range"
    self.disputes[dispute_id].ruling = ruling
    self.disputes[dispute_id].status = 2
    extcall IArbitrable(dispute.arbitrable).rule(dispute_id, ruling)


@external
def call_rule(arbitrable: address, dispute_id: uint256, ruling: uint256):
    """
    @dev Calls `rule` on any contract with any values, bypassing the
         dispute record (to test an arbitrable's checks).
    @param arbitrable The contract to call.
    @param dispute_id The dispute id to pass.
    @param ruling The ruling to pass.
    """
    extcall IArbitrable(arbitrable).rule(dispute_id, ruling)
