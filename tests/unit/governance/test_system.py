"""labeldao.system.deploy_boa: the suite wired exactly as `ape run deploy` wires it."""

import boa
import pytest

from labeldao.config import params_path
from labeldao.deploy import DeployError, role_id
from labeldao.system import ALL_ROLES, ROLELESS, deploy_boa

LOCAL = params_path("local").read_text()


@pytest.fixture(scope="module")
def system():
    return deploy_boa()


def test_deploy_boa__wires_every_role(system):
    token, timelock = system.token, system.timelock
    for minter in (system.escrow, system.registry, timelock):
        assert token.hasRole(role_id("MINTER_ROLE"), minter.address)
    for governed in (system.court, system.escrow, system.registry):
        assert governed.hasRole(role_id("PARAMS_ROLE"), timelock.address)
        assert governed.hasRole(role_id("GUARDIAN_ROLE"), system.accounts["guardian"])
        assert governed.hasRole(role_id("DEFAULT_ADMIN_ROLE"), timelock.address)
    assert system.escrow.TOKEN() == token.address
    assert system.registry.TOKEN() == token.address
    assert system.court.TOKEN() == token.address


def test_deploy_boa__leaves_the_deployer_no_role(system):
    for name in system.contracts:
        if name in ROLELESS:
            continue
        for role in ALL_ROLES:
            assert not system.contracts[name].hasRole(role_id(role), system.deployer)


def test_deploy_boa__mints_the_initial_allocations(system):
    assert system.token.totalSupply() == 3 * 10**24


def test_deploy_boa__applies_parameter_overrides(tmp_path):
    params = tmp_path / "local.toml"
    params.write_text(
        LOCAL.replace("params = {}", "params = { fee_bps = 100 }", 1).replace(
            "epoch_seconds = 600", "epoch_seconds = 600\nparams = { panel_size = 5 }"
        )
    )
    with boa.env.anchor():
        system = deploy_boa(params)
        assert system.escrow.current_params().fee_bps == 100
        assert system.court.params(system.court.params_version()).panel_size == 5


def test_deploy_boa__with_unknown_parameter__fails_by_name(tmp_path):
    params = tmp_path / "local.toml"
    params.write_text(LOCAL.replace("params = {}", "params = { fee = 1 }", 1))
    with boa.env.anchor(), pytest.raises(DeployError, match=r"unknown parameters \['fee'\]"):
        deploy_boa(params)
