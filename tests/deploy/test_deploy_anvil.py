"""`ape run deploy` on a real anvil node: complete, idempotent, resumable."""

import json

from eth_utils import keccak

from tests.deploy.conftest import DeployRun, start_anvil, stop_anvil

DEFAULT_ADMIN_ROLE = "0x" + "00" * 32


def _record(deploy) -> dict:
    return json.loads(deploy.record.read_text())


def _call(anvil, address: str, signature: str, *words: str) -> str:
    selector = keccak(text=signature)[:4].hex()
    data = "0x" + selector + "".join(w.removeprefix("0x").rjust(64, "0") for w in words)
    return anvil.rpc("eth_call", [{"to": address, "data": data}, "latest"])


def _has_role(anvil, contract: str, role: str, account: str) -> bool:
    return int(_call(anvil, contract, "hasRole(bytes32,address)", role, account), 16) == 1


def _deployer_nonce(anvil, record: dict) -> int:
    return int(anvil.rpc("eth_getTransactionCount", [record["deployer"], "latest"]), 16)


def test_deploy__wires_roles_and_leaves_deployer_none(deploy, anvil):
    result = deploy()
    assert result.returncode == 0, result.stderr
    record = _record(deploy)
    assert record["complete"] is True
    token = record["contracts"]["RewardToken"]["address"]
    timelock = record["contracts"]["Timelock"]["address"]
    minter = "0x" + keccak(text="MINTER_ROLE").hex()
    assert _has_role(anvil, token, DEFAULT_ADMIN_ROLE, timelock)
    assert _has_role(anvil, token, minter, timelock)
    assert not _has_role(anvil, token, DEFAULT_ADMIN_ROLE, record["deployer"])
    assert not _has_role(anvil, token, minter, record["deployer"])
    assert "holds no role" in result.stdout


def test_deploy__run_twice__sends_nothing_the_second_time(deploy, anvil):
    assert deploy().returncode == 0
    first = _record(deploy)
    nonce = _deployer_nonce(anvil, first)
    again = deploy()
    assert again.returncode == 0, again.stderr
    assert _record(deploy)["contracts"] == first["contracts"]
    assert _deployer_nonce(anvil, first) == nonce
    assert "already" in again.stdout


def test_deploy__crash_after_sending__resumes_without_redeploying(deploy, anvil):
    crashed = deploy(env={"LABELDAO_DEPLOY_CRASH_AFTER": "RewardToken"})
    assert crashed.returncode == 75, crashed.stdout + crashed.stderr
    partial = _record(deploy)
    assert "RewardToken" not in partial["contracts"]
    assert partial["pending"]["name"] == "RewardToken"
    resumed = deploy()
    assert resumed.returncode == 0, resumed.stderr
    record = _record(deploy)
    assert "adopted" in resumed.stdout
    assert record["contracts"]["RewardToken"]["address"] == partial["pending"]["address"]
    assert record["contracts"]["Timelock"] == partial["contracts"]["Timelock"]
    assert record["complete"] is True


def test_deploy__bad_params__fails_with_a_clear_message(deploy, tmp_path):
    params = tmp_path / "bad.toml"
    params.write_text('network = "local"\n[token]\ncap = 0\n')
    result = deploy("--params", str(params))
    assert result.returncode != 0
    assert "token.cap: Input should be greater than 0" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_deploy__node_restarted_with_its_state__resumes(tmp_path, free_port):
    state = tmp_path / "anvil-state.json"
    node = start_anvil(free_port, state)
    run = DeployRun(node, tmp_path / "deployment.json")
    try:
        crashed = run(env={"LABELDAO_DEPLOY_CRASH_AFTER": "RewardToken"})
        assert crashed.returncode == 75
    finally:
        stop_anvil(node)
    restarted = start_anvil(free_port, state)
    try:
        resumed = DeployRun(restarted, run.record)()
        assert resumed.returncode == 0, resumed.stderr
        record = _record(run)
        assert record["complete"] is True
        assert "adopted" in resumed.stdout
        assert len(record["contracts"]) == 2
    finally:
        stop_anvil(restarted)
