"""What a juror can do now, checked before anything is sent: pure functions
of the court's views that raise `JurorError` saying why not and when it
becomes possible.
"""

from __future__ import annotations

from labeldao.client_base import JurorError
from labeldao.juror.formatting import describe_period, period_window
from labeldao.juror.views import (
    MAX_APPEAL_COST,
    MAX_URI_BYTES,
    DisputeInfo,
    Funding,
    JurorRound,
    JurorStatus,
    Params,
    Period,
    RoundInfo,
    round_label,
)
from labeldao.units import format_ldao, format_time


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
