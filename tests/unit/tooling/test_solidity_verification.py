"""`ape run deploy --verify` and the Governor: ape-etherscan publishes only
what Ape compiled, so the deploy writes the Governor's standard JSON input
for the explorer's "Solidity (Standard-Json-Input)" form. The input must
recompile, with no file from node_modules, to the bytecode that was deployed."""

from __future__ import annotations

import json
import shutil
import subprocess

from eth_abi import encode

from labeldao.paths import REPO_ROOT
from labeldao.solidity import artifact, write_verification_input
from labeldao.system import GOVERNOR, GOVERNOR_SOURCE

TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
# Recompiles a standard JSON input with solc-js and no import callback: a
# source missing from the input fails the compilation.
RECOMPILE = """
const solc = require("solc");
const out = JSON.parse(solc.compile(require("fs").readFileSync(process.argv[1], "utf8")));
const errors = (out.errors || []).filter((e) => e.severity === "error").map((e) => e.message);
const unit = out.contracts && out.contracts["LabelDAOGovernor.sol"];
process.stdout.write(JSON.stringify({
  errors, bytecode: unit ? unit.LabelDAOGovernor.evm.bytecode.object : null,
}));
"""


def test_governor_verification_input__recompiles_to_the_deployed_bytecode(tmp_path):
    args = [TOKEN, 3_600, 86_400, 4, 0]  # as the record holds them
    path = tmp_path / "base-sepolia.LabelDAOGovernor.input.json"
    line = write_verification_input(REPO_ROOT / GOVERNOR_SOURCE, GOVERNOR, args, path)

    built = artifact(REPO_ROOT / GOVERNOR_SOURCE, GOVERNOR)
    encoded = encode(["address", "uint48", "uint32", "uint256", "uint256"], args).hex()
    version = built["solc"].split(".Emscripten")[0]
    assert line == (
        f"LabelDAOGovernor: verify on the explorer as 'Solidity (Standard-Json-Input)' with "
        f"{path}, compiler v{version}, contract LabelDAOGovernor.sol:LabelDAOGovernor, "
        f"constructor arguments {encoded}"
    )
    assert version.startswith("0.8.") and "+commit." in version

    written = json.loads(path.read_text())
    assert written["language"] == "Solidity"
    assert any(
        name.startswith("@openzeppelin/contracts/governance/") for name in written["sources"]
    )
    node = shutil.which("node")
    assert node is not None, "node is required (make install)"
    out = subprocess.run(
        [node, "-e", RECOMPILE, str(path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    recompiled = json.loads(out.stdout)
    assert recompiled["errors"] == []
    assert recompiled["bytecode"] == built["bytecode"]
