"""`ape run govern` as LDAO holders run it: subprocesses against a real anvil
node on which `ape run deploy` put the suite with a [governor] table (the
Governor is the timelock's only proposer, anyone may execute; voting delay
60 s, period 600 s on the token's timestamp clock, quorum 4 %, timelock delay
60 s).

TEST::1 holds 1,000,000 of the 3,000,000 LDAO minted (33 %); TEST::4 gets
10 LDAO from TEST::3, far below the 120,000 LDAO quorum. Time moves with
`evm_increaseTime` and `evm_mine` (anvil's time travel); no block is mined
to pass a vote, as on an L2 where block numbers mean nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from labeldao.boa_tools import REPO_ROOT
from labeldao.config import params_path
from tests.deploy.conftest import Anvil, DeployRun, _free_port, start_anvil, stop_anvil
from tests.deploy.test_court_cli import Chain

LDAO = 10**18
ZERO = "0x" + "00" * 20
HOLDER = "TEST::1"
SMALL_HOLDER = "TEST::4"
COURT_PARAMS = ["uint256"] * 12 + ["address"]
ALPHA = 1  # index of alpha_bps in the court's Params

VOTING_DELAY, VOTING_PERIOD = 60, 600
GOVERNOR_TABLE = f"""
[governor]
voting_delay = {VOTING_DELAY}              # seconds (the token's clock is the block timestamp)
voting_period = {VOTING_PERIOD}            # seconds
quorum_percent = 4             # of the supply at the snapshot
"""
DATE = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"


class Govern:
    """Runs `ape run govern ...` against the node."""

    def __init__(self, node: Anvil, record: Path) -> None:
        self.node, self.record = node, record

    def __call__(self, *args: str, account: str | None = HOLDER) -> subprocess.CompletedProcess:
        command = [shutil.which("ape") or "ape", "run", "govern", *args]
        command += ["--network", "ethereum:local:foundry"]
        if "--deployment" not in args:
            command += ["--deployment", str(self.record)]
        if account is not None:
            command += ["--account", account]
        env = {
            **os.environ,
            "APE_FOUNDRY_HOST": self.node.url,
            "PYTHONWARNINGS": "ignore::UserWarning:pydantic_settings.sources.utils",
        }
        return subprocess.run(
            command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
        )

    def ok(self, *args: str, account: str | None = HOLDER) -> str:
        result = self(*args, account=account)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        return " ".join(result.stdout.split())

    def refused(self, *args: str, account: str | None = HOLDER) -> str:
        """A command that must fail: non-zero exit, one line, no traceback."""
        result = self(*args, account=account)
        assert result.returncode != 0, result.stdout
        assert "Traceback" not in result.stdout + result.stderr
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
        assert len(errors) == 1, result.stderr
        return " ".join(errors[0].split())


def _governed_params(directory: Path) -> Path:
    text = params_path("local").read_text().replace('proposers = ["test:9"]', "proposers = []")
    text = text.replace('executors = ["test:9"]', f'executors = ["{ZERO}"]')  # anyone executes
    path = directory / "governed.toml"
    path.write_text(text + GOVERNOR_TABLE)
    return path


@pytest.fixture(scope="module")
def governed(tmp_path_factory):
    """One deployment with a Governor, shared by the tests of this module."""
    node = start_anvil(_free_port())
    directory = tmp_path_factory.mktemp("governed")
    run = DeployRun(node, directory / "deployment.json")
    try:
        deployed = run("--params", str(_governed_params(directory)))
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        chain = Chain(node, run.record)
        assert "LabelDAOGovernor" in chain.at
        yield chain, Govern(node, run.record)
    finally:
        stop_anvil(node)


def _alpha(chain: Chain) -> int:
    (version,) = chain.call("QualityCourt", "params_version()", ["uint256"])
    return chain.call("QualityCourt", "params(uint256)", COURT_PARAMS, version)[ALPHA]


def _wait(chain: Chain, seconds: int) -> None:
    """anvil's time travel: the next block is `seconds` later."""
    chain.node.rpc("evm_increaseTime", [seconds])
    chain.node.rpc("evm_mine")


def _proposal_id(output: str) -> str:
    match = re.search(r"proposed (\d+)", output)
    assert match, output
    return match.group(1)


