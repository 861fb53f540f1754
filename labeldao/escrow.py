"""What clients of `TaskEscrow` share: its constants and a log reader.

`rebuild` folds the escrow's events into every task's history and every
account's `claimable`, without calling the contract: the events are
enough to rebuild what the views return (see tests/unit/escrow/test_history.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, IntFlag
from typing import Any

BPS = 10_000
EPOCH_LENGTH = 7 * 86_400
ZERO_ADDRESS = "0x" + "00" * 20


class TaskStatus(IntFlag):
    """`TaskEscrow.Status`: a Vyper flag, one bit per status (0: no such task)."""

    OPEN = 1
    CLAIMED = 2
    SUBMITTED = 4
    DISPUTED = 8
    ACCEPTED = 16
    REJECTED = 32
    SPLIT = 64
    EXPIRED = 128
    CANCELLED = 256
    GOLD_FAILED = 512  # the gold failure limit reached; the contest window is open


TERMINAL = (
    TaskStatus.ACCEPTED
    | TaskStatus.REJECTED
    | TaskStatus.SPLIT
    | TaskStatus.EXPIRED
    | TaskStatus.CANCELLED
)


class Ruling(IntEnum):
    """ERC-792 rulings of LabelDAO's arbitrables."""

    REFUSED = 0
    ACCEPT = 1
    REJECT = 2


# `TaskEscrow`'s ERC-1497 meta-evidence id of every gold contest (the
# constructor logs it: metaevidence/gold-contest.json).
GOLD_CONTEST_META_EVIDENCE_ID = 2**256 - 1


# ---------------------------------------------------------------------------
# Parameter overrides (deployments/params/*.toml, [escrow] params)
# ---------------------------------------------------------------------------

# `Params.arbitrator_extra_data` is `Bytes[192]`: the parties take 64 of
# ERC-792's 256 bytes (contracts/modules/arbitrable.vy).
MAX_EXTRA_DATA_BYTES = 192
# The constructor's gold bond and contest period, and the bounds of `set_params`.
DEFAULT_GOLD_BOND = 30 * 10**18
DEFAULT_GOLD_CONTEST_PERIOD = 3 * 86_400
MAX_GOLD_BOND = 1_000_000 * 10**18
GOLD_CONTEST_PERIOD_BOUNDS = (86_400, 30 * 86_400)
# QualityCourt's constructor defaults: a dispute costs fee_per_juror x panel_size.
COURT_DEFAULT_FEE_PER_JUROR = 10 * 10**18
COURT_DEFAULT_PANEL_SIZE = 3


