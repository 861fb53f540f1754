"""ComputeRegistry gas with 10 and with 10,000 registered nodes.

For each population size a fresh registry (7-day epochs, default terms) is
filled with plain calls: N - 1 background nodes register, then all of them
report epoch 1. The measured node registers as the N-th node and reports
epoch 1 as its N-th report, so every figure is taken with N nodes and N
reports in the epoch. Then each operation is measured as a transaction pays
it (`tx_gas`): cold storage, intrinsic and calldata gas, capped refund.

Nothing in the registry loops over nodes, so the goal is a flat profile:
gas at 10,000 nodes within 1.2x of gas at 10 nodes for every operation.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boa
from eth_utils import keccak

from benchmarks.report import Report, delta_table, ratio, verdict
from labeldao.boa_tools import deployer, tx_gas
from labeldao.registry import DAY, LDAO, EpochClock, EpochTerms

SIZES = (10, 100, 1_000, 10_000)
GOAL = 1.2
EPOCH = 7 * DAY
EMISSION = 100_000 * LDAO
FEE = 30 * LDAO
SPECS = keccak(text="bench specs")
ROOT = keccak(text="bench receipts")
UNITS = 1_000_000
CLAIM_EPOCHS = 52
# The registry's figures before issue 13 (commit b001440), from benchmarks/results.md
# at that commit: every action is compared with them.
BEFORE = Path(__file__).with_name("registry_gas_before.json")
# Why an action costs more than DELTA_GOAL over its earlier figure, measured
# by this benchmark at the commits named (docs/decisions.md has the rest).
DEARER_BECAUSE: dict[str, str] = {
    "challenge (incl. mock createDispute)": (
        "issue 14, court incentives (609c071): the extra data names both parties "
        "(64 bytes), which MockArbitrator stores in last_extra_data (three fresh slots "
        "instead of none): from issue 13's +0.5 % to 439,342; issue 14, fighting fraud "
        "pays (816e61c): the challenge records the fee it paid, refunded on a fraud "
        "ruling (a fresh slot): "
        "439,342 -> 461,521"
    ),
}
DELTA_NOTES = [
    'Issue 13\'s own step, b001440 -> a1bc22c (docs/decisions.md, "Architecture" > "Code '
    'size"): every action within 5 %, challenge +0.5 %, rule: fraud +1.7 %, claim (52 '
    "epochs) 875,557 -> 898,330 (+2.6 %). Then, measured with this benchmark at 10 nodes "
    "at each commit (the figures in the why column): 0bea495, after issue 14's parties in "
    "the extra data (609c071); 816e61c, issue 14's fraud rulings (claims top up, "
    "convictions, the fee refund, reports while paused), alone on 0bea495; nothing after "
    "it changes these figures."
]


@dataclass(frozen=True)
class Deployment:
    """One token, mock court and registry, and their operator."""

    admin: str
    token: Any
    arbitrator: Any
    registry: Any
    clock: EpochClock


def _deploy() -> Deployment:
    admin = boa.env.generate_address()
    treasury = boa.env.generate_address()
    with boa.env.prank(admin):
        token = deployer("RewardToken").deploy(10**27)
        arbitrator = deployer("MockArbitrator", "tests/mocks").deploy(token.address, FEE)
        registry = deployer("ComputeRegistry").deploy(
            token.address,
            arbitrator.address,
            treasury,
            EPOCH,
            boa.env.evm.patch.timestamp,
            EMISSION,
            "ipfs://registry-rules",
        )
        token.grantRole(token.MINTER_ROLE(), registry.address)
        token.grantRole(token.MINTER_ROLE(), admin)
    clock = EpochClock(registry.GENESIS(), EPOCH)
    return Deployment(admin, token, arbitrator, registry, clock)


def _warp(timestamp: int) -> None:
    now = boa.env.evm.patch.timestamp
    if timestamp > now:
        boa.env.time_travel(seconds=timestamp - now)


def _fund(d: Deployment, account: str, amount: int) -> None:
    d.token.mint(account, amount, sender=d.admin)
    d.token.approve(d.registry.address, amount, sender=account)


def _populate(d: Deployment, count: int) -> list[int]:
    """Registers `count` one-GPU background nodes with plain calls."""
    owner = boa.env.generate_address()
    _fund(d, owner, count * d.registry.required_stake(0, 1))
    ids = [d.registry.register_node(SPECS, "", 1, 0, sender=owner) for _ in range(count)]
    return ids


def _background_reports(d: Deployment, ids: list[int], epoch: int) -> None:
    owner = d.registry.node(ids[0]).owner
    for node_id in ids:
        d.registry.report(node_id, epoch, UNITS, 10_000, ROOT, sender=owner)


def _measure(size: int) -> dict[str, int]:
    """Gas of each operation with `size` registered nodes."""
    d = _deploy()
    registry = d.registry
    background = _populate(d, size - 1)

    gas: dict[str, int] = {}
    provider = boa.env.generate_address()
    _fund(d, provider, 10**6 * LDAO)
    gas["register_node (4 GPUs)"] = tx_gas(
        registry, "register_node", SPECS, "ipfs://specs", 4, 1, sender=provider
    )
    node_id = registry.node_count()
    assert node_id == size
    gas["add_stake (1 GPU)"] = tx_gas(registry, "add_stake", node_id, 1, sender=provider)

    _warp(d.clock.end(1) + 3_600)
    _background_reports(d, background, 1)
    gas[f"report (the {size:,}th of its epoch)"] = tx_gas(
        registry, "report", node_id, 1, UNITS, 10_000, ROOT, sender=provider
    )
    assert registry.epoch_total(1).reports == size

    challenger = boa.env.generate_address()
    _fund(d, challenger, registry.params().challenge_bond + FEE)
    gas["challenge (incl. mock createDispute)"] = tx_gas(
        registry, "challenge", background[0], 1, "ipfs://evidence", sender=challenger
    )
    gas["rule: fraud (called by the mock arbitrator)"] = tx_gas(
        d.arbitrator, "give_ruling", 0, 2, sender=d.admin
    )

    last = 1 + CLAIM_EPOCHS
    for epoch in range(2, last + 1):
        _warp(d.clock.end(epoch) + 3_600)
        if epoch == 2:
            gas["report (first of its epoch)"] = tx_gas(
                registry, "report", node_id, epoch, UNITS, 10_000, ROOT, sender=provider
            )
        else:
            registry.report(node_id, epoch, UNITS, 10_000, ROOT, sender=provider)

    _warp(d.clock.final_at(last, EpochTerms(EMISSION)))
    gas["claim (1 epoch)"] = tx_gas(registry, "claim", node_id, [1], sender=provider)
    gas[f"claim ({CLAIM_EPOCHS} epochs)"] = tx_gas(
        registry, "claim", node_id, list(range(2, last + 1)), sender=provider
    )
    gas["withdraw (credits)"] = tx_gas(registry, "withdraw", sender=challenger)
    gas["deactivate"] = tx_gas(registry, "deactivate", node_id, sender=provider)
    _warp(registry.node(node_id).withdrawable_at)
    gas["withdraw_stake"] = tx_gas(registry, "withdraw_stake", node_id, sender=provider)
    return gas


def run(report: Report) -> None:
    """Adds the registry's scaling table to `report`."""
    results: dict[int, dict[str, int]] = {}
    seconds: dict[int, float] = {}
    for size in SIZES:
        started = time.time()
        results[size] = _measure(size)
        seconds[size] = time.time() - started
    small, large = SIZES[0], SIZES[-1]
    table = report.table(
        "ComputeRegistry gas per transaction, by registered nodes",
        ["operation", *[f"{s:,} nodes" for s in SIZES], f"{large:,} / {small}", f"goal <= {GOAL}x"],
    )
    labelled = {
        size: {op.replace(f"the {size:,}th", "the N-th"): gas for op, gas in ops.items()}
        for size, ops in results.items()
    }
    for label in labelled[small]:
        cells = [labelled[s][label] for s in SIZES]
        base, worst = cells[0], max(cells)
        report.scale(f"registry: {label}", dict(zip(SIZES, cells, strict=True)))
        report.goal(f"registry: {label}, worst size / 10 nodes", worst, base, GOAL)
        table.add(label, *cells, ratio(worst, base), verdict(worst, base, GOAL))
    one = results[large]["claim (1 epoch)"]
    many = results[large][f"claim ({CLAIM_EPOCHS} epochs)"]
    table.notes.append(
        f"claim: {(many - one) // (CLAIM_EPOCHS - 1):,} gas per extra epoch "
        f"(O(1) per epoch: report word, epoch word, terms, one event)."
    )
    table.notes.append(
        "Every figure at N nodes is taken after N nodes registered and N reports were filed "
        "in the measured epoch; the first report of an epoch also creates the epoch's word."
    )
    table.notes.append(
        "challenge and rule include MockArbitrator's own bookkeeping; against QualityCourt "
        "they cost what the court's createDispute/rule add."
    )
    table.notes.append(
        f"Population set up with plain calls in {seconds[small]:.0f} s and {seconds[large]:.0f} s."
    )
    before = json.loads(BEFORE.read_text())
    delta_table(
        report,
        f"ComputeRegistry gas now vs before issue 13 (commit {before['commit']})",
        before["by_size"],
        labelled,
        DEARER_BECAUSE,
        unit="nodes",
    ).notes.extend(DELTA_NOTES)
