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

Ratios are to the 10-juror case; the goals are <= 1.2x (draw <= 1.3x).
The sortition tree grows with the jurors (4 children per node, depth
ceil(log4 jurors)), so a seat's tree walk costs a few levels more at 10,000
jurors than at 10.

Per juror, a seat is broken down (every figure from transaction receipts):
`draw / 3` of a 3-seat panel; the marginal seat, `(draw of a 3-seat panel -
draw of a 1-seat panel) / 2`; its tree walk (`SortitionHarness.draw_seat`,
find + lock, in a harness tree of the same size, less an empty harness
transaction), and of that walk the lock (`draw_seat` less `find` on the same
ticket); storage and checks (marginal seat - tree walk); then commit
and reveal. Seat + commit + reveal is compared with the anchor's commit +
first reveal (a fresh voter and a zero tally, as a juror's first vote).
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from pathlib import Path

import boa
from eth_account import Account
from eth_utils import keccak

from benchmarks.report import Report, delta_table, ratio, verdict
from labeldao.boa_tools import deploy_court, deployer, tx_gas
from labeldao.court import commitment, derive_salt

ANCHOR_DIR = "benchmarks/anchors"
MOCKS = "tests/mocks"
LDAO = 10**18
SIZES = (10, 100, 1_000, 10_000)
EPOCH_SECONDS = 12_000  # the stake-snapshot epoch (1,000 blocks of 12 s)
PANEL = 3
DISPUTES_PER_SIZE = 4
STAKE = 1_000 * LDAO
GOAL_SCALING = 1.2
GOAL_DRAW_SCALING = 1.3
GOAL_SEAT = 1.6
TREE_SAMPLES = 12
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
    3_600,  # draw_timeout
    10_000,  # max_dispute_lock_bps: the bench locks what it needs
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
        self.lens = deployer("QualityCourtLens").deploy()
        self.court = deploy_court(
            self.token.address,
            self.treasury,
            self.randomness.address,
            EPOCH_SECONDS,
            self.lens.address,
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

    def set_panel(self, panel: int) -> None:
        """New disputes get `panel` seats."""
        params = (*PARAMS[:4], panel, *PARAMS[5:], self.randomness.address)
        self.court.set_params(params)

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
        seconds = EPOCH_SECONDS - boa.env.evm.patch.timestamp % EPOCH_SECONDS
        boa.env.time_travel(seconds=seconds)

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
        info = self.lens.round_info(self.court.address, dispute_id, 0)
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
        self._goto(self.lens.round_info(self.court.address, dispute_id, 0).appeal_end)
        return tx_gas(self.court, "execute", dispute_id, 0, 128, sender=boa.env.eoa)

    def execute_per_juror(self, dispute_id: int) -> list[int]:
        """Gas of each call that settles one coherent juror (`max_iterations`
        1; every juror voted with the majority, so the first pass only skips)."""
        info = self.lens.round_info(self.court.address, dispute_id, 0)
        self._goto(info.appeal_end)
        gas = [
            tx_gas(self.court, "execute", dispute_id, 0, 1, sender=boa.env.eoa)
            for _ in range(info.execution_steps)
        ]
        return gas[info.jurors :]


def _mean(values: list[int]) -> int:
    return round(statistics.mean(values))


class TreeBench:
    """A bare sortition tree (`SortitionHarness`) with as many leaves as the
    court has jurors, each holding `STAKE`."""

    def __init__(self) -> None:
        self.tree = deployer("SortitionHarness", MOCKS).deploy(EPOCH_SECONDS)
        self.count = 0

    def grow(self, target: int) -> None:
        """Fills leaves until `target` hold stake."""
        while self.count < target:
            batch = min(256, target - self.count)
            self.tree.fill(self.count, batch, STAKE)
            self.count += batch

    def walk(self) -> tuple[int, int]:
        """Mean gas of a seat's find + lock and of the find alone (the same
        tickets, spread over the tree), less the gas of an empty harness
        transaction."""
        seconds = EPOCH_SECONDS - boa.env.evm.patch.timestamp % EPOCH_SECONDS
        boa.env.time_travel(seconds=seconds)
        base = tx_gas(self.tree, "touch", sender=boa.env.eoa)
        total = self.tree.snapshot_total()
        walks, finds = [], []
        me = boa.env.eoa
        for i in range(TREE_SAMPLES):
            ticket = int.from_bytes(keccak(text=f"ticket-{self.count}-{i}"), "big") % total
            finds.append(tx_gas(self.tree, "find", ticket, sender=me) - base)
            walks.append(tx_gas(self.tree, "draw_seat", ticket, 20 * LDAO, sender=me) - base)
            total -= 20 * LDAO
        return _mean(walks), _mean(finds)


def _measure_seat(bench: CourtBench, tree: TreeBench, three_seats: int) -> dict[str, int]:
    """A seat's parts with `bench.count` jurors: the marginal seat from a
    1-seat panel's draw against the 3-seat panels', and the tree walk."""
    bench.set_panel(1)
    singles = [bench.dispute() for _ in range(DISPUTES_PER_SIZE)]
    bench.set_panel(PANEL)
    one_seat = _mean([bench.draw(dispute_id) for dispute_id in singles])
    tree.grow(bench.count)
    marginal = round((three_seats - one_seat) / (PANEL - 1))
    walk, find = tree.walk()
    return {
        "seat (draw / 3)": round(three_seats / PANEL),
        "marginal seat": marginal,
        "of which tree walk (find + lock)": walk,
        "of the walk, the lock written into the tree": walk - find,
        "of which storage and checks": marginal - walk,
    }


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
    """Commit and reveal of the minimal contract (a fresh voter, a non-zero
    tally), and the first voter's reveal (the tally slot still zero)."""
    minimal = deployer("MinimalCommitReveal", ANCHOR_DIR).deploy()
    first, second = boa.env.generate_address(), boa.env.generate_address()
    reveals = []
    for voter in (first, second):
        salt = keccak(text=f"salt-{voter}")
        digest = keccak(
            bytes.fromhex(str(voter)[2:]).rjust(32, b"\0") + (1).to_bytes(32, "big") + salt
        )
        gas_commit = tx_gas(minimal, "commit", digest, sender=voter)
        reveals.append(tx_gas(minimal, "reveal", 1, salt, sender=voter))
    # The second voter's figures: the tally slot is already non-zero.
    return {"commit": gas_commit, "reveal": reveals[1], "first reveal": reveals[0]}


def _goal(name: str) -> float:
    return GOAL_DRAW_SCALING if name.startswith("draw") else GOAL_SCALING


def run(report: Report, sizes: tuple[int, ...] = SIZES, log: Callable[[str], None] = print) -> None:
    """Adds the court's gas tables to `report`."""
    bench = CourtBench()
    tree = TreeBench()
    results: dict[int, dict[str, int]] = {}
    seats: dict[int, dict[str, int]] = {}
    for size in sizes:
        bench.add_jurors(size)
        log(f"  court: {bench.count} jurors staked, measuring ...")
        results[size] = _measure(bench)
        seats[size] = _measure_seat(bench, tree, results[size]["draw (3-seat panel, one call)"])
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
        "The ratio column is the worst size against the 10-juror case. The tree grows with "
        "the jurors (4-ary, depth ceil(log4 jurors): 2 levels at 10 jurors, 5 at 1,000, 7 at "
        "10,000): a stake change writes depth + 1 nodes, a seat reads at most 3 children per "
        "level and writes depth + 1 nodes."
    )
    table.notes.append(
        "The ratios above their goals come from the growing tree making a small court "
        "cheaper, not a large one dearer: with the earlier fixed depth of 10 levels every size "
        "paid the 10,000-juror walk (draw of a 3-seat panel 417,421 gas at 10 jurors and "
        "525,736 at 10,000; stake top-up 110,519 at every size; execute of one juror 154,979)."
    )
    table.notes.append(
        "execute of a whole round at 10 jurors is cheaper than at 100 or more because the "
        "panel's leaves, all in one corner of a nearly empty tree, share their ancestors: "
        "the second and third juror's lock returns write slots already warm and dirty. "
        "Settling one juror per call (every slot cold, as for any juror in a large court) "
        "grows with the depth only."
    )
    table.notes.append(
        "A new juror's first stake writes its leaf and the juror marker of its account "
        "slot (two fresh slots) and, when the leaf opens a new subtree or the tree gains a "
        "level, those fresh nodes (17,100 gas more each); the worst row shows the dearest of "
        "the 8. Top-ups write no fresh slot."
    )
    table.notes.append(
        "draw includes the first read of the randomness source (`PrevrandaoRandomness` "
        "records the value: one fresh slot) and creates each seated juror's vote record, "
        "which commit then updates, and one slot of the round's leaf list per ten jurors."
    )

    _delta_table(report, results)
    anchor = _anchor()
    _seat_table(report, sizes, seats, results, anchor)
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


# The court's figures before its stake tree became its own contract (issue 13),
# from benchmarks/results.md at that commit: every action is compared with them.
BEFORE = Path(__file__).with_name("court_gas_before.json")
# Why an action may cost more than DELTA_GOAL over its earlier figure (none now).
DEARER_BECAUSE: dict[str, str] = {}


def _delta_table(report: Report, results: dict[int, dict[str, int]]) -> None:
    """Every action's gas against the same benchmark on the earlier court
    (`court_gas_before.json`): at 1,000 jurors, and the worst size."""
    before = json.loads(BEFORE.read_text())
    table = delta_table(
        report,
        f"QualityCourt gas now vs before the tree became its own contract"
        f" (commit {before['commit']})",
        before["by_size"],
        results,
        DEARER_BECAUSE,
        unit="jurors",
    )
    table.notes.append(
        "The court now calls its SortitionTree for every stake change, draw attempt and "
        "settled juror: the first call of a transaction touches a cold account (2,600 gas), "
        "each call encodes its arguments and checks its caller. commit and reveal check "
        "through the shared revert path (about 50 gas per check) to fit 20,000 bytes."
    )


def _seat_table(
    report: Report,
    sizes: tuple[int, ...],
    seats: dict[int, dict[str, int]],
    results: dict[int, dict[str, int]],
    anchor: dict[str, int],
) -> None:
    """The per-juror table: a seat's parts, commit, reveal, and their sum
    against the anchor's commit + first reveal."""
    table = report.table(
        "QualityCourt per juror: draw seat + commit + reveal (gas, from receipts)",
        ["part", *[f"{s:,} jurors" for s in sizes]],
    )
    for name in seats[sizes[0]]:
        table.add(name, *[seats[s][name] for s in sizes])
    table.add("commit", *[results[s]["commit"] for s in sizes])
    table.add("reveal", *[results[s]["reveal"] for s in sizes])
    totals = {
        s: seats[s]["seat (draw / 3)"] + results[s]["commit"] + results[s]["reveal"] for s in sizes
    }
    marginal = {
        s: seats[s]["marginal seat"] + results[s]["commit"] + results[s]["reveal"] for s in sizes
    }
    table.add("seat (draw / 3) + commit + reveal", *[totals[s] for s in sizes])
    table.add("marginal seat + commit + reveal", *[marginal[s] for s in sizes])
    minimal = anchor["commit"] + anchor["first reveal"]
    table.add("anchor: minimal commit + first reveal", *[minimal for _ in sizes])
    middle = 1_000 if 1_000 in sizes else sizes[-1]
    for label, figures in (("seat (draw / 3)", totals), ("marginal seat", marginal)):
        report.goal(
            f"court: {label} + commit + reveal at {middle:,} jurors vs minimal commit + reveal",
            figures[middle],
            minimal,
            GOAL_SEAT,
        )
    table.notes.append(
        "seat (draw / 3) carries a third of the draw's own costs (21,000 intrinsic gas, the "
        "randomness source's first read, which records the value in a fresh slot, the "
        "timetable and its events); the marginal seat is what one more seat of a panel costs. "
        "The tree walk is measured in SortitionHarness with the same number of leaves "
        "(`draw_seat`: find + lock, cold slots, less an empty transaction; the lock is "
        "`draw_seat` less `find` on the same ticket, what a draw that kept locks outside the "
        'tree would save: docs/decisions.md, "The per-juror goals of issue 13 are missed, on '
        'purpose"); storage and checks '
        "are the rest of the marginal seat: the vote record (one fresh slot), the juror record, "
        "the round's leaf list (one fresh slot per ten jurors), the call to the SortitionTree "
        "(warm after the draw's first; it finds the owner and locks the seat) and the event."
    )