def extra_data_bytes(value: Any) -> bytes:
    """`arbitrator_extra_data` as bytes: bytes, or a `0x` hex string."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str) and value.startswith("0x"):
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            pass
    raise ValueError("arbitrator_extra_data must be bytes or a 0x hex string")


def check_overrides(overrides: Mapping[str, Any]) -> list[str]:
    """The problems of `[escrow] params` overrides the contract would refuse
    (for the new fields) or that would fail its calls: one line each."""
    problems = []
    if "arbitrator_extra_data" in overrides:
        try:
            size = len(extra_data_bytes(overrides["arbitrator_extra_data"]))
        except ValueError as exc:
            problems.append(str(exc))
        else:
            if size > MAX_EXTRA_DATA_BYTES:
                problems.append(
                    f"arbitrator_extra_data is {size} bytes: at most {MAX_EXTRA_DATA_BYTES} "
                    "(the two parties take 64 of ERC-792's 256)"
                )
    bond = overrides.get("gold_bond", DEFAULT_GOLD_BOND)
    if not isinstance(bond, int) or not 0 <= bond <= MAX_GOLD_BOND:
        problems.append(f"gold_bond must be an integer from 0 to {MAX_GOLD_BOND} (1,000,000 LDAO)")
    period = overrides.get("gold_contest_period", DEFAULT_GOLD_CONTEST_PERIOD)
    low, high = GOLD_CONTEST_PERIOD_BOUNDS
    if not isinstance(period, int) or not low <= period <= high:
        problems.append(f"gold_contest_period must be {low} to {high} seconds (1 to 30 days)")
    return problems


def check_gold_bond_covers_fee(
    escrow_overrides: Mapping[str, Any], court_overrides: Mapping[str, Any]
) -> str | None:
    """A gold bond set below the court's arbitration cost would not cover the fee
    an annotator pays to contest wrong gold (docs/decisions.md, "Gold contests").
    Checked when the file sets `gold_bond`: the default (30 LDAO) equals the
    court's default cost; a file that raises the court's cost should raise it."""
    if "gold_bond" not in escrow_overrides:
        return None
    bond = escrow_overrides["gold_bond"]
    fee = court_overrides.get("fee_per_juror", COURT_DEFAULT_FEE_PER_JUROR) * court_overrides.get(
        "panel_size", COURT_DEFAULT_PANEL_SIZE
    )
    if isinstance(bond, int) and bond < fee:
        return (
            f"escrow gold_bond ({bond}) is below the court's arbitration cost ({fee}): "
            "it must cover the fee of an annotator contesting wrong gold"
        )
    return None


def fee_of(reward: int, fee_bps: int) -> int:
    """The protocol fee of `reward`, rounded down as the contract does."""
    return reward * fee_bps // BPS


def bps_of(amount: int, bps: int) -> int:
    """`amount * bps / 10_000`, rounded down as the contract does."""
    return amount * bps // BPS


# ---------------------------------------------------------------------------
# Rebuilding every task's history from the escrow's logs
# ---------------------------------------------------------------------------


@dataclass
class TaskRecord:
    """A task as the escrow's events describe it.

    The fields named as in `TaskEscrow.tasks` hold the same values as the
    view; the others (URIs, reason, ruling, settlement, history) exist only
    in the logs.
    """

    requester: str
    params_id: int
    spec_hash: bytes
    n_items: int
    reward: int
    fee: int
    stake: int
    deadline: int
    review_period: int
    gold_root: bytes
    gold_bond: int = 0
    spec_uri: str = ""
    status: TaskStatus = TaskStatus.OPEN
    annotator: str = ZERO_ADDRESS
    result_root: bytes = b"\x00" * 32
    result_uri: str = ""
    review_end: int = 0
    gold_failures: int = 0
    gold_items_proven: list[int] = field(default_factory=list)
    gold_slashed: int = 0
    contest_end: int = 0
    contested: bool = False
    slashed: int = 0
    reason_hash: bytes | None = None
    arbitrator: str | None = None
    dispute_id: int = 0
    ruling: int | None = None
    settlement: dict[str, int] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)


@dataclass
class EscrowHistory:
    """Every task and every account's `claimable`, rebuilt from logs."""

    tasks: dict[int, TaskRecord] = field(default_factory=dict)
    claimable: dict[str, int] = field(default_factory=dict)
    treasury: str = ZERO_ADDRESS
    disputes: dict[tuple[str, int], int] = field(default_factory=dict)

    def credit(self, account: str, amount: int) -> None:
        if amount:
            self.claimable[account] = self.claimable.get(account, 0) + amount


def rebuild(logs: Iterable[tuple[str, Mapping[str, Any]]]) -> EscrowHistory:
    """Folds the escrow's logs, `(event name, arguments)` in chain order, into
    every task's record and every account's `claimable`.

    With Ape: `rebuild((log.event_name, log.event_arguments) for log in logs)`;
    with titanoboa: `rebuild((type(log).__name__, log._asdict()) for log in logs)`.
    """
    state = EscrowHistory()
    for name, args in logs:
        handler = _HANDLERS.get(name)
        if handler is not None:
            handler(state, args)
    return state


def _created(state: EscrowHistory, a: Mapping[str, Any]) -> None:
    state.tasks[a["task_id"]] = TaskRecord(
        requester=str(a["requester"]),
        params_id=a["params_id"],
        spec_hash=bytes(a["spec_hash"]),
        n_items=a["n_items"],
        reward=a["reward"],
        fee=a["fee"],
        stake=a["stake"],
        deadline=a["deadline"],
        review_period=a["review_period"],
        gold_root=bytes(a["gold_root"]),
        gold_bond=a.get("gold_bond", 0),
        history=["create"],
    )


def _meta_evidence(state: EscrowHistory, a: Mapping[str, Any]) -> None:
    # The constructor's gold-contest MetaEvidence is no task's.
    if a["meta_evidence_id"] in state.tasks:
        state.tasks[a["meta_evidence_id"]].spec_uri = a["evidence"]


def _claimed(state: EscrowHistory, a: Mapping[str, Any]) -> None:
    task = state.tasks[a["task_id"]]
    task.status, task.annotator = TaskStatus.CLAIMED, str(a["annotator"])
    task.deadline = a.get("deadline", task.deadline)  # moved by the pauses before the claim
    task.history.append("claim")


