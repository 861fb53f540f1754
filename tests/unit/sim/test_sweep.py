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


def test_cheating_advantage__worst_case_over_roles():
    verdict = {
        "roles": {
            "annotator": {"honesty_margin_ldao": {"lazy annotator": 50.0}},
            "juror": {"honesty_margin_ldao": {"bribed juror": -20.0, "lazy juror": 5.0}},
        }
    }
    assert sweep.cheating_advantage(verdict) == 20.0
    assert sweep.cheating_advantage({"roles": {}}) == 0.0


def test_plot__heatmap_and_line(tmp_path):
    rows = [
        {"a": a, "b": b, "cheating_minus_honest_ldao": a - b, "juror_honesty_margin_ldao": b - a}
        for a in (1, 2)
        for b in (3, 4)
    ]
    for params, name in ((["a", "b"], "heat.png"), (["a"], "line.png")):
        path = sweep.plot(rows, params, tmp_path / name)
        assert path.read_bytes()[:4] == b"\x89PNG"
