"""`ape run deploy` on a real anvil node: complete, idempotent, resumable."""

import json

import pytest
from eth_utils import keccak

from labeldao.boa_tools import REPO_ROOT
from labeldao.system import ROLELESS
from tests.deploy.conftest import DeployRun, start_anvil, stop_anvil

DEFAULT_ADMIN_ROLE = "0x" + "00" * 32
LOCAL = (REPO_ROOT / "deployments" / "params" / "local.toml").read_text()


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


ROLES = ["MINTER_ROLE", "PARAMS_ROLE", "GUARDIAN_ROLE", "PROPOSER_ROLE", "EXECUTOR_ROLE"]


def _role(name: str) -> str:
    return "0x" + keccak(text=name).hex()


def _assert_integrator_fields(anvil, record: dict) -> None:
    """Each contract's block is the one that mined its creation, and the
    record names its ABI file (which exists) and compiler."""
    assert record["chain_id"] == int(anvil.rpc("eth_chainId"), 16)
    for name, entry in record["contracts"].items():
        receipt = anvil.rpc("eth_getTransactionReceipt", [entry["tx_hash"]])
        assert receipt["contractAddress"].lower() == entry["address"].lower(), name
        assert entry["block"] == int(receipt["blockNumber"], 16), name
        assert entry["abi"] == f"abi/{name}.json" and (REPO_ROOT / entry["abi"]).exists()
        assert entry["compiler"] == "vyper 0.4.3"


def test_deploy__wires_roles_and_leaves_deployer_none(deploy, anvil):
    result = deploy()
    assert result.returncode == 0, result.stderr
    record = _record(deploy)
    assert record["complete"] is True
    at = {name: entry["address"] for name, entry in record["contracts"].items()}
    assert set(at) == {
        "Timelock",
        "RewardToken",
        "PrevrandaoRandomness",
        "QualityCourt",
        "QualityCourtLens",
        "SortitionTree",
        "TaskEscrow",
        "ComputeRegistry",
        "ComputeRegistryLens",
    }
    # The node was already running: Ape connected to it (APE_FOUNDRY_HOST)
    # and left it running, with the suite on it.
    assert anvil.process.poll() is None
    _assert_integrator_fields(anvil, record)
    guardian = record["params"]["roles"]["guardian"]
    for minter in ("TaskEscrow", "ComputeRegistry", "Timelock"):
        assert _has_role(anvil, at["RewardToken"], _role("MINTER_ROLE"), at[minter])
    for governed in ("QualityCourt", "TaskEscrow", "ComputeRegistry"):
        assert _has_role(anvil, at[governed], _role("PARAMS_ROLE"), at["Timelock"])
        assert _has_role(anvil, at[governed], _role("GUARDIAN_ROLE"), guardian)
    for contract in ("RewardToken", "QualityCourt", "TaskEscrow", "ComputeRegistry"):
        assert _has_role(anvil, at[contract], DEFAULT_ADMIN_ROLE, at["Timelock"])
    # Contracts with roles (the randomness source and the lenses have none).
    for contract in set(at) - ROLELESS:
        for role in [DEFAULT_ADMIN_ROLE, *map(_role, ROLES)]:
            assert not _has_role(anvil, at[contract], role, record["deployer"])
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
    assert record["contracts"]["Timelock"]["address"] == partial["contracts"]["Timelock"]["address"]
    assert record["complete"] is True
    # The adopted contract's block is found from the deployer's nonce alone.
    adopted = record["contracts"]["RewardToken"]
    assert adopted["tx_hash"] is None
    code_before = anvil.rpc("eth_getCode", [adopted["address"], hex(adopted["block"] - 1)])
    assert code_before == "0x"
    assert anvil.rpc("eth_getCode", [adopted["address"], hex(adopted["block"])]) != "0x"


def test_deploy__bad_params__fails_with_a_clear_message(deploy, tmp_path):
    params = tmp_path / "bad.toml"
    params.write_text(LOCAL.replace("cap = 1_000_000_000_000_000_000_000_000_000", "cap = 0"))
    result = deploy("--params", str(params))
    assert result.returncode != 0
    assert "token.cap: Input should be greater than 0" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


# After SortitionTree: the court must still land at the address the tree was
# made for (the deployer's next creation), which a resumed run sends from.
@pytest.mark.parametrize("crash_after", ["RewardToken", "SortitionTree"])
def test_deploy__node_restarted_with_its_state__resumes(tmp_path, free_port, crash_after):
    state = tmp_path / "anvil-state.json"
    node = start_anvil(free_port, state)
    run = DeployRun(node, tmp_path / "deployment.json")
    try:
        crashed = run(env={"LABELDAO_DEPLOY_CRASH_AFTER": crash_after})
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
        assert len(record["contracts"]) == 9
    finally:
        stop_anvil(restarted)


def test_deploy__parameter_overrides__are_set_before_the_handover(deploy, anvil, tmp_path):
    params = tmp_path / "overrides.toml"
    params.write_text(
        LOCAL.replace("epoch_seconds = 600", "epoch_seconds = 600\nparams = { panel_size = 5 }")
    )
    result = deploy("--params", str(params))
    assert result.returncode == 0, result.stderr
    assert "set {'panel_size': 5}" in result.stdout
    court = _record(deploy)["contracts"]["QualityCourt"]["address"]
    version = int(_call(anvil, court, "params_version()"), 16)
    raw = _call(anvil, court, "params(uint256)", hex(version))
    words = [int(raw[2 + 64 * i : 2 + 64 * (i + 1)], 16) for i in range(13)]
    assert words[4] == 5  # panel_size
    again = deploy("--params", str(params))
    assert again.returncode == 0, again.stderr
    assert "already set" in again.stdout


def test_deploy__unknown_parameter__is_refused_by_name(deploy, tmp_path):
    params = tmp_path / "typo.toml"
    params.write_text(
        LOCAL.replace("epoch_seconds = 600", "epoch_seconds = 600\nparams = { panle_size = 5 }")
    )
    result = deploy("--params", str(params))
    assert result.returncode != 0
    assert "unknown parameters ['panle_size']" in result.stderr + result.stdout