def _submitted(state: EscrowHistory, a: Mapping[str, Any]) -> None:
    task = state.tasks[a["task_id"]]
    task.status = TaskStatus.SUBMITTED
    task.result_root, task.result_uri = bytes(a["result_root"]), a["result_uri"]
    task.review_end = a["review_end"]
    task.history.append("submit")


def _accepted(state: EscrowHistory, a: Mapping[str, Any]) -> None:
    state.tasks[a["task_id"]].history.append("accept")


def _finalized(state: EscrowHistory, a: Mapping[str, Any]) -> None:
    state.tasks[a["task_id"]].history.append("finalize")


def _rejected(state: EscrowHistory, a: Mapping[str, Any]) -> None:
    task = state.tasks[a["task_id"]]
    task.status = TaskStatus.DISPUTED
    task.reason_hash, task.arbitrator = bytes(a["reason_hash"]), str(a["arbitrator"])
    task.dispute_id = a["dispute_id"]
    state.disputes[(task.arbitrator, task.dispute_id)] = a["task_id"]
    task.history.append("reject")


def _gold_failure(state: EscrowHistory, a: Mapping[str, Any]) -> None:
    # The slash is held: the treasury is credited when the task settles.
    task = state.tasks[a["task_id"]]
    task.gold_failures = a["gold_failures"]
    task.gold_items_proven.append(a["item_index"])
    task.gold_slashed += a["slashed"]
    task.history.append("gold failure")


def _gold_pending(state: EscrowHistory, a: Mapping[str, Any]) -> None:
    task = state.tasks[a["task_id"]]
    task.status, task.contest_end = TaskStatus.GOLD_FAILED, a["contest_end"]
    task.history.append("gold failed")


def _gold_contested(state: EscrowHistory, a: Mapping[str, Any]) -> None:
    task = state.tasks[a["task_id"]]
    task.status, task.contested = TaskStatus.DISPUTED, True
    task.arbitrator, task.dispute_id = str(a["arbitrator"]), a["dispute_id"]
    state.disputes[(task.arbitrator, task.dispute_id)] = a["task_id"]
    task.history.append("contest gold")


def _ruling(state: EscrowHistory, a: Mapping[str, Any]) -> None:
    task_id = state.disputes[(str(a["arbitrator"]), a["dispute_id"])]
    state.tasks[task_id].ruling = a["ruling"]
    state.tasks[task_id].history.append(f"ruling {a['ruling']}")


def _settled(state: EscrowHistory, a: Mapping[str, Any]) -> None:
    task = state.tasks[a["task_id"]]
    task.status = TaskStatus(a["status"])
    task.slashed += a["slashed"]
    # Gold slashes stand unless a gold contest ended ACCEPTED or SPLIT.
    if not (task.contested and task.status in (TaskStatus.ACCEPTED, TaskStatus.SPLIT)):
        task.slashed += task.gold_slashed
    task.settlement = {
        "requester": a["requester_amount"],
        "annotator": a["annotator_amount"],
        "treasury": a["treasury_amount"],
        "bonus": a["bonus"],
    }
    state.credit(task.requester, a["requester_amount"])
    state.credit(task.annotator, a["annotator_amount"])
    state.credit(state.treasury, a["treasury_amount"])
    task.history.append(f"settled: {task.status.name.lower()}")


def _withdrawn(state: EscrowHistory, a: Mapping[str, Any]) -> None:
    account = str(a["account"])
    state.claimable[account] = state.claimable.get(account, 0) - a["amount"]


def _treasury_set(state: EscrowHistory, a: Mapping[str, Any]) -> None:
    state.treasury = str(a["treasury"])


_HANDLERS: dict[str, Callable[[EscrowHistory, Mapping[str, Any]], None]] = {
    "TaskCreated": _created,
    "MetaEvidence": _meta_evidence,
    "TaskClaimed": _claimed,
    "TaskSubmitted": _submitted,
    "TaskAccepted": _accepted,
    "TaskFinalized": _finalized,
    "TaskRejected": _rejected,
    "GoldFailureProven": _gold_failure,
    "GoldRejectionPending": _gold_pending,
    "GoldContested": _gold_contested,
    "Ruling": _ruling,
    "TaskSettled": _settled,
    "Withdrawn": _withdrawn,
    "TreasuryChanged": _treasury_set,
}
