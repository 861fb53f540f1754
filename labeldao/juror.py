"""A juror's client of the QualityCourt: what the court says, what a juror can
do now, and why not.

The juror CLI (`ape run court ...`, scripts/court.py) is a thin layer over
`CourtClient`. The client reads the court's views (`juror_status`,
`round_info`, `dispute_info`, ... and the lens's `juror_round`), checks every action
before it is sent (period, seat, stake, funding window) and says what is
wrong and when it becomes possible, with dates from the chain's clock. It
runs on any `Backend`: Ape (`labeldao.ape_backend.ApeBackend`, the CLI) or
titanoboa (`BoaBackend`, the unit tests and the simulation).

Votes: `commit` derives the salt from an EIP-712 signature of the juror's
wallet (`labeldao.court`), writes the attempt to the local
`CommitmentStore` (fsync'ed) BEFORE sending the transaction, then records
its fate; `reveal` and `auto_reveal` take the salt and choice from the store
or, when the store is gone, re-derive the salt and find the choice that
matches the commitment on chain.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import IntEnum
from typing import Any, Protocol, TypeVar

from eth_abi import encode
from eth_utils import to_checksum_address

from labeldao.court import commitment as make_commitment
from labeldao.court import derive_salt_with
from labeldao.store import (
    CONFIRMED,
    FAILED,
    SENT,
    CommitmentStore,
    Vote,
    same_prefix,
)

LDAO = 10**18
DECIMALS = 18
MAX_URI_BYTES = 256  # `submit_evidence(dispute_id, String[256])`
MAX_DRAW_BATCH = 64  # QualityCourt.MAX_DRAW_BATCH
MAX_EXECUTE_BATCH = 128  # QualityCourt.MAX_EXECUTE_BATCH
MAX_APPEAL_COST = 2**256 - 1  # `appealCost` of the last round allowed


class JurorError(RuntimeError):
    """Something the juror asked for cannot be done; the message says why
    and, when it depends on time, when it becomes possible."""


class Reverted(RuntimeError):
    """The chain refused a transaction (or its dry run); `reason` is the
    contract's revert string when there is one."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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


T = TypeVar("T")


def from_struct(cls: type[T], raw: Any) -> T:
    """Builds a record from a struct returned by Ape or titanoboa (both give
    attribute access by field name); bytes and addresses are normalized."""
    values = {}
    for item in dataclasses.fields(cls):  # type: ignore[arg-type]
        value = getattr(raw, item.name)
        if item.type in ("bytes", bytes):
            value = bytes(value)
        elif item.type in ("str", str):
            value = to_checksum_address(str(value))
        elif item.type in ("bool", bool):
            value = bool(value)
        else:
            value = int(value)
        values[item.name] = value
    return cls(**values)


# ---------------------------------------------------------------------------
# Amounts and dates
# ---------------------------------------------------------------------------


def format_ldao(amount: int) -> str:
    """`1234500000000000000000` -> `"1,234.5 LDAO"` (exact, no rounding)."""
    whole, frac = divmod(abs(int(amount)), LDAO)
    text = f"{whole:,}"
    if frac:
        text += "." + f"{frac:018d}".rstrip("0")
    return f"{'-' if amount < 0 else ''}{text} LDAO"


def parse_ldao(text: str) -> int:
    """`"1000"`, `"1_000.5"`, `"1000 LDAO"` -> base units; raises ValueError
    with a message fit for the user."""
    cleaned = text.strip().removesuffix("LDAO").strip().replace("_", "")
    if "," in cleaned:
        raise ValueError(f"'{text}': write amounts without commas, e.g. 1000 or 1000.5")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an amount of LDAO (e.g. 1000 or 12.5)") from None
    if not value.is_finite():
        raise ValueError(f"'{text}' is not an amount of LDAO (e.g. 1000 or 12.5)")
    if value <= 0:
        raise ValueError(f"'{text}': the amount must be positive")
    base = value * LDAO
    if base != base.to_integral_value():
        raise ValueError(f"'{text}': LDAO has {DECIMALS} decimals at most")
    return int(base)


def format_duration(seconds: int) -> str:
    """A short human duration: `"2d 3h"`, `"5h 10m"`, `"42s"`."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m {secs}s" if secs else f"{minutes}m"
    return f"{secs}s"


def format_time(timestamp: int, now: int) -> str:
    """`"2026-11-25 10:00 UTC (in 1d 2h)"`, relative to the chain's `now`."""
    when = datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d %H:%M UTC")
    delta = int(timestamp) - int(now)
    if delta > 0:
        return f"{when} (in {format_duration(delta)})"
    if delta < 0:
        return f"{when} ({format_duration(-delta)} ago)"
    return f"{when} (now)"


# ---------------------------------------------------------------------------
# The court's revert strings, as one line for the juror
# ---------------------------------------------------------------------------

