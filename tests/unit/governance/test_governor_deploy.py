"""The deploy plan with a [governor] table: an unmodified OpenZeppelin
Governor becomes the timelock's proposer, and its parameters are validated."""

from __future__ import annotations

from pathlib import Path

import boa
import pytest

from labeldao.config import ParamsError, load_params, params_path
from labeldao.deploy import role_id
from labeldao.system import GOVERNOR_ROLES, boa_test_account, deploy_boa

GOVERNOR_TABLE = """
[governor]
voting_delay = 60       # seconds: the token's clock is the block timestamp
voting_period = 600     # seconds
quorum_percent = 4
"""


def governed_params(tmp_path: Path, table: str = GOVERNOR_TABLE, proposers: str = "[]") -> Path:
    """local.toml with the Governor as the timelock's only proposer."""
    text = params_path("local").read_text()
    text = text.replace('proposers = ["test:9"]', f"proposers = {proposers}")
    path = tmp_path / "governed.toml"
    path.write_text(text + table)
    return path


def _load(path: Path):
    return load_params(path, is_local=True, test_account=boa_test_account)


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    with boa.env.anchor():
        yield deploy_boa(governed_params(tmp_path_factory.mktemp("gov")))


def test_deploy__governor_table__governor_is_the_timelocks_only_proposer(system):
    timelock, governor = system.timelock, system.governor
    for role in GOVERNOR_ROLES:
        assert timelock.hasRole(role_id(role), governor.address)
    assert not timelock.hasRole(role_id("EXECUTOR_ROLE"), governor.address)
    assert not timelock.hasRole(role_id("PROPOSER_ROLE"), boa_test_account(9))
    assert not timelock.hasRole(role_id("DEFAULT_ADMIN_ROLE"), system.deployer)
    assert timelock.hasRole(role_id("DEFAULT_ADMIN_ROLE"), timelock.address)


def test_deploy__governor_table__parameters_reach_the_governor(system):
    governor = system.governor
    assert (governor.votingDelay(), governor.votingPeriod()) == (60, 600)
    assert governor.quorumNumerator() == 4
    assert governor.proposalThreshold() == 0
    assert governor.token() == system.token.address
    assert governor.CLOCK_MODE() == system.token.CLOCK_MODE() == "mode=timestamp"


def test_deploy__no_governor_table__no_governor_and_no_timelock_admin():
    with boa.env.anchor():
        plain = deploy_boa()
    assert "LabelDAOGovernor" not in plain.contracts


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ("voting_delay = 0\nvoting_period = 20\nquorum_percent = 4", "governor.voting_delay"),
        ("voting_delay = 1\nvoting_period = 0\nquorum_percent = 4", "governor.voting_period"),
        ("voting_delay = 1\nvoting_period = 20\nquorum_percent = 101", "governor.quorum_percent"),
        ("voting_delay = 1\nvoting_period = 20\nquorum_percent = 0", "governor.quorum_percent"),
        ("voting_delay = 1\nvoting_period = 20", "governor.quorum_percent"),
        (
            "voting_delay = 1\nvoting_period = 20\nquorum_percent = 4\nproposal_threshold = -1",
            "governor.proposal_threshold",
        ),
        ("voting_delay = 1\nvoting_period = 20\nquorum_percent = 4\nquorum = 5", "governor.quorum"),
    ],
)
def test_params__bad_governor_value__names_its_field(tmp_path, table, field):
    with pytest.raises(ParamsError) as error:
        _load(governed_params(tmp_path, "\n[governor]\n" + table + "\n"))
    assert f"{field}:" in str(error.value)


def test_params__no_proposer_and_no_governor__refused(tmp_path):
    with pytest.raises(ParamsError, match="timelock.proposers: list at least one proposer"):
        _load(governed_params(tmp_path, table=""))
