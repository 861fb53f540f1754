"""labeldao.ape_backend.locate_court: where the CLI finds the court, and a
clear refusal when it cannot."""

from __future__ import annotations

import json

import pytest

from labeldao.ape_backend import locate_court, record_slug
from labeldao.juror import JurorError

COURT = "0x8A791620dd6260079BF849Dc5567aDC3F2FdC318"


def _record(tmp_path, chain_id=31337, address=COURT, name="deployment.json"):
    path = tmp_path / name
    record = {"chain_id": chain_id, "contracts": {"QualityCourt": {"address": address}}}
    path.write_text(json.dumps(record))
    return path


def test_record_slug__local_networks_carry_the_provider():
    assert record_slug("local", "foundry") == "local-foundry"
    assert record_slug("sepolia", "node") == "sepolia"


def test_record_slug__other_ecosystems_are_prefixed():
    assert record_slug("sepolia", "node", "arbitrum") == "arbitrum-sepolia"
    assert record_slug("sepolia", "node", "optimism") == "optimism-sepolia"
    assert record_slug("local", "foundry", "base") == "base-local-foundry"


def test_locate_court__option__wins_over_any_record(tmp_path):
    found = locate_court(
        court=COURT.lower(), deployment=None, default_record=tmp_path / "x.json", chain_id=1
    )
    assert (found.address, found.source) == (COURT, "--court")


def test_locate_court__not_an_address__refused():
    with pytest.raises(JurorError, match="--court: '0x12' is not an address"):
        locate_court(court="0x12", deployment=None, default_record=None, chain_id=1)


def test_locate_court__default_record__read_for_its_chain(tmp_path):
    path = _record(tmp_path, name="local-foundry.json")
    found = locate_court(court=None, deployment=None, default_record=path, chain_id=31337)
    assert (found.address, found.source) == (COURT, str(path))


def test_locate_court__no_record__says_to_deploy_or_pass_the_address(tmp_path):
    with pytest.raises(JurorError, match="run `ape run deploy` on this network first.*--court"):
        locate_court(court=None, deployment=None, default_record=tmp_path / "none.json", chain_id=1)


def test_locate_court__record_of_another_chain__refused(tmp_path):
    path = _record(tmp_path, chain_id=11155111)
    with pytest.raises(JurorError, match="deployment on chain 11155111, but the connected chain"):
        locate_court(court=None, deployment=path, default_record=None, chain_id=31337)


@pytest.mark.parametrize("text", ["not json", "{}", '{"contracts": {"TaskEscrow": {}}}', "[]"])
def test_locate_court__malformed_record__refused(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(JurorError, match="not a deployment record with a QualityCourt"):
        locate_court(court=None, deployment=path, default_record=None, chain_id=1)