REVERT_MESSAGES = {
    "court: not in commit period": "the round is not in its commit period",
    "court: not in reveal period": "the round is not in its reveal period",
    "court: not in appeal period": "the round is not in its appeal period",
    "court: no seat in this round": "you hold no seat in this round",
    "court: nothing committed": "you committed nothing in this round",
    "court: already revealed": "you already revealed this vote",
    "court: commitment mismatch": "this choice and salt do not match your commitment",
    "court: invalid choice": "that choice does not exist in this dispute",
    "court: empty commitment": "the commitment is empty",
    "court: unknown dispute": "no such dispute",
    "court: unknown round": "no such round",
    "court: zero amount": "the amount must be positive",
    "court: stake below minimum": "your stake would stay below the court's minimum",
    "court: amount exceeds free stake": "you cannot unstake more than your free stake",
    "court: remainder below minimum": "what stays staked would fall below the minimum",
    "court: unstake delay not over": "your pending stake is not unlocked yet",
    "court: nothing to withdraw": "nothing to withdraw",
    "court: panel already drawn": "the panel is already complete",
    "court: randomness not ready": "the randomness of this round is not ready yet: "
    "try again in a few blocks",
    "court: too little drawable stake": "the stake drawable in this epoch's snapshot (the "
    "parties' left out) is too little for this panel; stake counts from the next snapshot "
    "epoch, and the round can be closed once its draw deadline is over",
    "court: draw deadline not over": "the round's draw deadline is not over yet",
    "court: batch size out of range": "the batch size is out of range",
    "court: dispute not final": "the dispute is not final yet",
    "court: round already executed": "this round is already executed",
    "court: ruling already executed": "the ruling was already delivered",
    "court: dispute is over": "the dispute is over: evidence is closed",
    "court: no more appeals": "this round cannot be appealed (last round allowed)",
    "court: side already funded": "that side is already funded",
    "court: funding window over": "only the winning side may still be funded "
    "(the first half of the appeal period is over)",
    "court: invalid side": "that side does not exist in this dispute",
    "court: extra_data is not a side": "the appeal side is malformed",
    "Pausable: paused": "the court is paused for new stakes and disputes",
    "pausable: paused": "the court is paused for new stakes and disputes",
    "erc20: insufficient allowance": "the court may not spend that much of your LDAO",
    "erc20: transfer amount exceeds balance": "your LDAO balance is too low",
}

_REASON = re.compile(r"((?:court|erc20|pausable|Pausable|randomness|escrow):\s[^\n<>'\"]+)")


def explain_revert(reason: str) -> str:
    """The one-line explanation of a revert reason (any text containing it)."""
    # ABI-decoded strings can keep their zero padding (titanoboa's do).
    cleaned = (reason or "").replace("\x00", "").strip()
    match = _REASON.search(cleaned)
    if match is None:
        return f"the transaction reverted ({cleaned or 'no reason given'})"
    found = match.group(1).strip().rstrip(".")
    return REVERT_MESSAGES.get(found, found)


# ---------------------------------------------------------------------------
# Timetables and what a juror can do now (pure functions of the views)
# ---------------------------------------------------------------------------


def round_label(dispute_id: int, round_: int) -> str:
    return f"dispute {dispute_id} round {round_}"


def period_window(info: RoundInfo, period: Period) -> tuple[int | None, int | None]:
    """Start and end of a period (None when not known yet: the panel is not drawn)."""
    if period == Period.EVIDENCE:
        return (None, info.commit_start or None)
    if not info.panel_complete:
        return (None, None)
    bounds = {
        Period.COMMIT: (info.commit_start, info.reveal_start),
        Period.REVEAL: (info.reveal_start, info.appeal_start),
        Period.APPEAL: (info.appeal_start, info.appeal_end),
        Period.EXECUTION: (info.appeal_end, None),
    }
    return bounds[period]


def describe_period(info: RoundInfo, now: int) -> str:
    """`"commit until 2026-... (in 1d)"`, `"evidence: panel 1/3 drawn"`, ..."""
    period = Period(info.period)
    if period == Period.EVIDENCE:
        if not info.panel_complete:
            return f"evidence; panel {info.drawn}/{info.panel} drawn"
        return f"evidence until {format_time(info.commit_start, now)}"
    if period == Period.EXECUTION:
        return "execution" + (" (executed)" if info.executed else "")
    if period == Period.APPEAL and not info.has_appeal_period:
        return "execution"
    _, end = period_window(info, period)
    return f"{period.label} until {format_time(end, now)}"


def _opens(info: RoundInfo, period: Period, now: int) -> str:
    """`"it opens at ..."` / `"it closed at ..."` for an action of `period`."""
    current = Period(info.period)
    start, end = period_window(info, period)
    if current < period:
        if not info.panel_complete:
            return (
                f"the panel is not complete yet ({info.drawn}/{info.panel} seats drawn; "
                "anyone can run `court draw`)"
            )
        return f"it opens at {format_time(start, now)}"
    return f"it closed at {format_time(end, now)}"


