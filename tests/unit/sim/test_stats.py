"""labeldao.sim.stats: the t quantile against an independent numerical
integration, intervals, verdicts and seeds."""

import math
import statistics

import pytest

from labeldao.sim import stats


def _t_cdf_above_zero(t: float, df: int, steps: int = 20_000) -> float:
    """P(0 < T < t) by Simpson's rule on the t density (independent of the table)."""
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)

    def density(x: float) -> float:
        return math.exp(log_c - (df + 1) / 2 * math.log1p(x * x / df))

    h = t / steps
    total = density(0) + density(t)
    total += sum((4 if i % 2 else 2) * density(i * h) for i in range(1, steps))
    return total * h / 3


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 7, 10, 15, 20, 29, 30, 31, 40, 60, 120, 500])
def test_t975__leaves_2_5_percent_in_each_tail(df):
    assert _t_cdf_above_zero(stats.t975(df), df) == pytest.approx(0.475, abs=2e-6)


@pytest.mark.parametrize(
    ("df", "known"),
    [(1, 12.706), (2, 4.303), (5, 2.571), (10, 2.228), (30, 2.042), (60, 2.000), (120, 1.980)],
)
def test_t975__textbook_values(df, known):
    assert round(stats.t975(df), 3) == known


def test_t975__tends_to_the_normal_quantile():
    assert stats.t975(10**6) == pytest.approx(statistics.NormalDist().inv_cdf(0.975), abs=1e-5)
    with pytest.raises(ValueError):
        stats.t975(0)


def test_interval__mean_and_half_width():
    ci = stats.interval([1.0, 2.0, 3.0, 4.0])
    half = stats.t975(3) * statistics.stdev([1, 2, 3, 4]) / 2
    assert (ci.mean, ci.n) == (2.5, 4)
    assert ci.low == pytest.approx(2.5 - half) and ci.high == pytest.approx(2.5 + half)
    assert stats.interval([7.0]).as_dict() == {"mean": 7.0, "ci95": None, "runs": 1}


@pytest.mark.parametrize(
    ("advantages", "unfinished", "expected"),
    [
        ([5.0, 6.0, 7.0], None, stats.PAYS),
        ([-5.0, -6.0, -7.0], None, stats.DOES_NOT_PAY),
        ([-5.0, 6.0, 1.0], None, stats.INCONCLUSIVE),
        ([5.0], None, stats.INCONCLUSIVE),
        ([0.0, 0.0], None, stats.NO_DIFFERENCE),
        ([5.0, 6.0, 7.0], "no dispute", stats.UNFINISHED),
    ],
)
def test_verdict__only_an_interval_clear_of_zero_decides(advantages, unfinished, expected):
    assert stats.verdict(advantages, unfinished)[0] == expected


def test_seeds__base_first_distinct_and_reproducible():
    derived = stats.seeds(7, 5)
    assert derived[0] == 7 and len(set(derived)) == 5
    assert stats.seeds(7, 5) == derived and stats.seeds(7, 3) == derived[:3]
    assert stats.seeds(8, 2)[1] != derived[1]
