"""QualityCourt gas: every juror action, scaling from 10 to 10,000 jurors,
and commit/reveal beside a minimal commit-reveal contract (same EVM, same run).

One court grows from 10 to 100, 1,000 and 10,000 staked jurors. At each
size the same actions run on fresh disputes, measured as a transaction pays
them (`tx_gas`: cold storage, intrinsic and calldata gas, capped refund):

- stake: a new juror's first stake (mean over 8 new jurors: a juror whose
  leaf opens a new subtree also pays for its fresh nodes), and an existing
  juror's top-up;
- draw: one `draw(dispute, 3)` call that draws a whole 3-seat panel
  (mean over several disputes, since the seats land on different leaves);
- commit, reveal: one seated juror (mean over the panel);
- execute: `execute(dispute, 0, 128)` settling a whole 3-seat round in one
  call, and `execute(dispute, 0, 1)` settling one coherent juror per call.

Ratios are to the 10-juror case; the goals are <= 1.2x (draw <= 1.5x).
The sortition tree has a fixed depth (10 levels of 4 children, 1,048,576
leaves), so its cost does not depend on the number of jurors.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

import boa
from eth_account import Account
from eth_utils import keccak

from benchmarks.report import Report, ratio, verdict
from labeldao.boa_tools import deployer, tx_gas
from labeldao.court import commitment, derive_salt

ANCHOR_DIR = "benchmarks/anchors"
MOCKS = "tests/mocks"
LDAO = 10**18
SIZES = (10, 100, 1_000, 10_000)
EPOCH_BLOCKS = 1_000
PANEL = 3
DISPUTES_PER_SIZE = 4
STAKE = 1_000 * LDAO
GOAL_SCALING = 1.2
GOAL_DRAW_SCALING = 1.5
GOAL_COMMIT = 1.15
GOAL_REVEAL = 1.5

PARAMS = (
    100 * LDAO,  # min_juror_stake
    2_000,  # alpha_bps: a seat locks 20 LDAO
    20_000,  # non_reveal_multiplier_bps
    86_400,  # unstake_delay
    PANEL,  # panel_size
    511,  # max_panel
    5,  # max_rounds
    10 * LDAO,  # fee_per_juror
    600,  # evidence_period
    600,  # commit_period
    600,  # reveal_period
    600,  # appeal_period
)


def _juror(index: int) -> tuple[str, bytes]:
    key = keccak(text=f"labeldao-bench-juror-{index}")
    return Account.from_key(key).address, key


class CourtBench:
    """A court, its token and arbitrable, and the jurors staked so far."""

    def __init__(self) -> None:
        self.token = deployer("RewardToken").deploy(10**27)
        self.token.grantRole(self.token.MINTER_ROLE(), boa.env.eoa)
        self.randomness = deployer("PrevrandaoRandomness").deploy(1)
        self.treasury = boa.env.generate_address("bench-treasury")
        self.court = deployer("QualityCourt").deploy(
            self.token.address, self.treasury, self.randomness.address, EPOCH_BLOCKS
        )
        self.court.grantRole(self.court.PARAMS_ROLE(), boa.env.eoa)
        self.court.set_params((*PARAMS, self.randomness.address))
        self.arbitrable = deployer("MockArbitrable", MOCKS).deploy(
            self.court.address, self.token.address
        )
        self.token.mint(self.arbitrable.address, 10**6 * LDAO)
        self.keys: dict[str, bytes] = {}
        self.count = 0

    def add_jurors(self, target: int) -> None:
        """Stakes new jurors until `target` are staked."""
        while self.count < target:
            address, key = _juror(self.count)
            self.keys[address] = key
            self.token.mint(address, 10 * STAKE)
            self.token.approve(self.court.address, 2**256 - 1, sender=address)
            self.court.stake(STAKE, sender=address)
            self.count += 1

    def stake_new_juror(self) -> int:
        """Gas of a new juror's first stake."""
        address, key = _juror(self.count)
        self.keys[address] = key
        self.token.mint(address, 10 * STAKE)
        self.token.approve(self.court.address, 2**256 - 1, sender=address)
        self.count += 1
        return tx_gas(self.court, "stake", STAKE, sender=address)

    def stake_new_jurors(self, count: int) -> tuple[int, int]:
        """Mean and worst gas of `count` new jurors' first stakes."""
        gas = [self.stake_new_juror() for _ in range(count)]
        return _mean(gas), max(gas)

    def stake_top_up(self) -> int:
        """Gas of an existing juror adding to their stake."""
        address, _ = _juror(self.count // 2)
        return tx_gas(self.court, "stake", LDAO, sender=address)

    def fresh_epoch(self) -> None:
        """Moves to the start of the next snapshot epoch (stakes become drawable)."""
        blocks = EPOCH_BLOCKS - boa.env.evm.patch.block_number % EPOCH_BLOCKS
        boa.env.time_travel(blocks=blocks)

    def dispute(self) -> int:
        """Creates a dispute and waits for its randomness."""
        dispute_id = self.arbitrable.create_dispute(2, b"")
        boa.env.time_travel(blocks=1)
        return dispute_id

    def draw(self, dispute_id: int) -> int:
        """Gas of drawing the whole panel in one call."""
        return tx_gas(self.court, "draw", dispute_id, PANEL, sender=boa.env.eoa)

    def _salt(self, juror: str, dispute_id: int) -> bytes:
        return derive_salt(
            self.keys[juror],
            court=self.court.address,
            chain_id=boa.env.evm.patch.chain_id,
            dispute_id=dispute_id,
            round_=0,
        )

    def _goto(self, timestamp: int) -> None:
        now = boa.env.evm.patch.timestamp
        if timestamp > now:
            boa.env.time_travel(seconds=timestamp - now)

    def vote(self, dispute_id: int) -> tuple[list[int], list[int]]:
        """Gas of every seated juror's commit, then reveal (choice 1)."""
        info = self.court.round_info(dispute_id, 0)
        jurors = [self.court.round_juror(dispute_id, 0, i) for i in range(info.jurors)]
        self._goto(info.commit_start)
        commits = []
        for juror in jurors:
            digest = commitment(dispute_id, 0, juror, 1, self._salt(juror, dispute_id))
            commits.append(tx_gas(self.court, "commit", dispute_id, 0, digest, sender=juror))
        self._goto(info.reveal_start)
        reveals = [
            tx_gas(
                self.court, "reveal", dispute_id, 0, 1, self._salt(juror, dispute_id), sender=juror
            )
            for juror in jurors
        ]
        return commits, reveals

    def execute(self, dispute_id: int) -> int:
        """Gas of settling the whole round once the dispute is final."""
        self._goto(self.court.round_info(dispute_id, 0).appeal_end)
        return tx_gas(self.court, "execute", dispute_id, 0, 128, sender=boa.env.eoa)

    def execute_per_juror(self, dispute_id: int) -> list[int]:
        """Gas of each call that settles one coherent juror (`max_iterations`
        1; every juror voted with the majority, so the first pass only skips)."""
        info = self.court.round_info(dispute_id, 0)
        self._goto(info.appeal_end)
        gas = [
            tx_gas(self.court, "execute", dispute_id, 0, 1, sender=boa.env.eoa)
            for _ in range(info.execution_steps)
        ]
        return gas[info.jurors :]


def _mean(values: list[int]) -> int:
    return round(statistics.mean(values))


def _measure(bench: CourtBench) -> dict[str, int]:
    """Every action with `bench.count` jurors staked (draw, commit, reveal and
    execute averaged over disputes), then the stakes of 8 new jurors."""
    gas: dict[str, int] = {}
    bench.fresh_epoch()
    disputes = [bench.dispute() for _ in range(DISPUTES_PER_SIZE)]
    draws = [bench.draw(dispute_id) for dispute_id in disputes]
    commits: list[int] = []
    reveals: list[int] = []
    executes: list[int] = []
    per_juror: list[int] = []
    for dispute_id in disputes:
        c, r = bench.vote(dispute_id)
        commits += c
        reveals += r
    half = len(disputes) // 2
    for dispute_id in disputes[:half]:
        executes.append(bench.execute(dispute_id))
    for dispute_id in disputes[half:]:
        per_juror += bench.execute_per_juror(dispute_id)
    # Stakes last, so that the disputes above ran with exactly `size` jurors.
    mean_new, worst_new = bench.stake_new_jurors(8)
    gas["stake (new juror, mean of 8)"] = mean_new
    gas["stake (top-up)"] = bench.stake_top_up()
    gas["draw (3-seat panel, one call)"] = _mean(draws)
    gas["commit"] = _mean(commits)
    gas["reveal"] = _mean(reveals)
    gas["execute (3-seat round, one call)"] = _mean(executes)
    gas["execute (one juror per call)"] = _mean(per_juror)
    gas["stake (new juror, worst of 8)"] = worst_new
    return gas


def _anchor() -> dict[str, int]:
    """Commit and reveal of the minimal contract (a fresh voter, a non-zero tally)."""
    minimal = deployer("MinimalCommitReveal", ANCHOR_DIR).deploy()
    first, second = boa.env.generate_address(), boa.env.generate_address()
    for voter in (first, second):
        salt = keccak(text=f"salt-{voter}")
        digest = keccak(
            bytes.fromhex(str(voter)[2:]).rjust(32, b"\0") + (1).to_bytes(32, "big") + salt
        )
        gas_commit = tx_gas(minimal, "commit", digest, sender=voter)
        gas_reveal = tx_gas(minimal, "reveal", 1, salt, sender=voter)
    # The second voter's figures: the tally slot is already non-zero.
    return {"commit": gas_commit, "reveal": gas_reveal}


def _goal(name: str) -> float:
    return GOAL_DRAW_SCALING if name.startswith("draw") else GOAL_SCALING


def run(report: Report, sizes: tuple[int, ...] = SIZES, log: Callable[[str], None] = print) -> None:
    """Adds the court's gas tables to `report`."""
    bench = CourtBench()
    results: dict[int, dict[str, int]] = {}
    for size in sizes:
        bench.add_jurors(size)
        log(f"  court: {bench.count} jurors staked, measuring ...")
        results[size] = _measure(bench)
    base = results[sizes[0]]

    table = report.table(
        "QualityCourt gas per transaction, by jurors in the tree",
        ["action", *[f"{s:,} jurors" for s in sizes], f"{sizes[-1]:,} / {sizes[0]}", "goal"],
    )
    for name in base:
        cells = [results[s][name] for s in sizes]
        worst = max(cells)
        report.scale(f"court: {name}", {s: results[s][name] for s in sizes})
        report.goal(f"court: {name}, worst size / 10 jurors", worst, base[name], _goal(name))
        table.add(
            name,
            *cells,
            ratio(worst, base[name]),
            f"<= {_goal(name)}x ({verdict(worst, base[name], _goal(name))})",
        )
    table.notes.append(
        "The ratio column is the worst size against the 10-juror case. The tree has a fixed "
        "depth (4-ary, 10 levels, 1,048,576 leaves): every stake change writes 11 nodes and "
        "every seat reads at most 3 children per level, whatever the number of jurors."
    )
    table.notes.append(
        "execute of a whole round at 10 jurors is cheaper than at 100 or more because the "
        "panel's leaves, all in one corner of a nearly empty tree, share their ancestors: "
        "the second and third juror's lock returns write slots already warm and dirty. "
        "Settling one juror per call (every slot cold, as for any juror in a large court) "
        "costs the same at every size."
    )
    table.notes.append(
        "A new juror's first stake writes its leaf (a fresh slot) and, when the leaf opens "
        "a new subtree, that subtree's fresh ancestors (17,100 gas more each); the worst "
        "row shows the dearest of the 8. Top-ups write no fresh slot."
    )
    table.notes.append(
        "draw includes the first read of the randomness source (`PrevrandaoRandomness` "
        "records the value: one fresh slot) and creates each seated juror's vote record, "
        "which commit then updates."
    )

    anchor = _anchor()
    ours = results[sizes[-1]]
    goals = {"commit": GOAL_COMMIT, "reveal": GOAL_REVEAL}
    side = report.table(
        "QualityCourt commit/reveal vs a minimal commit-reveal contract (gas per transaction)",
        ["action", "QualityCourt", "MinimalCommitReveal", "ratio", "goal"],
    )
    for name, goal in goals.items():
        report.goal(f"court: {name} vs minimal commit-reveal", ours[name], anchor[name], goal)
        side.add(
            name,
            ours[name],
            anchor[name],
            ratio(ours[name], anchor[name]),
            f"<= {goal}x ({verdict(ours[name], anchor[name], goal)})",
        )
    side.notes.append(
        "MinimalCommitReveal: `commit` writes one fresh slot per voter, `reveal` checks it, "
        "clears it (refund) and adds one to a non-zero tally; no periods, seats or events."
    )
    side.notes.append(
        "QualityCourt's commit overwrites the vote record that the draw created (seats, "
        "flags and the top 224 bits of the commitment share one slot), so the fresh-slot "
        "cost is paid by `draw`, not by the juror; it checks the period and the seat and "
        "logs an event. Its reveal checks the period, the seat and the hash, updates the "
        "record and the packed per-round tally, and logs an event."
    )
