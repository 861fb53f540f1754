# pragma version ~=0.4.3
"""
@title The roles of LabelDAO's mechanism contracts
@custom:contract-name roles
@license GNU Affero General Public License v3.0 only
@notice One definition of the two roles every mechanism contract grants
        besides snekmate's `DEFAULT_ADMIN_ROLE`: PARAMS_ROLE (the timelock:
        parameters and the treasury) and GUARDIAN_ROLE (the guardian:
        pause and unpause). Role events are snekmate's `access_control`
        ones: `RoleGranted`, `RoleRevoked`, `RoleAdminChanged`.
"""


from snekmate.auth import access_control
uses: access_control


# @dev Changes parameters and the treasury (the timelock).
PARAMS_ROLE: public(constant(bytes32)) = keccak256("PARAMS_ROLE")


# @dev Pauses and unpauses entries (the guardian).
GUARDIAN_ROLE: public(constant(bytes32)) = keccak256("GUARDIAN_ROLE")


@internal
@view
def _check_params_role():
    """
    @dev Reverts unless the caller holds PARAMS_ROLE.
    """
    access_control._check_role(PARAMS_ROLE, msg.sender)


@internal
@view
def _check_guardian_role():
    """
    @dev Reverts unless the caller holds GUARDIAN_ROLE.
    """
    access_control._check_role(GUARDIAN_ROLE, msg.sender)
