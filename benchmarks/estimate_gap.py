"""How far `eth_estimateGas` falls short for a votes token: gas used over the
estimate, on a real anvil node, for LDAO (timestamp clock) and, as the anchor
in the same run, OpenZeppelin's ERC20Votes (block-number clock).

A node estimates in the context of the latest block. A delegate whose latest
checkpoint is at that block's timepoint is estimated as an overwrite of its
checkpoint, but mined in a later block (a later second, or a later block
number) it archives that checkpoint and may write a fresh slot (22,100 gas)
per delegate and for the supply. This is what the rehearsals' gas multiplier
covers (docs/decisions.md, "The gas-estimate multiplier").

    python -m benchmarks.estimate_gap     # needs anvil on PATH (npm install)

Not part of `make bench`: it starts its own anvil node and prints a table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vyper.compiler.output import build_abi_output
from web3 import Web3

from labeldao import solidity
from labeldao.boa_tools import REPO_ROOT, deployer
from tests.deploy.conftest import _free_port, start_anvil, stop_anvil

LDAO = 10**18
# Seconds between the latest block and the block the transaction lands in.
GAPS = (0, 1, 12)


def _deploy(w3: Web3, abi: list, bytecode: str, *args: Any) -> Any:
    tx = (
        w3.eth.contract(abi=abi, bytecode=bytecode)
        .constructor(*args)
        .transact({"from": w3.eth.accounts[0]})
    )
    address = w3.eth.wait_for_transaction_receipt(tx).contractAddress
    return w3.eth.contract(address=address, abi=abi)


def _ldao(w3: Web3) -> Any:
    data = deployer("RewardToken").compiler_data
    token = _deploy(w3, build_abi_output(data), "0x" + data.bytecode.hex(), 10**9 * LDAO)
    minter = token.functions.MINTER_ROLE().call()
    token.functions.grantRole(minter, w3.eth.accounts[0]).transact({"from": w3.eth.accounts[0]})
    return token


def _oz(w3: Web3) -> Any:
    built = solidity.artifact(REPO_ROOT / "benchmarks/anchors/OZVotesToken.sol", "OZVotesToken")
    return _deploy(w3, built["abi"], built["bytecode"])


def _ratio(w3: Web3, call: Any, sender: str, gap: int) -> float:
    """Gas used / estimate of `call`, mined `gap` seconds after the latest block."""
    latest = w3.eth.get_block("latest")["timestamp"]
    estimate = call.estimate_gas({"from": sender})
    w3.provider.make_request("evm_setNextBlockTimestamp", [latest + gap])
    receipt = w3.eth.wait_for_transaction_receipt(
        call.transact({"from": sender, "gas": 3 * estimate})
    )
    assert receipt.status == 1
    return receipt.gasUsed / estimate


def _measure(w3: Web3, token: Any) -> dict[str, float]:
    """Worst ratio per action over checkpoint parities and time gaps."""
    owner, alice, bob = w3.eth.accounts[:3]
    for holder in (alice, bob):
        token.functions.delegate(holder).transact({"from": holder})
    worst: dict[str, float] = {}

    def record(action: str, run: Callable[[int], float]) -> None:
        for gap in GAPS:
            for _ in range(2):  # both halves of a packed archive slot
                worst[action] = max(worst.get(action, 0.0), run(gap))

    record(
        "mint to a delegated holder",
        lambda g: _ratio(w3, token.functions.mint(alice, LDAO), owner, g),
    )
    record(
        "transfer between two delegates",
        lambda g: _ratio(w3, token.functions.transfer(bob, LDAO // 10), alice, g),
    )
    return worst


def main() -> None:
    node = start_anvil(_free_port())
    try:
        w3 = Web3(Web3.HTTPProvider(node.url))
        rows = {
            "LDAO (timestamp)": _measure(w3, _ldao(w3)),
            "OZ ERC20Votes (block number)": _measure(w3, _oz(w3)),
        }
    finally:
        stop_anvil(node)
    print(f"{'gas used / eth_estimateGas, worst case':<42}" + "".join(f"{k:>30}" for k in rows))
    for action in next(iter(rows.values())):
        print(f"{action:<42}" + "".join(f"{r[action]:>30.3f}" for r in rows.values()))


if __name__ == "__main__":
    main()
