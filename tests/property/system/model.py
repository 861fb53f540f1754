"""What the system machine remembers between steps, and the ledgers its
invariants read.

The machine keeps only what the contracts cannot be trusted to report
about themselves: which tasks, disputes, nodes and reports its own actions
created, who was judged where, and ledgers of events that happen inside
rules (every slash with its cause and the account judged, every refused
reveal, every exit made while paused, every stale permit, ...). Rules
assert each transaction's outcome against the state read just before it;
the invariant functions (`invariants.py`) check the ledgers and the
contracts' books after every step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from labeldao.escrow import TaskStatus

# ComputeRegistry report statuses.
REPORT_FILED, REPORT_CHALLENGED, REPORT_UPHELD, REPORT_VOIDED = 1, 2, 3, 4
NODE_ACTIVE = 1

# QualityCourt periods (`round_info(...).period`).
EVIDENCE, COMMIT, REVEAL, APPEAL, EXECUTION = range(5)


@dataclass
class Task:
    """A task the machine created (`id` is the escrow's task id)."""

    id: int
    requester: str
    params_id: int  # the parameter version the task keeps for its life
    deadline: int  # the submission deadline it was created with
    pause_mark: int  # the escrow's paused seconds when it was created
    status: TaskStatus = TaskStatus.OPEN
    annotator: str | None = None
    wrong: frozenset[int] = frozenset()  # gold items the submission gets wrong
    proven: set[int] = field(default_factory=set)
    dispute: int | None = None
    contested: bool = False  # the annotator took a gold rejection to the court


@dataclass
class Dispute:
    """A court dispute the machine opened, and what it is about."""

    id: int
    origin: str  # "escrow", "registry" or "attacker"
    subject: Any  # task id, (node id, epoch) or None
    rounds: int = 1
    executed: set[int] = field(default_factory=set)  # rounds fully executed
    ruled: bool = False
    # Per round: juror -> (choice, salt) committed.
    commits: dict[int, dict[str, tuple[int, bytes]]] = field(default_factory=dict)


@dataclass
class Node:
    """A compute node the machine registered."""

    id: int
    owner: str
    active: bool = True
    withdrawn: bool = False
    convicted: bool = False  # a fraud ruling voided one of its reports


@dataclass(frozen=True)
class Slash:
    """One slash: who lost how much of which stake, why, and where it went."""

    contract: str  # "escrow", "court" or "registry"
    account: str
    amount: int
    stake_before: int  # the stake it came from, just before
    cause: str  # "gold", "deadline", "ruling" or "lost round"
    judged: Any  # who the judgement was about (the task's annotator, ...)
    redistributed: int  # to requesters, challengers or coherent jurors
    to_treasury: int
    burned: int = 0


@dataclass(frozen=True)
class JurorPenalty:
    """What a juror who was not coherent lost in one round."""

    dispute: int
    round: int
    juror: str
    seats: int
    seat_lock: int
    penalty: int
    revealed: bool


@dataclass
class Ledgers:
    """Events that happen inside rules, for the invariant functions."""

    slashes: list[Slash] = field(default_factory=list)
    penalties: list[JurorPenalty] = field(default_factory=list)
    # Executed rounds: (dispute, round) -> (fee, slashed, rewarded, to_treasury).
    rounds_executed: dict[tuple[int, int], tuple[int, int, int, int]] = field(default_factory=dict)
    # (dispute, round, juror, how): reveals the court refused.
    refused_reveals: list[tuple[int, int, str, str]] = field(default_factory=list)
    # (juror, how): attempts to take locked stake out, refused.
    refused_unlocks: list[tuple[str, str]] = field(default_factory=list)
    # (contract, action): exits that went through while the contract was paused.
    paused_exits: list[tuple[str, str]] = field(default_factory=list)
    # (contract, action): entries refused while the contract was paused.
    paused_entries: list[tuple[str, str]] = field(default_factory=list)
    # (owner, nonce, chain id): permits replayed on another chain id, refused.
    stale_permits: list[tuple[str, int, int]] = field(default_factory=list)
    # Calls the attacker's arbitrable made back into the court, refused.
    reentries_refused: int = 0
    # (contract, action): privileged calls by an account without the role, refused.
    privileged_refused: list[tuple[str, str]] = field(default_factory=list)
