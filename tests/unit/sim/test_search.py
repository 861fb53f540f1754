"""labeldao.sim.search: ranges checked up front, the best strategy of a point."""

import pytest

from labeldao.sim import search, stats
from labeldao.sim.scenario import ScenarioError, load


def test_ranges__qualified_and_each_end_validated():
    tiny = load("tiny").with_overrides(
        {"search.ranges": {"escrow.reject_slash_bps": [1000, 9000], "behaviour.bribe": [0, 9]}}
    )
    assert search.ranges(tiny) == {
        "protocol.escrow.reject_slash_bps": (1000, 9000),
        "behaviour.bribe": (0, 9),
    }
    bad = load("tiny").with_overrides({"search.ranges": {"population.lazy_jurors": [0, 5000]}})
    with pytest.raises(ScenarioError, match=r"\[search.ranges\] population.lazy_jurors=5000"):
        search.ranges(bad)


def test_ranges__none_given__says_how_to_write_them():
    with pytest.raises(ScenarioError, match=r"no \[search.ranges\] table"):
        search.ranges(load("bribery"))


def _judged(strategy, mean, verdict):
    return {"strategy": strategy, "advantage_ldao": {"mean": mean}, "verdict": verdict}


def test_best_strategy__largest_mean_among_finished_comparisons():
    judged = [
        _judged("lazy juror", -5.0, stats.DOES_NOT_PAY),
        _judged("bribed juror", 12.0, stats.INCONCLUSIVE),
        _judged("overreporting provider", 99.0, stats.UNFINISHED),
    ]
    assert search.best_strategy(judged)["strategy"] == "bribed juror"
    assert search.best_strategy([judged[2]]) is None
