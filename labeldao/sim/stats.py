"""Monte Carlo statistics: seeds, means with 95 % confidence intervals, verdicts.

Pure Python (no numpy, no scipy): the Student t quantile is the exact
0.975 quantile for 1-30 degrees of freedom (a table) and a Cornish-Fisher
expansion beyond (error below 1e-6 from 30 on); `tests/unit/sim/test_stats.py`
checks both against a numerical integration of the t density.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

# Two-sided 95 %: the 0.975 quantile of Student's t, df = 1..30.
T975 = (
    12.7062047,
    4.3026527,
    3.1824463,
    2.7764451,
    2.5705818,
    2.4469119,
    2.3646243,
    2.3060041,
    2.2621572,
    2.2281389,
    2.2009852,
    2.1788128,
    2.1603687,
    2.1447867,
    2.1314495,
    2.1199053,
    2.1098155,
    2.1009220,
    2.0930241,
    2.0859634,
    2.0796138,
    2.0738731,
    2.0686576,
    2.0638986,
    2.0595386,
    2.0555294,
    2.0518305,
    2.0484071,
    2.0452296,
    2.0422725,
)
Z975 = 1.959963984540054

# Verdicts on a cheating strategy's advantage (cheater minus honest).
PAYS, DOES_NOT_PAY, INCONCLUSIVE = "pays", "does not pay", "inconclusive"
UNFINISHED, NO_DIFFERENCE = "unfinished", "no difference"


def t975(df: int) -> float:
    """The 0.975 quantile of Student's t with `df` degrees of freedom."""
    if df < 1:
        raise ValueError("a t quantile needs at least 1 degree of freedom")
    if df <= len(T975):
        return T975[df - 1]
    z, v = Z975, float(df)
    return (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4)
    )


@dataclass(frozen=True)
class Interval:
    """A sample mean with its two-sided 95 % t interval (none from one value)."""

    mean: float
    low: float | None
    high: float | None
    n: int

    def as_dict(self) -> dict[str, object]:
        ci = None if self.low is None else [round(self.low, 4), round(self.high or 0.0, 4)]
        return {"mean": round(self.mean, 4), "ci95": ci, "runs": self.n}


def interval(values: list[float]) -> Interval:
    """Mean and 95 % confidence interval of independent observations."""
    n = len(values)
    if n == 0:
        raise ValueError("no values")
    mean = math.fsum(values) / n
    if n == 1:
        return Interval(mean, None, None, 1)
    variance = math.fsum((x - mean) ** 2 for x in values) / (n - 1)
    half = t975(n - 1) * math.sqrt(variance / n)
    return Interval(mean, mean - half, mean + half, n)


def verdict(advantages: list[float], unfinished: str | None = None) -> tuple[str, str]:
    """The verdict on a cheating strategy from its advantage over honesty in
    each run (cheater minus honest, LDAO per agent), with the reason.

    Pays / does not pay only when the 95 % interval excludes zero; a
    quantity that never moved or a mechanism that never finished says so."""
    if unfinished:
        return UNFINISHED, unfinished
    if all(a == 0 for a in advantages):
        return NO_DIFFERENCE, "cheater and honest agents earned the same in every run"
    ci = interval(advantages)
    if ci.low is None:
        return INCONCLUSIVE, "one run gives no interval (use --runs)"
    if ci.low > 0:
        return PAYS, "the whole 95 % interval is above zero"
    if ci.high is not None and ci.high < 0:
        return DOES_NOT_PAY, "the whole 95 % interval is below zero"
    return INCONCLUSIVE, "the 95 % interval contains zero"


def seeds(base: int, runs: int) -> list[int]:
    """The seeds of `runs` runs: the base seed first (one run is the run
    `--seed` always gave), then seeds hashed from (base, index)."""
    derived = [base]
    for i in range(1, runs):
        digest = hashlib.sha256(f"labeldao-sim-run:{base}:{i}".encode()).digest()
        derived.append(int.from_bytes(digest[:4], "big"))
    return derived
