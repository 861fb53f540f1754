# pragma version ~=0.4.3
"""
@title erc20_votes harness without a cap
@custom:contract-name ERC20VotesHarness
@license GNU Affero General Public License v3.0 only
@notice Exposes `_mint` of `contracts/modules/erc20_votes.vy` with no cap, to
        test the module's own 96-bit supply limit. Test code only.
"""


from contracts.modules import erc20_votes
initializes: erc20_votes


exports: erc20_votes.__interface__


@deploy
def __init__():
    """
    @dev Initialises the module.
    """
    erc20_votes.__init__("Harness", "HRN", 18, "Harness", "1")


@external
def mint(owner: address, amount: uint256):
    """
    @dev Unrestricted `_mint`.
    @param owner The receiver.
    @param amount The amount.
    """
    erc20_votes._mint(owner, amount)
