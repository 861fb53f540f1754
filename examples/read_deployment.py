"""Read a LabelDAO deployment with web3.py alone (no Ape): its disputes, its
GPU nodes and LDAO balances, from a deployment record and the ABI files.

    python examples/read_deployment.py deployments/sepolia.json \\
        --rpc https://sepolia.example/rpc --account 0xYourAddress

The record (`ape run deploy` writes `deployments/<network>.json`) gives each
contract's address, ABI file (`abi/<Contract>.json`, relative to the
repository) and deployment block, from which the event scan starts. `--json`
prints one JSON document instead of text. Status numbers are explained in
docs/EVENTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.contract import Contract

REPO = Path(__file__).resolve().parents[1]
LDAO = 10**18
DISPUTE_STATUS = ["waiting", "appealable", "solved"]  # QualityCourt.disputeStatus
NODE_STATUS = {1: "active", 2: "deactivated", 3: "withdrawn"}  # ComputeRegistry.NODE_*


def load_contracts(w3: Web3, record: dict[str, Any], abi_root: Path) -> dict[str, Contract]:
    """Every contract of the record, with the ABI file the record names."""
    contracts = {}
    for name, entry in record["contracts"].items():
        abi = json.loads((abi_root / entry["abi"]).read_text())
        contracts[name] = w3.eth.contract(address=entry["address"], abi=abi)
    return contracts


def disputes(court: Contract, lens: Contract, from_block: int) -> list[dict[str, Any]]:
    """Every dispute of the court: who opened it, its state and ruling (the
    court's decoding views are its lens's, `QualityCourtLens`)."""
    opened = {
        log["args"]["dispute_id"]: log["blockNumber"]
        for log in court.events.DisputeCreated.get_logs(from_block=from_block)
    }
    found = []
    for dispute_id in range(court.functions.dispute_count().call()):
        info = lens.functions.dispute_info(court.address, dispute_id).call()
        arbitrable, choices, rounds, _, final, ruling, executed = info
        status = court.functions.disputeStatus(dispute_id).call()
        found.append(
            {
                "id": dispute_id,
                "arbitrable": arbitrable,
                "choices": choices,
                "rounds": rounds,
                "status": DISPUTE_STATUS[status],
                "final": final,
                "ruling": ruling,
                "ruling_executed": executed,
                "opened_in_block": opened.get(dispute_id),
            }
        )
    return found


def nodes(registry: Contract) -> list[dict[str, Any]]:
    """Every GPU node ever registered (ids 1..node_count)."""
    found = []
    for node_id in range(1, registry.functions.node_count().call() + 1):
        node = registry.functions.node(node_id).call()
        owner, tier, status, gpu_count = node[:4]
        found.append(
            {
                "id": node_id,
                "owner": owner,
                "tier": tier,
                "status": NODE_STATUS.get(status, str(status)),
                "gpus": gpu_count,
                "stake": node[6],
            }
        )
    return found


def balances(token: Contract, holders: dict[str, str]) -> dict[str, int]:
    """LDAO balances (base units) of named holders."""
    return {label: token.functions.balanceOf(a).call() for label, a in holders.items()}


def read(w3: Web3, record: dict[str, Any], accounts: list[str], abi_root: Path) -> dict[str, Any]:
    """The whole report."""
    chain_id = w3.eth.chain_id
    if record.get("chain_id") not in (None, chain_id):
        raise SystemExit(
            f"error: the record is for chain {record['chain_id']}, the node {chain_id}"
        )
    contracts = load_contracts(w3, record, abi_root)
    token = contracts["RewardToken"]
    if bad := [a for a in accounts if not Web3.is_address(a)]:
        raise SystemExit(f"error: not an address: {', '.join(bad)}")
    holders = {a: Web3.to_checksum_address(a) for a in accounts}
    holders |= {name: c.address for name, c in contracts.items() if name != "RewardToken"}
    return {
        "chain_id": chain_id,
        "block": w3.eth.block_number,
        "total_supply": token.functions.totalSupply().call(),
        "disputes": disputes(
            contracts["QualityCourt"],
            contracts["QualityCourtLens"],
            record["contracts"]["QualityCourt"].get("block") or 0,
        ),
        "nodes": nodes(contracts["ComputeRegistry"]),
        "balances": balances(token, holders),
    }


def as_text(report: dict[str, Any]) -> str:
    lines = [f"chain {report['chain_id']} at block {report['block']}"]
    lines.append(f"LDAO supply: {report['total_supply'] / LDAO:,.2f}")
    lines.append(f"disputes: {len(report['disputes'])}")
    for d in report["disputes"]:
        lines.append(
            f"  #{d['id']} from {d['arbitrable']}: {d['status']}, round(s) {d['rounds']}, "
            f"ruling {d['ruling']}{' (executed)' if d['ruling_executed'] else ''}"
        )
    lines.append(f"nodes: {len(report['nodes'])}")
    for n in report["nodes"]:
        lines.append(
            f"  #{n['id']} {n['owner']}: {n['status']}, tier {n['tier']}, {n['gpus']} GPU(s), "
            f"stake {n['stake'] / LDAO:,.2f} LDAO"
        )
    lines.append("balances (LDAO):")
    lines += [f"  {label}: {v / LDAO:,.2f}" for label, v in report["balances"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("record", type=Path, help="deployments/<network>.json")
    parser.add_argument(
        "--rpc",
        default=os.environ.get("WEB3_PROVIDER_URI", "http://127.0.0.1:8545"),
        help="JSON-RPC URL (default: $WEB3_PROVIDER_URI or http://127.0.0.1:8545)",
    )
    parser.add_argument("--account", action="append", default=[], help="show its LDAO balance")
    parser.add_argument("--abi-root", type=Path, default=REPO, help="where abi/ is")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    if not args.record.exists():
        raise SystemExit(f"error: no deployment record {args.record}")
    w3 = Web3(Web3.HTTPProvider(args.rpc))
    if not w3.is_connected():
        raise SystemExit(f"error: no node answers at {args.rpc}")
    report = read(w3, json.loads(args.record.read_text()), args.account, args.abi_root)
    print(json.dumps(report, indent=2) if args.json else as_text(report))


if __name__ == "__main__":
    sys.exit(main())
