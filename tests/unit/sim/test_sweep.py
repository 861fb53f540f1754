"""labeldao.sim.sweep: grid specifications, the metric and the plot."""

import pytest

from labeldao.sim import sweep
from labeldao.sim.scenario import ScenarioError, load


def test_parse_sweep__protocol_shorthand_and_typed_values():
    assert sweep.parse_sweep("escrow.reject_slash_bps=1000, 5000") == (
        "protocol.escrow.reject_slash_bps",
        [1000, 5000],
    )
    assert sweep.parse_sweep("behaviour.honest_accuracy=0.9,1.0") == (
        "behaviour.honest_accuracy",
        [0.9, 1.0],
    )


@pytest.mark.parametrize("spec", ["behaviour.bribe", "behaviour.bribe=", "=1,2"])
def test_parse_sweep__malformed__clear_error(spec):
    with pytest.raises(ScenarioError, match="expected PARAM=v1,v2"):
        sweep.parse_sweep(spec)


def test_grid__every_combination_validated_up_front():
    points = sweep.grid(
        load("tiny"), [("behaviour.bribe", [0, 10]), ("population.lazy_jurors", [0, 1, 2])]
    )
    assert len(points) == 6
    assert points[-1][0] == {"behaviour.bribe": 10, "population.lazy_jurors": 2}
    assert points[-1][1].population.lazy_jurors == 2
    with pytest.raises(ScenarioError, match="population.lazy_jurors"):
        sweep.grid(load("tiny"), [("population.lazy_jurors", [0, -1])])


def _outcome(seed, bribed):
    return {
        "seed": seed,
        "net_ldao": {"honest juror": 10.0, "bribed juror": bribed, "lazy juror": 0.0},
        "disputes": 2,
        "provider_rewards_ldao": 0.0,
        "tasks_done": 1,
    }


def test_point_row__per_strategy_advantage_interval_and_verdict():
    outcomes = [_outcome(1, 30.0), _outcome(2, 32.0), _outcome(3, 29.0)]
    row = sweep.point_row({"behaviour.bribe": 60}, outcomes, epochs=4)
    assert row["behaviour.bribe"] == 60 and row["runs"] == 3
    assert row["bribed_juror_advantage_ldao"] == pytest.approx(20.3333, abs=1e-4)
    assert 0 < row["bribed_juror_ci_low"] < row["bribed_juror_ci_high"]
    assert row["bribed_juror_verdict"] == "pays"
    assert row["lazy_juror_verdict"] == "does not pay"
    assert row["cheating_minus_honest_ldao"] == row["bribed_juror_advantage_ldao"]
    assert row["cheating_pays"] == 1


def test_tasks__every_point_under_the_same_seeds():
    points = sweep.grid(load("tiny"), [("behaviour.bribe", [0, 10])])
    tasks = sweep.tasks(points, [5, 9])
    assert [(t.scenario.behaviour.bribe, t.seed) for t in tasks] == [
        (0, 5),
        (0, 9),
        (10, 5),
        (10, 9),
    ]


def _row(a, b, advantage, verdict):
    return {
        "a": a, "b": b,
        "bribed_juror_advantage_ldao": advantage, "bribed_juror_ci_low": advantage - 5,
        "bribed_juror_ci_high": advantage + 5, "bribed_juror_verdict": verdict,
        "lazy_annotator_advantage_ldao": -advantage, "lazy_annotator_ci_low": "",
        "lazy_annotator_ci_high": "", "lazy_annotator_verdict": "unfinished",
    }  # fmt: skip


def test_plot__one_panel_per_strategy_heatmap_and_line(tmp_path):
    rows = [_row(a, b, 10.0 * a - 1200 * b, "pays") for a in (1, 2) for b in (0, 1)]
    assert sweep.strategies_in(rows) == ["lazy annotator", "bribed juror"]
    for params, name in ((["a", "b"], "heat.png"), (["a"], "line.png")):
        path = sweep.plot(rows if params == ["a", "b"] else rows[::2], params, tmp_path / name)
        assert path.read_bytes()[:4] == b"\x89PNG"