def check_commit(
    dispute_id: int,
    round_: int,
    dispute: DisputeInfo,
    info: RoundInfo,
    vote: JurorRound,
    choice: int,
    now: int,
) -> None:
    """Raises JurorError unless the juror can commit `choice` now."""
    label = round_label(dispute_id, round_)
    if not 0 <= choice <= dispute.choices:
        raise JurorError(
            f"choice {choice} does not exist: {label} has choices 1 to {dispute.choices} "
            "(0 refuses to arbitrate)"
        )
    if info.period != Period.COMMIT:
        raise JurorError(f"{label} is not in its commit period: {_opens(info, Period.COMMIT, now)}")
    if vote.seats == 0:
        raise JurorError(
            f"you were not drawn in {label}: you hold no seat "
            f"(the panel of {info.panel} seats is drawn from juror stake)"
        )


def check_reveal(dispute_id: int, round_: int, info: RoundInfo, vote: JurorRound, now: int) -> None:
    """Raises JurorError unless the juror can reveal now."""
    label = round_label(dispute_id, round_)
    if vote.seats == 0:
        raise JurorError(f"you were not drawn in {label}: there is nothing to reveal")
    if vote.revealed:
        raise JurorError(f"you already revealed your vote in {label} (choice {vote.choice})")
    if not vote.committed:
        if info.period <= Period.COMMIT:
            raise JurorError(f"you have not committed in {label} yet: run `court commit` first")
        raise JurorError(f"you did not commit in {label}: there is nothing to reveal")
    if info.period != Period.REVEAL:
        raise JurorError(f"{label} is not in its reveal period: {_opens(info, Period.REVEAL, now)}")


def check_stake(
    amount: int, status: JurorStatus, params: Params, balance: int, paused: bool
) -> None:
    """Raises JurorError unless `amount` can be staked."""
    if amount <= 0:
        raise JurorError("the amount must be positive")
    if paused:
        raise JurorError("the court is paused: new stakes are refused until the guardian unpauses")
    if amount > balance:
        raise JurorError(
            f"insufficient LDAO: you hold {format_ldao(balance)}, "
            f"cannot stake {format_ldao(amount)}"
        )
    total = status.free + status.locked + amount
    if total < params.min_juror_stake:
        missing = params.min_juror_stake - status.free - status.locked
        raise JurorError(
            f"insufficient stake: the minimum is {format_ldao(params.min_juror_stake)}, "
            f"you would have {format_ldao(total)}; stake at least {format_ldao(missing)}"
        )


def check_unstake(amount: int, status: JurorStatus, params: Params) -> None:
    """Raises JurorError unless `amount` of free stake can be requested."""
    if amount <= 0:
        raise JurorError("the amount must be positive")
    if amount > status.free:
        extra = f" ({format_ldao(status.locked)} is locked by seats)" if status.locked else ""
        raise JurorError(
            f"insufficient free stake: you have {format_ldao(status.free)} free{extra}, "
            f"cannot unstake {format_ldao(amount)}"
        )
    remaining = status.free - amount
    if remaining and remaining < params.min_juror_stake:
        raise JurorError(
            f"{format_ldao(remaining)} would stay staked, below the minimum of "
            f"{format_ldao(params.min_juror_stake)}: unstake all ({format_ldao(status.free)}) "
            f"or at most {format_ldao(status.free - params.min_juror_stake)}"
        )


def check_withdraw(status: JurorStatus, now: int) -> None:
    """Raises JurorError unless `withdraw` pays something now."""
    if status.withdrawable_now:
        return
    if status.pending_withdrawal:
        raise JurorError(
            f"nothing to withdraw yet: {format_ldao(status.pending_withdrawal)} pending "
            f"unlocks at {format_time(status.unlock_time, now)}"
        )
    raise JurorError("nothing to withdraw: no rewards and no stake pending withdrawal")