def test_govern_cli__slash_rate__proposed_voted_queued_executed_through_the_timelock(governed):
    chain, govern = governed
    before = _alpha(chain)
    assert before != 5000
    assert "voting power 1,000,000 LDAO" in govern.ok("delegate")

    proposed = govern.ok("propose", "--set", "court.alpha_bps=5000")
    assert f"QualityCourt.set_params: alpha_bps {before} -> 5000" in proposed
    pid = _proposal_id(proposed)
    assert re.search(f"voting opens after {DATE} \\(in (1m|\\d+s)", proposed), proposed
    pending = govern.refused("vote", pid, "for")
    assert re.search(f"is Pending: voting opens after {DATE} \\(in ", pending), pending

    _wait(chain, VOTING_DELAY + 1)
    voted = govern.ok("vote", pid, "for")
    assert "for 1,000,000 LDAO, against 0 LDAO" in voted
    assert "quorum 120,000 LDAO" in voted
    assert "you already voted" in govern.refused("vote", pid, "against")
    early = govern.refused("queue", pid)
    assert re.search(f"cannot be queued: it is Active; voting closes after {DATE} \\(in ", early)
    active = govern.ok("status", pid, account=None)
    assert re.search(f"snapshot {DATE} \\([\\dms ]+ ago\\)", active), active
    assert re.search(f"deadline {DATE} \\(in \\d+m", active), active

    _wait(chain, VOTING_PERIOD)
    status = govern.ok("status", pid, account=None)
    assert f"proposal {pid}: Succeeded" in status
    assert "QualityCourt.set_params(min_juror_stake=" in status
    assert "alpha_bps=5000" in status
    assert "anyone may queue it in the timelock now" in status

    queued = govern.ok("queue", pid)
    assert "executable from" in queued and "(the timelock's delay)" in queued
    assert "the timelock's delay ends at" in govern.refused("execute", pid)
    assert _alpha(chain) == before

    _wait(chain, 61)
    executed = govern.ok("execute", pid, account="TEST::5")  # anyone may execute
    assert f"executed {pid}: Executed" in executed
    assert _alpha(chain) == 5000
    assert "executed: nothing left to do" in govern.ok("status", pid, account=None)


def test_govern_cli__quorum_not_reached__defeated_and_changes_nothing(governed):
    chain, govern = governed
    before = _alpha(chain)
    chain.send(3, "RewardToken", "transfer(address,uint256)", chain.accounts[4], 10 * LDAO)
    assert "voting power 10 LDAO" in govern.ok("delegate", account=SMALL_HOLDER)
    pid = _proposal_id(govern.ok("propose", "--set", "court.alpha_bps=7000", account=SMALL_HOLDER))
    _wait(chain, VOTING_DELAY + 1)
    assert "for 10 LDAO" in govern.ok("vote", pid, "for", account=SMALL_HOLDER)
    _wait(chain, VOTING_PERIOD)

    status = govern.ok("status", pid, account=None)
    assert f"proposal {pid}: Defeated" in status
    assert "quorum not reached: 10 LDAO for or abstaining, 120,000 LDAO needed" in status
    assert "cannot be queued: it is Defeated" in govern.refused("queue", pid)
    refused = govern.refused("execute", pid)
    assert "cannot be executed: it is Defeated; defeated (quorum not reached" in refused
    assert "it does nothing" in refused
    assert _alpha(chain) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["propose", "--set", "court.nope=1"], "QualityCourt has no parameter 'nope'"),
        (["propose", "--set", "treasury.x=1"], "unknown target 'treasury'"),
        (["propose", "--set", "court.alpha_bps"], "write TARGET.FIELD=VALUE"),
        (["propose", "--set", "court.alpha_bps=lots"], "'lots' is not an integer"),
        (["propose"], "give at least one --set"),
        (["status", "123"], "no proposal 123"),
        (["vote", "123", "for"], "no proposal 123"),
        (["execute", "123"], "no proposal 123"),
        (["status", "--deployment", "/nonexistent.json"], "no deployment record"),
    ],
)
def test_govern_cli__bad_input__one_line_error(governed, args, message):
    _, govern = governed
    assert message in govern.refused(*args)


def test_govern_cli__no_account__says_how_to_choose_one(governed):
    _, govern = governed
    assert "--account is required" in govern.refused("vote", "1", "for", account=None)
