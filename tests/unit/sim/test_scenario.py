"""labeldao.sim.scenario: scenario files, overrides and their validation."""

import pytest

from labeldao.sim.scenario import (
    Scenario,
    ScenarioError,
    available,
    load,
    parse_value,
    qualify,
    scenario_path,
    validate,
)


def test_available__lists_the_shipped_scenarios():
    assert {"demo", "tiny", "large", "bribery"} <= set(available())


@pytest.mark.parametrize("name", ["demo", "tiny", "large", "bribery", "year"])
def test_load__shipped_scenario__validates(name):
    scenario = load(name)
    assert scenario.name == name
    assert scenario.epochs >= 1


def test_load__unknown_name__lists_the_available_ones():
    with pytest.raises(ScenarioError, match=r"no scenario 'nope'.*available: .*demo"):
        load("nope")


def test_load__invalid_toml__says_so(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("name = \n")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load(str(path))


def test_scenario_path__name_or_file():
    assert scenario_path("demo").name == "demo.toml"
    assert str(scenario_path("/x/y.toml")) == "/x/y.toml"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x", "epochs": 0}, r"epochs: Input should be greater than or equal to 1"),
        ({"name": "bad name"}, r"name: String should match pattern"),
        ({"name": "x", "population": {"requesters": 0}}, r"population.requesters"),
        ({"name": "x", "behaviour": {"honest_accuracy": 1.5}}, r"behaviour.honest_accuracy"),
        (
            {"name": "x", "behaviour": {"gold_items": 20, "items_per_task": 8}},
            "gold_items must not",
        ),
        ({"name": "x", "colour": "red"}, r"colour: Extra inputs are not permitted"),
        (
            {"name": "x", "population": {"honest_jurors": 0, "lazy_jurors": 0, "bribed_jurors": 0}},
            "at least one juror",
        ),
        (
            {
                "name": "x",
                "population": {
                    "honest_annotators": 0,
                    "lazy_annotators": 0,
                    "malicious_annotators": 0,
                },
            },
            "at least one annotator",
        ),
    ],
)
def test_validate__bad_value__names_the_field(data, message):
    with pytest.raises(ScenarioError, match=message):
        validate(data, source="test")


def test_validate__defaults__are_a_valid_scenario():
    scenario = validate({"name": "x"}, source="test")
    assert isinstance(scenario, Scenario)
    assert scenario.population.requesters == 3


def test_with_overrides__sets_dotted_paths_and_revalidates():
    scenario = load("tiny").with_overrides(
        {"behaviour.bribe": 0, "protocol.escrow.reject_slash_bps": 9_000, "epochs": 2}
    )
    assert scenario.behaviour.bribe == 0
    assert scenario.protocol.escrow == {"reject_slash_bps": 9_000}
    assert scenario.epochs == 2


def test_with_overrides__unknown_path__reverts_with_the_known_keys():
    with pytest.raises(
        ScenarioError, match=r"unknown parameter 'behaviour.brib'; known here: .*bribe"
    ):
        load("tiny").with_overrides({"behaviour.brib": 0})


def test_with_overrides__path_through_a_value__fails():
    with pytest.raises(ScenarioError, match=r"epochs is no group"):
        load("tiny").with_overrides({"epochs.x": 1})


def test_with_overrides__out_of_bounds__fails_by_name():
    with pytest.raises(ScenarioError, match=r"behaviour.lazy_forgets_reveal"):
        load("tiny").with_overrides({"behaviour.lazy_forgets_reveal": 2})


@pytest.mark.parametrize(
    ("text", "value"), [("3", 3), ("0.5", 0.5), ("true", True), ('"a"', "a"), ("word", "word")]
)
def test_parse_value__reads_toml_scalars(text, value):
    assert parse_value(text) == value


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (" court.alpha_bps ", "protocol.court.alpha_bps"),
        ("escrow.reject_slash_bps", "protocol.escrow.reject_slash_bps"),
        ("registry.fraud_slash_bps", "protocol.registry.fraud_slash_bps"),
        ("behaviour.bribe", "behaviour.bribe"),
        ("protocol.court.alpha_bps", "protocol.court.alpha_bps"),
    ],
)
def test_qualify__protocol_groups_get_their_prefix(text, path):
    assert qualify(text) == path