def check_appeal(
    dispute_id: int,
    dispute: DisputeInfo,
    info: RoundInfo,
    funding: Funding,
    side: int,
    cost: int,
    balance: int,
    now: int,
) -> None:
    """Raises JurorError unless `side` of the current round can be funded now."""
    label = round_label(dispute_id, dispute.current_round)
    if not 1 <= side <= dispute.choices:
        raise JurorError(
            f"side {side} does not exist: dispute {dispute_id} has sides 1 to {dispute.choices}"
        )
    if dispute.final:
        raise JurorError(f"dispute {dispute_id} is final: it can no longer be appealed")
    if cost == MAX_APPEAL_COST or (info.panel_complete and not info.has_appeal_period):
        raise JurorError(f"{label} is the last round allowed: it cannot be appealed")
    if info.period != Period.APPEAL:
        raise JurorError(f"{label} is not in its appeal period: {_opens(info, Period.APPEAL, now)}")
    if side in (funding.side_a, funding.side_b):
        raise JurorError(f"side {side} of {label} is already funded")
    if side != dispute.ruling and funding.side_a == 0:
        half = info.appeal_start + (info.appeal_end - info.appeal_start) // 2
        if now >= half:
            raise JurorError(
                f"the funding window of the losing sides closed at {format_time(half, now)}: "
                f"only the current ruling ({dispute.ruling}) may still be funded, "
                f"until {format_time(info.appeal_end, now)}"
            )
    if balance < cost:
        raise JurorError(
            f"insufficient LDAO: funding a side costs {format_ldao(cost)}, "
            f"you hold {format_ldao(balance)}"
        )


def check_execute(dispute_id: int, dispute: DisputeInfo, last: RoundInfo, now: int) -> None:
    """Raises JurorError unless the dispute can be executed."""
    if dispute.final:
        return
    label = round_label(dispute_id, dispute.current_round)
    if not last.panel_complete:
        raise JurorError(
            f"dispute {dispute_id} is not final: the panel of {label} is being drawn "
            f"({last.drawn}/{last.panel} seats)"
        )
    raise JurorError(
        f"dispute {dispute_id} is not final: {label} is in its {Period(last.period).label} period; "
        f"it becomes final at {format_time(last.appeal_end, now)} unless appealed"
    )


def check_draw(dispute_id: int, dispute: DisputeInfo, info: RoundInfo, now: int) -> None:
    """Raises JurorError when the current round's panel needs no drawing."""
    if info.panel_complete:
        raise JurorError(
            f"the panel of {round_label(dispute_id, dispute.current_round)} is complete "
            f"({info.panel} seats): {describe_period(info, now)}"
        )


def check_evidence(dispute_id: int, dispute: DisputeInfo, uri: str) -> None:
    """Raises JurorError unless evidence can be submitted."""
    if not uri.strip():
        raise JurorError("the evidence URI is empty")
    if len(uri.encode()) > MAX_URI_BYTES:
        raise JurorError(
            f"the evidence URI is {len(uri.encode())} bytes; "
            f"the court takes at most {MAX_URI_BYTES}"
        )
    if dispute.final:
        raise JurorError(f"dispute {dispute_id} is final: evidence is closed")


# ---------------------------------------------------------------------------
# Backends: how the client reaches a chain
# ---------------------------------------------------------------------------


class Backend(Protocol):
    """What the client needs from a chain and a wallet."""

    chain_id: int
    juror: str | None

    def now(self) -> int:
        """The timestamp of the chain's latest block."""
        ...

    def sign_typed(self, message: dict[str, Any]) -> bytes:
        """The juror's 65-byte signature of an EIP-712 message."""
        ...

    def send(
        self,
        contract: Any,
        method: str,
        *args: Any,
        on_sent: Callable[[str | None], None] | None = None,
    ) -> str | None:
        """Sends `contract.method(*args)` from the juror, calls `on_sent` with
        the hash once it is out, and returns it once mined; raises Reverted."""
        ...


class BoaBackend:
    """titanoboa as a backend: the sender's transactions, signed salts from a key."""

    def __init__(self, juror: str | None, key: bytes | None = None) -> None:
        import boa

        self._boa = boa
        self.juror = None if juror is None else to_checksum_address(str(juror))
        self.key = key
        self.chain_id = int(boa.env.evm.patch.chain_id)

    def now(self) -> int:
        return int(self._boa.env.evm.patch.timestamp)

    def sign_typed(self, message: dict[str, Any]) -> bytes:
        from eth_account import Account
        from eth_account.messages import encode_typed_data

        if self.key is None:
            raise JurorError("this account has no key to sign with")
        return bytes(
            Account.sign_message(encode_typed_data(full_message=message), self.key).signature
        )

    def send(
        self,
        contract: Any,
        method: str,
        *args: Any,
        on_sent: Callable[[str | None], None] | None = None,
    ) -> str | None:
        from boa.contracts.base_evm_contract import BoaError

        try:
            getattr(contract, method)(*args, sender=self.juror)
        except BoaError as exc:
            raise Reverted(boa_revert_reason(exc)) from None
        if on_sent is not None:
            on_sent(None)
        return None


def boa_revert_reason(exc: Exception) -> str:
    """The revert string of a titanoboa error."""
    try:
        error = exc.stack_trace.last_frame.vm_error  # type: ignore[attr-defined]
        if error.args:
            reason = error.args[0]
            return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    except AttributeError:
        pass
    match = _REASON.search(str(exc))
    return match.group(1) if match else str(exc).strip().splitlines()[-1]


# ---------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------


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


