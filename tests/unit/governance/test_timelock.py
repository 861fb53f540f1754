"""Timelock (snekmate TimelockController): admin of the suite, delayed changes."""

import boa
import pytest

from labeldao.boa_tools import deployer

DELAY = 2 * 24 * 3600
ZERO_SALT = b"\x00" * 32
DEFAULT_ADMIN_ROLE = b"\x00" * 32


@pytest.fixture(scope="module")
def multisig():
    """The proposer and executor (a multisig or a Governor in production)."""
    return boa.env.generate_address("multisig")


@pytest.fixture(scope="module")
def timelock(admin, multisig):
    with boa.env.prank(admin):
        return deployer("Timelock").deploy(DELAY, [multisig], [multisig], "0x" + "00" * 20)


@pytest.fixture(scope="module")
def governed_token(token, admin, timelock):
    """The token with its admin role handed to the timelock, as deploy does."""
    token.grantRole(DEFAULT_ADMIN_ROLE, timelock.address, sender=admin)
    token.renounceRole(DEFAULT_ADMIN_ROLE, admin, sender=admin)
    return token


def _grant_minter_payload(token, account):
    return token.grantRole.prepare_calldata(token.MINTER_ROLE(), account)


def test_constructor__leaves_the_deployer_no_role(timelock, admin, multisig):
    assert not timelock.hasRole(DEFAULT_ADMIN_ROLE, admin)
    assert timelock.hasRole(DEFAULT_ADMIN_ROLE, timelock.address)
    assert timelock.hasRole(timelock.PROPOSER_ROLE(), multisig)
    assert timelock.hasRole(timelock.EXECUTOR_ROLE(), multisig)
    assert timelock.get_minimum_delay() == DELAY


def test_scheduled_change__executes_only_after_the_delay(governed_token, timelock, multisig, alice):
    token = governed_token
    payload = _grant_minter_payload(token, alice.address)
    args = (token.address, 0, payload, ZERO_SALT, ZERO_SALT)
    timelock.schedule(*args, DELAY, sender=multisig)
    with boa.reverts("timelock_controller: operation is not ready"):
        timelock.execute(*args, sender=multisig)
    boa.env.time_travel(seconds=DELAY)
    timelock.execute(*args, sender=multisig)
    assert token.hasRole(token.MINTER_ROLE(), alice.address)


def test_schedule__shorter_than_minimum_delay__reverts(governed_token, timelock, multisig, alice):
    payload = _grant_minter_payload(governed_token, alice.address)
    with boa.reverts("timelock_controller: insufficient delay"):
        timelock.schedule(
            governed_token.address, 0, payload, ZERO_SALT, ZERO_SALT, DELAY - 1, sender=multisig
        )


def test_schedule__by_non_proposer__reverts(governed_token, timelock, alice):
    payload = _grant_minter_payload(governed_token, alice.address)
    with boa.reverts("access_control: account is missing role"):
        timelock.schedule(
            governed_token.address, 0, payload, ZERO_SALT, ZERO_SALT, DELAY, sender=alice.address
        )


def test_former_admin__cannot_bypass_the_timelock(governed_token, admin, alice):
    with boa.reverts("access_control: account is missing role"):
        governed_token.grantRole(governed_token.MINTER_ROLE(), alice.address, sender=admin)


def test_constructor__proposers_and_executors__get_their_own_roles_only(admin):
    proposer, executor = boa.env.generate_address("proposer"), boa.env.generate_address("executor")
    with boa.env.prank(admin):
        timelock = deployer("Timelock").deploy(DELAY, [proposer], [executor], "0x" + "00" * 20)
    assert timelock.hasRole(timelock.PROPOSER_ROLE(), proposer)
    assert timelock.hasRole(timelock.CANCELLER_ROLE(), proposer)
    assert not timelock.hasRole(timelock.EXECUTOR_ROLE(), proposer)
    assert timelock.hasRole(timelock.EXECUTOR_ROLE(), executor)
    assert not timelock.hasRole(timelock.PROPOSER_ROLE(), executor)
    assert not timelock.hasRole(timelock.CANCELLER_ROLE(), executor)


def test_constructor__128_proposers__grants_every_one(admin):
    proposers = [boa.env.generate_address(f"proposer-{i}") for i in range(128)]
    with boa.env.prank(admin):
        timelock = deployer("Timelock").deploy(DELAY, proposers, proposers[:1], "0x" + "00" * 20)
    assert all(timelock.hasRole(timelock.PROPOSER_ROLE(), p) for p in proposers)


def test_constructor__128_executors__grants_every_one(admin):
    executors = [boa.env.generate_address(f"executor-{i}") for i in range(128)]
    with boa.env.prank(admin):
        timelock = deployer("Timelock").deploy(DELAY, executors[:1], executors, "0x" + "00" * 20)
    assert all(timelock.hasRole(timelock.EXECUTOR_ROLE(), e) for e in executors)


def test_constructor__129_executors__reverts(admin):
    executors = [boa.env.generate_address(f"executor-{i}") for i in range(129)]
    with boa.env.prank(admin), boa.reverts():  # the ABI decoder rejects the length
        deployer("Timelock").deploy(DELAY, executors[:1], executors, "0x" + "00" * 20)


def test_constructor__with_ether__keeps_it_for_operations(admin, multisig):
    """The constructor is payable, as snekmate's TimelockController: the
    timelock can be funded for operations that send ETH when deployed."""
    boa.env.set_balance(admin, 10**18)
    with boa.env.prank(admin):
        timelock = deployer("Timelock").deploy(
            DELAY, [multisig], [multisig], "0x" + "00" * 20, value=10**17
        )
    assert boa.env.get_balance(timelock.address) == 10**17


def test_constructor__129_proposers__reverts(admin):
    proposers = [boa.env.generate_address(f"proposer-{i}") for i in range(129)]
    with boa.env.prank(admin), boa.reverts():  # the ABI decoder rejects the length
        deployer("Timelock").deploy(DELAY, proposers, proposers[:1], "0x" + "00" * 20)
