"""What Python needs to know about `ComputeRegistry`: its defaults, statuses,
epoch clock and reward formula, mirrored from the contract so that tests,
benchmarks, the simulation and the scripts compute the same figures.

The contract is the authority; `tests/unit/registry/test_deployment.py`
checks that these mirrors match it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LDAO = 10**18
DAY = 86_400
BPS = 10_000
N_TIERS = 4

# Statuses and rulings (the contract's public constants).
NODE_ACTIVE, NODE_DEACTIVATED, NODE_WITHDRAWN = 1, 2, 3
REPORT_NONE, REPORT_FILED, REPORT_CHALLENGED, REPORT_UPHELD, REPORT_VOIDED = 0, 1, 2, 3, 4
RULING_REFUSED, RULING_VALID, RULING_FRAUD = 0, 1, 2

# Defaults set by the constructor (docs/decisions.md, ComputeRegistry).
DEFAULT_STAKE_PER_GPU = (100 * LDAO, 250 * LDAO, 500 * LDAO, 1_000 * LDAO)
DEFAULT_UNITS_PER_GPU_SECOND = (100, 400, 1_000, 2_500)
DEFAULT_CHALLENGE_BOND = 500 * LDAO
DEFAULT_FRAUD_SLASH_BPS = 10_000
DEFAULT_CHALLENGER_SHARE_BPS = 5_000
DEFAULT_UNBONDING_PERIOD = 14 * DAY
DEFAULT_REPORTING_WINDOW = DAY
DEFAULT_CHALLENGE_PERIOD = 3 * DAY


@dataclass(frozen=True)
class Params:
    """`ComputeRegistry.Params`: terms of registrations, challenges and
    deactivations made after a change."""

    arbitrator: str
    treasury: str
    stake_per_gpu: tuple[int, int, int, int] = DEFAULT_STAKE_PER_GPU
    challenge_bond: int = DEFAULT_CHALLENGE_BOND
    fraud_slash_bps: int = DEFAULT_FRAUD_SLASH_BPS
    challenger_share_bps: int = DEFAULT_CHALLENGER_SHARE_BPS
    unbonding_period: int = DEFAULT_UNBONDING_PERIOD
    arbitrator_extra_data: bytes = b""

    def as_tuple(self) -> tuple:
        """The struct argument of `set_params`, in field order."""
        return (
            list(self.stake_per_gpu),
            self.challenge_bond,
            self.fraud_slash_bps,
            self.challenger_share_bps,
            self.unbonding_period,
            self.arbitrator,
            self.arbitrator_extra_data,
            self.treasury,
        )


@dataclass(frozen=True)
class EpochTerms:
    """`ComputeRegistry.EpochTerms`: fixed for an epoch before it starts."""

    epoch_emission: int
    reporting_window: int = DEFAULT_REPORTING_WINDOW
    challenge_period: int = DEFAULT_CHALLENGE_PERIOD
    max_units_per_gpu_second: tuple[int, int, int, int] = field(
        default=DEFAULT_UNITS_PER_GPU_SECOND
    )

    def as_tuple(self) -> tuple:
        """The struct argument of `set_epoch_terms`, in field order."""
        return (
            self.epoch_emission,
            self.reporting_window,
            self.challenge_period,
            list(self.max_units_per_gpu_second),
        )


@dataclass(frozen=True)
class EpochClock:
    """Epoch arithmetic of a registry: `[genesis + e*length, genesis + (e+1)*length)`."""

    genesis: int
    length: int

    def epoch_at(self, timestamp: int) -> int:
        """The epoch in progress at `timestamp`."""
        return (timestamp - self.genesis) // self.length

    def start(self, epoch: int) -> int:
        """The first second of `epoch`."""
        return self.genesis + epoch * self.length

    def end(self, epoch: int) -> int:
        """The first second after `epoch` (its reporting window opens)."""
        return self.start(epoch + 1)

    def final_at(self, epoch: int, terms: EpochTerms) -> int:
        """When `epoch` becomes final for rewards."""
        return self.end(epoch) + terms.reporting_window + terms.challenge_period


def capacity(gpu_count: int, units_per_gpu_second: int, epoch_length: int) -> int:
    """The most work units (TFLOP) a node may report for one epoch."""
    return gpu_count * units_per_gpu_second * epoch_length


def effective_units(work_units: int, uptime_bps: int) -> int:
    """The units a report earns by (uptime scales rewards, never stake)."""
    return work_units * uptime_bps // BPS


def reward(emission: int, effective: int, total_units: int) -> int:
    """A report's reward: its pro-rata share of the epoch's emission, rounded down."""
    return emission * effective // total_units


def pending_reward(entitled: int, paid: int) -> int:
    """What a claim pays now: the entitlement at the current total less what was paid."""
    return max(entitled - paid, 0)


def slash_split(
    stake: int, fraud_slash_bps: int, challenger_share_bps: int, fee: int = 0
) -> tuple[int, int]:
    """`(to_challenger, to_treasury)` of a fraud ruling on a node with `stake`:
    the challenger's arbitration `fee` is refunded out of the slash first, then
    `challenger_share_bps` of the rest is the challenger's (the bond comes
    back beside it)."""
    slashed = stake * fraud_slash_bps // BPS
    refund = min(fee, slashed)
    to_challenger = refund + (slashed - refund) * challenger_share_bps // BPS
    return to_challenger, slashed - to_challenger


def watcher_profit(stake: int, fraud_slash_bps: int, challenger_share_bps: int, fee: int) -> int:
    """A watcher's net gain from proving fraud against a node with `stake`:
    what the ruling credits beyond its bond, less the fee it paid."""
    return slash_split(stake, fraud_slash_bps, challenger_share_bps, fee)[0] - fee


def check_params(params: Params, arbitration_fee: int) -> list[str]:
    """Reasons `set_params` would refuse `params` over the fraud economics
    (empty if none): the slash of one GPU of every tier must exceed the
    arbitrator's fee, and the challenger's share must be positive, so that
    proving fraud pays at every node size."""
    problems = []
    if not 0 < params.challenger_share_bps <= 5_000:
        problems.append("challenger share must be 1 to 5,000 bps")
    for tier, stake in enumerate(params.stake_per_gpu):
        if stake * params.fraud_slash_bps // BPS <= arbitration_fee:
            problems.append(
                f"tier {tier}: the slash of one GPU ({stake * params.fraud_slash_bps // BPS}) "
                f"does not cover the arbitration fee ({arbitration_fee})"
            )
    return problems
