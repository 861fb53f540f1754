# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title Re-entrant arbitrable (an attacker's contract)
@custom:contract-name ReentrantArbitrable
@license GNU Affero General Public License v3.0 only
@notice An attacker's ERC-792 arbitrable for the whole-system fuzzer: its
        owner opens disputes at the court (the fee comes from the
        contract's own LDAO) and chooses what `rule` does when the court
        delivers a ruling: call back into the court with any calldata
        (`execute_ruling` of the same dispute, `withdraw`, `execute`,
        `createDispute`, ...), and either let a refused call revert the
        whole delivery (`swallow` off) or ignore the refusal and accept the
        ruling (`swallow` on, the refusal recorded in `reentry_refused`).
        The court's `@nonreentrant` lock must refuse every call into a
        locked function, so the only effect a delivery can have is the
        ruling itself. Test code only.
"""


from ethereum.ercs import IERC20


from contracts.interfaces import IArbitrable
implements: IArbitrable


from contracts.interfaces import IArbitrator


# @dev The court the disputes are opened at.
COURT: public(immutable(address))


# @dev The fee token (LDAO).
TOKEN: public(immutable(address))


# @dev The attacker: the only account that opens disputes and sets the plan.
OWNER: public(immutable(address))


# @dev Calldata `rule` sends back to the court (empty: no call).
reentry: public(Bytes[256])


# @dev Whether a refused call back is ignored (True) or reverts `rule`.
swallow: public(bool)


# @dev The last ruling received per dispute.
ruling_of: public(HashMap[uint256, uint256])


# @dev How many times `rule` completed per dispute.
rule_calls: public(HashMap[uint256, uint256])


# @dev How many calls back into the court were refused and swallowed.
reentry_refused: public(uint256)


# @dev How many calls back into the court went through.
reentry_accepted: public(uint256)


@deploy
def __init__(court_: address, token_: address):
    """
    @dev Sets the court and the fee token; the deployer is the owner.
    @param court_ The court.
    @param token_ LDAO.
    """
    COURT = court_
    TOKEN = token_
    OWNER = msg.sender


@external
def create_dispute(choices: uint256) -> uint256:
    """
    @dev Opens a dispute at the court, approving and paying its fee.
    @param choices The number of choices.
    @return uint256 The court's dispute id.
    """
    assert msg.sender == OWNER, "attacker: only the owner"
    cost: uint256 = staticcall IArbitrator(COURT).arbitrationCost(b"")
    assert extcall IERC20(TOKEN).approve(COURT, cost)
    return extcall IArbitrator(COURT).createDispute(choices, b"")


@external
def set_plan(reentry_: Bytes[256], swallow_: bool):
    """
    @dev Sets what `rule` does.
    @param reentry_ The calldata to send back to the court (empty: none).
    @param swallow_ Whether to ignore a refused call back.
    """
    assert msg.sender == OWNER, "attacker: only the owner"
    self.reentry = reentry_
    self.swallow = swallow_


@external
def rule(dispute_id: uint256, ruling: uint256):
    """
    @dev Receives a ruling from the court, after the planned call back.
    @param dispute_id The court's dispute id.
    @param ruling The ruling.
    """
    assert msg.sender == COURT, "attacker: only the court"
    if len(self.reentry) != 0:
        if self.swallow:
            accepted: bool = raw_call(COURT, self.reentry, revert_on_failure=False)
            if accepted:
                self.reentry_accepted += 1
            else:
                self.reentry_refused += 1
        else:
            raw_call(COURT, self.reentry)
            self.reentry_accepted += 1
    self.ruling_of[dispute_id] = ruling
    self.rule_calls[dispute_id] += 1
    log IArbitrable.Ruling(arbitrator=msg.sender, dispute_id=dispute_id, ruling=ruling)
