"""Constants of `TaskEscrow` that clients (tests, scripts, the simulation) share."""

from __future__ import annotations

from enum import IntEnum, IntFlag

BPS = 10_000
EPOCH_LENGTH = 7 * 86_400


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


def fee_of(reward: int, fee_bps: int) -> int:
    """The protocol fee of `reward`, rounded down as the contract does."""
    return reward * fee_bps // BPS


def bps_of(amount: int, bps: int) -> int:
    """`amount * bps / 10_000`, rounded down as the contract does."""
    return amount * bps // BPS
