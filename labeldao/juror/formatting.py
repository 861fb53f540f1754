"""The juror CLI's words: the court's revert strings as one line, periods
and deadlines, what to do next about a seat, how a vote stands.
"""

from __future__ import annotations

import re

from labeldao.client_base import explain
from labeldao.juror.views import Period, RoundInfo, SeatView, round_label  # noqa: F401
from labeldao.units import format_time

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
    return explain(reason, REVERT_MESSAGES, _REASON)


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
