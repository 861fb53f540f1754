"""The administrative surface every governed contract shares, written once.

TaskEscrow, ComputeRegistry and QualityCourt each have a guardian's pause,
a treasury changed by PARAMS_ROLE and snekmate's role administration; the
token has the roles. These tests run the same rules over each contract of
one suite deployed by the real plan (`labeldao.boa_system.deploy_boa`,
what `ape run deploy` runs), so the roles are held by the addresses that
hold them on a real deployment: the timelock (admin, PARAMS_ROLE), the
guardian, nobody else. What a pause stops is each contract's own rule and
stays in its own tests (escrow/test_pauses.py, registry/test_pauses.py,
court/test_governance.py).
"""

from __future__ import annotations

import boa
import pytest
from eth_utils import keccak

from labeldao.boa_tools import deployer
from labeldao.system import deploy_boa
from tests.helpers import events

MISSING_ROLE = "access_control: account is missing role"
ZERO = "0x" + "00" * 20
DEFAULT_ADMIN_ROLE = b"\x00" * 32
GOVERNED = ("escrow", "registry", "court")
# The contracts with `set_treasury` (the shared `treasurer` module).
WITH_TREASURY = ("escrow", "court")


@pytest.fixture(scope="module")
def suite():
    return deploy_boa()


@pytest.fixture(scope="module")
def accounts(suite) -> dict[str, str]:
    """Who holds what on a real deployment: the timelock (admin and
    PARAMS_ROLE), the guardian (GUARDIAN_ROLE), and someone with no role."""
    return {
        "timelock": suite.timelock.address,
        "guardian": suite.accounts["guardian"],
        "stranger": boa.env.generate_address("admin-surface-stranger"),
    }


@pytest.fixture(scope="module")
def timelock(accounts) -> str:
    return accounts["timelock"]


@pytest.fixture(scope="module")
def guardian(accounts) -> str:
    return accounts["guardian"]


@pytest.fixture(scope="module")
def stranger(accounts) -> str:
    return accounts["stranger"]


@pytest.fixture(params=GOVERNED)
def governed(request, suite):
    """One governed contract (titanoboa's plugin rolls each test back)."""
    return request.param, getattr(suite, request.param)


@pytest.fixture(params=("token", *GOVERNED))
def role_holder(request, suite):
    return request.param, getattr(suite, request.param)


# --- pause ---------------------------------------------------------------------


def test_pause_and_unpause__by_guardian__toggle_and_log_the_guardian(governed, guardian):
    _, contract = governed
    contract.pause(sender=guardian)
    (paused,) = events(contract, "Paused")
    assert contract.paused() and paused.account == guardian
    contract.unpause(sender=guardian)
    (unpaused,) = events(contract, "Unpaused")
    assert not contract.paused() and unpaused.account == guardian


@pytest.mark.parametrize("who", ["timelock", "stranger"])
def test_pause__by_anyone_but_the_guardian__reverts(governed, who, accounts):
    _, contract = governed
    with boa.reverts(MISSING_ROLE):
        contract.pause(sender=accounts[who])
    assert not contract.paused()


@pytest.mark.parametrize("who", ["timelock", "stranger"])
def test_unpause__by_anyone_but_the_guardian__reverts(governed, guardian, who, accounts):
    _, contract = governed
    contract.pause(sender=guardian)
    with boa.reverts(MISSING_ROLE):
        contract.unpause(sender=accounts[who])
    assert contract.paused()


def test_pause__twice__reverts(governed, guardian):
    _, contract = governed
    contract.pause(sender=guardian)
    with boa.reverts("pausable: contract is paused"):
        contract.pause(sender=guardian)


def test_unpause__when_not_paused__reverts(governed, guardian):
    _, contract = governed
    with boa.reverts("pausable: contract is not paused"):
        contract.unpause(sender=guardian)


# --- treasury ------------------------------------------------------------------
# The registry's treasury is a field of its parameters (`set_params`, tested
# in registry/test_params.py); the escrow and the court have `set_treasury`.


@pytest.fixture(params=WITH_TREASURY)
def with_treasury(request, suite):
    return request.param, getattr(suite, request.param)


