"""examples/read_deployment.py, the integrator's web3.py example, against a
real anvil node on which `ape run deploy` put the suite: one dispute opened
through the escrow, one GPU node registered."""

import json
import subprocess
import sys

from eth_utils import to_checksum_address

from labeldao.boa_tools import REPO_ROOT
from tests.deploy.test_court_cli import LDAO, Chain, _open_dispute

SCRIPT = REPO_ROOT / "examples" / "read_deployment.py"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120
    )


def test_example__reads_disputes_nodes_and_balances_from_the_record(deploy, anvil):
    assert deploy().returncode == 0
    chain = Chain(anvil, deploy.record)
    _open_dispute(chain)
    chain.send(
        3, "RewardToken", "approve(address,uint256)", chain.at["ComputeRegistry"], 2**256 - 1
    )
    signature = "register_node(bytes32,string,uint256,uint256)"
    chain.send(3, "ComputeRegistry", signature, b"\x01" * 32, "ipfs://specs", 2, 0)
    requester, annotator = (to_checksum_address(chain.accounts[i]) for i in (2, 3))

    result = _run(str(deploy.record), "--rpc", anvil.url, "--account", requester, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    record = json.loads(deploy.record.read_text())
    assert report["chain_id"] == 31337
    (dispute,) = report["disputes"]
    assert dispute["id"] == 0 and dispute["arbitrable"] == chain.at["TaskEscrow"]
    assert (dispute["status"], dispute["rounds"], dispute["final"]) == ("waiting", 1, False)
    assert dispute["opened_in_block"] > record["contracts"]["QualityCourt"]["block"]
    (node,) = report["nodes"]
    assert (node["id"], node["owner"], node["status"], node["gpus"]) == (1, annotator, "active", 2)
    assert node["stake"] == 2 * 100 * LDAO  # tier 0: 100 LDAO per GPU
    (held,) = chain.call("RewardToken", "balanceOf(address)", ["uint256"], requester)
    assert report["balances"][requester] == held < 1_000_000 * LDAO
    assert report["balances"]["ComputeRegistry"] == node["stake"]

    text = _run(str(deploy.record), "--rpc", anvil.url).stdout
    assert f"#0 from {chain.at['TaskEscrow']}: waiting, round(s) 1, ruling 0" in text
    assert f"#1 {annotator}: active, tier 0, 2 GPU(s), stake 200.00 LDAO" in text


def test_example__bad_input__one_line_errors(tmp_path):
    missing = _run(str(tmp_path / "none.json"))
    assert missing.returncode != 0 and "no deployment record" in missing.stderr
    assert "Traceback" not in missing.stderr
    record = tmp_path / "r.json"
    record.write_text('{"contracts": {}}')
    silent = _run(str(record), "--rpc", "http://127.0.0.1:9")
    assert "error: no node answers at http://127.0.0.1:9" in silent.stderr
    assert "Traceback" not in silent.stderr
