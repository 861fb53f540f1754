# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title LabelDAO Timelock
@custom:contract-name Timelock
@license GNU Affero General Public License v3.0 only
@notice snekmate's audited `TimelockController`, deployed unchanged. It holds
        every contract's `DEFAULT_ADMIN_ROLE` and `PARAMS_ROLE`, and LDAO's
        `MINTER_ROLE`, so that every parameter change waits at least
        `get_minimum_delay` seconds (>= 2 days on public networks) after a
        proposer (a multisig or a Governor) schedules it, and anyone can see
        it coming.
@custom:security The constructor makes the timelock its own admin and
                 revokes the deployer's admin role; pass `admin_ =
                 empty(address)` so that no account keeps an undelayed admin.
"""


from snekmate.auth import access_control
initializes: access_control


from snekmate.governance import timelock_controller
initializes: timelock_controller[access_control := access_control]


exports: timelock_controller.__interface__


@deploy
@payable
def __init__(
    minimum_delay_: uint256,
    proposers_: DynArray[address, 128],
    executors_: DynArray[address, 128],
    admin_: address,
):
    """
    @dev Deploys the timelock.
    @param minimum_delay_ The minimum delay in seconds of every operation.
    @param proposers_ The accounts that may schedule (and cancel) operations.
    @param executors_ The accounts that may execute ready operations
           (`empty(address)` in the list lets anyone execute).
    @param admin_ An optional undelayed admin; pass `empty(address)`.
    """
    access_control.__init__()
    timelock_controller.__init__(minimum_delay_, proposers_, executors_, admin_)