def test_set_treasury__by_timelock__changes_and_logs_both(with_treasury, suite, timelock):
    _, contract = with_treasury
    new = boa.env.generate_address("admin-surface-treasury")
    contract.set_treasury(new, sender=timelock)
    (changed,) = events(contract, "TreasuryChanged")
    assert contract.treasury() == new
    assert (changed.previous, changed.treasury) == (suite.accounts["treasury"], new)


def test_set_treasury__zero__reverts(with_treasury, timelock):
    _, contract = with_treasury
    with boa.reverts("treasury: zero address"):
        contract.set_treasury(ZERO, sender=timelock)


@pytest.mark.parametrize("who", ["guardian", "stranger"])
def test_set_treasury__by_anyone_but_params_role__reverts(with_treasury, suite, who, accounts):
    _, contract = with_treasury
    with boa.reverts(MISSING_ROLE):
        contract.set_treasury(accounts[who], sender=accounts[who])
    assert contract.treasury() == suite.accounts["treasury"]


# --- roles held by contracts ---------------------------------------------------
# The timelock is a contract and a guardian may be a Safe: a role is checked
# on the calling contract (`msg.sender`), never on the account that signed
# the transaction (`tx.origin`).


@pytest.fixture
def wallet():
    """A contract wallet and its owner's EOA, neither holding a role yet."""
    owner = boa.env.generate_address("admin-surface-wallet-owner")
    return deployer("SmartWallet", "tests/mocks").deploy(sender=owner), owner


def test_pause__by_a_guardian_wallet__pauses_and_its_owner_cannot(governed, timelock, wallet):
    _, contract = governed
    safe, owner = wallet
    contract.grantRole(contract.GUARDIAN_ROLE(), safe.address, sender=timelock)
    with boa.reverts(MISSING_ROLE):
        contract.pause(sender=owner)
    safe.execute(contract.address, contract.pause.prepare_calldata(), sender=owner)
    assert contract.paused()


def test_set_treasury__by_a_params_wallet__changes_it_and_its_owner_cannot(
    with_treasury, timelock, wallet
):
    _, contract = with_treasury
    safe, owner = wallet
    contract.grantRole(contract.PARAMS_ROLE(), safe.address, sender=timelock)
    new = boa.env.generate_address("admin-surface-wallet-treasury")
    with boa.reverts(MISSING_ROLE):
        contract.set_treasury(new, sender=owner)
    safe.execute(contract.address, contract.set_treasury.prepare_calldata(new), sender=owner)
    assert contract.treasury() == new


# --- roles ---------------------------------------------------------------------


def test_role_constants__are_the_hashes_of_their_names(governed):
    _, contract = governed
    assert contract.PARAMS_ROLE() == keccak(text="PARAMS_ROLE")
    assert contract.GUARDIAN_ROLE() == keccak(text="GUARDIAN_ROLE")


def test_grant_role__by_admin__grants_and_logs(role_holder, timelock, stranger):
    name, contract = role_holder
    role = contract.MINTER_ROLE() if name == "token" else contract.GUARDIAN_ROLE()
    contract.grantRole(role, stranger, sender=timelock)
    (granted,) = events(contract, "RoleGranted")
    assert contract.hasRole(role, stranger)
    assert (granted.role, granted.account, granted.sender) == (role, stranger, timelock)


@pytest.mark.parametrize("who", ["guardian", "stranger"])
def test_grant_role__by_anyone_but_the_admin__reverts(role_holder, who, accounts):
    _, contract = role_holder
    account = accounts[who]
    with boa.reverts(MISSING_ROLE):
        contract.grantRole(DEFAULT_ADMIN_ROLE, account, sender=account)
    assert not contract.hasRole(DEFAULT_ADMIN_ROLE, account)


def test_renounce_role__for_someone_else__reverts(role_holder, timelock, guardian):
    _, contract = role_holder
    with boa.reverts("access_control: can only renounce roles for itself"):
        contract.renounceRole(DEFAULT_ADMIN_ROLE, timelock, sender=guardian)


def test_revoke_role__by_admin__takes_the_guardians_pause(governed, timelock, guardian):
    _, contract = governed
    contract.revokeRole(contract.GUARDIAN_ROLE(), guardian, sender=timelock)
    with boa.reverts(MISSING_ROLE):
        contract.pause(sender=guardian)
