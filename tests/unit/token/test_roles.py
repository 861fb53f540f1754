"""RewardToken: role administration (snekmate access_control)."""

import boa

from tests.helpers import events

DEFAULT_ADMIN_ROLE = b"\x00" * 32


def test_grant_role__by_admin__grants_and_logs(token, admin, alice):
    role = token.MINTER_ROLE()
    token.grantRole(role, alice.address, sender=admin)
    (granted,) = events(token, "RoleGranted")
    assert token.hasRole(role, alice.address)
    assert (granted.role, granted.account, granted.sender) == (role, alice.address, admin)


def test_revoke_role__removes_minting(token, admin, minter, alice):
    token.revokeRole(token.MINTER_ROLE(), minter, sender=admin)
    assert not token.hasRole(token.MINTER_ROLE(), minter)
    with boa.reverts("access_control: account is missing role"):
        token.mint(alice.address, 1, sender=minter)


def test_renounce_admin__leaves_no_one_to_grant(token, admin, alice):
    token.renounceRole(DEFAULT_ADMIN_ROLE, admin, sender=admin)
    assert not token.hasRole(DEFAULT_ADMIN_ROLE, admin)
    with boa.reverts("access_control: account is missing role"):
        token.grantRole(token.MINTER_ROLE(), alice.address, sender=admin)


def test_set_role_admin__by_admin__changes_admin_role(token, admin):
    role = token.MINTER_ROLE()
    token.set_role_admin(role, role, sender=admin)
    (changed,) = events(token, "RoleAdminChanged")
    assert token.getRoleAdmin(role) == role
    assert changed.newAdminRole == role
