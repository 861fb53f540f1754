# pragma version ~=0.4.3
"""
@title Smart wallet (test)
@custom:contract-name SmartWallet
@license GNU Affero General Public License v3.0 only
@notice A contract account that makes calls for its owner, as Safe or an
        ERC-4337 wallet does: the called contract sees the wallet as
        `msg.sender` and the owner's EOA as `tx.origin`. Test code only.
"""

OWNER: public(immutable(address))


@deploy
def __init__():
    """
    @dev The deployer owns the wallet.
    """
    OWNER = msg.sender


@external
def execute(target: address, data: Bytes[1024]) -> Bytes[256]:
    """
    @dev Calls `target` with `data` from the wallet (owner only).
    @param target The contract to call.
    @param data The calldata.
    @return Bytes[256] What the call returned.
    """
    assert msg.sender == OWNER, "wallet: not the owner"
    return raw_call(target, data, max_outsize=256)
