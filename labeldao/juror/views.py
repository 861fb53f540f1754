"""The juror's view of the court: its views (through its lens, `QualityCourtLens`,
but `params`) as typed records (`params`,
`juror_status`, `juror_round`, `round_info`, `dispute_info`, `funding`) and
what the client returns (seats, reveal reports).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from labeldao.store import Vote

MAX_URI_BYTES = 256  # `submit_evidence(dispute_id, String[256])`
MAX_DRAW_BATCH = 64  # QualityCourt.MAX_DRAW_BATCH
MAX_EXECUTE_BATCH = 128  # QualityCourt.MAX_EXECUTE_BATCH
MAX_APPEAL_COST = 2**256 - 1  # `appealCost` of the last round allowed


def round_label(dispute_id: int, round_: int) -> str:
    return f"dispute {dispute_id} round {round_}"


class Period(IntEnum):
    """Periods of a round (`round_info().period`)."""

    EVIDENCE = 0
    COMMIT = 1
    REVEAL = 2
    APPEAL = 3
    EXECUTION = 4

    @property
    def label(self) -> str:
        return self.name.lower()


# ---------------------------------------------------------------------------
# The court's views as typed records
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Params:
    """`params(version)`: a parameter version of the court."""

    min_juror_stake: int
    alpha_bps: int
    non_reveal_multiplier_bps: int
    unstake_delay: int
    panel_size: int
    max_panel: int
    max_rounds: int
    fee_per_juror: int
    evidence_period: int
    commit_period: int
    reveal_period: int
    appeal_period: int
    draw_timeout: int
    max_dispute_lock_bps: int
    randomness: str

    @property
    def seat_lock(self) -> int:
        return self.min_juror_stake * self.alpha_bps // 10_000


@dataclass(frozen=True)
class JurorStatus:
    """`juror_status(juror)`: where a juror's stake is and why."""

    free: int
    locked: int
    pending_withdrawal: int
    unlock_time: int
    claimable: int
    withdrawable_now: int
    open_rounds: int
    drawable_this_epoch: int


@dataclass(frozen=True)
class JurorRound:
    """`juror_round(dispute, round, juror)`: seats, lock and vote in a round."""

    seats: int
    locked: int
    committed: bool
    revealed: bool
    choice: int
    settled: bool
    commitment_prefix: bytes


@dataclass(frozen=True)
class RoundInfo:
    """`round_info(dispute, round)`: timetable, draw state and accounting."""

    period: int
    panel: int
    drawn: int
    jurors: int
    evidence_end: int
    commit_start: int
    reveal_start: int
    appeal_start: int
    appeal_end: int
    seat_lock: int
    draw_epoch: int
    draw_attempts: int
    randomness_request: int
    revealed_seats: int
    fee: int
    slashed: int
    rewarded: int
    to_treasury: int
    execution_steps_done: int
    execution_steps: int

    @property
    def panel_complete(self) -> bool:
        return self.drawn == self.panel

    @property
    def executed(self) -> bool:
        return self.execution_steps_done == self.execution_steps

    @property
    def has_appeal_period(self) -> bool:
        return self.appeal_end > self.appeal_start


@dataclass(frozen=True)
class DisputeInfo:
    """`dispute_info(dispute)`: a dispute's state."""

    arbitrable: str
    choices: int
    rounds: int
    params_version: int
    final: bool
    ruling: int
    ruling_executed: bool

    @property
    def current_round(self) -> int:
        return self.rounds - 1


@dataclass(frozen=True)
class Funding:
    """`funding(dispute, round)`: the appeal funding of a round."""

    cost: int
    side_a: int
    funder_a: str
    side_b: int
    funder_b: str


@dataclass(frozen=True)
class SeatView:
    """A round in which the juror holds seats, with everything needed to act."""

    dispute_id: int
    round: int
    dispute: DisputeInfo
    info: RoundInfo
    vote: JurorRound
    stored: Vote | None = None

    @property
    def label(self) -> str:
        return round_label(self.dispute_id, self.round)


@dataclass
class RevealReport:
    """What `auto_reveal` did."""

    revealed: list[tuple[int, int, int]] = field(default_factory=list)
    waiting: list[tuple[int, int, int]] = field(default_factory=list)  # ..., reveal opens at
    missed: list[tuple[int, int]] = field(default_factory=list)
    failed: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Revealed:
    """A revealed vote."""

    dispute_id: int
    round: int
    choice: int
    tx_hash: str | None

    def __str__(self) -> str:
        return f"revealed choice {self.choice} in {round_label(self.dispute_id, self.round)}"


@dataclass(frozen=True)
class Recovered:
    """What `recover_salt` found: the salt, and the committed choice if any."""

    dispute_id: int
    round: int
    salt: bytes
    committed: bool
    choice: int | None
    revealed: bool
