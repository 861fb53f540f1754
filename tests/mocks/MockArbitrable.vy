# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title Test arbitrable (ERC-792)
@custom:contract-name MockArbitrable
@license GNU Affero General Public License v3.0 only
@notice Stands in for `TaskEscrow` and `ComputeRegistry` in the court's
        tests: opens disputes at the court, paying the fee from its own
        LDAO, and records every `rule` call. Tests can make `rule` revert,
        or try to re-enter the court from it, to show that the court stays
        safe. Test code only.
"""


from ethereum.ercs import IERC20

from contracts.interfaces import IArbitrable
implements: IArbitrable

from contracts.interfaces import IArbitrator


# @dev The court.
ARBITRATOR: public(immutable(address))

# @dev The fee token (LDAO).
TOKEN: public(immutable(address))

# @dev The last ruling received per dispute.
ruling_of: public(HashMap[uint256, uint256])

# @dev How many times `rule` was called per dispute.
rule_calls: public(HashMap[uint256, uint256])

# @dev Whether `rule` reverts (test control).
revert_on_rule: public(bool)

# @dev Whether `rule` tries to open a dispute at the court (test control).
reenter_on_rule: public(bool)


@deploy
def __init__(arbitrator_: address, token_: address):
    """
    @dev Sets the court and the fee token.
    @param arbitrator_ The court.
    @param token_ LDAO.
    """
    ARBITRATOR = arbitrator_
    TOKEN = token_


@external
def create_dispute(choices: uint256, extra_data: Bytes[256]) -> uint256:
    """
    @dev Opens a dispute at the court, approving and paying its fee.
    @param choices The number of choices.
    @param extra_data Passed through.
    @return uint256 The court's dispute id.
    """
    cost: uint256 = staticcall IArbitrator(ARBITRATOR).arbitrationCost(extra_data)
    assert extcall IERC20(TOKEN).approve(ARBITRATOR, cost)
    return extcall IArbitrator(ARBITRATOR).createDispute(choices, extra_data)


@external
def set_revert_on_rule(flag: bool):
    """
    @dev Makes `rule` revert or not (test control).
    @param flag True to revert.
    """
    self.revert_on_rule = flag


@external
def set_reenter_on_rule(flag: bool):
    """
    @dev Makes `rule` call back into the court (test control).
    @param flag True to re-enter.
    """
    self.reenter_on_rule = flag


@external
def rule(dispute_id: uint256, ruling: uint256):
    """
    @dev Records a ruling from the court.
    @param dispute_id The court's dispute id.
    @param ruling The ruling.
    """
    assert msg.sender == ARBITRATOR, "mock: only the arbitrator"
    assert not self.revert_on_rule, "mock: rule reverted"
    if self.reenter_on_rule:
        extcall IArbitrator(ARBITRATOR).createDispute(2, b"")
    self.ruling_of[dispute_id] = ruling
    self.rule_calls[dispute_id] += 1
    log IArbitrable.Ruling(arbitrator=msg.sender, dispute_id=dispute_id, ruling=ruling)