class CourtClient:
    """A juror's view of, and actions at, one court.

    `court`, `lens` and `token` are contract handles (Ape or titanoboa) with
    the court's, its lens's (`court.LENS()`) and the token's ABI; `store`
    keeps the juror's votes (None for a
    read-only client); `log` receives one line per step.
    """

    def __init__(
        self,
        court: Any,
        lens: Any,
        token: Any,
        backend: Backend,
        store: CommitmentStore | None = None,
        log: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.court = court
        self.lens = lens
        self.token = token
        self.backend = backend
        self.store = store
        self.log = log

    # -- identity and clock -----------------------------------------------

    @property
    def address(self) -> str:
        return to_checksum_address(str(self.court.address))

    @property
    def juror(self) -> str:
        if self.backend.juror is None:
            raise JurorError("this command needs an account: pass --account")
        return self.backend.juror

    def now(self) -> int:
        return self.backend.now()

    # -- views --------------------------------------------------------------

    def params(self, version: int | None = None) -> Params:
        if version is None:
            version = int(self.court.params_version())
        return from_struct(Params, self.court.params(version))

    def status(self, juror: str | None = None) -> JurorStatus:
        return from_struct(JurorStatus, self.court.juror_status(juror or self.juror))

    def dispute_count(self) -> int:
        return int(self.court.dispute_count())

    def dispute(self, dispute_id: int) -> DisputeInfo:
        count = self.dispute_count()
        if not 0 <= dispute_id < count:
            raise JurorError(
                f"no dispute {dispute_id} at court {self.address}"
                + (f": disputes are 0 to {count - 1}" if count else ": no dispute yet")
            )
        return from_struct(DisputeInfo, self.court.dispute_info(dispute_id))

    def round(self, dispute_id: int, round_: int) -> RoundInfo:
        return from_struct(RoundInfo, self.court.round_info(dispute_id, round_))

    def vote(self, dispute_id: int, round_: int, juror: str | None = None) -> JurorRound:
        return from_struct(
            JurorRound,
            self.lens.juror_round(self.court.address, dispute_id, round_, juror or self.juror),
        )

    def funding(self, dispute_id: int, round_: int) -> Funding:
        return from_struct(Funding, self.court.funding(dispute_id, round_))

    def balance(self, account: str | None = None) -> int:
        return int(self.token.balanceOf(account or self.juror))

    def resolve_round(self, dispute_id: int, round_: int | None) -> tuple[DisputeInfo, int]:
        """The dispute and the round asked for (default: the current one)."""
        dispute = self.dispute(dispute_id)
        if round_ is None:
            return dispute, dispute.current_round
        if not 0 <= round_ < dispute.rounds:
            raise JurorError(
                f"dispute {dispute_id} has no round {round_}: "
                f"its rounds are 0 to {dispute.current_round}"
            )
        return dispute, round_

    def my_seats(self, juror: str | None = None) -> list[SeatView]:
        """Every round in which the juror holds seats not settled yet (the
        reason for their locked stake), newest dispute first.

        The court counts these rounds (`juror_status().open_rounds`), so the
        scan walks back from the newest dispute and stops as soon as it has
        found them all: no event logs are needed, and a juror with no open
        round costs one call.
        """
        juror = juror or self.juror
        wanted = self.status(juror).open_rounds
        found: list[SeatView] = []
        dispute_id = self.dispute_count() - 1
        while len(found) < wanted and dispute_id >= 0:
            dispute = from_struct(DisputeInfo, self.court.dispute_info(dispute_id))
            for round_ in range(dispute.rounds - 1, -1, -1):
                vote = self.vote(dispute_id, round_, juror)
                if vote.seats and not vote.settled:
                    stored = self.store.get(dispute_id, round_) if self.store else None
                    info = self.round(dispute_id, round_)
                    found.append(SeatView(dispute_id, round_, dispute, info, vote, stored))
            dispute_id -= 1
        return found

    def recent_disputes(self, last: int) -> list[tuple[int, DisputeInfo, RoundInfo]]:
        """The newest `last` disputes with their current round."""
        count = self.dispute_count()
        result = []
        for dispute_id in range(count - 1, max(count - last, 0) - 1, -1):
            dispute = from_struct(DisputeInfo, self.court.dispute_info(dispute_id))
            result.append((dispute_id, dispute, self.round(dispute_id, dispute.current_round)))
        return result

    # -- staking --------------------------------------------------------------

    def _approve(self, amount: int) -> None:
        allowance = int(self.token.allowance(self.juror, self.address))
        if allowance < amount:
            self.log(f"approving the court to take {format_ldao(amount)}")
            self._send(self.token, "approve", self.address, amount)

    def _send(self, contract: Any, method: str, *args: Any, **kwargs: Any) -> str | None:
        try:
            return self.backend.send(contract, method, *args, **kwargs)
        except Reverted as exc:
            raise JurorError(f"{method} refused: {explain_revert(exc.reason)}") from None

    def stake(self, amount: int) -> JurorStatus:
        status = self.status()
        check_stake(amount, status, self.params(), self.balance(), bool(self.court.paused()))
        self._approve(amount)
        self._send(self.court, "stake", amount)
        self.log(f"staked {format_ldao(amount)}")
        return self.status()

    def unstake(self, amount: int | None) -> JurorStatus:
        """Requests `amount` of free stake (None: all of it) for withdrawal."""
        status = self.status()
        if amount is None:
            amount = status.free
            if amount == 0:
                raise JurorError("you have no free stake to unstake")
        check_unstake(amount, status, self.params())
        if status.pending_withdrawal:
            self.log(
                f"note: your pending {format_ldao(status.pending_withdrawal)} joins this request "
                "and waits for the new unlock time"
            )
        self._send(self.court, "request_unstake", amount)
        return self.status()

    def withdraw(self) -> int:
        status = self.status()
        check_withdraw(status, self.now())
        self._send(self.court, "withdraw")
        return status.withdrawable_now

    # -- disputes -------------------------------------------------------------

    def submit_evidence(self, dispute_id: int, uri: str) -> None:
        dispute = self.dispute(dispute_id)
        check_evidence(dispute_id, dispute, uri)
        self._send(self.court, "submit_evidence", dispute_id, uri)

    def draw(self, dispute_id: int, batch: int, max_calls: int = 8) -> RoundInfo:
        """Draws the current round's panel in batches of `batch` attempts
        until it is complete, a call draws nothing, or `max_calls` calls."""
        if not 1 <= batch <= MAX_DRAW_BATCH:
            raise JurorError(f"the batch size must be 1 to {MAX_DRAW_BATCH}")
        dispute = self.dispute(dispute_id)
        round_ = dispute.current_round
        info = self.round(dispute_id, round_)
        check_draw(dispute_id, dispute, info, self.now())
        for _ in range(max_calls):
            before = info
            self._send(self.court, "draw", dispute_id, batch)
            info = self.round(dispute_id, round_)
            drawn = info.drawn - before.drawn
            if info.randomness_request != before.randomness_request:
                self.log(
                    "the stake snapshot epoch changed since the randomness was requested: "
                    "new randomness was requested; run `court draw` again in a few blocks"
                )
                break
            self.log(
                f"drew {drawn} seat(s) in {info.draw_attempts - before.draw_attempts} attempt(s): "
                f"{info.drawn}/{info.panel}"
            )
            if info.panel_complete or info.draw_attempts == before.draw_attempts:
                break
        return info

    def appeal(self, dispute_id: int, side: int) -> Funding:
        dispute = self.dispute(dispute_id)
        round_ = dispute.current_round
        info = self.round(dispute_id, round_)
        side_data = encode(["uint256"], [side])
        cost = int(self.court.appealCost(dispute_id, side_data))
        funding = self.funding(dispute_id, round_)
        check_appeal(dispute_id, dispute, info, funding, side, cost, self.balance(), self.now())
        self._approve(cost)
        self._send(self.court, "appeal", dispute_id, side_data)
        return self.funding(dispute_id, round_)

    def execute(self, dispute_id: int, batch: int) -> list[str]:
        """Executes every round of a final dispute (in batches of `batch`
        steps), then delivers its ruling; returns what was done."""
        if not 1 <= batch <= MAX_EXECUTE_BATCH:
            raise JurorError(f"the batch size must be 1 to {MAX_EXECUTE_BATCH}")
        dispute = self.dispute(dispute_id)
        check_execute(
            dispute_id, dispute, self.round(dispute_id, dispute.current_round), self.now()
        )
        done = []
        for round_ in range(dispute.rounds):
            calls = 0
            info = self.round(dispute_id, round_)
            # Each call does `batch` steps or finishes the round.
            limit = info.execution_steps // batch + 1
            while not info.executed and calls < limit:
                self._send(self.court, "execute", dispute_id, round_, batch)
                calls += 1
                info = self.round(dispute_id, round_)
            if calls:
                done.append(
                    f"round {round_}: executed in {calls} call(s); fee {format_ldao(info.fee)}, "
                    f"slashed {format_ldao(info.slashed)}, rewarded {format_ldao(info.rewarded)}, "
                    f"to treasury {format_ldao(info.to_treasury)}"
                )
        if not self.dispute(dispute_id).ruling_executed:
            try:
                self.backend.send(self.court, "execute_ruling", dispute_id)
            except Reverted as exc:
                raise JurorError(
                    "jurors are settled, but the arbitrable refused the ruling "
                    f"({explain_revert(exc.reason)}); run `court execute` again later"
                ) from None
            done.append(f"ruling {dispute.ruling} delivered to {dispute.arbitrable}")
        if not done:
            raise JurorError(
                f"dispute {dispute_id} is already fully executed (ruling {dispute.ruling})"
            )
        return done

    # -- votes ----------------------------------------------------------------

    def _require_store(self) -> CommitmentStore:
        if self.store is None:
            raise JurorError("this command needs the commitment store")
        return self.store

    def derive_salt(self, dispute_id: int, round_: int) -> bytes:
        """The juror's salt for a round: keccak256 of their EIP-712 signature."""
        return derive_salt_with(
            self.backend.sign_typed,
            court=self.address,
            chain_id=self.backend.chain_id,
            dispute_id=dispute_id,
            round_=round_,
        )

    def _checked_salt(self, dispute_id: int, round_: int) -> bytes:
        """The salt, after checking once per store that the wallet signs
        deterministically (else a lost store could not be recovered)."""
        store = self._require_store()
        salt = self.derive_salt(dispute_id, round_)
        if not store.signer_deterministic:
            if self.derive_salt(dispute_id, round_) != salt:
                raise JurorError(
                    "your wallet signed the same salt message twice with different "
                    "signatures: salts derived from it could not be recovered. Use a "
                    "wallet that signs deterministically (RFC 6979), as Ethereum wallets do"
                )
            store.mark_signer_deterministic()
        return salt

    def commit(self, dispute_id: int, choice: int, round_: int | None = None) -> str:
        """Commits `choice`: derive the salt, save the attempt (fsync'ed), send."""
        store = self._require_store()
        dispute, round_ = self.resolve_round(dispute_id, round_)
        info = self.round(dispute_id, round_)
        vote = self.vote(dispute_id, round_)
        check_commit(dispute_id, round_, dispute, info, vote, choice, self.now())
        salt = self._checked_salt(dispute_id, round_)
        digest = make_commitment(dispute_id, round_, self.juror, choice, salt)
        label = round_label(dispute_id, round_)
        if vote.committed and same_prefix(digest, vote.commitment_prefix):
            store.restore(dispute_id, round_, salt=salt, choice=choice, commitment=digest)
            return f"already committed choice {choice} in {label}; nothing sent"
        store.prepare(dispute_id, round_, salt=salt, choice=choice, commitment=digest)

        def sent(tx_hash: str | None) -> None:
            store.update_attempt(dispute_id, round_, digest, SENT, tx_hash=tx_hash)

        try:
            tx_hash = self.backend.send(
                self.court, "commit", dispute_id, round_, digest, on_sent=sent
            )
        except Reverted as exc:
            reason = explain_revert(exc.reason)
            store.update_attempt(dispute_id, round_, digest, FAILED, error=reason)
            raise JurorError(f"commit refused: {reason}") from None
        store.update_attempt(dispute_id, round_, digest, CONFIRMED, tx_hash=tx_hash)
        replaced = " (replacing your earlier commitment)" if vote.committed else ""
        now = self.now()
        return (
            f"committed choice {choice} in {label}{replaced}; reveal from "
            f"{format_time(info.reveal_start, now)} to {format_time(info.appeal_start, now)}"
        )

    def find_vote(self, dispute_id: int, round_: int, vote: JurorRound) -> tuple[int, bytes]:
        """The (choice, salt) behind the juror's commitment on chain: from the
        store, else from a re-derived salt tried with every choice."""
        if self.store is not None:
            stored = self.store.get(dispute_id, round_)
            if stored is not None and (attempt := stored.attempt_matching(vote.commitment_prefix)):
                return attempt.choice, attempt.salt_bytes
        salt = self.derive_salt(dispute_id, round_)
        dispute = self.dispute(dispute_id)
        for choice in range(dispute.choices + 1):
            digest = make_commitment(dispute_id, round_, self.juror, choice, salt)
            if same_prefix(digest, vote.commitment_prefix):
                if self.store is not None:
                    self.store.restore(
                        dispute_id, round_, salt=salt, choice=choice, commitment=digest
                    )
                return choice, salt
        raise JurorError(
            f"your commitment in {round_label(dispute_id, round_)} matches no choice with the salt "
            "your wallet derives: it was made with another salt (another tool?); reveal it with "
            "--choice and --salt"
        )

    def reveal(
        self,
        dispute_id: int,
        round_: int | None = None,
        *,
        choice: int | None = None,
        salt: bytes | None = None,
    ) -> Revealed:
        """Reveals the juror's vote (choice and salt from the store, the
        wallet, or given explicitly), checked against the chain first."""
        dispute, round_ = self.resolve_round(dispute_id, round_)
        info = self.round(dispute_id, round_)
        vote = self.vote(dispute_id, round_)
        check_reveal(dispute_id, round_, info, vote, self.now())
        label = round_label(dispute_id, round_)
        if salt is not None:
            if choice is None:
                raise JurorError("--salt needs --choice")
            digest = make_commitment(dispute_id, round_, self.juror, choice, salt)
            if not same_prefix(digest, vote.commitment_prefix):
                raise JurorError(
                    f"choice {choice} with that salt does not match your commitment in {label}"
                )
        else:
            found, salt = self.find_vote(dispute_id, round_, vote)
            if choice is not None and choice != found:
                raise JurorError(f"you committed choice {found} in {label}, not {choice}")
            choice = found
        tx_hash = self._send(self.court, "reveal", dispute_id, round_, choice, salt)
        if self.store is not None:
            digest = make_commitment(dispute_id, round_, self.juror, choice, salt)
            self.store.restore(dispute_id, round_, salt=salt, choice=choice, commitment=digest)
            self.store.mark_revealed(dispute_id, round_, choice=choice, tx_hash=tx_hash)
        return Revealed(dispute_id, round_, choice, tx_hash)

    def auto_reveal(self) -> RevealReport:
        """Reveals every committed, unrevealed vote whose reveal period is
        open; reports those still waiting for it and those missed."""
        report = RevealReport()
        now = self.now()
        for seat in self.my_seats():
            if not seat.vote.committed or seat.vote.revealed:
                continue
            period = Period(seat.info.period)
            if period < Period.REVEAL:
                report.waiting.append((seat.dispute_id, seat.round, seat.info.reveal_start))
            elif period > Period.REVEAL:
                report.missed.append((seat.dispute_id, seat.round))
            else:
                try:
                    revealed = self.reveal(seat.dispute_id, seat.round)
                except JurorError as exc:
                    report.failed.append((seat.dispute_id, seat.round, str(exc)))
                    self.log(f"{seat.label}: {exc}")
                    continue
                report.revealed.append((seat.dispute_id, seat.round, revealed.choice))
                self.log(f"{revealed} (chain time {format_time(now, now)})")
        return report

    def recover_salt(self, dispute_id: int, round_: int | None = None) -> Recovered:
        """Re-derives the salt of a round from the wallet; when a commitment
        is on chain, finds its choice and writes both back to the store."""
        dispute, round_ = self.resolve_round(dispute_id, round_)
        vote = self.vote(dispute_id, round_)
        salt = self.derive_salt(dispute_id, round_)
        if not vote.committed:
            return Recovered(dispute_id, round_, salt, False, None, vote.revealed)
        choice: int | None = None
        for candidate in range(dispute.choices + 1):
            digest = make_commitment(dispute_id, round_, self.juror, candidate, salt)
            if same_prefix(digest, vote.commitment_prefix):
                choice = candidate
                if self.store is not None:
                    self.store.restore(
                        dispute_id, round_, salt=salt, choice=choice, commitment=digest
                    )
                break
        return Recovered(dispute_id, round_, salt, True, choice, vote.revealed)


def pending_reveals(report: RevealReport) -> bool:
    """Whether a loop of `auto_reveal` must go on (votes wait for their reveal period)."""
    return bool(report.waiting)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def seat_next_step(seat: SeatView, now: int) -> str:
    """What the juror should do about a seat, and until when."""
    info, vote = seat.info, seat.vote
    period = Period(info.period)
    if period == Period.EVIDENCE:
        if not info.panel_complete:
            return f"wait: panel {info.drawn}/{info.panel} drawn (`court draw {seat.dispute_id}`)"
        return f"commit from {format_time(info.commit_start, now)}"
    if period == Period.COMMIT:
        verb = "change your vote" if vote.committed else "COMMIT"
        if vote.committed:
            return f"reveal from {format_time(info.reveal_start, now)} (or {verb} until then)"
        return f"{verb} before {format_time(info.reveal_start, now)}"
    if period == Period.REVEAL:
        if vote.revealed:
            return f"wait: reveal period ends {format_time(info.appeal_start, now)}"
        if vote.committed:
            return f"REVEAL before {format_time(info.appeal_start, now)}"
        return "missed: you did not commit"
    if period == Period.APPEAL and info.has_appeal_period:
        return f"wait: appeal period ends {format_time(info.appeal_end, now)}"
    if seat.dispute.final:
        return f"execute (`court execute {seat.dispute_id}`) to settle your lock"
    return "wait: a later round is open"


def vote_summary(seat: SeatView) -> str:
    """`"revealed 1"`, `"committed (1, stored)"`, `"not committed"`, ..."""
    vote, stored = seat.vote, seat.stored
    if vote.revealed:
        return f"revealed {vote.choice}"
    if vote.committed:
        attempt = stored.attempt_matching(vote.commitment_prefix) if stored else None
        if attempt is not None:
            return f"committed {attempt.choice}"
        return "committed (not in store: `court recover-salt`)"
    if stored is not None and stored.latest is not None:
        return f"not committed ({stored.latest.status} attempt for {stored.latest.choice})"
    return "not committed"
