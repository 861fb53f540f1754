# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title snekmate ERC-20 anchor
@custom:contract-name SnekmateERC20
@license GNU Affero General Public License v3.0 only
@notice snekmate 0.1.2's `erc20` module deployed unchanged (as its own
        `erc20_mock` does), so that `make bench` compares LDAO's gas with
        the audited reference in the same EVM and the same run.
"""


from snekmate.auth import ownable
initializes: ownable


from snekmate.tokens import erc20
initializes: erc20[ownable := ownable]


exports: erc20.__interface__


@deploy
@payable
def __init__():
    """
    @dev Deploys the reference token; the deployer is owner and minter.
    """
    ownable.__init__()
    erc20.__init__("Snekmate Token", "SNEK", 18, "Snekmate Token", "1")
