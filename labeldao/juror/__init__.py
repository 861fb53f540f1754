"""A juror's client of the QualityCourt: what the court says, what a juror can
do now, and why not.

The juror CLI (`ape run court ...`, scripts/court.py) is a thin layer over
`CourtClient`. The client reads the court's views through its lens
(`QualityCourtLens`: `juror_status`, `round_info`, `dispute_info`,
`juror_round`, ...), checks every action
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

The package is split by concern: `views` (the court's views as records),
`checks` (what a juror can do now, and why not), `actions` (`CourtClient`),
`formatting` (revert strings, periods, next steps). Every name is importable
from `labeldao.juror` as before; `BoaBackend` moved to the titanoboa adapter
(`labeldao.boa_tools`) and loads it only when asked for.
"""

from __future__ import annotations

from typing import Any

from labeldao.client_base import Backend, JurorError, Reverted, from_struct
from labeldao.juror.actions import CourtClient, pending_reveals
from labeldao.juror.checks import (
    check_appeal,
    check_commit,
    check_draw,
    check_evidence,
    check_execute,
    check_reveal,
    check_stake,
    check_unstake,
    check_withdraw,
)
from labeldao.juror.formatting import (
    REVERT_MESSAGES,
    describe_period,
    explain_revert,
    period_window,
    plural,
    seat_next_step,
    vote_summary,
)
from labeldao.juror.views import (
    MAX_APPEAL_COST,
    MAX_DRAW_BATCH,
    MAX_EXECUTE_BATCH,
    MAX_URI_BYTES,
    DisputeInfo,
    Funding,
    JurorRound,
    JurorStatus,
    Params,
    Period,
    Recovered,
    Revealed,
    RevealReport,
    RoundInfo,
    SeatView,
    round_label,
)
from labeldao.units import DECIMALS, LDAO, format_duration, format_ldao, format_time, parse_ldao

__all__ = [
    "DECIMALS",
    "LDAO",
    "MAX_APPEAL_COST",
    "MAX_DRAW_BATCH",
    "MAX_EXECUTE_BATCH",
    "MAX_URI_BYTES",
    "REVERT_MESSAGES",
    "Backend",
    "BoaBackend",
    "CourtClient",
    "DisputeInfo",
    "Funding",
    "JurorError",
    "JurorRound",
    "JurorStatus",
    "Params",
    "Period",
    "Recovered",
    "RevealReport",
    "Revealed",
    "Reverted",
    "RoundInfo",
    "SeatView",
    "boa_revert_reason",
    "check_appeal",
    "check_commit",
    "check_draw",
    "check_evidence",
    "check_execute",
    "check_reveal",
    "check_stake",
    "check_unstake",
    "check_withdraw",
    "describe_period",
    "explain_revert",
    "format_duration",
    "format_ldao",
    "format_time",
    "from_struct",
    "parse_ldao",
    "pending_reveals",
    "period_window",
    "plural",
    "round_label",
    "seat_next_step",
    "vote_summary",
]

# Moved to the titanoboa adapter; loaded on first use only.
_BOA_NAMES = ("BoaBackend", "boa_revert_reason")


def __getattr__(name: str) -> Any:
    if name in _BOA_NAMES:
        from labeldao import boa_tools

        return getattr(boa_tools, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
