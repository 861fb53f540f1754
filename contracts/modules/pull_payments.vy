# pragma version ~=0.4.3
"""
@title Pull payments
@custom:contract-name pull_payments
@license GNU Affero General Public License v3.0 only
@notice What a contract owes each account, and `_withdraw`, the only way
        its tokens leave to an account it credited. `total_owed` is
        everything the contract owes: at least the sum of `owed`, plus
        what a user counts as held for open obligations (`_hold`, e.g. the
        escrow's live tasks); credits out of held funds use
        `_credit_held`, fresh credits `_credit`. One event, `Withdrawn`,
        logged before the transfer: checks, effects, then the transfer.
@custom:security The token must be an ERC-20 that returns `True` or
                 reverts (LDAO does).
"""


from ethereum.ercs import IERC20


from . import utils


# @dev What each account may withdraw.
owed: HashMap[address, uint256]


# @dev Everything the contract owes (see the header).
total_owed: uint256


# @dev `account` withdrew what it was owed.
event Withdrawn:
    account: indexed(address)
    amount: uint256


@internal
def _credit(account: address, amount: uint256):
    """
    @dev Credits `amount` to `account` and counts it in the total.
    @param account The receiver.
    @param amount The amount (zero: nothing happens).
    """
    if amount != 0:
        self.owed[account] += amount
        self.total_owed += amount


@internal
def _credit_held(account: address, amount: uint256):
    """
    @dev Credits `amount` out of funds already counted in the total.
    @param account The receiver.
    @param amount The amount (zero: nothing happens).
    """
    if amount != 0:
        self.owed[account] += amount


@internal
def _hold(amount: uint256):
    """
    @dev Counts `amount` in the total: held for an open obligation.
    @param amount The amount.
    """
    self.total_owed += amount


@internal
def _withdraw(token: address, nothing_reason: String[64]) -> uint256:
    """
    @dev Pays the caller everything it is owed, in `token`.
    @param token The token paid.
    @param nothing_reason The revert string when nothing is owed.
    @return uint256 The amount paid.
    """
    amount: uint256 = self.owed[msg.sender]
    utils._require(amount != 0, nothing_reason)
    self.owed[msg.sender] = 0
    # total_owed >= owed[msg.sender] (header): no underflow.
    self.total_owed = unsafe_sub(self.total_owed, amount)
    log Withdrawn(account=msg.sender, amount=amount)
    assert extcall IERC20(token).transfer(msg.sender, amount)
    return amount
