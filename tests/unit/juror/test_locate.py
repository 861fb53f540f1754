"""labeldao.ape_backend.locate_court: where the CLI finds the court, and a
clear refusal when it cannot."""

from __future__ import annotations

import json

import pytest

from labeldao.ape_backend import locate_court
from labeldao.deployments import Network
from labeldao.juror import JurorError

COURT = "0x8A791620dd6260079BF849Dc5567aDC3F2FdC318"
LOCAL = Network("local", "foundry")


def _record(tmp_path, chain_id=31337, address=COURT, name="deployment.json"):
    path = tmp_path / name
    record = {"chain_id": chain_id, "contracts": {"QualityCourt": {"address": address}}}
    path.write_text(json.dumps(record))
    return path


def test_locate_court__option__wins_over_any_record(tmp_path):
    found = locate_court(
        court=COURT.lower(), deployment=None, network=LOCAL, chain_id=1, root=tmp_path
    )
    assert (found.address, found.source) == (COURT, "--court")


def test_locate_court__not_an_address__refused():
    with pytest.raises(JurorError, match="--court: '0x12' is not an address"):
        locate_court(court="0x12", deployment=None, network=LOCAL, chain_id=1)


def test_locate_court__default_record__read_for_its_chain(tmp_path):
    path = _record(tmp_path, name="local-foundry.json")
    found = locate_court(court=None, deployment=None, network=LOCAL, chain_id=31337, root=tmp_path)
    assert (found.address, found.source) == (COURT, str(path))


def test_locate_court__no_record__says_to_deploy_or_pass_the_address(tmp_path):
    deploy = "run `ape run deploy --network ethereum:local:foundry` first.*--court ADDRESS"
    with pytest.raises(JurorError, match=deploy):
        locate_court(court=None, deployment=None, network=LOCAL, chain_id=1, root=tmp_path)


def test_locate_court__record_of_another_chain__refused(tmp_path):
    path = _record(tmp_path, chain_id=11155111)
    with pytest.raises(JurorError, match="deployment on chain 11155111, but the connected chain"):
        locate_court(court=None, deployment=path, network=LOCAL, chain_id=31337)


@pytest.mark.parametrize("text", ["not json", "{}", '{"contracts": {"TaskEscrow": {}}}', "[]"])
def test_locate_court__malformed_record__refused(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(JurorError, match="bad.json: not a deployment record$"):
        locate_court(court=None, deployment=path, network=LOCAL, chain_id=1)


def test_locate_court__record_without_a_court__says_to_pass_its_address(tmp_path):
    path = tmp_path / "escrow-only.json"
    path.write_text(json.dumps({"contracts": {"TaskEscrow": {"address": COURT}}}))
    with pytest.raises(JurorError, match="has no QualityCourt; or pass --court ADDRESS$"):
        locate_court(court=None, deployment=path, network=LOCAL, chain_id=1)
